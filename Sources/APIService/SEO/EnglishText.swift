/// Words, sentences and syllables of English prose, as readability formulas count them.
///
/// `Prose` reads a text once and yields both tables: the words (apostrophes and hyphens
/// inside words kept: `don't`, `well-known`) and the sentences as ranges of them. Every
/// decision looks at a bounded neighbourhood, so the cost is linear in the text whatever
/// it contains (a text of "Dr. " repeated 32,000 times included).
enum EnglishText {
    struct Prose {
        /// As written, with `’` inside a word normalised to `'`; only when asked for.
        var words: [String] = []
        /// Lower-cased words (always kept).
        var lowercased: [String] = []
        /// Each sentence's words; sentences without words are dropped.
        var sentences: [Range<Int>] = []
        /// Each sentence's text (trimmed), only when asked for.
        var sentenceTexts: [String] = []

        var count: Int { lowercased.count }

        init(_ text: String, keepingWords: Bool = false, keepingSentenceTexts: Bool = false) {
            var text = text
            let bytes = text.withUTF8 { Array($0) }
            self.init(utf8: bytes, keepingWords: keepingWords, keepingSentenceTexts: keepingSentenceTexts)
        }

        /// Walks valid UTF-8 (a `String`'s bytes) once; words are slices of it.
        init(utf8 bytes: [UInt8], keepingWords: Bool = false, keepingSentenceTexts: Bool = false) {
            // A word and its separator take 4 bytes or more but for one-letter words:
            // reserving that many saves the doublings, whose old and new arrays are both
            // alive at the peak (2 MB and 3 MB for the largest article of "Dr. "; #15).
            lowercased.reserveCapacity(bytes.count / 4)
            var wordStart = -1
            var curlyApostrophe = false
            var sentenceStart = 0
            var sentenceFirstWord = 0

            func endWord(at end: Int) {
                guard wordStart >= 0 else { return }
                let slice = bytes[wordStart..<end]
                var original = String(decoding: slice, as: UTF8.self)
                if curlyApostrophe { original = original.replacingOccurrences(of: "’", with: "'") }
                if keepingWords { words.append(original) }
                lowercased.append(EnglishText.lowercase(original))
                wordStart = -1
                curlyApostrophe = false
            }
            func endSentence(through end: Int) {
                if lowercased.count > sentenceFirstWord {
                    sentences.append(sentenceFirstWord..<lowercased.count)
                    if keepingSentenceTexts { sentenceTexts.append(EnglishText.trimmed(bytes[sentenceStart..<end])) }
                }
                sentenceStart = end
                sentenceFirstWord = lowercased.count
            }

            var index = 0
            while index < bytes.count {
                let (scalar, length) = EnglishText.scalar(in: bytes, at: index)
                // Words.
                if EnglishText.isLetterOrNumber(scalar) {
                    if wordStart < 0 { wordStart = index }
                } else if wordStart >= 0, EnglishText.extendsCharacter(scalar) {
                    // part of the word
                } else if scalar == "'" || scalar == "’" || scalar == "-", wordStart >= 0, index + length < bytes.count,
                    EnglishText.isLetter(EnglishText.scalar(in: bytes, at: index + length).0)
                {
                    if scalar == "’" { curlyApostrophe = true }
                } else {
                    endWord(at: index)
                }
                index += length
                // Sentences: `.`, `!`, `?`, `…` and the closing marks after them, then a space
                // and a capital, digit or opening quote (or the end); not after an abbreviation.
                guard scalar == "." || scalar == "!" || scalar == "?" || scalar == "…" else { continue }
                var last = index - length
                while index < bytes.count {
                    let (next, nextLength) = EnglishText.scalar(in: bytes, at: index)
                    guard EnglishText.closers.contains(next) else { break }
                    last = index
                    index += nextLength
                }
                let ends: Bool
                if index >= bytes.count {
                    ends = true
                } else {
                    let (next, nextLength) = EnglishText.scalar(in: bytes, at: index)
                    if EnglishText.isWhitespace(next) {
                        if index + nextLength < bytes.count {
                            let afterSpace = EnglishText.scalar(in: bytes, at: index + nextLength).0
                            ends = EnglishText.isUppercaseOrDigit(afterSpace) || EnglishText.openers.contains(afterSpace)
                        } else {
                            ends = true
                        }
                    } else {
                        ends = false
                    }
                }
                if ends && !(scalar == "." && EnglishText.endsWithAbbreviation(bytes, sentenceStart: sentenceStart, last: last)) {
                    endSentence(through: index)
                }
            }
            endWord(at: bytes.count)
            endSentence(through: bytes.count)
        }
    }

