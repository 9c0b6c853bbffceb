import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

@Suite struct SEOAnalyzerTests {
    @Test func htmlIsReducedToReadableBlocks() {
        let document = HTMLText(
            html: """
                <h1>Title &amp; more</h1><script>var x = "<p>hidden</p>";</script><style>p{}</style><!-- note -->
                <p>First&nbsp;paragraph with <strong>bold</strong> &#8220;quotes&#8221; &#x2014; done.</p>
                <h2>Section</h2><ul><li>One</li><li>Two</li></ul>
                """)
        #expect(document.firstHeading == "Title & more")
        #expect(document.paragraphs == ["First paragraph with bold “quotes” — done.", "One", "Two"])
        #expect(document.subheadings == ["Section"])
    }

    @Test func sentencesWordsSyllablesAndPassiveVoice() {
        #expect(EnglishText.sentences("Dr. Smith paid 3.50 dollars for coffee. It was good! Was it? Yes.").count == 4)
        #expect(EnglishText.sentences("J. R. R. Tolkien wrote books. They sold.").count == 2)
        #expect(
            EnglishText.words("Don't over-think it: well-known facts, 42 of them.") == [
                "Don't", "over-think", "it", "well-known", "facts", "42", "of", "them",
            ])
        #expect(EnglishText.syllables("readability") == 5)
        #expect(EnglishText.syllables("the") == 1)
        #expect(EnglishText.syllables("table") == 2)
        #expect(EnglishText.syllables("make") == 1)
        #expect(EnglishText.isPassive("The cake was eaten by the dog."))
        #expect(EnglishText.isPassive("The report was quickly written."))
        #expect(EnglishText.isPassive("Mistakes were made."))
        #expect(!EnglishText.isPassive("The dog ate the cake."))
        #expect(!EnglishText.isPassive("She is happy today."))
    }

    @Test func fleschReadingEaseFollowsTheFormula() {
        let result = SEOAnalyzer().analyze(.init(html: "<p>The cat sat on the mat.</p>"))
        // 206.835 − 1.015 × 6 words − 84.6 × (6 syllables / 6 words)
        #expect(result.fleschReadingEase == 116.1)
        #expect(result.wordCount == 6)
        #expect(result.avgSentenceLength == 6)
        #expect(result.readabilityLabel == "Very easy")
    }

    static let article: String = {
        let intro = "<p>Coffee brewing is simple when you know the basics. This guide covers coffee brewing at home.</p>"
        let body = (0..<6).map { index in
            "<h2>\(index == 0 ? "Coffee brewing tools" : "Step \(index)")</h2><p>Grind the beans fresh. Heat the water to the right temperature. Pour slowly and wait. The cup was enjoyed by everyone in the room. Clean your tools after use.</p>"
        }.joined()
        return intro + body
    }()

    @Test func keyphraseChecksAndScoreAreDeterministic() {
        let input = SEOAnalyzer.Input(
            html: Self.article, keywords: ["coffee brewing"], title: "Coffee brewing at home: a guide",
            metaDescription:
                "Learn coffee brewing at home with simple tools, fresh beans and the right water temperature for a better cup every morning.")
        let result = SEOAnalyzer().analyze(input)
        #expect(result == SEOAnalyzer().analyze(input))
        #expect(result.titleHasKeyphrase)
        #expect(result.introPresence)
        #expect(result.metaDescriptionLength == 123)
        #expect(result.subheadingDistribution.subheadings == 6)
        #expect(result.longParagraphCount == 0)
        // 2 occurrences in 16 + 6 × 29 words.
        #expect(result.wordCount == 190)
        #expect(result.keyphraseDensity == 1.1)
        // 6 of 32 sentences are passive ("was enjoyed").
        #expect(result.passiveVoicePercentage == 18.8)
        #expect(result.suggestions.contains { $0.contains("active voice") })
        #expect(result.suggestions.contains { $0.contains("at least 300 words") })
        #expect((60...99).contains(result.overallScore))

        let bare = SEOAnalyzer().analyze(.init(html: Self.article, keywords: ["espresso"]))
        #expect(!bare.titleHasKeyphrase && !bare.introPresence)
        #expect(bare.keyphraseDensity == 0)
        #expect(bare.overallScore < result.overallScore)
        #expect(bare.suggestions.contains { $0.contains("meta description") })
        #expect(SEOAnalyzer().analyze(.init(html: "")).overallScore == 0)
    }

    @Test func theRouteAnswersInTheContractShape() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let body: JSONValue = ["content": .string(Self.article), "keywords": ["coffee brewing"], "title": "Coffee brewing"]
            for path in ["/api/seo/analyze", "/api/v1/articles/seo/analyze"] {
                try await client.execute(
                    uri: path, method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(data: body.encodedData())
                ) { response in
                    #expect(response.status == .ok)
                    let data = response.json["data"]
                    #expect(data?["overallScore"]?.intValue != nil)
                    #expect(data?["metrics"]?["wordCount"] == 190)
                    #expect(data?["metrics"]?["titleHasKeyphrase"] == true)
                    #expect(data?["suggestions"]?.arrayValue != nil)
                }
            }
            for bad in [#"{}"#, #"{"content":5}"#, #"{"content":"x","keywords":"coffee"}"#] {
                try await client.execute(
                    uri: "/api/seo/analyze", method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(string: bad)
                ) { #expect($0.status == .badRequest, "\(bad)") }
            }
            try await client.execute(
                uri: "/api/seo/analyze", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")
            ) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    /// The request rules of the analysis and of the AI tools: text without NUL, blank
    /// keywords kept, at most 50 keywords, and a tool needs some text before anything is
    /// charged.
    @Test func theRoutesCheckTheirBodies() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let blank = try await exchange(
                client, .post, "/api/seo/analyze", auth, #"{"content":"<p>Cold brew.</p>","keywords":["","cold brew"],"title":""}"#)
            #expect(blank.status == .ok)
            #expect(blank.json["data"]?["metrics"]?["wordCount"] == 2)
            let many = "[" + Array(repeating: #""k""#, count: 51).joined(separator: ",") + "]"
            let cases: [(String, String, String)] = [
                ("/api/seo/analyze", #"{"content":"a\u0000b"}"#, "content"),
                ("/api/v1/seo/suggestions", #"{"content":"x","keywords":\#(many)}"#, "keywords"),
                ("/api/articles/headlines", #"{"content":"  ","topic":""}"#, "content"),
                ("/api/articles/seo/score", "{}", "content"),
            ]
            for (path, body, field) in cases {
                let reply = try await exchange(client, .post, path, auth, body)
                #expect(reply.status == .badRequest, "\(path) \(body)")
                #expect(reply.json.firstDetailField == .string(field), "\(path) \(body)")
            }
            let untold = try await exchange(client, .post, "/api/seo/audit", auth, #"{"keywords":["x"]}"#)
            #expect(untold.json["error"]?["details"]?.arrayValue?.first?["message"] == "content or topic is required")
        }
    }

    /// An `Idempotency-Key` is the caller's name for one request of one route: the same key
    /// sent to another tool of the same credit feature is another request, not a replay of
    /// the first tool's answer.
    @Test func anIdempotencyKeyBelongsToOneTool() async throws {
        try await APIHarness.run { harness, client in
            var (_, auth) = try await harness.user()
            auth[HTTPField.Name("Idempotency-Key")!] = "same-key"
            let headlines = try await exchange(client, .post, "/api/articles/headlines", auth, #"{"content":"Cold brew at home"}"#)
            #expect(headlines.status == .ok)
            #expect(headlines.json["data"]?["headlines"] != nil)
            let keywords = try await exchange(client, .post, "/api/articles/keywords", auth, #"{"content":"Cold brew at home"}"#)
            #expect(keywords.status == .ok)
            #expect(keywords.json["data"]?["keywords"] != nil)
            // And a retry of the first tool still answers its first result.
            let again = try await exchange(client, .post, "/api/articles/headlines", auth, #"{"content":"Cold brew at home"}"#)
            #expect(again.json["data"]?["headlines"] == headlines.json["data"]?["headlines"])
        }
    }
}
