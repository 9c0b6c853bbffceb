import Core
import Foundation
import HTTPTypes
import Hummingbird

/// POST /subscription/checkout, /portal, /cancel, /reactivate, /paypal/checkout,
/// /paypal/execute.
struct BillingRoutes: TypedRouteCollection {
    let service: BillingService
    let requiresAuth = true
    let tag = "billing"

    /// The body of both checkouts.
    struct PlanRequest: RequestContent {
        var plan: PaidPlan
    }

    struct ExecuteRequest: RequestContent {
        var subscriptionId: String
        /// PayPal's approval token from the return URL; not needed to activate.
        var token: String?

        static let rules: [String: FieldRule] = ["subscriptionId": .text(max: 64), "token": .text(max: 10_000, allowEmpty: true)]
    }

    struct Checkout: ResponseContent {
        var sessionId: String
        /// Stripe Checkout, where the browser goes next.
        var url: String
    }

    struct Portal: ResponseContent {
        var url: String
    }

    struct Cancellation: ResponseContent {
        var cancelAtPeriodEnd: Bool
    }

    struct PayPalCheckout: ResponseContent {
        var subscriptionId: String
        /// Where the buyer approves the subscription at PayPal.
        var approvalUrl: String?
        var status: String
    }

    struct PayPalExecution: ResponseContent {
        var subscriptionId: String
        var status: String
        /// The plan now in effect: PRO or ENTERPRISE.
        var plan: String
    }

    func routes(_ routes: inout APIRoutes) {
        routes.post(
            "/subscription/checkout", "Stripe Checkout session for a plan: {sessionId, url}", body: PlanRequest.self,
            query: [
                OpenAPIOperation.header(
                    "Idempotency-Key", ["type": "string", "minLength": 1, "maxLength": 255], description: "Repeats answer the same session")
            ],
            errors: [502, 503]
        ) { body, request, context -> Envelope<Checkout> in
            let session = try await service.checkout(user: try context.requireUser(), plan: body.plan, idempotencyKey: try request.idempotencyKey())
            return Envelope(Checkout(sessionId: session.id, url: session.url))
        }
        routes.post("/subscription/portal", "Stripe customer portal: {url}", errors: [409, 502, 503]) { _, context -> Envelope<Portal> in
            Envelope(Portal(url: try await service.portal(user: try context.requireUser())))
        }
        routes.post("/subscription/cancel", "Cancel at period end (also at the provider)", errors: [404, 409, 502, 503]) {
            _, context -> Envelope<Cancellation> in
            try await service.cancel(user: try context.requireUser())
            return Envelope(Cancellation(cancelAtPeriodEnd: true), message: "Subscription will be cancelled at the end of the current period")
        }
        routes.post("/subscription/reactivate", "Undo a cancellation at period end (Stripe)", errors: [409, 502, 503]) {
            _, context -> Envelope<Cancellation> in
            try await service.reactivate(user: try context.requireUser())
            return Envelope(Cancellation(cancelAtPeriodEnd: false), message: "Subscription reactivated")
        }
        routes.post(
            "/subscription/paypal/checkout", "PayPal subscription: {subscriptionId, approvalUrl, status}", body: PlanRequest.self,
            errors: [404, 502, 503]
        ) { body, _, context -> Envelope<PayPalCheckout> in
            let created = try await service.paypalCheckout(user: try context.requireUser(), plan: body.plan)
            return Envelope(PayPalCheckout(subscriptionId: created.id, approvalUrl: created.approvalURL, status: created.status))
        }
        routes.post(
            "/subscription/paypal/execute", "Activate an approved PayPal subscription of the caller", body: ExecuteRequest.self,
            errors: [404, 409, 502, 503]
        ) { body, _, context -> Envelope<PayPalExecution> in
            let (subscription, plan) = try await service.paypalExecute(user: try context.requireUser(), subscriptionID: body.subscriptionId)
            return Envelope(PayPalExecution(subscriptionId: subscription.id, status: subscription.status, plan: plan.rawValue))
        }
    }
}

/// A plan in a request body: PRO or ENTERPRISE, in any case.
extension PaidPlan: WireEnum {}

/// POST /webhooks/stripe and /webhooks/paypal (public; authenticated by signature). The
/// 200 is sent only after the change is stored, so a failure makes the provider retry.
///
/// Both read the provider's payload verbatim, not through a request type: Stripe signs the
/// exact bytes, and PayPal verifies the event as it was sent.
struct WebhookRoutes: TypedRouteCollection {
    let service: BillingService
    let requiresAuth = false
    let tag = "billing"

    struct Received: ResponseContent {
        var received: Bool
    }

    /// A webhook's description: any JSON object in, `{received: true}` out.
    func operation(_ path: String, _ summary: String, errors: [Int]) -> OpenAPIOperation {
        var components = WireSchema.Components()
        let data = WireSchema.schema(for: Received.self, components: &components)
        var responses = [200: "Event stored (or already stored)"]
        for status in errors { responses[status] = OpenAPIDocument.errorDescriptions[status] ?? "Error" }
        return OpenAPIOperation(
            "POST", path, summary: summary, tag: tag, requestBody: ["type": "object", "description": "The provider's event, as it sends it"],
            responses: responses, responseBody: EnvelopeSchema.schema(data: data), components: components)
    }

    func routes(_ routes: inout APIRoutes) {
        routes.custom(
            .post, "/webhooks/stripe",
            operation("/webhooks/stripe", "Stripe events (Stripe-Signature verified, 5 min tolerance)", errors: [400, 503])
        ) { request, context in
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
            return try Envelope(Received(received: true)).response(from: request, context: context)
        }
        routes.custom(
            .post, "/webhooks/paypal",
            operation("/webhooks/paypal", "PayPal events (verified through PayPal's API)", errors: [400, 404, 502, 503])
        ) { request, context in
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
            return try Envelope(Received(received: true)).response(from: request, context: context)
        }
    }
}

extension HTTPField.Name {
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
