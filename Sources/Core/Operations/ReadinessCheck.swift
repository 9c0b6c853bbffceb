/// A dependency `/ready` reports on. Required checks make the service unready (503);
/// optional ones (a cache with an in-process fallback) are reported but never fail it.
public protocol ReadinessCheck: Sendable {
    var name: String { get }
    var isRequired: Bool { get }
    func isReady() async -> Bool
}

public struct DatabaseReadinessCheck: ReadinessCheck {
    let database: Database
    public let name = "database"
    public let isRequired = true

    public init(database: Database) {
        self.database = database
    }

    public func isReady() async -> Bool {
        await database.isReachable()
    }
}
