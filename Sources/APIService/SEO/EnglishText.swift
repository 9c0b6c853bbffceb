/// Words, sentences and syllables of English prose, as readability formulas count them.
///
/// `Prose` reads a text once and yields both tables: the words (apostrophes and hyphens
/// inside words kept: `don't`, `well-known`) and the sentences as ranges of them. Every
/// decision looks at a bounded neighbourhood, so the cost is linear in the text whatever
/// it contains ("Dr. " repeated 32,000 times used to take minutes).
enum EnglishText {
    struct Prose {
        /// As written, with `’` inside a word normalised to `'`.
        var words: [String] = []
        /// Lower-cased, index for index with `words`.
        var lowercased: [String] = []
        /// Each sentence's words; sentences without words are dropped.
        var sentences: [Range<Int>] = []
        /// Each sentence's text (trimmed), only when asked for.
        var sentenceTexts: [String] = []

        init(_ text: String, keepingSentenceTexts: Bool = false) {
            self.init(Array(text.unicodeScalars), keepingSentenceTexts: keepingSentenceTexts)
        }

        init(_ scalars: [Unicode.Scalar], keepingSentenceTexts: Bool = false) {
            var word = String.UnicodeScalarView()
            var sentenceStart = 0
            var sentenceFirstWord = 0

            func endWord() {
                guard !word.isEmpty else { return }
                let text = String(word)
                words.append(text)
                lowercased.append(EnglishText.lowercase(text))
                word = String.UnicodeScalarView()
            }
            func endSentence(through end: Int) {
                if words.count > sentenceFirstWord {
                    sentences.append(sentenceFirstWord..<words.count)
                    if keepingSentenceTexts { sentenceTexts.append(EnglishText.trimmed(scalars[sentenceStart..<end])) }
                }
                sentenceStart = end
                sentenceFirstWord = words.count
            }

            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                // Words.
                if EnglishText.isLetterOrNumber(scalar) {
                    word.append(scalar)
                } else if !word.isEmpty, EnglishText.extendsCharacter(scalar) {
                    word.append(scalar)
                } else if scalar == "'" || scalar == "’" || scalar == "-", !word.isEmpty, index + 1 < scalars.count,
                    EnglishText.isLetter(scalars[index + 1])
                {
                    word.append(scalar == "’" ? "'" : scalar)
                } else {
                    endWord()
                }
                // Sentences: `.`, `!`, `?`, `…` and the closing marks after them, then a space
                // and a capital, digit or opening quote (or the end); not after an abbreviation.
                if scalar == "." || scalar == "!" || scalar == "?" || scalar == "…" {
                    while index + 1 < scalars.count, EnglishText.closers.contains(scalars[index + 1]) { index += 1 }
                    let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                    let afterSpace = index + 2 < scalars.count ? scalars[index + 2] : nil
                    let ends = next == nil
                        || (next.map(EnglishText.isWhitespace) == true
                            && (afterSpace.map { $0.properties.isUppercase || $0.properties.numericType != nil || EnglishText.openers.contains($0) } ?? true))
                    if ends && !(scalar == "." && EnglishText.endsWithAbbreviation(scalars, sentenceStart: sentenceStart, last: index)) {
                        endSentence(through: index + 1)
                    }
                }
                index += 1
            }
            endWord()
            endSentence(through: scalars.count)
        }
    }

    static let closers: Set<Unicode.Scalar> = [".", "!", "?", "\"", "'", "”", "’", ")"]
    static let openers: Set<Unicode.Scalar> = ["\"", "“", "‘", "'", "("]

    static func words(_ text: String) -> [String] { Prose(text).words }

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

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || (!scalar.isASCII || scalar.value < 0x21) && scalar.properties.isWhitespace
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
    static func trimmed(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        guard let first = scalars.firstIndex(where: { !isBlank($0) }), let last = scalars.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no", "fig", "approx", "u.s", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]
    /// Far more than any abbreviation with quotes around it: a longer token is not one.
    static let longestAbbreviationToken = 32

    /// Whether the last whitespace-separated token before the character at `last` is an
    /// abbreviation or a single initial ("J. R. R. Tolkien"). Looks back a bounded way.
    static func endsWithAbbreviation(_ scalars: [Unicode.Scalar], sentenceStart: Int, last: Int) -> Bool {
        var end = last
        let limit = max(sentenceStart, last - longestAbbreviationToken)
        while end > limit, isWhitespace(scalars[end - 1]) { end -= 1 }
        var start = end
        while start > sentenceStart, !isWhitespace(scalars[start - 1]) {
            start -= 1
            if end - start > longestAbbreviationToken { return false }
        }
        guard start < end else { return false }
        let token = String(String.UnicodeScalarView(scalars[start..<end])).lowercased()
        let bare = token.unicodeScalars.drop { "(\"'“".unicodeScalars.contains($0) }.reversed().drop { "(\"'“".unicodeScalars.contains($0) }.reversed()
        let text = String(String.UnicodeScalarView(bare))
        if abbreviations.contains(text) { return true }
        return text.count == 1 && text.first?.isLetter == true
    }

    /// Vowel groups, minus a silent final "e", at least one per word.
    static func syllables(_ word: String) -> Int {
        let lower = lowercase(word)
        guard lower.utf8.allSatisfy({ $0 < 0x80 }) else { return syllables(characters: lower.lowercased().filter { $0.isLetter }) }
        let letters = lower.utf8.filter { $0 >= 0x61 && $0 <= 0x7A }
        guard letters.count > 3 else { return 1 }
        var count = 0
        var previousVowel = false
        for letter in letters {
            let isVowel = letter == 0x61 || letter == 0x65 || letter == 0x69 || letter == 0x6F || letter == 0x75 || letter == 0x79
            if isVowel && !previousVowel { count += 1 }
            previousVowel = isVowel
        }
        func ends(_ suffix: String) -> Bool { letters.count >= suffix.utf8.count && letters.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) }
        if ends("e") && !ends("le") && !ends("ee") && count > 1 { count -= 1 }
        if ends("ed") && !ends("ted") && !ends("ded") && count > 1 { count -= 1 }
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

    static let beVerbs: Set<String> = ["am", "is", "are", "was", "were", "be", "been", "being", "is't", "isn't", "aren't", "wasn't", "weren't", "get", "gets", "got", "gotten"]

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
            while next < tokens.endIndex, next <= index + 3, tokens[next].hasSuffix("ly") || tokens[next] == "not" || tokens[next] == "also" { next += 1 }
            guard next < tokens.endIndex else { continue }
            let candidate = tokens[next]
            if irregularParticiples.contains(candidate) || (candidate.hasSuffix("ed") && candidate.count > 3) { return true }
        }
        return false
    }
}
