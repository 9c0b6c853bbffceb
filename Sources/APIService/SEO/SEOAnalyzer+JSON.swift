import Core

// Kept apart from the analyzer, which needs nothing but Foundation (the fuzz harness
// compiles it on its own).
extension SEOAnalyzer.Result {
    var json: JSONValue {
        [
            "overallScore": .int(overallScore), "readabilityLabel": .string(readabilityLabel),
            "metrics": [
                "keyphraseDensity": .double(keyphraseDensity), "avgSentenceLength": .double(avgSentenceLength),
                "passiveVoicePercentage": .double(passiveVoicePercentage),
                // writer/SEOAuditReport.js renders this as text (an object crashes React);
                // the numbers stay available beside it.
                "subheadingDistribution": .string(subheadingDistribution.summary),
                "subheadingStats": [
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

extension SEOAnalyzer.SubheadingDistribution {
    /// "Good: 6 subheadings, longest section 180 words" (or what needs fixing).
    var summary: String {
        let counted = "\(subheadings) subheading\(subheadings == 1 ? "" : "s"), longest section \(longestSectionWords) words"
        guard sectionsOver300Words > 0 else { return "Good: " + counted }
        let over = "\(sectionsOver300Words) section\(sectionsOver300Words == 1 ? "" : "s") over \(SEOAnalyzer.sectionWords) words"
        return "Needs work: \(over) (\(counted))"
    }
}
