import Core
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
        let paragraphs = document.paragraphs
        let sentences = paragraphs.flatMap(EnglishText.sentences)
        let sentenceWords = sentences.map { EnglishText.words($0).count }
        let words = paragraphs.flatMap(EnglishText.words)
        let wordCount = words.count
        let syllables = words.reduce(0) { $0 + EnglishText.syllables($1) }

        let avgSentence = sentences.isEmpty ? 0 : Double(wordCount) / Double(sentences.count)
        let flesch = wordCount == 0 || sentences.isEmpty
            ? 0 : 206.835 - 1.015 * avgSentence - 84.6 * (Double(syllables) / Double(wordCount))
        let longSentences = sentenceWords.filter { $0 > Self.longSentenceWords }.count
        let longSentencePercentage = sentences.isEmpty ? 0 : 100 * Double(longSentences) / Double(sentences.count)
        let passive = sentences.filter(EnglishText.isPassive).count
        let passivePercentage = sentences.isEmpty ? 0 : 100 * Double(passive) / Double(sentences.count)
        let longParagraphs = paragraphs.filter { EnglishText.words($0).count > Self.longParagraphWords }.count

        let keyphrase = (input.focusKeyphrase?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 }
            ?? input.keywords.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let phrase = keyphrase.map { EnglishText.words($0).map { $0.lowercased() } } ?? []
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
            check(15, (0.5...3.0).contains(density) ? 1 : density < 0.5 ? density / 0.5 : max(0, 1 - (density - 3) / 3),
                density < 0.5
                    ? "Use the keyphrase \"\(keyphrase ?? "")\" more often: its density is \(Self.round(density)) %, aim for 0.5–3 %."
                    : "Use the keyphrase \"\(keyphrase ?? "")\" less often: its density is \(Self.round(density)) %, above 3 % reads as stuffing.")
            check(10, titleHas ? 1 : 0, "Put the keyphrase in the SEO title.")
            check(10, intro ? 1 : 0, "Mention the keyphrase in the first paragraph.")
            check(10, subheadingHas ? 1 : 0, "Use the keyphrase (or a close variant) in at least one subheading.")
        }
        check(15, longSentencePercentage <= 25 ? 1 : 1 - (longSentencePercentage - 25) / 50,
            "Shorten sentences: \(Self.round(longSentencePercentage)) % have more than \(Self.longSentenceWords) words (keep it under 25 %).")
        check(10, passivePercentage <= 10 ? 1 : 1 - (passivePercentage - 10) / 20,
            "Use more active voice: \(Self.round(passivePercentage)) % of sentences are passive (keep it at 10 % or less).")
        check(10, longParagraphs == 0 ? 1 : 1 - Double(longParagraphs) / 3,
            "Split \(longParagraphs) paragraph\(longParagraphs == 1 ? "" : "s") longer than \(Self.longParagraphWords) words.")
        check(10, flesch >= 60 ? 1 : flesch / 60,
            "Make the text easier to read: Flesch reading ease is \(Self.round(flesch)); aim for 60 or more with shorter words and sentences.")
        check(5, distribution.sectionsOver300Words == 0 && (wordCount < Self.sectionWords || distribution.subheadings > 0) ? 1 : 0,
            "Add subheadings: \(max(1, distribution.sectionsOver300Words)) section\(distribution.sectionsOver300Words == 1 ? "" : "s") run longer than \(Self.sectionWords) words without one.")
        check(5, (120...160).contains(metaLength) ? 1 : 0,
            metaLength == 0 ? "Write a meta description of 120–160 characters."
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
        !phrase.isEmpty && occurrences(of: phrase, in: EnglishText.words(text).map { $0.lowercased() }) > 0
    }

    static func distribution(_ document: HTMLText) -> SubheadingDistribution {
        var sections: [Int] = [0]
        for block in document.blocks {
            if (block.headingLevel ?? 0) >= 2 { sections.append(0) } else if block.headingLevel == nil { sections[sections.count - 1] += EnglishText.words(block.text).count }
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

extension SEOAnalyzer.Result {
    var json: JSONValue {
        [
            "overallScore": .int(overallScore), "readabilityLabel": .string(readabilityLabel),
            "metrics": [
                "keyphraseDensity": .double(keyphraseDensity), "avgSentenceLength": .double(avgSentenceLength),
                "passiveVoicePercentage": .double(passiveVoicePercentage),
                "subheadingDistribution": [
                    "subheadings": .int(subheadingDistribution.subheadings), "longestSectionWords": .int(subheadingDistribution.longestSectionWords),
                    "sectionsOver300Words": .int(subheadingDistribution.sectionsOver300Words),
                ],
                "introPresence": .bool(introPresence), "fleschReadingEase": .double(fleschReadingEase), "wordCount": .int(wordCount),
                "longSentencePercentage": .double(longSentencePercentage), "longParagraphCount": .int(longParagraphCount),
                "titleHasKeyphrase": .bool(titleHasKeyphrase), "metaDescriptionLength": .int(metaDescriptionLength),
            ],
            "suggestions": .array(suggestions.map(JSONValue.string)),
        ]
    }
}
