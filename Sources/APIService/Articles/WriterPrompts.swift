import Core
import Foundation

/// The writer's prompts, the `offline` provider's stand-ins (deterministic, in the right
/// shape, visibly labelled), and the validation of the models' answers (clamped lengths,
/// kebab-case slugs) that every answer passes before it reaches a client.
enum WriterPrompts {
    static let system = "You are an expert SEO content writer. Follow the instructions exactly and answer only with what is asked."
    static let offlineLabel = "[Offline draft]"

    static let maxSEOTitle = 60
    static let maxMetaDescription = 160
    static let maxHeading = 200
    static let maxHeadings = 15

    // MARK: - metadata

    static func metadata(_ request: WritingRequest) -> AIRequest {
        let prompt = """
            Create SEO metadata for an article.
            \(request.brief)
            Featured image style: \(request.imageStyle ?? "photographic"), aspect ratio: \(request.aspectRatio ?? "16:9").

            Answer with one JSON object: {"focusKeyphrase": string, "seoTitle": string (at most 60 characters), \
            "slug": string (kebab-case), "metaDescription": string (at most 160 characters), "featuredImage": {"style": string, \
            "aspect": string, "alt": string, "filename": string, "caption": string, "prompt": string}}
            """
        return AIRequest(
            system: system, prompt: prompt, json: true, maxOutputTokens: 1024, temperature: 0.5,
            offlineAnswer: offlineMetadata(request).encodedString)
    }

    static func offlineMetadata(_ request: WritingRequest) -> JSONValue {
        let title = "\(offlineLabel) \(request.topic)"
        return [
            "focusKeyphrase": .string(request.keyphrase),
            "seoTitle": .string(title),
            "slug": .string(Slug.make(request.topic)),
            "metaDescription": .string("Offline placeholder (no AI provider configured) for an article about \(request.topic)."),
            "featuredImage": [
                "style": .string(request.imageStyle ?? "photographic"), "aspect": .string(request.aspectRatio ?? "16:9"),
                "alt": .string("Placeholder image for \(request.topic)"), "filename": .string(Slug.make(request.topic) + ".jpg"),
                "caption": .string("\(offlineLabel) \(request.topic)"),
                "prompt": .string("An illustration of \(request.topic) (offline placeholder prompt)"),
            ],
        ]
    }

    /// A metadata answer normalised to the contract, or nil when it lacks the essentials.
    static func validMetadata(_ value: JSONValue, request: WritingRequest) -> JSONValue? {
        guard let seoTitle = text(value["seoTitle"]) ?? text(value["title"]), let description = text(value["metaDescription"]) else { return nil }
        let image = value["featuredImage"] ?? [:]
        let title = clamp(seoTitle, maxSEOTitle)
        let slug = Slug.make(text(value["slug"]) ?? title, fallback: Slug.make(request.topic))
        return [
            "focusKeyphrase": .string(clamp(request.manualFocusKeyphrase ?? text(value["focusKeyphrase"]) ?? request.keyphrase, 200)),
            "seoTitle": .string(title),
            "slug": .string(slug),
            "metaDescription": .string(clamp(description, maxMetaDescription)),
            "featuredImage": [
                "style": .string(clamp(text(image["style"]) ?? request.imageStyle ?? "photographic", 200)),
                "aspect": .string(clamp(text(image["aspect"]) ?? request.aspectRatio ?? "16:9", 20)),
                "alt": .string(clamp(text(image["alt"]) ?? title, 300)),
                "filename": .string(filename(text(image["filename"]), slug: slug)),
                "caption": .string(clamp(text(image["caption"]) ?? "", 300)),
                "prompt": .string(clamp(text(image["prompt"]) ?? "An illustration of \(request.topic)", 2_000)),
            ],
        ]
    }

    /// `name.ext` in kebab-case, from the model's suggestion or the slug.
    static func filename(_ suggested: String?, slug: String) -> String {
        var base = suggested ?? slug
        var ext = "jpg"
        if let dot = base.lastIndex(of: "."), ["jpg", "jpeg", "png", "webp"].contains(base[base.index(after: dot)...].lowercased()) {
            ext = base[base.index(after: dot)...].lowercased()
            base = String(base[..<dot])
        }
        return Slug.make(base, fallback: slug) + "." + ext
    }

    // MARK: - outline

    static func outline(_ request: WritingRequest) -> AIRequest {
        let prompt = """
            Write the outline of an article as \(request.sectionCount) section headings (no numbering, no introduction heading \
            unless it adds value).
            \(request.brief)

            Answer with a JSON array of strings: ["heading", ...]
            """
        return AIRequest(
            system: system, prompt: prompt, json: true, maxOutputTokens: 1024, temperature: 0.6,
            offlineAnswer: offlineOutline(request).encodedString)
    }

