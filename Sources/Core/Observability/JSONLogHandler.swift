import Foundation
import Logging
import NIOConcurrencyHelpers

/// One JSON object per line on standard output, for log collectors in production.
/// Like `TextLogHandler`, it formats metadata only when a line is written: every request
/// sets metadata (its id), and most requests write no line.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    static let output = NIOLockedValueBox(FileHandle.standardOutput)

    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let line = Self.line(
            label: label, level: event.level, message: event.message.description,
            metadata: LoggingSetup.merged(metadata, metadataProvider, event.metadata))
        Self.output.withLockedValue { $0.write(line) }
    }

    /// One log line: the handler's and the event's metadata beside the line's own fields.
    static func line(label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date = Date()) -> Data {
        var fields: [String: JSONValue] = [
            "timestamp": .string(ISO8601.string(from: date, fractionalSeconds: true)),
            "level": .string(level.rawValue),
            "logger": .string(label),
            "message": .string(message),
        ]
        for (key, value) in metadata {
            // Metadata never overwrites the line's own fields: a `message` or `level` key
            // (say, from a provider's error) is kept beside them instead.
            fields[reserved.contains(key) ? "meta_" + key : key] = json(value)
        }
        var line = JSONValue.object(fields).encodedData()
        line.append(0x0A)
        return line
    }

    static let reserved: Set<String> = ["timestamp", "level", "logger", "message"]

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string): .string(string)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let array): .array(array.map(json))
        case .dictionary(let dictionary): .object(dictionary.mapValues(json))
        }
    }
}

public enum LoggingSetup {
    /// Installs the process-wide log handler. Call once, from `main`.
    public static func bootstrap(json: Bool, level: Logger.Level) {
        LoggingSystem.bootstrap(
            { label, provider in
                json
                    ? JSONLogHandler(label: label, level: level, metadataProvider: provider) as any LogHandler
                    : TextLogHandler(label: label, level: level, metadataProvider: provider)
            }, metadataProvider: .request)
    }

    /// A line's metadata: the logger's, then the provider's, then the line's own, later
    /// ones winning (swift-log's order).
    static func merged(_ logger: Logger.Metadata, _ provider: Logger.MetadataProvider?, _ line: Logger.Metadata?) -> Logger.Metadata {
        var merged = logger
        if let provided = provider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let line, !line.isEmpty { merged.merge(line) { _, new in new } }
        return merged
    }
}

/// Plain text lines for development: `2026-11-27T03:04:05.123Z info AuthService: key=value message`.
/// (swift-log's StreamLogHandler re-formats all metadata on every change, which costs
/// more per request than the request itself.)
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LoggingSetup.merged(metadata, metadataProvider, event.metadata)
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line =
            "\(ISO8601.string(from: Date(), fractionalSeconds: true)) \(event.level) \(label):\(fields.isEmpty ? "" : " " + fields) \(event.message)\n"
        JSONLogHandler.output.withLockedValue { $0.write(Data(line.utf8)) }
    }
}
