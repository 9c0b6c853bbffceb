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

    /// Each thread has its own generator, seeded on its own: ids drawn at once on many
    /// threads never repeat (a shared or copied seed would repeat whole sequences).
    @Test func threadsDrawDistinctIds() async {
        let perTask = 5_000
        let drawn = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var generator = IdentifierRandom()
                    return (0..<perTask).map { _ in generator.next() }
                }
            }
            return await group.reduce(into: [UInt64]()) { $0 += $1 }
        }
        #expect(drawn.count == 8 * perTask)
        #expect(Set(drawn).count == drawn.count)
    }
}
