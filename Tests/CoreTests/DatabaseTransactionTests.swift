import Core
import PostgresNIO
import TestSupport
import Testing

@Suite struct DatabaseTransactionTests {
    struct DomainError: Error, Equatable {}

    @Test func aDomainErrorThrownInsideATransactionComesOutUnwrappedAndRollsBack() async throws {
        let url = try await TestDatabase.migratedURL()
        try await TestDatabase.with(url: url) { database in
            let table = "tx_probe_\(UInt32.random(in: 0...UInt32.max))"
            try await database.client.query("CREATE TABLE \(unescaped: table) (x int)")
            await #expect(throws: DomainError.self) {
                try await database.transaction { connection in
                    _ = try await connection.run("INSERT INTO \(unescaped: table) VALUES (1)", logger: database.logger)
                    throw DomainError()
                }
            }
            var count = 0
            for try await _ in try await database.client.query("SELECT 1 FROM \(unescaped: table)") { count += 1 }
            #expect(count == 0)
            try await database.client.query("DROP TABLE \(unescaped: table)")
        }
    }

    /// A deadlock victim or serialization failure is rolled back whole and run again,
    /// a bounded number of times; other database errors are not retried.
    @Test func deadlocksAndSerializationFailuresAreRetriedABoundedNumberOfTimes() async throws {
        let url = try await TestDatabase.migratedURL()
        try await TestDatabase.with(url: url) { database in
            let table = "tx_retry_\(UInt32.random(in: 0...UInt32.max))"
            try await database.client.query("CREATE TABLE \(unescaped: table) (x int)")
            final class Counter: @unchecked Sendable { var value = 0 }
            for state in ["40P01", "40001"] {
                let attempts = Counter()
                let result = try await database.transaction { connection in
                    attempts.value += 1
                    _ = try await connection.run("INSERT INTO \(unescaped: table) VALUES (\(attempts.value))", logger: database.logger)
                    if attempts.value < 3 {
                        _ = try await connection.run(
                            "DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '\(unescaped: state)'; END $$", logger: database.logger)
                    }
                    return attempts.value
                }
                #expect(result == 3)
                // The failed attempts left nothing behind.
                var rows: [Int] = []
                for try await x in try await database.client.query("SELECT x FROM \(unescaped: table)").decode(Int.self) { rows.append(x) }
                #expect(rows == [3])
                try await database.client.query("DELETE FROM \(unescaped: table)")
            }
            let forever = Counter()
            await #expect(throws: PSQLError.self) {
                try await database.transaction { connection in
                    forever.value += 1
                    _ = try await connection.run("DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '40P01'; END $$", logger: database.logger)
                }
            }
            #expect(forever.value == Database.transactionAttempts)
            let other = Counter()
            await #expect(throws: PSQLError.self) {
                try await database.transaction { connection in
                    other.value += 1
                    _ = try await connection.run("SELECT 1/0", logger: database.logger)
                }
            }
            #expect(other.value == 1)
            try await database.client.query("DROP TABLE \(unescaped: table)")
        }
    }
}
