import Core
import PostgresNIO
import Testing
import TestSupport

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
}
