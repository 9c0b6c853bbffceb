import Core
import Foundation
import Hummingbird
import PostgresNIO

/// `?page=&limit=` (page ≥ 1, 1 ≤ limit ≤ 100), or `?limit=&offset=` as
/// FE/services/feedbackService.js L110 sends it; anything else is a 400 VALIDATION_ERROR
/// naming the parameter.
struct PageRequest: Sendable, Equatable {
    var page: Int
    var limit: Int
    /// An explicit `offset` (rows to skip), when the client sent one instead of a page.
    var skip: Int?
    var offset: Int { skip ?? (page - 1) * limit }
    /// `?cursor=`: where the previous page ended (its `pagination.nextCursor`), for the
    /// lists that page by position (`TimeCursor`, a ledger id). A page after a cursor costs
    /// the same however deep it is; an offset reads every row it skips.
    var cursor: String?

    static let maximumLimit = 100

    init(page: Int = 1, limit: Int = 20) {
        self.page = page
        self.limit = limit
    }

    init(request: Request, defaultLimit: Int = 20) throws {
        var issues: [ValidationIssue] = []
        page = Self.integer(request, "page", default: 1, range: 1...1_000_000, issues: &issues)
        limit = Self.integer(request, "limit", default: defaultLimit, range: 1...Self.maximumLimit, issues: &issues)
        if request.uri.queryParameters["offset"] != nil {
            let skip = Self.integer(request, "offset", default: 0, range: 0...10_000_000, issues: &issues)
            self.skip = skip
            page = skip / max(1, limit) + 1
        }
        if let raw = request.uri.queryParameters["cursor"].map(String.init) {
            if raw.count > 100 {
                issues.append(
                    ValidationIssue(
                        type: "string_too_long", location: .query, path: ["cursor"], message: "cursor is not one this API gave", input: .string(raw)))
            } else {
                cursor = raw
            }
        }
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
    }

    /// The cursor parsed by `parse`, or a 400 naming it.
    func cursor<C>(_ parse: (String) -> C?) throws -> C? {
        guard let cursor else { return nil }
        guard let parsed = parse(cursor) else {
            throw CoreError.invalidInput([
                ValidationIssue(
                    type: "value_error", location: .query, path: ["cursor"], message: "cursor is not one this API gave", input: .string(cursor))
            ])
        }
        return parsed
    }

    /// An integer query parameter within `range` (`default` when absent).
    static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>, issues: inout [ValidationIssue]) -> Int {
        guard let raw = request.uri.queryParameters[Substring(name)].map(String.init) else { return value }
        guard let number = Int(raw) else {
            issues.append(
                ValidationIssue(
                    type: "int_parsing", location: .query, path: [.string(name)], message: "\(name) must be an integer", input: .string(raw)))
            return value
        }
        guard range.contains(number) else {
            issues.append(
                ValidationIssue(
                    type: "range", location: .query, path: [.string(name)],
                    message: "\(name) must be between \(range.lowerBound) and \(range.upperBound)", input: .string(raw)))
            return value
        }
        return number
    }
}

extension PageRequest {
    /// The document's description of `?page=&limit=&offset=`.
    static let parameters: [JSONValue] = [
        OpenAPIOperation.query("page", ["type": "integer", "minimum": 1, "maximum": 1_000_000]),
        OpenAPIOperation.query("limit", ["type": "integer", "minimum": 1, "maximum": .int(maximumLimit)]),
        OpenAPIOperation.query("offset", ["type": "integer", "minimum": 0, "maximum": 10_000_000], description: "Rows to skip, instead of page"),
    ]

    /// `nextCursor`: where the next page starts, for lists that page by position (nil
    /// when this page is the last, or the list pages by offset only).
    func page<Item: Codable & Sendable>(_ items: [Item], total: Int, nextCursor: String? = nil) -> Page<Item> {
        Page(
            items: items,
            pagination: .init(
                page: page, limit: limit, total: total, totalPages: total == 0 ? 0 : (total + limit - 1) / limit,
                nextCursor: items.count == limit ? nextCursor : nil))
    }

    /// `?cursor=` as the document states it: exactly the strings the list's parser takes
    /// (`TimeCursor.pattern`, `ledgerCursorPattern`), so what the schema allows is accepted.
    static func cursorParameter(pattern: String) -> JSONValue {
        OpenAPIOperation.query(
            "cursor", ["type": "string", "maxLength": 100, "pattern": .string(pattern)],
            description: "pagination.nextCursor of the previous page: the next page, at any depth")
    }

    /// A ledger row's id: a positive integer that fits in 64 bits.
    static let ledgerCursorPattern = "^[1-9][0-9]{0,17}$"
}

/// A position in a list ordered newest first by `created_at`, then by id: the
/// microseconds since 1970 (what PostgreSQL stores) and the row's id, as
/// "<microseconds>_<uuid>".
struct TimeCursor: Sendable, Equatable {
    var microseconds: Int64
    var id: UUID

    init(createdAt: Date, id: UUID) {
        microseconds = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        self.id = id
    }

    init?(_ text: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        // At most 17 digits: about 3,000 years either side of 1970, inside PostgreSQL's
        // timestamp range (a cursor beyond it would fail the query, not page).
        guard parts.count == 2, parts[0].drop(while: { $0 == "-" }).count <= 17, let microseconds = Int64(parts[0]),
            let id = UUID(parsing: String(parts[1]))
        else { return nil }
        self.microseconds = microseconds
        self.id = id
    }

    var text: String { "\(microseconds)_\(id.lowercasedString)" }

    /// What `init?(_:)` accepts, for the document.
    static let pattern = "^-?[0-9]{1,17}_[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
}

/// `{items, pagination:{page, limit, total, totalPages}}`.
struct Page<Item: Codable & Sendable>: ResponseContent {
    struct Pagination: ResponseContent {
        var page: Int
        var limit: Int
        var total: Int
        var totalPages: Int
        var nextCursor: String?
    }

    var items: [Item]
    var pagination: Pagination
}

extension PostgresQuery.StringInterpolation {
    /// The keyset condition of the page after `cursor` in a list newest first by the
    /// column `createdAt`, ties by `id` (both SQL column references): rows older than the
    /// cursor's time, and rows of that time with a greater id; true without a cursor.
    /// `createdAt <= t` bounds the index scan, the rest filters ties. Written once for
    /// every such list (the articles, the admin's users).
    mutating func appendInterpolation(after cursor: TimeCursor?, createdAt: String, id: String) {
        let position = cursor?.microseconds
        let time = "timestamptz 'epoch' + "
        appendLiteral("(")
        appendInterpolation(position)
        appendLiteral("::bigint IS NULL OR (\(createdAt) <= \(time)")
        appendInterpolation(position)
        appendLiteral("::bigint * interval '1 microsecond' AND (\(createdAt) < \(time)")
        appendInterpolation(position)
        appendLiteral("::bigint * interval '1 microsecond' OR \(id) > ")
        appendInterpolation(cursor?.id)
        appendLiteral("::uuid)))")
    }
}