    /// The scalar starting at `offset` of valid UTF-8, and its length in bytes.
    @inline(__always)
    static func scalar(in bytes: [UInt8], at offset: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[offset]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard offset + length <= bytes.count else { return ("\u{FFFD}", 1) }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for byte in bytes[(offset + 1)..<(offset + length)] { value = value << 6 | UInt32(byte & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The offset where the scalar ending just before `end` starts.
    static func previousScalarStart(in bytes: [UInt8], before end: Int) -> Int {
        var start = end - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start
    }

    static func isUppercaseOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (scalar.value >= 0x41 && scalar.value <= 0x5A) || (scalar.value >= 0x30 && scalar.value <= 0x39) }
        return scalar.properties.isUppercase || scalar.properties.numericType != nil
    }

    static let closers: Set<Unicode.Scalar> = [".", "!", "?", "\"", "'", "”", "’", ")"]
    static let openers: Set<Unicode.Scalar> = ["\"", "“", "‘", "'", "("]

    static func words(_ text: String) -> [String] { Prose(text, keepingWords: true).words }

    static func sentences(_ text: String) -> [String] { Prose(text, keepingSentenceTexts: true).sentenceTexts }

    static func isLetterOrNumber(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let lower = scalar.value | 0x20
            return (lower >= 0x61 && lower <= 0x7A) || (scalar.value >= 0x30 && scalar.value <= 0x39)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let lower = scalar.value | 0x20
            return lower >= 0x61 && lower <= 0x7A
        }
        return scalar.properties.isAlphabetic
    }

