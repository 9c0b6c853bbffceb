import Core
import Foundation
import NIOCore
import Testing

@Suite struct WireEncoderTests {
    struct Item: ResponseContent, Equatable {
        var id: UUID
        var title: String
        var note: String?
        var count: Int
        var ratio: Double
        var tags: [String]
        var createdAt: Date
        var extra: JSONValue
    }

    struct Outer: ResponseContent {
        var items: [Item]
        var nested: [String: Int]
        var flag: Bool
    }

    @Test func writesDeclarationOrderNullsDatesAndLowercaseIDs() throws {
        let item = Item(
            id: UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")!, title: "Tab\t\"quote\" / é \u{1}", note: nil, count: 3, ratio: 0.25,
            tags: ["a", "b"], createdAt: Date(timeIntervalSince1970: 1_700_000_000.5), extra: ["z": 1, "a": [true, .null]])
        let text = try WireEncoder.string(item)
        #expect(
            text
                == #"{"id":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","title":"Tab\t\"quote\" / é \u0001","note":null,"count":3,"ratio":0.25,"tags":["a","b"],"createdAt":"2023-11-14T22:13:20.500Z","extra":{"a":[true,null],"z":1}}"#
        )
    }

    /// Integers are written digit by digit in place (no String per number): every width,
    /// both signs and both ends of the range, through the encoder and the direct writer.
    @Test func integersAreWrittenAsTheirDescription() throws {
        var values: [Int] = [0, 1, -1, 9, 10, -10, 99, 100, Int.max, Int.min, Int.max - 1, Int.min + 1]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        var generator = SystemRandomNumberGenerator()
        values += (0..<200).map { _ in Int.random(in: Int.min...Int.max, using: &generator) }
        for value in values {
            #expect(try WireEncoder.string(value) == String(value))
            #expect(try WireEncoder.string(Int64(value)) == String(value))
            var object = JSONObjectWriter(buffer: ByteBuffer())
            object.field("n", value)
            #expect(String(buffer: object.finish()) == #"{"n":\#(value)}"#)
        }
        #expect(try WireEncoder.string(UInt64.max) == "18446744073709551615")
        #expect(try WireEncoder.string(-0.0) == "0")
        #expect(try WireEncoder.string(-1e14) == "-100000000000000")
    }

    /// Every kind of field the direct writer has, written into a buffer with no room (so
    /// each field's one write must grow it), equals `WireEncoder`'s bytes: keys of one and
    /// many bytes, strings plain, empty, non-ASCII and escaped, null, both booleans, ids,
    /// both date forms, and nested objects empty, first and last.
    struct Kinds: ResponseContent, WireWritable {
        struct Inner: ResponseContent, WireWritable {
            var n: Int
            func write(to object: inout JSONObjectWriter) { object.field("n", n) }
        }
        struct Nothing: ResponseContent, WireWritable {
            func write(to object: inout JSONObjectWriter) {}
        }
        var first: Inner
        var a: String
        var empty: String
        var accents: String
        var escaped: String
        var missing: String?
        var yes: Bool
        var no: Bool
        var id: UUID
        var when: Date
        var nothing: Nothing
        var aLongerKeyThanMostOfTheOthers: Int
        var last: Inner

        func write(to object: inout JSONObjectWriter) {
            object.field("first", first)
            object.field("a", a)
            object.field("empty", empty)
            object.field("accents", accents)
            object.field("escaped", escaped)
            object.field("missing", missing)
            object.field("yes", yes)
            object.field("no", no)
            object.field("id", id)
            object.field("when", when, fractionalSeconds: true)
            object.field("nothing", nothing)
            object.field("aLongerKeyThanMostOfTheOthers", aLongerKeyThanMostOfTheOthers)
            object.field("last", last)
        }
    }

    @Test func directWriterMatchesTheEncoderForEveryFieldKind() throws {
        let value = Kinds(
            first: .init(n: -7), a: "x", empty: "", accents: "é ü 日本", escaped: "a\"b\\c\nd\u{1}\u{1F}", missing: nil, yes: true, no: false,
            id: UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")!, when: Date(timeIntervalSince1970: 1_700_000_000.5), nothing: .init(),
            aLongerKeyThanMostOfTheOthers: Int.min, last: .init(n: Int.max))
        var object = JSONObjectWriter(buffer: ByteBufferAllocator().buffer(capacity: 0))
        value.write(to: &object)
        #expect(String(buffer: object.finish()) == (try WireEncoder.string(value)))
    }

    @Test func nestsContainersAndEmptyCollections() throws {
        let outer = Outer(items: [], nested: ["k": 1], flag: true)
        #expect(try WireEncoder.string(outer) == #"{"items":[],"nested":{"k":1},"flag":true}"#)
        #expect(try WireEncoder.string([[1, 2], []]) == "[[1,2],[]]")
        #expect(try WireEncoder.string(["x": [String]()]) == #"{"x":[]}"#)
    }

    /// An envelope flattens extra fields into itself by asking for a second keyed
    /// container of the same encoder.
    struct Flattened: Encodable {
        enum Keys: String, CodingKey { case success, data }
        var extra: Outer
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(true, forKey: .success)
            try container.encode([1], forKey: .data)
            try extra.encode(to: encoder)
        }
    }

    @Test func secondKeyedContainerContinuesTheObject() throws {
        let text = try WireEncoder.string(Flattened(extra: Outer(items: [], nested: [:], flag: false)))
        #expect(text == #"{"success":true,"data":[1],"items":[],"nested":{},"flag":false}"#)
        // Whatever we write, Foundation reads back.
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func refusesNonFiniteNumbers() {
        #expect(throws: EncodingError.self) { try WireEncoder.string([Double.nan]) }
    }
}

