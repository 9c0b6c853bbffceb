import Core
import Testing

@Suite struct HexTests {
    @Test func lowerCaseHexAndSHA256MatchKnownValues() {
        #expect(Hex.string([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ConstantTime.equal("same".utf8, "same".utf8))
        #expect(!ConstantTime.equal("same".utf8, "sane".utf8))
        #expect(!ConstantTime.equal("short".utf8, "shorter".utf8))
    }
}
