import Foundation

/// Words, sentences and syllables of English prose, as readability formulas count them.
enum EnglishText {
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
                let ends = next == nil || (next?.isWhitespace == true && (afterSpace.map { $0.isUppercase || $0.isNumber || "\"“‘'(".contains($0) } ?? true))
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

    /// A form of "to be" (or "get") followed, within two adverbs, by a past participle.
    static func isPassive(_ sentence: String) -> Bool {
        let tokens = words(sentence).map { $0.lowercased() }
        for (index, token) in tokens.enumerated() where beVerbs.contains(token) {
            var next = index + 1
            while next < tokens.count, next <= index + 3, tokens[next].hasSuffix("ly") || tokens[next] == "not" || tokens[next] == "also" { next += 1 }
            guard next < tokens.count else { continue }
            let candidate = tokens[next]
            if irregularParticiples.contains(candidate) || (candidate.hasSuffix("ed") && candidate.count > 3) { return true }
        }
        return false
    }
}
