import Foundation

@testable import APIService

// The SEO analyzer as it was before the linear rewrite (quadratic on hostile input),
// kept only as the reference for the differential tests: on ordinary text the new
// analyzer must give identical results.

/// The algorithmic SEO analysis behind the writer's audit panel: deterministic, no AI,
/// Yoast-style rules (sentences over 20 words at most 25 %, paragraphs ≤ 150 words,
/// passive voice ≤ 10 %, keyphrase in title, introduction and a subheading, density
/// 0.5–3 %, a meta description of 120–160 characters).
struct ReferenceSEOAnalyzer: Sendable {
    typealias Input = SEOAnalyzer.Input
    typealias SubheadingDistribution = SEOAnalyzer.SubheadingDistribution
    typealias Result = SEOAnalyzer.Result

    static let longSentenceWords = 20
    static let longParagraphWords = 150
    static let sectionWords = 300

    func analyze(_ input: Input) -> Result {
        let document = ReferenceHTMLText(html: input.html)
        let paragraphs = document.paragraphs
        let sentences = paragraphs.flatMap(ReferenceEnglishText.sentences)
        let sentenceWords = sentences.map { ReferenceEnglishText.words($0).count }
        let words = paragraphs.flatMap(ReferenceEnglishText.words)
        let wordCount = words.count
        let syllables = words.reduce(0) { $0 + ReferenceEnglishText.syllables($1) }

        let avgSentence = sentences.isEmpty ? 0 : Double(wordCount) / Double(sentences.count)
        let flesch =
            wordCount == 0 || sentences.isEmpty
            ? 0 : 206.835 - 1.015 * avgSentence - 84.6 * (Double(syllables) / Double(wordCount))
        let longSentences = sentenceWords.filter { $0 > Self.longSentenceWords }.count
        let longSentencePercentage = sentences.isEmpty ? 0 : 100 * Double(longSentences) / Double(sentences.count)
        let passive = sentences.filter(ReferenceEnglishText.isPassive).count
        let passivePercentage = sentences.isEmpty ? 0 : 100 * Double(passive) / Double(sentences.count)
        let longParagraphs = paragraphs.filter { ReferenceEnglishText.words($0).count > Self.longParagraphWords }.count

        let keyphrase =
            (input.focusKeyphrase?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 }
            ?? input.keywords.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let phrase = keyphrase.map { ReferenceEnglishText.words($0).map { $0.lowercased() } } ?? []
        let lowered = words.map { $0.lowercased() }
        let occurrences = Self.occurrences(of: phrase, in: lowered)
        let density = wordCount == 0 || phrase.isEmpty ? 0 : 100 * Double(occurrences) / Double(wordCount)
        let title = input.title ?? document.firstHeading ?? ""
        let titleHas = Self.contains(phrase, in: title)
        let intro = Self.contains(phrase, in: paragraphs.first ?? "")
        let subheadingHas = document.subheadings.contains { Self.contains(phrase, in: $0) }
        let distribution = Self.distribution(document)
        let metaLength = input.metaDescription?.count ?? 0

        var score = 0.0
        var suggestions: [String] = []
        func check(_ weight: Double, _ passed: Double, _ advice: @autoclosure () -> String) {
            score += weight * min(1, max(0, passed))
            if passed < 1 { suggestions.append(advice()) }
        }
        if phrase.isEmpty {
            suggestions.append("Set a focus keyphrase so the analysis can check its use.")
        } else {
            check(
                15, (0.5...3.0).contains(density) ? 1 : density < 0.5 ? density / 0.5 : max(0, 1 - (density - 3) / 3),
                density < 0.5
                    ? "Use the keyphrase \"\(keyphrase ?? "")\" more often: its density is \(Self.round(density)) %, aim for 0.5–3 %."
                    : "Use the keyphrase \"\(keyphrase ?? "")\" less often: its density is \(Self.round(density)) %, above 3 % reads as stuffing.")
            check(10, titleHas ? 1 : 0, "Put the keyphrase in the SEO title.")
            check(10, intro ? 1 : 0, "Mention the keyphrase in the first paragraph.")
            check(10, subheadingHas ? 1 : 0, "Use the keyphrase (or a close variant) in at least one subheading.")
        }
        check(
            15, longSentencePercentage <= 25 ? 1 : 1 - (longSentencePercentage - 25) / 50,
            "Shorten sentences: \(Self.round(longSentencePercentage)) % have more than \(Self.longSentenceWords) words (keep it under 25 %).")
        check(
            10, passivePercentage <= 10 ? 1 : 1 - (passivePercentage - 10) / 20,
            "Use more active voice: \(Self.round(passivePercentage)) % of sentences are passive (keep it at 10 % or less).")
        check(
            10, longParagraphs == 0 ? 1 : 1 - Double(longParagraphs) / 3,
            "Split \(longParagraphs) paragraph\(longParagraphs == 1 ? "" : "s") longer than \(Self.longParagraphWords) words.")
        check(
            10, flesch >= 60 ? 1 : flesch / 60,
            "Make the text easier to read: Flesch reading ease is \(Self.round(flesch)); aim for 60 or more with shorter words and sentences.")
        check(
            5, distribution.sectionsOver300Words == 0 && (wordCount < Self.sectionWords || distribution.subheadings > 0) ? 1 : 0,
            "Add subheadings: \(max(1, distribution.sectionsOver300Words)) section\(distribution.sectionsOver300Words == 1 ? "" : "s") run longer than \(Self.sectionWords) words without one."
        )
        check(
            5, (120...160).contains(metaLength) ? 1 : 0,
            metaLength == 0
                ? "Write a meta description of 120–160 characters."
                : "Adjust the meta description to 120–160 characters (it has \(metaLength)).")
        // Without a keyphrase the keyphrase checks cannot be earned; score the rest fairly.
        let possible = phrase.isEmpty ? 55.0 : 100.0
        if wordCount < 300 { suggestions.append("Write at least 300 words; the text has \(wordCount).") }

        return Result(
            overallScore: wordCount == 0 ? 0 : Int((100 * score / possible).rounded()),
            readabilityLabel: Self.label(flesch: flesch, words: wordCount),
            keyphraseDensity: Self.round(density), avgSentenceLength: Self.round(avgSentence), passiveVoicePercentage: Self.round(passivePercentage),
            subheadingDistribution: distribution, introPresence: intro, fleschReadingEase: Self.round(flesch), wordCount: wordCount,
            longSentencePercentage: Self.round(longSentencePercentage), longParagraphCount: longParagraphs, titleHasKeyphrase: titleHas,
            metaDescriptionLength: metaLength, suggestions: suggestions)
    }

