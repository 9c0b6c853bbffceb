import Prometheus

/// What the platform does, beside the HTTP metrics: provider attempts by provider and
/// outcome, credit holds and credits by what became of them. Values read off state (the
/// e-mail outbox, Redis) are gauges refreshed when `/metrics` is scraped
/// (`ServiceFoundation.addOperationsRoutes(scrapeGauges:)`).
public struct BusinessMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// `outcome`: `success` or the error kind (`timeout`, `rate_limited`, `unavailable`…).
    public func providerAttempt(provider: String, outcome: String) {
        registry.makeCounter(name: "nova_ai_provider_attempts_total", labels: [("provider", provider), ("outcome", outcome)]).increment()
    }

    public enum CreditEvent: String, Sendable {
        case reserved, settled, released
    }

    /// One hold changed state, worth `credits`.
    public func credits(_ event: CreditEvent, credits: Int) {
        registry.makeCounter(name: "nova_credit_holds_total", labels: [("event", event.rawValue)]).increment()
        registry.makeCounter(name: "nova_credits_total", labels: [("event", event.rawValue)]).increment(by: Int64(credits))
    }

    public func gauge(_ name: String, _ value: Double, labels: [(String, String)] = []) {
        registry.makeGauge(name: name, labels: labels).set(value)
    }
}
