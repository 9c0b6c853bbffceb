import Core
import Foundation
import NIOCore
import Testing

@testable import APIService

/// The hot reads' hand-written JSON is byte for byte what `WireEncoder` writes for the
/// same values (their `Encodable` conformance is the definition, and the document's).
@Suite struct EnvelopeBytesTests {
    func expectSameBytes<T: Encodable & Sendable>(_ envelope: Envelope<T>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // Else both sides below would be the encoder's and agree trivially.
        #expect(envelope.isWrittenDirectly, sourceLocation: sourceLocation)
        let direct = String(buffer: try envelope.bytes())
        let encoded = String(buffer: try envelope.encodedBytes())
        #expect(direct == encoded, sourceLocation: sourceLocation)
        #expect((try? JSONSerialization.jsonObject(with: Data(direct.utf8))) != nil, sourceLocation: sourceLocation)
    }

    @Test func meIsWrittenAsTheEncoderWritesIt() throws {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        for (name, code) in [(nil, nil), ("Zoë \"Z\" \\ O'Brien\n\u{1}", "ABC123")] as [(String?, String?)] {
            let user = UserRecord(
                id: UUID(), email: "zo\u{eb}+tag@example.com", hashedPassword: "x", isActive: true, isSuperuser: false, isVerified: name != nil,
                role: .user, name: name, avatarURL: nil, referralCode: code, referredBy: nil, failedLoginAttempts: 0, lockedUntil: nil,
                createdAt: created, updatedAt: created)
            let me = MeView(user: .init(user), plan: "PRO", credits: .init(balance: -12), referralCode: code)
            try expectSameBytes(Envelope(me))
            try expectSameBytes(Envelope(me, message: "Welcome back"))
        }
    }

    @Test func usageIsWrittenAsTheEncoderWritesIt() throws {
        let plan = try JSONDecoder().decode(
            Plan.self,
            from: Data(
                (#"{"tier":"PRO","name":"Pro","priceCents":2900,"currency":"usd","interval":"month","monthlyCredits":3000,"features":[],"#
                    + #""quotas":{"articles":100,"images":-1,"videos":0,"research":7,"wordpress":50}}"#).utf8))
        let usage = SubscriptionUsageView(plan: plan, used: ["articles": 3, "research": 9, "tokens": 123_456])
        try expectSameBytes(Envelope(usage))
        #expect(
            String(buffer: try Envelope(usage).bytes()).hasPrefix(
                #"{"success":true,"data":{"plan":"PRO","articles":{"used":3,"limit":100,"remaining":97}"#))
    }
}