    static func offlineOutline(_ request: WritingRequest) -> JSONValue {
        let headings = [
            "Introduction to \(request.topic)", "Why \(request.topic) matters", "Key ideas behind \(request.topic)",
            "Getting started with \(request.topic)", "Common mistakes to avoid", "Advanced tips", "Conclusion",
        ]
        let chosen = Array(headings.prefix(request.sectionCount - 1)) + ["Conclusion"]
        return .array(chosen.map { .string(clamp("\(offlineLabel) \($0)", maxHeading)) })
    }

    /// An array of heading strings (also accepted: `{outline: […]}`, `{headings: […]}`,
    /// objects with a `title`/`heading`), trimmed, de-numbered and bounded; nil when empty.
    static func validOutline(_ value: JSONValue) -> JSONValue? {
        var items: [JSONValue]
        switch value {
        case .array(let array): items = array
        case .object(let object):
            guard let array = (object["outline"] ?? object["headings"] ?? object["sections"])?.arrayValueOrNil else { return nil }
            items = array
        default: return nil
        }
        items = items.compactMap { item in
            let heading: String?
            switch item {
            case .string(let text): heading = text
            case .object: heading = text(item["title"]) ?? text(item["heading"])
            default: heading = nil
            }
            guard let heading else { return nil }
            let cleaned = stripNumbering(HTMLText.collapse(stripTags(heading)))
            return cleaned.isEmpty ? nil : .string(clamp(cleaned, maxHeading))
        }
        guard !items.isEmpty else { return nil }
        return .array(Array(items.prefix(maxHeadings)))
    }

    // MARK: - section and CTA

    static func section(_ request: WritingRequest, heading: String) -> AIRequest {
        var prompt = """
            Write the section "\(heading)" of an article, as HTML (<p>, <h3>, <ul>, <li>, <strong>, <em> only; no <h1>/<h2>, no \
            Markdown, no code fences).
            \(request.brief)
            """
        if request.imageQuantity > 0 {
            prompt +=
                "\nWhere an image would help (at most \(request.imageQuantity)), insert <!-- IMAGE_PROMPT: {\"prompt\": \"…\", \"alt\": \"…\", \"aspect\": \"\(request.aspectRatio ?? "16:9")\", \"style\": \"\(request.imageStyle ?? "photographic")\"} -->."
        }
        return AIRequest(
            system: system, prompt: prompt, maxOutputTokens: 2048, temperature: 0.7, offlineAnswer: offlineSection(request, heading: heading))
    }

    static func offlineSection(_ request: WritingRequest, heading: String) -> String {
        var html = """
            <p><em>\(offlineLabel) No AI provider is configured, so this section is a placeholder.</em></p>
            <p>This section, “\(escape(heading))”, would cover \(escape(request.topic)) with a focus on \(escape(request.keyphrase)).</p>
            """
        if request.imageQuantity > 0 {
            let marker: JSONValue = [
                "prompt": .string("An illustration of \(request.topic)"), "alt": .string(heading), "aspect": .string(request.aspectRatio ?? "16:9"),
                "style": .string(request.imageStyle ?? "photographic"),
            ]
            html += "\n<!-- IMAGE_PROMPT: \(marker.encodedString) -->"
        }
        return html
    }

    static func cta(_ request: WritingRequest) -> AIRequest {
        let prompt = """
            Write a short call to action (one or two paragraphs of HTML, <p>/<strong>/<a> only, no Markdown, no code fences) \
            closing an article.
            \(request.brief)
            """
        return AIRequest(system: system, prompt: prompt, maxOutputTokens: 512, temperature: 0.7, offlineAnswer: offlineCTA(request))
    }

    static func offlineCTA(_ request: WritingRequest) -> String {
        "<p><em>\(offlineLabel)</em> <strong>Ready to explore \(escape(request.keyphrase))?</strong> This call to action is a placeholder.</p>"
    }

    /// A model's HTML made safe to store and show: code fences removed, then the
    /// allow-list (`HTMLSanitizer`); nil when nothing is left.
    static func validHTML(_ text: String) -> String? {
        var html = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if html.hasPrefix("```") {
            html = String(html.drop { $0 != "\n" }.dropFirst())
            if let fence = html.range(of: "```", options: .backwards) { html = String(html[..<fence.lowerBound]) }
        }
        html = HTMLSanitizer.sanitize(html).trimmingCharacters(in: .whitespacesAndNewlines)
        return html.isEmpty ? nil : html
    }

    // MARK: - helpers

    static func text(_ value: JSONValue?) -> String? {
        guard case .string(let raw)? = value else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// At most `limit` characters, cut at a word boundary when one is close.
    static func clamp(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = String(text.prefix(limit))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= limit * 2 / 3 {
            return String(cut[..<space]).trimmingCharacters(in: CharacterSet(charactersIn: " ,;:-–—"))
        }
        return cut
    }

    static func stripTags(_ text: String) -> String {
        text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
    }

    /// "1. Intro", "2) Intro", "- Intro", "## Intro" → "Intro".
    static func stripNumbering(_ text: String) -> String {
        text.replacingOccurrences(of: "^\\s*(#+|[-*•]|\\d+[.)]|[ivxIVX]+\\.)\\s+", with: "", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension JSONValue {
    fileprivate var arrayValueOrNil: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
