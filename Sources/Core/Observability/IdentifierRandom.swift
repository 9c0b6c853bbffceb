import NIOPosix

/// Random bits for request and trace ids: identifiers, not secrets (no token, key or
/// password is drawn here). A xoshiro256** generator seeded from the system's, since each
/// draw from `SystemRandomNumberGenerator` is a `getrandom` system call and ids are drawn
/// three times per request. One generator per thread: a shared one behind a lock passed
/// its cache line between the event loops' threads on every draw (issue #15).
public struct IdentifierRandom: RandomNumberGenerator {
    /// Touched only by its own thread: each draw looks its thread's generator up anew, so
    /// an instance carried across an `await` to another thread draws from that thread's.
    final class Generator: @unchecked Sendable {
        var state = Xoshiro256StarStar()
    }

    private static let perThread = ThreadSpecificVariable<Generator>()

    public init() {}

    public mutating func next() -> UInt64 {
        if let generator = Self.perThread.currentValue { return generator.state.next() }
        let generator = Generator()
        Self.perThread.currentValue = generator
        return generator.state.next()
    }
}

struct Xoshiro256StarStar {
    var s: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        repeat {
            s = (system.next(), system.next(), system.next(), system.next())
        } while s == (0, 0, 0, 0)
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }
}