    /// Unicode's White_Space, without the property look-up for ASCII (tab to CR, space).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D) : scalar.properties.isWhitespace
    }

    /// A combining mark (or joiner) belongs to the character before it, as in a
    /// decomposed `é`.
    static func extendsCharacter(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.isASCII && scalar.properties.isGraphemeExtend
    }

    static func lowercase(_ word: String) -> String {
        guard word.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A || $0 >= 0x80 }) else { return word }
        guard word.utf8.allSatisfy({ $0 < 0x80 }) else { return word.lowercased() }
        return String(decoding: word.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// `.whitespaces` (space separators and tab) trimmed from both ends.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        guard let first = scalars.firstIndex(where: { !isBlank($0) }), let last = scalars.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(scalars[first...last])
    }

    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no", "fig", "approx", "u.s", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]
    /// Far more than any abbreviation with quotes around it: a longer token is not one.
    static let longestAbbreviationToken = 32

    /// Whether the last whitespace-separated token before the character starting at byte
    /// `last` is an abbreviation or a single initial ("J. R. R. Tolkien"). Looks back a
    /// bounded way, and for the common ASCII token builds no string at all.
    static func endsWithAbbreviation(_ bytes: [UInt8], sentenceStart: Int, last: Int) -> Bool {
        var end = last
        let limit = max(sentenceStart, last - 4 * longestAbbreviationToken)
        while end > limit {
            let start = previousScalarStart(in: bytes, before: end)
            guard isWhitespace(scalar(in: bytes, at: start).0) else { break }
            end = start
        }
        var start = end
        while start > sentenceStart {
            let previous = previousScalarStart(in: bytes, before: start)
            guard !isWhitespace(scalar(in: bytes, at: previous).0) else { break }
            start = previous
            if end - start > 4 * longestAbbreviationToken { return false }
        }
        guard start < end else { return false }
        let token = bytes[start..<end]
        if token.allSatisfy({ $0 < 0x80 }) {
            var bare = token.drop { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }
            while let tail = bare.last, tail == UInt8(ascii: "(") || tail == UInt8(ascii: "\"") || tail == UInt8(ascii: "'") {
                bare = bare.dropLast()
            }
            if bare.count == 1 { return isLetter(Unicode.Scalar(bare[bare.startIndex])) }
            guard (2...6).contains(bare.count) else { return false }
            return abbreviations.contains(String(decoding: bare.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self))
        }
        let lowered = String(decoding: token, as: UTF8.self).lowercased()
        let quotes = "(\"'“".unicodeScalars
        let bare = lowered.unicodeScalars.drop { quotes.contains($0) }.reversed().drop { quotes.contains($0) }.reversed()
        let text = String(String.UnicodeScalarView(bare))
        if abbreviations.contains(text) { return true }
        return text.count == 1 && text.first?.isLetter == true
    }

    /// Vowel groups, minus a silent final "e", at least one per word.
    static func syllables(_ word: String) -> Int {
        let lower = lowercase(word)
        guard lower.utf8.allSatisfy({ $0 < 0x80 }) else { return syllables(characters: lower.lowercased().filter { $0.isLetter }) }
        // One pass over the letters (digits, apostrophes and hyphens skipped), keeping the
        // last three for the suffix rules.
        var letters = 0
        var count = 0
        var previousVowel = false
        var last: (UInt8, UInt8, UInt8) = (0, 0, 0)
        for letter in lower.utf8 where letter >= 0x61 && letter <= 0x7A {
            letters += 1
            let isVowel = letter == 0x61 || letter == 0x65 || letter == 0x69 || letter == 0x6F || letter == 0x75 || letter == 0x79
            if isVowel && !previousVowel { count += 1 }
            previousVowel = isVowel
            last = (last.1, last.2, letter)
        }
        guard letters > 3 else { return 1 }
        let (e, d, l) = (UInt8(ascii: "e"), UInt8(ascii: "d"), UInt8(ascii: "l"))
        let t = UInt8(ascii: "t")
        if last.2 == e && last.1 != l && last.1 != e && count > 1 { count -= 1 }
        if last.2 == d && last.1 == e && last.0 != t && last.0 != d && count > 1 { count -= 1 }
        return max(1, count)
    }

    static func syllables(characters lower: String) -> Int {
        guard !lower.isEmpty else { return 1 }
        if lower.count <= 3 { return 1 }
        let vowels: Set<Character> = ["a", "e", "i", "o", "u", "y"]
        var count = 0
        var previousVowel = false
        for character in lower {
            let isVowel = vowels.contains(character)
            if isVowel && !previousVowel { count += 1 }
            previousVowel = isVowel
        }
        if lower.hasSuffix("e") && !lower.hasSuffix("le") && !lower.hasSuffix("ee") && count > 1 { count -= 1 }
        if (lower.hasSuffix("ed") && !lower.hasSuffix("ted") && !lower.hasSuffix("ded")) && count > 1 { count -= 1 }
        return max(1, count)
    }

    static let beVerbs: Set<String> = [
        "am", "is", "are", "was", "were", "be", "been", "being", "is't", "isn't", "aren't", "wasn't", "weren't", "get", "gets", "got", "gotten",
    ]

    static let irregularParticiples: Set<String> = [
        "awoken", "been", "born", "beaten", "become", "begun", "bent", "bet", "bitten", "blown", "broken", "brought", "built", "burnt", "bought",
        "caught", "chosen", "come", "cost", "cut", "dealt", "done", "drawn", "driven", "drunk", "eaten", "fallen", "fed", "felt", "fought", "found",
        "flown", "forbidden", "forgotten", "forgiven", "frozen", "given", "gone", "grown", "hung", "had", "heard", "hidden", "hit", "held", "hurt",
        "kept", "known", "laid", "led", "left", "lent", "let", "lost", "made", "meant", "met", "paid", "put", "read", "ridden", "rung", "risen",
        "run", "said", "seen", "sold", "sent", "set", "shaken", "shown", "shut", "sung", "sunk", "sat", "slept", "spoken", "spent", "split",
        "spread", "stolen", "struck", "sworn", "swept", "swum", "taken", "taught", "torn", "told", "thought", "thrown", "understood", "woken",
        "worn", "won", "written",
    ]

    static func isPassive(_ sentence: String) -> Bool { isPassive(Prose(sentence).lowercased[...]) }

    /// A form of "to be" (or "get") followed, within two adverbs, by a past participle.
    static func isPassive(_ tokens: ArraySlice<String>) -> Bool {
        for index in tokens.indices where beVerbs.contains(tokens[index]) {
            var next = index + 1
            while next < tokens.endIndex, next <= index + 3, tokens[next].hasSuffix("ly") || tokens[next] == "not" || tokens[next] == "also" {
                next += 1
            }
            guard next < tokens.endIndex else { continue }
            let candidate = tokens[next]
            if irregularParticiples.contains(candidate) || (candidate.hasSuffix("ed") && candidate.count > 3) { return true }
        }
        return false
    }
}
