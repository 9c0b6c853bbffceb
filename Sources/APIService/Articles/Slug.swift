import Foundation

/// URL slugs: lowercase ASCII letters and digits joined by single hyphens ("kebab-case"),
/// the form WordPress and the frontend expect.
enum Slug {
    static let maximumLength = 80

    /// `Ten Tips for Café Owners!` → `ten-tips-for-cafe-owners`; never empty (`article`).
    static func make(_ text: String, fallback: String = "article") -> String {
        // Accents folded first so that "café" keeps its letters instead of losing the é.
        let folded = text.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX")).lowercased()
        var slug = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingHyphen, !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        if slug.count > maximumLength {
            // Cut at a word boundary when there is one reasonably close.
            let cut = String(slug.prefix(maximumLength))
            if let hyphen = cut.lastIndex(of: "-"), cut.distance(from: cut.startIndex, to: hyphen) >= maximumLength / 2 {
                slug = String(cut[..<hyphen])
            } else {
                slug = cut
            }
        }
        return slug.isEmpty ? fallback : slug
    }

    /// Whether `text` already is a slug.
    static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.count <= maximumLength && make(text) == text
    }
}
