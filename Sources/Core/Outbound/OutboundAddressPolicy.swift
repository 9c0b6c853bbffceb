/// Which IP addresses the server may call on a user's behalf (a WordPress site they
/// name). Only globally routable unicast addresses: nothing on this machine, the private
/// network, the cloud's metadata service, or an address that embeds one of those
/// (IPv4-mapped, NAT64, 6to4, Teredo).
public enum OutboundAddressPolicy {
    /// `bytes`: 4 (IPv4) or 16 (IPv6) bytes in network order.
    public static func isPublic(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4: return isPublicIPv4(bytes[0], bytes[1], bytes[2], bytes[3])
        case 16: return isPublicIPv6(bytes)
        default: return false
        }
    }

    static func isPublicIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Bool {
        switch (a, b) {
        case (0, _), (10, _), (127, _): return false  // "this network", private, loopback
        case (100, 64...127): return false  // carrier-grade NAT (RFC 6598)
        case (169, 254): return false  // link-local, including the metadata service 169.254.169.254
        case (172, 16...31), (192, 168): return false  // private
        case (192, 0) where c == 0 || c == 2: return false  // IETF protocol assignments, TEST-NET-1
        case (192, 88) where c == 99: return false  // 6to4 relay anycast
        case (198, 18...19): return false  // benchmarking
        case (198, 51) where c == 100, (203, 0) where c == 113: return false  // TEST-NET-2, -3
        case (224...255, _): return false  // multicast, reserved, broadcast
        default: return true
        }
    }

    static func isPublicIPv6(_ bytes: [UInt8]) -> Bool {
        // Only global unicast (2000::/3) is routable at all; that excludes ::, ::1,
        // IPv4-mapped and -compatible (::/8), ULA (fc00::/7, where AWS's metadata
        // fd00:ec2::254 lives), link- and site-local (fe80::/10, fec0::/10), multicast.
        guard bytes[0] & 0xE0 == 0x20 else { return false }
        let first = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let second = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        switch first {
        case 0x2002: return false  // 6to4: embeds an IPv4 address
        case 0x2001 where second == 0x0000: return false  // Teredo: embeds an IPv4 address
        case 0x2001 where second == 0x0db8: return false  // documentation
        case 0x2001 where second < 0x0200: return false  // IETF protocol assignments (2001::/23)
        default: return true
        }
    }
}
