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
