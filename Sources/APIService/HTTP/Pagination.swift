import Core
import Hummingbird

/// `?page=&limit=` (page ≥ 1, 1 ≤ limit ≤ 100), or `?limit=&offset=` as
/// FE/services/feedbackService.js L110 sends it; anything else is a 400 VALIDATION_ERROR
/// naming the parameter.
struct PageRequest: Sendable, Equatable {
    var page: Int
    var limit: Int
    /// An explicit `offset` (rows to skip), when the client sent one instead of a page.
    var skip: Int?
    var offset: Int { skip ?? (page - 1) * limit }

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
        if !issues.isEmpty { throw CoreError.invalidInput(issues) }
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

    /// `{items, pagination:{page, limit, total, totalPages}}`.
    func page(_ items: [JSONValue], total: Int) -> JSONValue {
        [
            "items": .array(items),
            "pagination": [
                "page": .int(page), "limit": .int(limit), "total": .int(total),
                "totalPages": .int(total == 0 ? 0 : (total + limit - 1) / limit),
            ],
        ]
    }
}

extension PageRequest {
    /// The document's description of `?page=&limit=&offset=`.
    static let parameters: [JSONValue] = [
        OpenAPIOperation.query("page", ["type": "integer", "minimum": 1, "maximum": 1_000_000]),
        OpenAPIOperation.query("limit", ["type": "integer", "minimum": 1, "maximum": .int(maximumLimit)]),
        OpenAPIOperation.query("offset", ["type": "integer", "minimum": 0, "maximum": 10_000_000], description: "Rows to skip, instead of page"),
    ]

    func page<Item: Codable & Sendable>(_ items: [Item], total: Int) -> Page<Item> {
        Page(items: items, pagination: .init(page: page, limit: limit, total: total, totalPages: total == 0 ? 0 : (total + limit - 1) / limit))
    }
}

/// `{items, pagination:{page, limit, total, totalPages}}`.
struct Page<Item: Codable & Sendable>: ResponseContent {
    struct Pagination: ResponseContent {
        var page: Int
        var limit: Int
        var total: Int
        var totalPages: Int
    }

    var items: [Item]
    var pagination: Pagination
}
