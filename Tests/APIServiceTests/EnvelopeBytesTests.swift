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

    /// `/me` and `/subscription/usage` reuse a caller's bytes while the payload is equal,
    /// and write afresh the moment anything shown differs (a plan, a balance, a name, a count).
    @Test func aReusedAnswerIsNeverAStaleOne() throws {
        let cache = RenderedJSONCache<UUID, MeView>(maxEntries: 10)
        let user = UserRecord(id: UUID(), email: "reuse@example.com", hashedPassword: "x", name: "Ada")
        let me = MeView(user: .init(user), plan: "FREE", credits: .init(balance: 250), referralCode: "CODE1")
        let first = try Envelope(me, reusing: cache, for: user.id).bytes()
        #expect(first == (try Envelope(me).bytes()))
        let second = try Envelope(me, reusing: cache, for: user.id).bytes()
        // The same storage: written once, not twice.
        #expect(second.withUnsafeReadableBytes { $0.baseAddress } == first.withUnsafeReadableBytes { $0.baseAddress })

        var upgraded = me
        upgraded.plan = "PRO"
        var spent = me
        spent.credits.balance = 245
        var renamed = me
        renamed.user.name = "Ada L."
        var verified = me
        verified.user.isVerified = true
        for changed in [upgraded, spent, renamed, verified] {
            #expect(try Envelope(changed, reusing: cache, for: user.id).bytes() == (try Envelope(changed).bytes()))
            #expect(try Envelope(me, reusing: cache, for: user.id).bytes() == first)
        }

        let plan = try JSONDecoder().decode(
            Plan.self,
            from: Data(
                (#"{"tier":"FREE","name":"Free","priceCents":0,"currency":"usd","interval":"month","monthlyCredits":250,"features":[],"#
                    + #""quotas":{"articles":10,"images":25,"videos":0,"research":20,"wordpress":0}}"#).utf8))
        let usageCache = RenderedJSONCache<UUID, SubscriptionUsageView>(maxEntries: 10)
        let before = SubscriptionUsageView(plan: plan, used: ["research": 1])
        let after = SubscriptionUsageView(plan: plan, used: ["research": 2])
        #expect(try Envelope(before, reusing: usageCache, for: user.id).bytes() == (try Envelope(before).bytes()))
        let fresh = String(buffer: try Envelope(after, reusing: usageCache, for: user.id).bytes())
        #expect(fresh == String(buffer: try Envelope(after).bytes()))
        #expect(fresh.contains(#""research":{"used":2,"limit":20,"remaining":18}"#))
    }
}
