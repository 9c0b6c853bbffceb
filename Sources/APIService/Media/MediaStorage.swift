import Core
import Crypto
import Foundation
import NIOPosix

/// Where media bytes live, addressed by their SHA-256: the same file is stored once
/// however many assets point at it. A protocol so an object store can replace the disk.
protocol MediaStorage: Sendable {
    /// Stores `bytes` (a no-op when that content exists) and returns its key.
    func put(_ bytes: [UInt8]) async throws -> String
    /// `range` of the object's bytes (all of them when nil); nil when the key is unknown.
    func read(_ key: String, range: Range<Int>?) async throws -> [UInt8]?
    func size(_ key: String) async throws -> Int?
    func delete(_ key: String) async throws
}

enum ContentKey {
    static func of(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }

    static func isValid(_ key: String) -> Bool {
        key.utf8.count == 64 && key.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `ab/cd/<key>`: the fan-out every storage uses (a folder or a listing of a few
    /// hundred entries, not one of millions). `key` must be valid.
    static func fanOut(_ key: String) -> String {
        let utf8 = Array(key.utf8)
        return String(decoding: utf8[0..<2], as: UTF8.self) + "/" + String(decoding: utf8[2..<4], as: UTF8.self) + "/" + key
    }
}

/// Files under `MEDIA_STORAGE_PATH`, fanned out as `ab/cd/<key>`; written to a temporary
/// name and renamed, so a reader never sees half a file. Blocking file calls run on the
/// thread pool, not the event loop.
struct DiskMediaStorage: MediaStorage {
    let root: URL
    let pool: NIOThreadPool

    init(root: String, pool: NIOThreadPool = .singleton) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        self.pool = pool
    }

    func url(_ key: String) -> URL? {
        guard ContentKey.isValid(key) else { return nil }
        return root.appendingPathComponent(ContentKey.fanOut(key))
    }

    func put(_ bytes: [UInt8]) async throws -> String {
        let key = ContentKey.of(bytes)
        guard let target = url(key) else { throw CocoaError(.fileWriteInvalidFileName) }
        try await pool.runIfActive {
            let manager = FileManager.default
            if manager.fileExists(atPath: target.path) { return }
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(key).\(UUID().uuidString)")
            try Data(bytes).write(to: temporary)
            do {
                try manager.moveItem(at: temporary, to: target)
            } catch {
                // Another writer stored the same content first: equal bytes, keep theirs.
                try? manager.removeItem(at: temporary)
                if !manager.fileExists(atPath: target.path) { throw error }
            }
        }
        return key
    }

    func read(_ key: String, range: Range<Int>?) async throws -> [UInt8]? {
        guard let path = url(key)?.path else { return nil }
        return try await pool.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? handle.close() }
            if let range {
                try handle.seek(toOffset: UInt64(range.lowerBound))
                return Array(try handle.read(upToCount: range.count) ?? Data())
            }
            return Array(try handle.readToEnd() ?? Data())
        }
    }

    func size(_ key: String) async throws -> Int? {
        guard let path = url(key)?.path else { return nil }
        return try await pool.runIfActive {
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        }
    }

    func delete(_ key: String) async throws {
        guard let target = url(key) else { return }
        try await pool.runIfActive { try? FileManager.default.removeItem(at: target) }
    }
}

/// The media type of a file from its first bytes; the name and the declared type are
/// not trusted.
enum ContentSniffer {
    /// The bytes of base64 media as clients send it, raw or as a `data:` URL; nil when it is
    /// not base64 or empty.
    static func base64Media(_ text: String) -> [UInt8]? {
        var encoded = Substring(text)
        if encoded.hasPrefix("data:"), let comma = encoded.firstIndex(of: ",") { encoded = encoded[encoded.index(after: comma)...] }
        guard let data = Data(base64Encoded: String(encoded), options: .ignoreUnknownCharacters), !data.isEmpty else { return nil }
        return Array(data)
    }

    static func mimeType(of bytes: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        if starts(Array("RIFF".utf8)) && starts(Array("WAVE".utf8), at: 8) { return "audio/wav" }
        if starts(Array("ftyp".utf8), at: 4) {
            let brand = bytes.count >= 12 ? String(decoding: bytes[8..<12], as: UTF8.self) : ""
            if brand.hasPrefix("M4A") { return "audio/mp4" }
            if brand.hasPrefix("qt") { return "video/quicktime" }
            return "video/mp4"
        }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        if starts(Array("ID3".utf8)) || starts([0xFF, 0xFB]) || starts([0xFF, 0xF3]) || starts([0xFF, 0xF2]) { return "audio/mpeg" }
        if starts(Array("OggS".utf8)) { return "audio/ogg" }
        return nil
    }

    static func assetType(for mimeType: String) -> String? {
        if mimeType.hasPrefix("image/") { return "IMAGE" }
        if mimeType.hasPrefix("video/") { return "VIDEO" }
        if mimeType.hasPrefix("audio/") { return "AUDIO" }
        return nil
    }
}
