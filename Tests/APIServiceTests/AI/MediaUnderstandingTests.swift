import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import APIService

/// POST /research/transcribe and /research/summarize-video (FE/services/geminiResearchService.js
/// L82-131, L180-232): the recording goes to Gemini as inline data; providers that cannot
/// read media are not tried; the offline provider answers, labelled.
@Suite struct MediaUnderstandingTests {
    static let wav: [UInt8] = Array("RIFF".utf8) + [36, 0, 0, 0] + Array("WAVEfmt ".utf8) + [UInt8](repeating: 0, count: 40)
    static let mp4: [UInt8] = [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [0, 0, 0, 0] + Array("isommp42 fake video".utf8)

    func post(_ client: any TestClientProtocol, _ auth: HTTPFields, _ path: String, _ body: JSONValue) async throws -> (
        HTTPResponse.Status, JSONValue
    ) {
        try await client.execute(
            uri: path, method: .post, headers: auth.merging([.contentType: "application/json"]), body: ByteBuffer(data: body.encodedData())
        ) {
            ($0.status, $0.json)
        }
    }

    @Test func geminiReadsTheRecordingAndOthersAreNotTried() async throws {
        let fake = try FakeAIProviders()
        try await fake.start()
        defer { fake.stop() }
        // OpenAI first in the order: it cannot read audio, so Gemini answers.
        try await APIHarness.run(fake.environment.merging(["AI_FALLBACK_ORDER": "openai,gemini", "DEFAULT_AI_PROVIDER": "openai"]) { $1 }) {
            harness, client in
            let (_, auth) = try await harness.user()
            let (status, body) = try await post(
                client, auth, "/api/research/transcribe",
                ["audioData": .string(Data(Self.wav).base64EncodedString()), "mimeType": "audio/wav", "language": "en-US", "model": "gemini"])
            #expect(status == .ok, "\(body)")
            #expect(body["data"]?["text"] == "Hello from Gemini")
            #expect(body["data"]?["provider"] == "gemini")
            #expect(fake.requests("openai").isEmpty)
            let parts = fake.requests("gemini").last?.body["contents"]?.arrayItems.first?["parts"]?.arrayItems ?? []
            #expect(parts.count == 2)
            #expect(parts.last?["inlineData"]?["mimeType"] == "audio/wav")
            #expect(parts.last?["inlineData"]?["data"]?.stringValue == Data(Self.wav).base64EncodedString())
            // Not audio at all: 415 before any provider or charge.
            let (refused, _) = try await post(
                client, auth, "/api/research/transcribe", ["audioData": .string(Data("plain text".utf8).base64EncodedString())])
            #expect(refused == .unsupportedMediaType)
        }
    }

    @Test func offlineAnswersBothInTheirShapes() async throws {
        try await APIHarness.run { harness, client in
            let (_, auth) = try await harness.user()
            let (status, transcript) = try await post(
                client, auth, "/api/research/transcribe", ["audioData": .string("data:audio/wav;base64," + Data(Self.wav).base64EncodedString())])
            #expect(status == .ok, "\(transcript)")
            #expect(transcript["data"]?["text"]?.stringValue?.hasPrefix("[offline]") == true)
            let (videoStatus, summary) = try await post(
                client, auth, "/api/research/summarize-video",
                [
                    "videoData": .string(Data(Self.mp4).base64EncodedString()), "mimeType": "video/mp4", "summaryType": "detailed",
                    "includeKeyframes": true,
                    "includeTranscript": false, "language": "en",
                ])
            #expect(videoStatus == .ok, "\(summary)")
            #expect(summary["data"]?["summary"]?.stringValue?.hasPrefix("[offline]") == true)
            #expect(summary["data"]?["keyframes"]?.arrayValue != nil)
        }
    }
}