@Suite struct RequestDecoderTests {
    enum Tone: String, WireEnum { case formal, casual }

    struct Section: RequestContent {
        var title: String
        static let rules: [String: FieldRule] = ["title": .text(max: 5)]
    }

    struct Body: RequestContent {
        var title: String
        var content: String?
        var status: String?
        var count: Int?
        var tone: Tone?
        var sections: [Section]?
        var keywords: [String]?
        var metadata: JSONValue?
        var id: UUID?

        static let rules: [String: FieldRule] = [
            "title": .text(max: 10), "content": .text(max: 100, allowEmpty: true),
            "status": .oneOf(["DRAFT", "PUBLISHED"], spelling: .uppercase), "count": .integer(1...5, fromString: true),
            "keywords": .list(maxItems: 2, itemMaxLength: 3), "metadata": .object(maxBytes: 64),
        ]

        func validate(_ issues: inout [ValidationIssue]) {
            if title == "forbidden" { issues.append(ValidationIssue(type: "value_error", path: ["title"], message: "title is reserved")) }
        }
    }

    func issues(_ document: JSONValue) -> [ValidationIssue] {
        do {
            _ = try RequestDecoder.decode(Body.self, from: document)
            return []
        } catch CoreError.invalidInput(let issues) {
            return issues
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func decodesTrimsNormalizesAndTakesNumericStrings() throws {
        let body = try RequestDecoder.decode(
            Body.self,
            from: [
                "title": "  Hello ", "content": "", "status": "published", "count": "3", "tone": "CASUAL",
                "sections": [["title": "a"]], "keywords": ["x"], "metadata": ["k": 1], "id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "unknown": 1,
            ])
        #expect(body.title == "Hello")
        #expect(body.content == "")
        #expect(body.status == "PUBLISHED")
        #expect(body.count == 3)
        #expect(body.tone == .casual)
        #expect(body.sections?.first?.title == "a")
        #expect(body.metadata == ["k": 1])
    }

    @Test func numericStringsOnlyWhereTheRuleSaysSo() {
        struct Strict: RequestContent { var version: Int }
        #expect(throws: CoreError.self) { try RequestDecoder.decode(Strict.self, from: ["version": "2"]) }
    }

    @Test func nullIsAbsent() throws {
        let body = try RequestDecoder.decode(Body.self, from: ["title": "x", "content": .null, "count": .null])
        #expect(body.content == nil && body.count == nil)
    }

    /// One 400 names every bad field, nested ones included, not only the first.
    @Test func collectsEveryProblem() {
        let found = issues([
            "content": .int(1), "status": "gone", "count": 9, "tone": "loud", "sections": [["title": "toolong"], 5],
            "keywords": ["a", "b", "c"], "metadata": "text", "id": "nope",
        ])
        let fields = Set(found.map(\.field))
        #expect(fields == ["title", "content", "status", "count", "tone", "sections[0].title", "sections[1]", "keywords", "metadata", "id"])
        #expect(found.first { $0.field == "title" }?.type == "missing")
        #expect(found.first { $0.field == "count" }?.message == "count must be between 1 and 5")
    }

    @Test func refusesNULAndLengthOnEveryString() {
        #expect(issues(["title": "a\u{0}b"]).map(\.message) == ["title must not contain NUL characters"])
        #expect(issues(["title": "12345678901"]).map(\.message) == ["title must be at most 10 characters"])
        #expect(issues(["title": "   "]).map(\.message) == ["title must not be empty"])
        // A field without a rule of its own still gets the default bound.
        struct Free: RequestContent { var text: String }
        #expect(throws: CoreError.self) { try RequestDecoder.decode(Free.self, from: ["text": .string(String(repeating: "x", count: 10_001))]) }
        #expect(issues(["title": "x", "metadata": ["k": "\u{0}"]]).map(\.field) == ["metadata"])
    }

    /// JSON Schema counts code points and matches the string as sent; so does the decoder,
    /// so the document and the code agree on every string.
    @Test func lengthsCountCodePointsOfTheStringAsSent() {
        struct One: RequestContent {
            var mark: String
            static let rules: [String: FieldRule] = ["mark": .text(max: 1)]
        }
        #expect(throws: CoreError.self) { try RequestDecoder.decode(One.self, from: ["mark": "👍🏻"]) }  // one grapheme, two code points
        struct Code: RequestContent {
            var code: String
            static let rules: [String: FieldRule] = ["code": .text(max: 5, pattern: "^[a-z]+$", message: "must be letters")]
        }
        #expect((try? RequestDecoder.decode(Code.self, from: ["code": "en"]))?.code == "en")
        #expect(throws: CoreError.self) { try RequestDecoder.decode(Code.self, from: ["code": " en"]) }
    }

    @Test func crossFieldRulesRunAfterFields() {
        #expect(issues(["title": "forbidden"]).map(\.message) == ["title is reserved"])
        #expect(issues(["title": "forbidden", "count": 0]).map(\.field) == ["count"])
    }

    @Test func bodyMustBeAnObject() {
        #expect(throws: CoreError.self) { try RequestDecoder.decode(Body.self, from: [1, 2]) }
    }
}

@Suite struct WireSchemaTests {
    @Test func derivesObjectSchemasWithRulesAndRefs() throws {
        var components = WireSchema.Components()
        let root = WireSchema.schema(for: RequestDecoderTests.Body.self, components: &components)
        #expect(root == ["$ref": "#/components/schemas/RequestDecoderTests.Body"])
        let body = try #require(components["RequestDecoderTests.Body"])
        #expect(body["required"] == ["title"])
        let properties = try #require(body["properties"])
        #expect(properties["title"]?["maxLength"] == 10)
        #expect(properties["status"]?["enum"] == ["DRAFT", "PUBLISHED", .null])
        #expect(properties["count"]?["minimum"] == 1)
        #expect(properties["tone"] == ["type": ["string", "null"], "enum": ["formal", "casual", .null]])
        #expect(properties["sections"]?["type"] == ["array", "null"])
        #expect(properties["sections"]?["items"] == ["$ref": "#/components/schemas/RequestDecoderTests.Section"])
        #expect(components["RequestDecoderTests.Section"]?["properties"]?["title"]?["maxLength"] == 5)
        #expect(properties["id"]?["format"] == "uuid")
    }

    @Test func responseSchemasCarryNoRequestRules() throws {
        var components = WireSchema.Components()
        _ = WireSchema.schema(for: WireEncoderTests.Outer.self, components: &components)
        let item = try #require(components["WireEncoderTests.Item"])
        #expect(item["properties"]?["title"] == ["type": "string"])
        #expect(item["properties"]?["createdAt"] == ["type": "string", "format": "date-time"])
        #expect(item["properties"]?["note"] == ["type": ["string", "null"]])
        #expect(components["WireEncoderTests.Outer"]?["properties"]?["nested"] == ["type": "object", "additionalProperties": ["type": "integer"]])
    }
}
