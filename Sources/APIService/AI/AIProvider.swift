import Core
import Foundation

/// The providers of text generation, in the names API.md and the settings use.
enum AIProviderID: String, CaseIterable, Sendable, Codable {
    case gemini
    case openai
    case anthropic
    case llama
    /// Built in, deterministic, no network: the system runs and is testable without keys.
    case offline
}

/// One generation request, provider-neutral.
struct AIRequest: Sendable, Equatable {
    var system: String?
    var prompt: String
    /// Ask for a JSON answer (JSON mode where the provider has one).
    var json = false
    var maxOutputTokens = 2048
    var temperature = 0.7
    /// Ground the answer with web search (Gemini's `google_search` tool).
    var grounded = false
    /// What the `offline` provider answers: the caller's deterministic, clearly labelled
    /// stand-in in the expected shape (nil: a generic labelled text).
    var offlineAnswer: String?
    /// Audio or video for the model to read (transcription, video summaries); only
    /// providers that read media are tried for such a request.
    var attachments: [Attachment] = []

    struct Attachment: Sendable, Equatable {
        var mimeType: String
        var data: [UInt8]
    }
}

struct TokenUsage: Sendable, Equatable {
    var input = 0
    var output = 0
    var total: Int { input + output }
}

/// A web source behind a grounded answer, and which part of the text it supports.
/// `startIndex`/`endIndex` are UTF-8 byte offsets into the answer, as Gemini reports them.
struct Grounding: Sendable, Equatable {
    struct Source: Sendable, Equatable {
        var title: String
        var uri: String
    }

    struct Citation: Sendable, Equatable {
        var text: String
        var startIndex: Int
        var endIndex: Int
        var sourceIndices: [Int]
    }

    var sources: [Source] = []
    var citations: [Citation] = []
    var queries: [String] = []
}

struct AICompletion: Sendable, Equatable {
    var text: String
    var provider: AIProviderID
    var model: String
    var usage: TokenUsage
    var grounding: Grounding?
}

/// What a stream yields: pieces of text, then exactly one `finished` with the totals.
enum AIStreamEvent: Sendable, Equatable {
    case text(String)
    case finished(AICompletion)
}

/// Why a provider call failed; `isRetryable` drives the router's retries and fallback.
enum AIProviderError: Error, Sendable, Equatable {
    /// 429, with the provider's `Retry-After` when it sent one.
    case rateLimited(retryAfter: Duration?)
    /// 5xx (including Anthropic's 529 "overloaded").
    case unavailable(status: Int)
    case timeout
    /// Connection refused, reset, DNS.
    case transport(String)
    /// 400/401/403/404: the request or the key is wrong; retrying will not help.
    case rejected(status: Int, message: String)
    /// The answer did not have the documented shape.
    case malformed(String)
    /// The provider reported an error in the middle of a stream.
    case streamFailed(String)
    case notConfigured

    var isRetryable: Bool {
        switch self {
        case .rateLimited, .unavailable, .timeout, .transport, .malformed, .streamFailed: true
        case .rejected, .notConfigured: false
        }
    }

    /// A short, key-free description for logs and `generation_failures`.
    var kind: String {
        switch self {
        case .rateLimited: "rate_limited"
        case .unavailable: "unavailable"
        case .timeout: "timeout"
        case .transport: "transport"
        case .rejected: "rejected"
        case .malformed: "malformed"
        case .streamFailed: "stream_failed"
        case .notConfigured: "not_configured"
        }
    }
}

/// A text-generation backend speaking one provider's wire format.
protocol AIProvider: Sendable {
    var id: AIProviderID { get }
    var model: String { get }
    /// Whether requests with audio or video attachments can go to it.
    var readsMedia: Bool { get }
    func complete(_ request: AIRequest) async throws -> AICompletion
    func stream(_ request: AIRequest) -> AsyncThrowingStream<AIStreamEvent, any Error>
}

extension AIProvider {
    var readsMedia: Bool { false }
}
