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
    public var responses: [Int: String]
    public var parameters: [JSONValue]

    public init(
        _ method: String, _ path: String, summary: String, tag: String, requiresAuth: Bool = false,
        requestBody: JSONValue? = nil, requestContentType: String = "application/json",
        responses: [Int: String] = [200: "Successful Response"], parameters: [JSONValue] = []
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
    }
}

public enum OpenAPIDocument {
    public static func build(title: String, version: String, description: String, operations: [OpenAPIOperation]) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            var entry: [String: JSONValue] = [
                "summary": .string(operation.summary),
                "tags": [.string(operation.tag)],
                "operationId": .string(operationID(operation)),
                "responses": .object(
                    Dictionary(uniqueKeysWithValues: operation.responses.map { (String($0.key), ["description": .string($0.value)]) })),
            ]
            let pathParameters: [JSONValue] = pathParameterNames(operation.path).map { name in
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
            paths[openAPIPath(operation.path), default: [:]][operation.method] = .object(entry)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": .string(version), "description": .string(description)],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": ["securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]]],
        ]
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