    static func occurrences(of phrase: [String], in words: [String]) -> Int {
        guard !phrase.isEmpty, words.count >= phrase.count else { return 0 }
        var count = 0
        var index = 0
        while index + phrase.count <= words.count {
            if Array(words[index..<(index + phrase.count)]) == phrase {
                count += 1
                index += phrase.count
            } else {
                index += 1
            }
        }
        return count
    }

    static func contains(_ phrase: [String], in text: String) -> Bool {
        !phrase.isEmpty && occurrences(of: phrase, in: ReferenceEnglishText.words(text).map { $0.lowercased() }) > 0
    }

    static func distribution(_ document: ReferenceHTMLText) -> SubheadingDistribution {
        var sections: [Int] = [0]
        for block in document.blocks {
            if (block.headingLevel ?? 0) >= 2 {
                sections.append(0)
            } else if block.headingLevel == nil {
                sections[sections.count - 1] += ReferenceEnglishText.words(block.text).count
            }
        }
        return SubheadingDistribution(
            subheadings: document.subheadings.count, longestSectionWords: sections.max() ?? 0,
            sectionsOver300Words: sections.filter { $0 > sectionWords }.count)
    }

    static func label(flesch: Double, words: Int) -> String {
        guard words > 0 else { return "No content" }
        switch flesch {
        case 90...: return "Very easy"
        case 80..<90: return "Easy"
        case 70..<80: return "Fairly easy"
        case 60..<70: return "Standard"
        case 50..<60: return "Fairly difficult"
        case 30..<50: return "Difficult"
        default: return "Very difficult"
        }
    }

