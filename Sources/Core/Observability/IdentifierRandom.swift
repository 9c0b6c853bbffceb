import NIOConcurrencyHelpers

/// Random bits for request and trace ids: identifiers, not secrets (no token, key or
/// password is drawn here). A xoshiro256** generator seeded once from the system's, since
/// each draw from `SystemRandomNumberGenerator` is a `getrandom` system call and ids are
/// drawn three times per request.
public struct IdentifierRandom: RandomNumberGenerator {
    private static let state = NIOLockedValueBox(Xoshiro256StarStar())

    public init() {}

    public mutating func next() -> UInt64 {
        Self.state.withLockedValue { $0.next() }
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
