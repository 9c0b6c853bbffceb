import Core

// Kept apart from the analyzer, which needs nothing but Foundation (the fuzz harness
// compiles it on its own).

/// The analysis as POST /seo/analyze answers it.
struct SEOAnalysis: ResponseContent {
    struct SubheadingStats: ResponseContent {
        var subheadings: Int
        var longestSectionWords: Int
        var sectionsOver300Words: Int
    }

    struct Metrics: ResponseContent {
        var keyphraseDensity: Double
        var avgSentenceLength: Double
        var passiveVoicePercentage: Double
        /// writer/SEOAuditReport.js renders this as text (an object crashes React); the
        /// numbers stay available in `subheadingStats`.
        var subheadingDistribution: String
        var subheadingStats: SubheadingStats
        var introPresence: Bool
        var fleschReadingEase: Double
        var wordCount: Int
        var longSentencePercentage: Double
        var longParagraphCount: Int
        var titleHasKeyphrase: Bool
        var metaDescriptionLength: Int
    }

    var overallScore: Int
    var readabilityLabel: String
    var metrics: Metrics
    var suggestions: [String]

    init(_ result: SEOAnalyzer.Result) {
        overallScore = result.overallScore
        readabilityLabel = result.readabilityLabel
        let distribution = result.subheadingDistribution
        metrics = Metrics(
            keyphraseDensity: result.keyphraseDensity, avgSentenceLength: result.avgSentenceLength,
            passiveVoicePercentage: result.passiveVoicePercentage, subheadingDistribution: distribution.summary,
            subheadingStats: SubheadingStats(
                subheadings: distribution.subheadings, longestSectionWords: distribution.longestSectionWords,
                sectionsOver300Words: distribution.sectionsOver300Words),
            introPresence: result.introPresence, fleschReadingEase: result.fleschReadingEase, wordCount: result.wordCount,
            longSentencePercentage: result.longSentencePercentage, longParagraphCount: result.longParagraphCount,
            titleHasKeyphrase: result.titleHasKeyphrase, metaDescriptionLength: result.metaDescriptionLength)
        suggestions = result.suggestions
    }
}

extension SEOAnalyzer.SubheadingDistribution {
    /// "Good: 6 subheadings, longest section 180 words" (or what needs fixing).
    var summary: String {
        let counted = "\(subheadings) subheading\(subheadings == 1 ? "" : "s"), longest section \(longestSectionWords) words"
        guard sectionsOver300Words > 0 else { return "Good: " + counted }
        let over = "\(sectionsOver300Words) section\(sectionsOver300Words == 1 ? "" : "s") over \(SEOAnalyzer.sectionWords) words"
        return "Needs work: \(over) (\(counted))"
    }
}
