/// A start-up configuration problem. The message always names the variable so that an
/// operator can fix the deployment without reading code.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let variable: String
    public let reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "invalid configuration: \(variable): \(reason)" }
}
