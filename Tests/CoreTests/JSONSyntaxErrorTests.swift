import Foundation
import Testing

@testable import Core

/// The Python-style syntax checker behind FastAPI's `json_invalid`: Python's messages and
/// character offsets, and no recursion or unbounded work on hostile documents.
@Suite struct JSONSyntaxErrorTests {
    func failure(_ text: String) -> JSONSyntaxError.Failure? { JSONSyntaxError.find(in: Array(text.utf8)) }

    @Test func reportsPythonsMessagesAtCharacterOffsets() {
        let cases: [(String, Int, String)] = [
            ("", 0, "Expecting value"),
            ("{", 1, "Expecting property name enclosed in double quotes"),
            (#"{"a" 1}"#, 5, "Expecting ':' delimiter"),
            (#"{"a": 1 "b": 2}"#, 8, "Expecting ',' delimiter"),
            (#"[1, 2,]"#, 6, "Illegal trailing comma before end of array"),
            (#"{"a": 1,}"#, 8, "Illegal trailing comma before end of object"),
            (#"{"a": "x"#, 6, "Unterminated string starting at"),
            (#"["\q"]"#, 2, #"Invalid \escape"#),
            (#"["\u12G4"]"#, 2, #"Invalid \uXXXX escape"#),
            ("[\"a\u{1}\"]", 3, "Invalid control character at"),
            ("[1] 2", 4, "Extra data"),
            (#"{"é€": tru}"#, 7, "Expecting value"),
            ("[-]", 1, "Expecting value"),
        ]
        for (text, offset, message) in cases {
            #expect(failure(text) == .init(offset: offset, message: message), "\(text)")
        }
        for valid in [#"{"a": [1, -2.5e3, true, false, null, "x\n\u00e9"]}"#, "  [ ]  ", "NaN", "-Infinity", #"{"a":{"b":{}}}"#] {
            #expect(failure(valid) == nil, "\(valid)")
        }
        #expect(JSONSyntaxError.find(in: [0x7B, 0xFF]) == .init(offset: 0, message: "Expecting value"))
    }

    @Test func nestingIsLimitedLikeFoundationsDecoder() {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        struct Skip: Decodable { init(from decoder: any Decoder) throws {} }
        for depth in [JSONSyntaxError.maximumDepth, JSONSyntaxError.maximumDepth + 1] {
            let foundationAccepts = (try? JSONDecoder().decode(Skip.self, from: Data(nested(depth).utf8))) != nil
            #expect((failure(nested(depth)) == nil) == foundationAccepts, "depth \(depth)")
        }
        #expect(failure(nested(JSONSyntaxError.maximumDepth + 1))?.message == JSONSyntaxError.tooDeep)
    }

    @Test func hostileDocumentsNeitherRecurseNorCrash() {
        // Both took a service down: a recursive descent over a megabyte of `[`, and over
        // 200,000 open objects.
        #expect(failure(String(repeating: "[", count: 1_000_000))?.message == JSONSyntaxError.tooDeep)
        #expect(failure(String(repeating: #"{"a":"#, count: 200_000))?.message == JSONSyntaxError.tooDeep)
        // Long but flat: linear, with an offset in characters.
        let flat = "[" + String(repeating: "\"é\",", count: 100_000) + "]"
        #expect(failure(flat) == .init(offset: 1 + 4 * 100_000, message: "Illegal trailing comma before end of array"))
    }

    @Test func theBodyDecoderReportsDeepDocumentsAsInvalidJSON() {
        struct Body: Decodable { var a: String }
        for body in [String(repeating: "[", count: 1_000_000), String(repeating: #"{"a":"#, count: 200_000)] {
            #expect(throws: CoreError.self) { try JSONBodyDecoder.decode(Body.self, from: Data(body.utf8)) }
            #expect(throws: CoreError.self) { try JSONBodyDecoder.checkSyntax(Data(body.utf8)) }
        }
    }
}