    static func round(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

struct ReferenceHTMLText: Sendable, Equatable {
    struct Block: Sendable, Equatable {
        /// 1–6 for headings, nil for body text.
        var headingLevel: Int?
        var text: String
    }

    var blocks: [Block]

    var paragraphs: [String] { blocks.filter { $0.headingLevel == nil }.map(\.text) }
    var subheadings: [String] { blocks.filter { ($0.headingLevel ?? 0) >= 2 }.map(\.text) }
    var firstHeading: String? { blocks.first { $0.headingLevel == 1 }?.text }
    var bodyText: String { paragraphs.joined(separator: "\n") }

    static let blockTags: Set<String> = [
        "p", "div", "li", "ul", "ol", "br", "blockquote", "section", "article", "header", "footer", "table", "tr", "td", "th",
        "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "main", "aside", "nav", "dd", "dt",
    ]

    init(html: String) {
        var blocks: [Block] = []
        var current = ""
        var heading: Int?
        func flush() {
            let text = ReferenceHTMLText.collapse(ReferenceHTMLText.decodeEntities(current))
            if !text.isEmpty { blocks.append(Block(headingLevel: heading, text: text)) }
            current = ""
        }
        var rest = Substring(Self.removeInvisible(html))
        while let open = rest.firstIndex(of: "<") {
            current += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else {
                current += rest[open...]
                rest = ""
                break
            }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let isClosing = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            guard Self.blockTags.contains(name) else { continue }
            flush()
            if name.count == 2, name.first == "h", let level = Int(name.dropFirst()) {
                heading = isClosing ? nil : level
            }
        }
        current += rest
        flush()
        self.blocks = blocks
    }

    /// Drops elements whose content is never read (scripts, styles) and comments.
    static func removeInvisible(_ html: String) -> String {
        var text = html
        for pattern in ["<!--[\\s\\S]*?-->", "<script\\b[\\s\\S]*?</script\\s*>", "<style\\b[\\s\\S]*?</style\\s*>"] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: [.regularExpression, .caseInsensitive])
        }
        return text
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—", "hellip": "…",
        "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©", "reg": "®", "eacute": "é", "euro": "€",
    ]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(10).firstIndex(of: ";") {
                let name = after[..<semicolon]
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
                    replacement = Unicode.Scalar(code).map { String(Character($0)) }
                } else {
                    replacement = namedEntities[String(name)]
                }
                if let replacement {
                    result += replacement
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            result += "&"
            rest = after
        }
        return result + rest
    }

    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// Words, sentences and syllables of English prose, as readability formulas count them.
enum ReferenceEnglishText {
    /// Letters and digits, with inner apostrophes and hyphens kept (`don't`, `well-known`).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if (character == "'" || character == "’" || character == "-"), !current.isEmpty,
                index + 1 < characters.count, characters[index + 1].isLetter
            {
                current.append(character == "’" ? "'" : character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "no", "fig", "approx", "u.s", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]

    /// Splits on `.`, `!`, `?` (and runs of them) followed by a space and a capital, digit or
    /// quote, or by the end; not after abbreviations, initials or inside numbers.
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            current.append(character)
            if character == "." || character == "!" || character == "?" || character == "…" {
                while index + 1 < characters.count, ".!?\"'”’)".contains(characters[index + 1]) {
                    index += 1
                    current.append(characters[index])
                }
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let afterSpace = index + 2 < characters.count ? characters[index + 2] : nil
                let ends =
                    next == nil || (next?.isWhitespace == true && (afterSpace.map { $0.isUppercase || $0.isNumber || "\"“‘'(".contains($0) } ?? true))
                if ends && !(character == "." && endsWithAbbreviation(current)) {
                    let sentence = current.trimmingCharacters(in: .whitespaces)
                    if !words(sentence).isEmpty { sentences.append(sentence) }
                    current = ""
                }
            }
            index += 1
        }
        let last = current.trimmingCharacters(in: .whitespaces)
        if !words(last).isEmpty { sentences.append(last) }
        return sentences
    }

    static func endsWithAbbreviation(_ text: String) -> Bool {
        let token = text.dropLast().split(whereSeparator: { $0.isWhitespace }).last.map { $0.lowercased() } ?? ""
        let bare = token.trimmingCharacters(in: CharacterSet(charactersIn: "(\"'“"))
        if abbreviations.contains(bare) { return true }
        // Single initials ("J. R. R. Tolkien").
        return bare.count == 1 && bare.first?.isLetter == true
    }

    /// Vowel groups, minus a silent final "e", at least one per word.
    static func syllables(_ word: String) -> Int {
        let lower = word.lowercased().filter { $0.isLetter }
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

    /// A form of "to be" (or "get") followed, within two adverbs, by a past participle.
    static func isPassive(_ sentence: String) -> Bool {
        let tokens = words(sentence).map { $0.lowercased() }
        for (index, token) in tokens.enumerated() where beVerbs.contains(token) {
            var next = index + 1
            while next < tokens.count, next <= index + 3, tokens[next].hasSuffix("ly") || tokens[next] == "not" || tokens[next] == "also" {
                next += 1
            }
            guard next < tokens.count else { continue }
            let candidate = tokens[next]
            if irregularParticiples.contains(candidate) || (candidate.hasSuffix("ed") && candidate.count > 3) { return true }
        }
        return false
    }
}
