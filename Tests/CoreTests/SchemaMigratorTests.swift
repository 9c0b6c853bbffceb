import Core
import PostgresNIO
import TestSupport
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnlyOnStatementSemicolons() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'a;b', "we;ird" int);
            /* block; comment */
            CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.x := 'y;'; RETURN NEW; END; $$ LANGUAGE plpgsql;
            CREATE FUNCTION g() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT 'it''s; fine';
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0] == "CREATE TABLE a (x text DEFAULT 'a;b', \"we;ird\" int)")
        #expect(statements[1].hasSuffix("$$ LANGUAGE plpgsql"))
        #expect(statements[2].contains("$body$ SELECT 1; $body$"))
        #expect(statements[3] == "SELECT 'it''s; fine'")
    }

    @Test func theShippedSchemaSplitsIntoStatements() {
        let statements = SQLScript.statements(in: SchemaMigrator.schemaSQL)
        #expect(statements.count > 3)
        #expect(statements.allSatisfy { !$0.hasPrefix("--") })
    }
}

@Suite struct SchemaMigratorTests {
    @Test func concurrentMigrationsOfAnEmptyDatabaseApplyTheSchemaOnce() async throws {
        let url = try await TestDatabase.makeEmpty()
        defer { Task { try? await TestDatabase.drop(url) } }
        let results = try await TestDatabase.with(url: url) { database in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await SchemaMigrator(database: database).migrate() }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(results.count == 4)
        let (migrations, usersTable) = try await TestDatabase.with(url: url) { database in
            let count = try await database.client.query("SELECT count(*)::int8 FROM schema_migrations").collect().first?.decode(Int64.self)
            let table = try await database.client.query("SELECT to_regclass('public.users')::text").collect().first?.decode(String?.self)
            return (count, table)
        }
        #expect(migrations == 1)
        #expect(usersTable == "users")
    }

    @Test func reapplyingTheSameSchemaIsANoOp() async throws {
        let url = try await TestDatabase.makeEmpty()
        defer { Task { try? await TestDatabase.drop(url) } }
        let (first, second) = try await TestDatabase.with(url: url) { database in
            (try await SchemaMigrator(database: database).migrate(), try await SchemaMigrator(database: database).migrate())
        }
        #expect(first)
        #expect(!second)
    }

    @Test func aFailingScriptLeavesNothingBehind() async throws {
        let url = try await TestDatabase.makeEmpty()
        defer { Task { try? await TestDatabase.drop(url) } }
        let broken = "CREATE TABLE half_done (id int); SELECT * FROM table_that_does_not_exist;"
        let leftover = try await TestDatabase.with(url: url) { database in
            await #expect(throws: (any Error).self) { try await SchemaMigrator(database: database, sql: broken).migrate() }
            return try await database.client.query("SELECT to_regclass('public.half_done')::text").collect().first?.decode(String?.self)
        }
        #expect(leftover == .some(nil))
    }
}
