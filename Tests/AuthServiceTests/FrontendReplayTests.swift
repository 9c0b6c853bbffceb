import Core
import Foundation
import TestSupport
import Testing

/// Every call the real React frontend (OGC-NewFinity/Nova-XFinity-AI, `frontend/src`, read
/// at b4010e5) and its WordPress plugin make, replayed exactly as their code builds them:
/// through the one origin (port 8000, which forwards `/api/*`), with the frontend's auth
/// mode (the `api` client: Bearer from the `access_token` cookie plus the cookie; the
/// `subscriptionApi` client: the cookie alone), its body field names and value types, and
/// assertions on the fields its code then reads. `FE/` is `frontend/src/`, `WP/` is
/// `wordpress-plugin/`.
@Suite(.serialized) struct FrontendReplayTests {
    /// The frontend's own origin (docker-compose's frontend), an allowed Origin.
    static let origin = "http://localhost:3000"

    enum Auth {
        /// FE/services/api.js L86-97: `Authorization: Bearer <cookie>` and the cookies.
        case api
        /// FE/services/subscriptionApi.js L99-108: no Authorization header, the cookie only.
        case cookieOnly
        case none
    }

    func call(
        _ system: LiveSystem, _ method: String, _ path: String, auth: Auth = .api, json: JSONValue? = nil, body: String? = nil,
        type: String? = nil, token: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> HTTP.Reply {
        let token = token ?? system.bearer
        var headers = [("Origin", Self.origin)]
        switch auth {
        case .api: headers += [("Authorization", "Bearer \(token)"), ("Cookie", "access_token=\(token)")]
        case .cookieOnly: headers += [("Cookie", "access_token=\(token)")]
        case .none: break
        }
        var text = body
        if let json {
            text = json.encodedString
            headers.append(("Content-Type", "application/json"))
        } else if let type {
            headers.append(("Content-Type", type))
        }
        return try await HTTP.send(method, system.auth.baseURL + path, headers: headers, body: text, timeout: timeout)
    }

    func makeAdmin(_ system: LiveSystem) async throws {
        try await system.sql("UPDATE users SET role = 'admin', is_superuser = true WHERE id = '\(system.userID.uuidString)'")
    }

    func setPlan(_ system: LiveSystem, _ plan: String) async throws {
        try await system.sql(
            """
            INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
            VALUES ('\(system.userID.uuidString)', '\(plan)', 'ACTIVE', now(), now() + interval '1 month')
            ON CONFLICT (user_id) DO UPDATE SET plan = '\(plan)', status = 'ACTIVE'
            """)
        try await system.sql(
            """
            INSERT INTO credit_balances (user_id, balance) VALUES ('\(system.userID.uuidString)', 100000)
            ON CONFLICT (user_id) DO UPDATE SET balance = 100000
            """)
    }

    // MARK: - Auth and session (FE/context/AuthContext.js, FE/features/auth/*)

    @Test func registerLoginAndTheSessionCalls() async throws {
        try await LiveSystem.run { system in
            let email = "replay-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            // AuthContext.js L248-266 (Register.js L52-58): username and full_name are
            // omitted when empty; agreed_to_terms is always true.
            let register = try await call(
                system, "POST", "/auth/register", auth: .none,
                json: [
                    "email": .string(email), "username": "replayer", "full_name": "Re Player", "password": "a long enough password",
                    "agreed_to_terms": true,
                ])
            #expect(register.status == 201, "\(register.body)")
            // Register.js L65 → AuthLayout.js L34: `detail` goes through `.trim()`.
            let duplicate = try await call(
                system, "POST", "/auth/register", auth: .none,
                json: ["email": .string(email), "password": "a long enough password", "agreed_to_terms": true])
            #expect(duplicate.status == 400)
            #expect(duplicate.json["detail"]?.stringValue != nil, "detail must be a string: \(duplicate.body)")

            // AuthContext.js L79-92: URLSearchParams, username + password; L103-115 reads access_token.
            let login = try await call(
                system, "POST", "/auth/jwt/login", auth: .none,
                body: "username=\(email.replacingOccurrences(of: "@", with: "%40"))&password=a+long+enough+password",
                type: "application/x-www-form-urlencoded")
            let token = try #require(login.json["access_token"]?.stringValue, "\(login.body)")

            // AuthContext.js L46-67, L158-160: GET /users/me, a bare user object.
            let me = try await call(system, "GET", "/users/me", token: token)
            #expect(me.status == 200)
            #expect(me.json["email"]?.stringValue == email)
            #expect(me.json["role"] == "user")  // `=== 'admin'` gates the admin UI (AuthContext.js L285)
            #expect(me.json.value.objectValue?.keys.contains("avatar_url") == true)  // ProfilePage.js L140-143

            // ForgotPassword.js L22: {email}; any 2xx.
            let forgot = try await call(system, "POST", "/auth/forgot-password", auth: .none, json: ["email": .string(email)])
            #expect((200..<300).contains(forgot.status))
            // VerifyEmail.js L60: POST /auth/resend-verification?email=…, no body; reads `success`.
            let resend = try await call(
                system, "POST", "/auth/resend-verification?email=\(email.replacingOccurrences(of: "@", with: "%40"))", auth: .none)
            #expect(resend.status == 200, "\(resend.body)")
            #expect(resend.json["success"] == true)
            // VerifyEmail.js L37: POST /auth/verify?token=…, the token in the query, no body.
            let verifyToken = try await TokenService(secret: testSecret).verifyToken(
                for: try #require(me.json["id"]?.stringValue.flatMap(UUID.init(uuidString:))), email: email)
            let verify = try await call(system, "POST", "/auth/verify?token=\(verifyToken)", auth: .none)
            #expect(verify.status == 200, "\(verify.body)")
            #expect(try await call(system, "GET", "/users/me", token: token).json["is_verified"] == true)
        }
    }

    // MARK: - Subscription (FE/services/subscriptionApi.js: the cookie only)

    @Test func subscriptionScreensWithTheCookieAlone() async throws {
        try await LiveSystem.run { system in
            try await setPlan(system, "PRO")
            // Subscription.js L99, BillingPage.js L26: plan compared with 'FREE'|'PRO'|'ENTERPRISE'
            // (PlanBadge.js L7-31), status === 'ACTIVE', currentPeriodEnd, cancelAtPeriodEnd.
            let status = try await call(system, "GET", "/api/subscription/status", auth: .cookieOnly)
            #expect(status.status == 200, "\(status.body)")
            #expect(status.json["success"] == true)
            #expect(status.json["data"]?["plan"] == "PRO")
            #expect(status.json["data"]?["status"] == "ACTIVE")
            #expect(status.json["data"]?["currentPeriodEnd"]?.stringValue != nil)
            #expect(status.json["data"]?["cancelAtPeriodEnd"] == false)
            // UsageStats.js L15-57 (all five, unguarded), TokenTracker.js L36-38 (tokens),
            // QuotaOverviewPage.js L108 (totalTokens).
            let usage = try await call(system, "GET", "/api/subscription/usage", auth: .cookieOnly)
            let data = try #require(usage.json["data"])
            for feature in ["articles", "images", "videos", "research", "wordpress", "tokens", "totalTokens"] {
                #expect(data[feature]?["used"]?.integerValue != nil, "\(feature)")
                #expect(data[feature]?["limit"]?.integerValue != nil, "\(feature)")
                #expect(data[feature]?["remaining"]?.integerValue != nil, "\(feature)")
            }
            #expect(data["research"]?["limit"] == -1)
            // Subscription.js L162 and L182: no body, cookie only, from the frontend's origin.
            // This subscription was set by hand (no payment provider), so both are refused as
            // conflicts, past authentication; BillingRoutesTests cover them against Stripe.
            for path in ["/api/subscription/cancel", "/api/subscription/reactivate"] {
                let answer = try await call(system, "POST", path, auth: .cookieOnly)
                #expect(answer.status == 409, "\(path): \(answer.body)")
                #expect(answer.json["error"]?["code"] == "CONFLICT")
            }
        }
    }

    // MARK: - Admin (FE/features/admin-dashboard/AdminDashboard.js, FE/features/admin/pages/AdminSettingsPage.js)

    @Test func adminDashboardAndSettings() async throws {
        try await LiveSystem.run { system in
            try await makeAdmin(system)
            // AdminDashboard.js L70, L87, L250-269: the whole body is the list of users.
            let users = try await call(system, "GET", "/api/admin/users")
            let list = try #require(users.json.value.arrayValue, "a bare array: \(users.body.prefix(200))")
            #expect(!list.isEmpty)
            #expect(list.first?["email"]?.stringValue != nil)
            #expect(list.first?["created_at"]?.stringValue != nil)
            #expect(list.first?["is_active"] != nil)
            #expect(list.first?["role"]?.stringValue != nil)
            // The versioned API keeps its envelope (API.md).
            let versioned = try await call(system, "GET", "/api/v1/admin/users")
            #expect(versioned.json["data"]?["items"]?.arrayValue != nil)
            // L71-74, L293-311: `active` and `canceled` at the top level.
            let subscriptions = try await call(system, "GET", "/api/admin/subscriptions")
            #expect(subscriptions.json["active"]?.integerValue != nil, "\(subscriptions.body)")
            #expect(subscriptions.json["canceled"]?.integerValue != nil)
            // L75-78, L108: an array, or `payments` beside the envelope.
            let payments = try await call(system, "GET", "/api/admin/payments")
            #expect(payments.status == 200, "\(payments.body)")
            #expect(payments.json.value.arrayValue != nil || payments.json["payments"]?.arrayValue != nil)
            // L79-82, L325-344: per feature {used, limit} at the top level.
            let quota = try await call(system, "GET", "/api/admin/quota")
            for feature in ["articles", "images", "videos", "research"] {
                #expect(quota.json[feature]?["used"]?.integerValue != nil, "\(feature): \(quota.body.prefix(300))")
                #expect(quota.json[feature]?["limit"]?.integerValue != nil, "\(feature)")
            }
            // L145-184: stats through fetch; `success`, then `data` / `data.plans` / `data.failures`.
            let usage = try await call(system, "GET", "/api/stats/usage")
            #expect(usage.json["success"] == true)
            #expect(usage.json["data"]?.arrayValue != nil)
            let plans = try await call(system, "GET", "/api/stats/plans")
            #expect(plans.json["data"]?["plans"]?.arrayValue != nil)
            let failures = try await call(system, "GET", "/api/stats/failures?days=30&period=daily")
            #expect(failures.status == 200, "\(failures.body)")
            #expect(failures.json["data"]?["failures"]?.arrayValue != nil)
            // AdminSettingsPage.js L40-68: the has…Key booleans, provider, focusKeyphrase.
            let settings = try await call(system, "GET", "/api/admin/settings")
            let data = try #require(settings.json["data"])
            for key in ["hasOpenAIKey", "hasClaudeKey", "hasLlamaKey"] {
                #expect(data[key]?.boolValue != nil, "\(key)")
            }
            #expect(data["provider"]?.stringValue != nil)
            // L102-118: {provider, focusKeyphrase (omitted when empty)}.
            let saved = try await call(system, "PUT", "/api/admin/settings", json: ["provider": "gemini"])
            #expect(saved.json["success"] == true, "\(saved.body)")
        }
    }

    // MARK: - AI assistant (FE/features/ai-assistant/AIAssistant.js)

    /// L613-617: `messageContext.slice(-5)`, objects with an ISO timestamp.
    static let context: JSONValue = [
        ["role": "user", "content": "What is cold brew?", "timestamp": "2026-12-01T10:00:00.000Z"],
        ["role": "assistant", "content": "Coffee steeped in cold water for hours.", "timestamp": "2026-12-01T10:00:02.000Z"],
        ["role": "user", "content": "How long should it steep?", "timestamp": "2026-12-01T10:01:00.000Z"],
    ]

    @Test func theAssistantsToolsAnswerInTheShapesItReads() async throws {
        try await LiveSystem.run { system in
            try await setPlan(system, "ENTERPRISE")
            // L298-308: plain chat: {query, context}; reads data.summary.
            let chat = try await call(
                system, "POST", "/api/research/query", json: ["query": "How long should cold brew steep?", "context": Self.context])
            #expect(chat.status == 200, "\(chat.body)")
            #expect(chat.json["data"]?["summary"]?.stringValue?.isEmpty == false)
            // L272-295: web-search / novax-agent: reads summary and sources[].url (ToolResultCard.js L137-185).
            for type in ["web-search", "novax-agent"] {
                let answer = try await call(
                    system, "POST", "/api/research/query",
                    json: ["query": .string("cold brew ratio \(type)"), "type": .string(type), "context": Self.context])
                #expect(answer.status == 200, "\(answer.body)")
                #expect(answer.json["data"]?["sources"]?.arrayValue != nil)
            }
            // L243-269: study reads data.result || summary, sources.
            let study = try await call(
                system, "POST", "/api/tools/study", json: ["query": "extraction chemistry", "tool": "study", "context": Self.context])
            #expect(study.status == 200, "\(study.body)")
            #expect(study.json["data"]?["summary"]?.stringValue != nil || study.json["data"]?["result"] != nil)
            // L456-490: deep research: summary, sources, tags[], timestamp.
            let deep = try await call(
                system, "POST", "/api/tools/deep-research", json: ["query": "cold brew history", "context": Self.context, "tool": "deep-research"])
            #expect(deep.status == 200, "\(deep.body)")
            #expect(deep.json["data"]?["tags"]?.arrayValue != nil)
            #expect(deep.json["data"]?["timestamp"]?.stringValue != nil)
            // L493-527 and ComparisonCard.js L13-160: results[] with a numeric rating.
            let shopping = try await call(
                system, "POST", "/api/tools/shopping-research",
                json: ["query": "cold brew maker", "context": Self.context, "tool": "shopping-research"])
            #expect(shopping.status == 200, "\(shopping.body)")
            let results = try #require(shopping.json["data"]?["results"]?.arrayValue)
            for product in results {
                #expect(product["title"]?.stringValue != nil)
                if let rating = product["rating"], rating != .null { #expect(rating.doubleValue != nil) }
                if let specs = product["specs"] { #expect(specs.arrayValue != nil) }
            }
            #expect(shopping.json["data"]?["tags"]?.arrayValue != nil)
            // L402-453: canvas: canvasId, canvasData (an image URL), preview.
            let canvas = try await call(system, "POST", "/api/tools/canvas", json: ["query": "a cold brew infographic", "context": Self.context])
            #expect(canvas.status == 200, "\(canvas.body)")
            #expect(canvas.json["data"]?["canvasId"]?.stringValue != nil)
            #expect(canvas.json["data"]?["canvasData"]?.stringValue?.hasPrefix("data:image/") == true)
            // L530-584: notebook: noteId, noteTitle, content, lastSavedAt.
            let notebook = try await call(
                system, "POST", "/api/tools/notebook", json: ["query": "Notes on cold brew ratios", "context": Self.context])
            #expect(notebook.status == 200, "\(notebook.body)")
            #expect(notebook.json["data"]?["noteId"]?.stringValue != nil)
            #expect(notebook.json["data"]?["content"]?.stringValue?.isEmpty == false)
            #expect(notebook.json["data"]?["lastSavedAt"]?.stringValue != nil)
            // L313-399: multipart, every file under `files`; reads data.fileUrl.
            let boundary = "----WebKitFormBoundaryReplay7MA4YWxk"
            let png = Array(
                Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==") ?? Data())
            let part = "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"dot.png\"\r\nContent-Type: image/png\r\n\r\n"
            let multipart = Array(part.utf8) + png + Array("\r\n--\(boundary)--\r\n".utf8)
            let upload = try await HTTP.sendSlowly(
                "POST", system.auth.baseURL + "/api/tools/upload",
                headers: [
                    ("Authorization", "Bearer \(system.bearer)"), ("Content-Type", "multipart/form-data; boundary=\(boundary)"),
                    ("Origin", Self.origin),
                ],
                body: multipart, chunk: 1 << 20, pause: .zero)
            #expect(upload.status == 200 || upload.status == 201, "\(upload.body)")
            #expect(upload.json["data"]?["fileUrl"]?.stringValue != nil)
        }
    }

    // MARK: - Research page and media (FE/services/geminiResearchService.js, geminiMediaService.js)

    @Test func researchPageAndMediaScreens() async throws {
        try await LiveSystem.run { system in
            try await setPlan(system, "ENTERPRISE")
            // geminiResearchService.js L286-322: focus 'all', maxResults 10, timeRange 'all';
            // Research.js L175-188: sources (required) with `uri`.
            let research = try await call(
                system, "POST", "/api/research/query",
                json: [
                    "query": "Find the latest 2024 statistics for:  coffee", "focus": "all", "maxResults": 10, "language": "en", "timeRange": "all",
                ])
            #expect(research.status == 200, "\(research.body)")
            #expect(research.json["data"]?["sources"]?.arrayValue != nil)
            // geminiMediaService.js L75-87 with constants.js L77-90: every aspect ratio and style.
            for aspect in ["1:1", "4:3", "3:4", "16:9", "9:16"] {
                let image = try await call(
                    system, "POST", "/api/media/images",
                    json: ["prompt": "Photorealistic: a lighthouse", "aspectRatio": .string(aspect), "style": "Photorealistic"])
                #expect(image.status == 200, "\(aspect): \(image.body)")
                #expect(image.json["data"]?["imageUrl"]?.stringValue?.hasPrefix("data:image/") == true)
            }
            // L108-126: mimeType is always 'image/png', whatever was uploaded.
            let jpeg =
                "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
            let edit = try await call(
                system, "POST", "/api/media/images/edit",
                json: ["imageData": .string(jpeg), "mimeType": "image/png", "prompt": "make it night", "aspectRatio": "1:1"])
            #expect(edit.status == 200, "\(edit.body)")
            // L151-180: duration '9s', resolution '720p', style 'Cinematic'; reads videoUrl,
            // used as <video src> without an Authorization header.
            let video = try await call(
                system, "POST", "/api/media/videos",
                json: ["prompt": "a lighthouse at dusk", "style": "Cinematic", "resolution": "720p", "aspectRatio": "16:9", "duration": "9s"],
                timeout: .seconds(30))
            #expect(video.status == 200, "\(video.body)")
            let videoURL = try #require(video.json["data"]?["videoUrl"]?.stringValue)
            // The URL names the public host; the path and its signature are what count here.
            let path = videoURL.range(of: "/api/").map { String(videoURL[$0.lowerBound...]) } ?? videoURL
            let file = try await HTTP.get(system.auth.baseURL + path)
            #expect(file.status == 200, "\(videoURL)")
            #expect(file.header("Content-Type") == "video/mp4")
            // L198-209: audio as data:audio/pcm;base64 with an even byte length.
            let audio = try await call(
                system, "POST", "/api/media/audio", json: ["text": "Welcome to this cinematic presentation about a lighthouse...", "voice": "Kore"])
            let audioURL = try #require(audio.json["data"]?["audioUrl"]?.stringValue, "\(audio.body)")
            #expect(audioURL.hasPrefix("data:audio/pcm;base64,"))
            let pcm = Data(base64Encoded: String(audioURL.drop { $0 != "," }.dropFirst()))
            #expect((pcm?.count ?? 1) % 2 == 0)
            // FE/services/feedbackService.js L35 (FeedbackWidget.js L36-44): rating 1–5, comment null, no contentId.
            let feedback = try await call(
                system, "POST", "/api/feedback",
                json: [
                    "contentType": "VIDEO", "provider": "GEMINI", "model": "veo-3.1", "rating": 4, "comment": .null,
                    "metadata": [
                        "prompt": "a lighthouse", "style": "Cinematic", "aspect": "16:9", "duration": "9s", "resolution": "720p", "withVoice": false,
                    ],
                ])
            #expect((200..<300).contains(feedback.status), "\(feedback.body)")
            // feedbackService.js L110: `?limit=&offset=` (omitted when falsy, so a bare `?` too).
            let second = try await call(
                system, "POST", "/api/feedback",
                json: ["contentType": "IMAGE", "provider": "GEMINI", "model": "gemini-3-pro-preview", "rating": 5, "comment": "great"])
            #expect((200..<300).contains(second.status))
            let newest = try await call(system, "GET", "/api/feedback/history?limit=1&offset=0")
            let older = try await call(system, "GET", "/api/feedback/history?limit=1&offset=1")
            #expect(newest.json["data"]?["items"]?.arrayValue?.count == 1)
            #expect(older.json["data"]?["items"]?.arrayValue?.count == 1)
            #expect(newest.json["data"]?["items"]?.arrayValue?.first?["id"] != older.json["data"]?["items"]?.arrayValue?.first?["id"])
            #expect(try await call(system, "GET", "/api/feedback/history?").status == 200)
            // L60, L85: stats and the recommendation, with their optional parameters.
            #expect(try await call(system, "GET", "/api/feedback/stats?contentType=VIDEO&days=30").status == 200)
            #expect(try await call(system, "GET", "/api/feedback/recommend?contentType=VIDEO&minRating=3.5").status == 200)
        }
    }

    // MARK: - Writer (FE/services/geminiArticleService.js, geminiSeoService.js at d52a70a)

    @Test func writerCallsWithTheFrontendsTypes() async throws {
        try await LiveSystem.run { system in
            try await setPlan(system, "PRO")
            // geminiArticleService.js L170-206: imageQuantity is a numeric string.
            let section = try await call(
                system, "POST", "/api/articles/section",
                json: [
                    "sectionTitle": "Grinding", "topic": "Cold brew", "keywords": ["cold brew"], "tone": "Professional",
                    "articleType": "None (General Post)",
                    "language": "English (US)", "articleSize": "Medium (1,200-1,800 words)", "pov": "None (Neutral/Mix)", "imageQuantity": "2",
                    "aspectRatio": "16:9", "imageStyle": "Photorealistic", "sourceContext": "", "category": "Food",
                ])
            #expect(section.status == 200, "\(section.body)")
            #expect(section.json["data"]?.stringValue != nil)
            // geminiSeoService.js L47, SEOAuditReport.js L20-63: subheadingDistribution is text.
            let seo = try await call(
                system, "POST", "/api/seo/analyze", json: ["content": "<h2>Cold brew</h2><p>Cold brew is easy.</p>", "keywords": ["cold brew"]])
            #expect(seo.json["data"]?["metrics"]?["subheadingDistribution"]?.stringValue != nil, "\(seo.body)")
            #expect(seo.json["data"]?["suggestions"]?.arrayValue != nil)
            // geminiSeoService.js L77: {content, keywords, focusKeyphrase}.
            let suggestions = try await call(
                system, "POST", "/api/seo/suggestions",
                json: ["content": "<p>Cold brew is easy.</p>", "keywords": ["cold brew"], "focusKeyphrase": "cold brew"])
            #expect(suggestions.status == 200, "\(suggestions.body)")
            #expect(suggestions.json["data"]?["suggestions"]?.arrayValue?.isEmpty == false)
            // geminiArticleService.js L246-256: plagiarism {content}; geminiSeoService.js L116:
            // the audit (PRO) with the caller's object. Offline here: labelled, unchecked.
            let plagiarism = try await call(
                system, "POST", "/api/articles/plagiarism", json: ["content": "Cold brew is coffee steeped in cold water."])
            #expect(plagiarism.status == 200, "\(plagiarism.body)")
            #expect(plagiarism.json["data"]?["checked"] == false)
            #expect(plagiarism.json["data"]?["matches"]?.arrayValue != nil)
            let audit = try await call(
                system, "POST", "/api/seo/audit",
                json: ["content": "<p>Cold brew is easy.</p>", "keywords": ["cold brew"], "focusKeyphrase": "cold brew"])
            #expect(audit.status == 200, "\(audit.body)")
            #expect(audit.json["data"]?["score"]?.integerValue != nil)
            // The reference backend's other writer tools (API.md "Writing").
            for (path, field) in [
                ("/api/articles/headlines", "headlines"), ("/api/articles/keywords", "keywords"), ("/api/seo/meta-tags", "title"),
                ("/api/seo/search-intent", "intent"), ("/api/articles/seo/score", "score"),
            ] {
                let answer = try await call(
                    system, "POST", path, json: ["content": "<p>Cold brew is easy.</p>", "topic": "Cold brew", "keywords": ["cold brew"]])
                #expect(answer.status == 200, "\(path): \(answer.body)")
                #expect(answer.json["data"]?[field] != nil, "\(path)")
            }
        }
    }

    // MARK: - WordPress plugin (server to server, WP/nova-xfinity-ai.php, WP/includes/token-sync.php)

    @Test func theWordPressPluginsThreeCalls() async throws {
        try await LiveSystem.run { system in
            try await setPlan(system, "PRO")
            let created = try await call(system, "POST", "/api/api-keys", json: ["name": "WordPress"])
            let key = try #require(created.json["data"]?["key"]?.stringValue, "\(created.body)")
            let headers = [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json")]
            // nova-xfinity-ai.php L1948-1965: userId as a string, timestamp with an offset.
            let sync = try await HTTP.send(
                "POST", system.auth.baseURL + "/api/token-usage/sync", headers: headers,
                body: JSONValue.object([
                    "userId": .string(system.userID.uuidString), "action": "content_generation", "tokensUsed": 812,
                    "timestamp": "2024-01-15T10:30:00+00:00", "provider": "openai", "source": "wordpress",
                ]).encodedString)
            #expect((200..<300).contains(sync.status), "\(sync.body)")
            // token-sync.php L98-122: one request per WordPress user, user_id an integer,
            // cumulative call counts, last_updated in site-local MySQL time.
            let counts = try await HTTP.send(
                "POST", system.auth.baseURL + "/api/sync/token-usage", headers: headers,
                body: JSONValue.object([
                    "user_id": 0, "email": "editor@example.com", "total_calls": 12, "successful_calls": 11, "failed_calls": 1,
                    "wp_user_id": 3, "last_updated": "2024-01-15 10:30:00",
                ]).encodedString)
            #expect((200..<300).contains(counts.status), "\(counts.body)")
            // nova-xfinity-ai.php L2161-2205: the connection test, 200 means connected.
            let stats = try await HTTP.get(system.auth.baseURL + "/api/token-usage/stats", headers: headers)
            #expect(stats.status == 200, "\(stats.body)")
            let wrong = try await HTTP.get(system.auth.baseURL + "/api/token-usage/stats", headers: [("Authorization", "Bearer nxf_not_a_key")])
            #expect(wrong.status == 401 || wrong.status == 403)
        }
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var integerValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
