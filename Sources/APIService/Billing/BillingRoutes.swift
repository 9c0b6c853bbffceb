import Core
import Foundation
import HTTPTypes
import Hummingbird

/// POST /subscription/checkout, /portal, /cancel, /reactivate, /paypal/checkout,
/// /paypal/execute.
struct BillingRoutes: APIRouteCollection {
    let service: BillingService
    let requiresAuth = true

    struct PlanRequest: Decodable {
        var plan: PaidPlan
    }

    struct ExecuteRequest: Decodable {
        var subscriptionId: String
        var token: String?
    }

    var operations: [OpenAPIOperation] {
        let plan = OpenAPIDocument.object(["plan": ["type": "string", "enum": ["PRO", "ENTERPRISE"]]], required: ["plan"])
        return [
            OpenAPIOperation("POST", "/subscription/checkout", summary: "Stripe Checkout session for a plan: {sessionId, url}", tag: "billing",
                requiresAuth: true, requestBody: plan),
            OpenAPIOperation("POST", "/subscription/portal", summary: "Stripe customer portal: {url}", tag: "billing", requiresAuth: true),
            OpenAPIOperation("POST", "/subscription/cancel", summary: "Cancel at period end (also at the provider)", tag: "billing", requiresAuth: true),
            OpenAPIOperation("POST", "/subscription/reactivate", summary: "Undo a cancellation at period end (Stripe)", tag: "billing", requiresAuth: true),
            OpenAPIOperation("POST", "/subscription/paypal/checkout", summary: "PayPal subscription: {subscriptionId, approvalUrl, status}",
                tag: "billing", requiresAuth: true, requestBody: plan),
            OpenAPIOperation("POST", "/subscription/paypal/execute", summary: "Activate an approved PayPal subscription of the caller",
                tag: "billing", requiresAuth: true,
                requestBody: OpenAPIDocument.object(["subscriptionId": OpenAPIDocument.string, "token": OpenAPIDocument.string], required: ["subscriptionId"])),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/subscription/checkout") { request, context in
            let body = try await request.decodeJSON(PlanRequest.self, context: context)
            let session = try await service.checkout(user: try context.requireUser(), plan: body.plan, idempotencyKey: try request.idempotencyKey())
            return Envelope.ok(["sessionId": .string(session.id), "url": .string(session.url)])
        }
        group.post("/subscription/portal") { _, context in
            Envelope.ok(["url": .string(try await service.portal(user: try context.requireUser()))])
        }
        group.post("/subscription/cancel") { _, context in
            try await service.cancel(user: try context.requireUser())
            return Envelope.ok(["cancelAtPeriodEnd": true], message: "Subscription will be cancelled at the end of the current period")
        }
        group.post("/subscription/reactivate") { _, context in
            try await service.reactivate(user: try context.requireUser())
            return Envelope.ok(["cancelAtPeriodEnd": false], message: "Subscription reactivated")
        }
        group.post("/subscription/paypal/checkout") { request, context in
            let body = try await request.decodeJSON(PlanRequest.self, context: context)
            let created = try await service.paypalCheckout(user: try context.requireUser(), plan: body.plan)
            return Envelope.ok([
                "subscriptionId": .string(created.id), "approvalUrl": created.approvalURL.map(JSONValue.string) ?? .null,
                "status": .string(created.status),
            ])
        }
        group.post("/subscription/paypal/execute") { request, context in
            let body = try await request.decodeJSON(ExecuteRequest.self, context: context)
            guard !body.subscriptionId.isEmpty, body.subscriptionId.count <= 64 else {
                throw CoreError.invalidInput([ValidationIssue(type: "value_error", path: ["subscriptionId"], message: "subscriptionId is invalid")])
            }
            let (subscription, plan) = try await service.paypalExecute(user: try context.requireUser(), subscriptionID: body.subscriptionId)
            return Envelope.ok(["subscriptionId": .string(subscription.id), "status": .string(subscription.status), "plan": .string(plan.rawValue)])
        }
    }
}

/// POST /webhooks/stripe and /webhooks/paypal (public; authenticated by signature). The
/// 200 is sent only after the change is stored, so a failure makes the provider retry.
struct WebhookRoutes: APIRouteCollection {
    let service: BillingService
    let requiresAuth = false

    var operations: [OpenAPIOperation] {
        [
            OpenAPIOperation("POST", "/webhooks/stripe", summary: "Stripe events (Stripe-Signature verified, 5 min tolerance)", tag: "billing"),
            OpenAPIOperation("POST", "/webhooks/paypal", summary: "PayPal events (verified through PayPal's API)", tag: "billing"),
        ]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/webhooks/stripe") { request, context in
            guard let stripe = service.config.stripe, let secret = stripe.webhookSecret else {
                throw CoreError.serviceUnavailable("Stripe webhooks are not configured")
            }
            let payload = Array(buffer: try await request.collectBody(context: context))
            let webhook = StripeWebhook(secret: secret, tolerance: service.config.webhookTolerance, priceIDs: stripe.priceIDs)
            let event = try await service.mapped { () async throws -> BillingEvent in
                try webhook.verify(payload: payload, header: request.headers[.stripeSignature])
                return try webhook.parse(payload)
            }
            _ = try await service.record(event)
            return Envelope.ok(["received": true])
        }
        group.post("/webhooks/paypal") { request, context in
            guard let paypal = service.paypal, let config = service.config.paypal else {
                throw CoreError.serviceUnavailable("PayPal webhooks are not configured")
            }
            let buffer = try await request.collectBody(context: context)
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
                throw CoreError.invalidInput([ValidationIssue(type: "json_invalid", path: ["body"], message: "Body is not a JSON event")])
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let event = try await service.mapped { () async throws -> BillingEvent in
                try await paypal.verifyWebhook(headers: headers, event: json)
                return try PayPalWebhook.parse(json, plans: config.planIDs)
            }
            _ = try await service.record(event)
            return Envelope.ok(["received": true])
        }
    }
}

extension HTTPField.Name {
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
