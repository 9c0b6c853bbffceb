/// A route as the service's `/openapi.json` describes it. Each feature lists its own
/// operations next to its routes, so the document cannot drift far from the code.
public struct OpenAPIOperation: Sendable {
    public var method: String
    public var path: String
    public var summary: String
    public var tag: String
    public var requiresAuth: Bool
    public var requestBody: JSONValue?
    public var requestContentType: String
    /// Status → description. Statuses below 400 carry `responseBody`; the others the
    /// service's error schema.
    public var responses: [Int: String]
    public var parameters: [JSONValue]
    /// The schema of a successful answer (nil: not documented, e.g. a file).
    public var responseBody: JSONValue?
    public var responseContentType: String
    /// Named schemas the request and response schemas refer to.
    public var components: [String: JSONValue]
    /// Servers for this path alone (the operations routes sit at the root while the
    /// feature routes are relative to the document's servers).
    public var servers: [String]?

    public init(
        _ method: String, _ path: String, summary: String, tag: String, requiresAuth: Bool = false,
        requestBody: JSONValue? = nil, requestContentType: String = "application/json",
        responses: [Int: String] = [200: "Successful Response"], parameters: [JSONValue] = [],
        responseBody: JSONValue? = nil, responseContentType: String = "application/json", components: [String: JSONValue] = [:],
        servers: [String]? = nil
    ) {
        self.method = method.lowercased()
        self.path = path
        self.summary = summary
        self.tag = tag
        self.requiresAuth = requiresAuth
        self.requestBody = requestBody
        self.requestContentType = requestContentType
        self.responses = responses
        self.parameters = parameters
        self.responseBody = responseBody
        self.responseContentType = responseContentType
        self.components = components
        self.servers = servers
    }

    /// A query parameter's description.
    public static func query(_ name: String, _ schema: JSONValue, description: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(name), "in": "query", "required": false, "schema": schema]
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    /// A path parameter's description (by default every `:name` is a plain string).
    public static func path(_ name: String, _ schema: JSONValue) -> JSONValue {
        ["name": .string(name), "in": "path", "required": true, "schema": schema]
    }

    /// A request header's description.
    public static func header(_ name: String, _ schema: JSONValue, description: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(name), "in": "header", "required": false, "schema": schema]
        if let description { object["description"] = .string(description) }
        return .object(object)
    }
}

public enum OpenAPIDocument {
    /// The standard description of each error status.
    public static let errorDescriptions: [Int: String] = [
        400: "Invalid request (every bad field listed)", 401: "Authentication required or token invalid", 402: "Not enough credits",
        403: "Not allowed", 404: "Not found", 405: "Method not allowed", 409: "Conflict with the current state", 413: "Body too large",
        415: "Unsupported content type", 422: "Validation error", 429: "Too many requests", 500: "Internal error",
        502: "Upstream provider failed", 503: "Service unavailable",
    ]

    /// - `servers`: where the relative paths live (first is canonical); empty for a
    ///   document of absolute paths.
    /// - `errorSchema`: the shape of every error answer of this service.
    public static func build(
        title: String, version: String, description: String, operations: [OpenAPIOperation], servers: [String] = [],
        errorSchema: JSONValue? = nil
    ) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        var components: [String: JSONValue] = [:]
        if let errorSchema { components["Error"] = errorSchema }
        for operation in operations {
            components.merge(operation.components) { current, _ in current }
            var responses: [String: JSONValue] = [:]
            for (status, text) in operation.responses {
                var response: [String: JSONValue] = ["description": .string(text)]
                if status < 400, let body = operation.responseBody {
                    response["content"] = [operation.responseContentType: ["schema": body]]
                } else if status >= 400, errorSchema != nil {
                    response["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]
                }
                responses[String(status)] = .object(response)
            }
            var entry: [String: JSONValue] = [
                "summary": .string(operation.summary),
                "tags": [.string(operation.tag)],
                "operationId": .string(operationID(operation)),
                "responses": .object(responses),
            ]
            // A path parameter the operation describes itself (an enum, a format) is kept.
            let described = Set(operation.parameters.filter { $0["in"] == "path" }.compactMap { $0["name"]?.stringValue })
            let pathParameters: [JSONValue] = pathParameterNames(operation.path).filter { !described.contains($0) }.map { name in
                ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            if !(pathParameters + operation.parameters).isEmpty {
                entry["parameters"] = .array(pathParameters + operation.parameters)
            }
            if let body = operation.requestBody {
                entry["requestBody"] = ["required": true, "content": [operation.requestContentType: ["schema": body]]]
            }
            if operation.requiresAuth {
                entry["security"] = [["bearerAuth": []]]
            }
            let path = openAPIPath(operation.path)
            paths[path, default: [:]][operation.method] = .object(entry)
            if let servers = operation.servers {
                paths[path, default: [:]]["servers"] = .array(servers.map { ["url": .string($0)] })
            }
        }
        var document: [String: JSONValue] = [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": .string(version), "description": .string(description)],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": .object(components),
            ],
        ]
        if !servers.isEmpty {
            document["servers"] = .array(servers.map { ["url": .string($0)] })
        }
        return .object(document)
    }

    /// Hummingbird's `:id` becomes OpenAPI's `{id}`.
    static func openAPIPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    static func pathParameterNames(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    static func operationID(_ operation: OpenAPIOperation) -> String {
        let words = operation.path.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return ([operation.method] + words.map { $0.lowercased() }).joined(separator: "_")
    }

    /// A JSON Schema object with the given properties.
    public static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string))]
    }

    public static let string: JSONValue = ["type": "string"]
    public static let email: JSONValue = ["type": "string", "format": "email"]
    public static let boolean: JSONValue = ["type": "boolean"]
    public static let integer: JSONValue = ["type": "integer"]
}
