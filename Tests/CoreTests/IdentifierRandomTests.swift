import Core
import Testing

@Suite struct IdentifierRandomTests {
    @Test func traceIdsAreWellFormedAndDistinct() {
        let traces = (0..<10_000).map { _ in TraceContext.continuing(nil) }
        #expect(Set(traces.map(\.traceID)).count == traces.count)
        #expect(traces.allSatisfy { $0.traceID.utf8.count == 32 && $0.spanID.utf8.count == 16 })
        #expect(traces.allSatisfy { TraceContext.parse($0.header) == $0 })
        var generator = IdentifierRandom()
        let words = (0..<1_000).map { _ in generator.next() }
        #expect(Set(words).count == words.count)
        // Every bit varies.
        #expect(words.reduce(0, |) == .max && words.reduce(.max, &) == 0)
    }
}
