import Foundation

/// The algorithmic SEO analysis behind the writer's audit panel: deterministic, no AI,
/// Yoast-style rules (sentences over 20 words at most 25 %, paragraphs ≤ 150 words,
/// passive voice ≤ 10 %, keyphrase in title, introduction and a subheading, density
/// 0.5–3 %, a meta description of 120–160 characters).
struct SEOAnalyzer: Sendable {
    struct Input: Sendable {
        var html: String
        var keywords: [String] = []
        var focusKeyphrase: String?
        var title: String?
        var metaDescription: String?
    }

    struct SubheadingDistribution: Sendable, Equatable {
        var subheadings: Int
        /// Words in the longest stretch of text without a subheading.
        var longestSectionWords: Int
        var sectionsOver300Words: Int
    }

    struct Result: Sendable, Equatable {
        var overallScore: Int
        var readabilityLabel: String
        var keyphraseDensity: Double
        var avgSentenceLength: Double
        var passiveVoicePercentage: Double
        var subheadingDistribution: SubheadingDistribution
        var introPresence: Bool
        var fleschReadingEase: Double
        var wordCount: Int
        var longSentencePercentage: Double
        var longParagraphCount: Int
        var titleHasKeyphrase: Bool
        var metaDescriptionLength: Int
        var suggestions: [String]
    }

    static let longSentenceWords = 20
    static let longParagraphWords = 150
    static let sectionWords = 300

    func analyze(_ input: Input) -> Result {
        let document = HTMLText(html: input.html)
        let text = Tables(document)
        let wordCount = text.lowercased.count
        let sentenceCount = text.sentenceWords.count
        let syllables = text.lowercased.reduce(0) { $0 + EnglishText.syllables($1) }

        let avgSentence = sentenceCount == 0 ? 0 : Double(wordCount) / Double(sentenceCount)
        let flesch =
            wordCount == 0 || sentenceCount == 0
            ? 0 : 206.835 - 1.015 * avgSentence - 84.6 * (Double(syllables) / Double(wordCount))
        let longSentences = text.sentenceWords.filter { $0 > Self.longSentenceWords }.count
        let longSentencePercentage = sentenceCount == 0 ? 0 : 100 * Double(longSentences) / Double(sentenceCount)
        let passivePercentage = sentenceCount == 0 ? 0 : 100 * Double(text.passiveSentences) / Double(sentenceCount)
        let longParagraphs = text.paragraphWords.filter { $0 > Self.longParagraphWords }.count

        let keyphrase =
            (input.focusKeyphrase?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 }
            ?? input.keywords.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let phrase = keyphrase.map { EnglishText.Prose($0).lowercased } ?? []
        let occurrences = Self.occurrences(of: phrase, in: text.lowercased[...])
        let density = wordCount == 0 || phrase.isEmpty ? 0 : 100 * Double(occurrences) / Double(wordCount)
        let title = input.title ?? document.firstHeading ?? ""
        let titleHas = Self.contains(phrase, in: EnglishText.Prose(title).lowercased[...])
        let intro = Self.contains(phrase, in: text.introduction)
        let subheadingHas = text.subheadings.contains { Self.contains(phrase, in: $0[...]) }
        let distribution = SubheadingDistribution(
            subheadings: text.subheadings.count, longestSectionWords: text.sectionWords.max() ?? 0,
            sectionsOver300Words: text.sectionWords.filter { $0 > Self.sectionWords }.count)
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

    /// Non-overlapping occurrences, counted left to right: Knuth–Morris–Pratt, so a long
    /// keyphrase over a repetitive text stays linear.
    static func occurrences(of phrase: [String], in words: ArraySlice<String>) -> Int {
        guard !phrase.isEmpty, words.count >= phrase.count else { return 0 }
        var failure = [0]
        var matched = 0
        for index in 1..<phrase.count {
            while matched > 0, phrase[index] != phrase[matched] { matched = failure[matched - 1] }
            if phrase[index] == phrase[matched] { matched += 1 }
            failure.append(matched)
        }
        var count = 0
        matched = 0
        for word in words {
            while matched > 0, word != phrase[matched] { matched = failure[matched - 1] }
            if word == phrase[matched] { matched += 1 }
            if matched == phrase.count {
                count += 1
                matched = 0
            }
        }
        return count
    }

    static func contains(_ phrase: [String], in words: ArraySlice<String>) -> Bool {
        !phrase.isEmpty && occurrences(of: phrase, in: words) > 0
    }

    /// Everything the metrics need, built in one walk over the blocks.
    struct Tables {
        /// Body words (headings excluded), lower-cased.
        var lowercased: [String] = []
        var sentenceWords: [Int] = []
        var passiveSentences = 0
        var paragraphWords: [Int] = []
        /// The first paragraph's words, lower-cased.
        var introduction: ArraySlice<String> = []
        /// Each subheading's (h2–h6) words, lower-cased.
        var subheadings: [[String]] = []
        /// Words between subheadings; the first section starts the text.
        var sectionWords: [Int] = [0]

        init(_ document: HTMLText) {
            for block in document.blocks {
                if let level = block.headingLevel {
                    if level >= 2 {
                        subheadings.append(EnglishText.Prose(block.text).lowercased)
                        sectionWords.append(0)
                    }
                    continue
                }
                let prose = EnglishText.Prose(block.text)
                if paragraphWords.isEmpty { introduction = prose.lowercased[...] }
                paragraphWords.append(prose.count)
                sectionWords[sectionWords.count - 1] += prose.count
                for sentence in prose.sentences {
                    sentenceWords.append(sentence.count)
                    if EnglishText.isPassive(prose.lowercased[sentence]) { passiveSentences += 1 }
                }
                // The first (often the only) paragraph's words are taken over, not copied:
                // the largest article's are 2 MB (#15).
                if lowercased.isEmpty { lowercased = prose.lowercased } else { lowercased += prose.lowercased }
            }
        }
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
