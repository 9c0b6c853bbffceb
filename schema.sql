-- Nova-XFinity schema: the one definition of the shared PostgreSQL database.
--
-- Applied at start-up by both services (unless AUTO_MIGRATE=false) and by the
-- `migrate` subcommand, inside one transaction holding an advisory lock, so it must stay
-- idempotent: CREATE ... IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, CREATE OR REPLACE.
-- Never edit a statement that has shipped; append a new one instead.

-- ---------------------------------------------------------------- auth: users
CREATE TABLE IF NOT EXISTS users (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                 text NOT NULL,
    hashed_password       text NOT NULL,
    is_active             boolean NOT NULL DEFAULT true,
    is_superuser          boolean NOT NULL DEFAULT false,
    is_verified           boolean NOT NULL DEFAULT false,
    role                  text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    name                  text,
    avatar_url            text,
    referral_code         text,
    referred_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    failed_login_attempts integer NOT NULL DEFAULT 0,
    locked_until          timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
-- E-mail is unique case-insensitively, as fastapi-users compares it.
CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower_key ON users (lower(email));
CREATE UNIQUE INDEX IF NOT EXISTS users_referral_code_key ON users (referral_code) WHERE referral_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS users_referred_by_idx ON users (referred_by) WHERE referred_by IS NOT NULL;

-- ---------------------------------------------------------------- e-mail outbox
-- Written in the same transaction as the change that causes a message; delivered by
-- the auth service's background sender with retries, so a mail-server outage delays
-- mail but loses none. `dedupe_key` makes "at most once per event" a constraint.
CREATE TABLE IF NOT EXISTS email_outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            text NOT NULL,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'logged', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    dedupe_key      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX IF NOT EXISTS email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE UNIQUE INDEX IF NOT EXISTS email_outbox_dedupe_key ON email_outbox (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- ---------------------------------------------------------------- auth: refresh tokens
-- Random 256-bit tokens, stored only as SHA-256 hashes, rotated on every use. A token
-- and its successors form a family; presenting a rotated token after the grace window
-- revokes the whole family.
CREATE TABLE IF NOT EXISTS refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX IF NOT EXISTS refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS refresh_tokens_family_idx ON refresh_tokens (family_id);

-- ---------------------------------------------------------------- audit log
CREATE TABLE IF NOT EXISTS audit_log (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    event       text NOT NULL,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    ip          text,
    user_agent  text,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_created_idx ON audit_log (created_at DESC);
CREATE INDEX IF NOT EXISTS audit_log_user_idx ON audit_log (user_id, created_at DESC);

-- ---------------------------------------------------------------- auth: OAuth accounts
-- One row per provider identity. `provider_account_id` is the provider's stable subject
-- (Google `sub`, Discord/X user id), never the e-mail, which can change at the provider.
CREATE TABLE IF NOT EXISTS oauth_accounts (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider            text NOT NULL,
    provider_account_id text NOT NULL,
    account_email       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_login_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_account_id)
);
CREATE INDEX IF NOT EXISTS oauth_accounts_user_idx ON oauth_accounts (user_id);

-- Pending OAuth authorizations: the signed `state` names a row, which the callback
-- deletes (single use) and checks against the browser's binding cookie and its expiry.
CREATE TABLE IF NOT EXISTS oauth_states (
    nonce         text PRIMARY KEY,
    provider      text NOT NULL,
    code_verifier text NOT NULL,
    binding_hash  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS oauth_states_expires_idx ON oauth_states (expires_at);
-- ---------------------------------------------------------------- plans and prices
-- The plan table of API.md. `quotas` maps a quota (articles, images, videos, research,
-- wordpress) to its monthly limit: -1 unlimited, 0 the plan lacks the feature. Seeded
-- once; later edits (admins) are never overwritten by a restart.
CREATE TABLE IF NOT EXISTS plans (
    tier             text PRIMARY KEY CHECK (tier IN ('FREE', 'PRO', 'ENTERPRISE')),
    name             text NOT NULL,
    rank             integer NOT NULL,
    price_cents      integer NOT NULL CHECK (price_cents >= 0),
    currency         text NOT NULL DEFAULT 'usd',
    billing_interval text NOT NULL DEFAULT 'month',
    quotas           jsonb NOT NULL,
    monthly_credits  integer NOT NULL CHECK (monthly_credits >= 0),
    features         jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO plans (tier, name, rank, price_cents, quotas, monthly_credits, features) VALUES
    ('FREE', 'Free', 0, 0,
     '{"articles": 10, "images": 25, "videos": 0, "research": 20, "wordpress": 0}', 200,
     '["Article generation", "Image generation", "Research", "Algorithmic SEO analysis"]'),
    ('PRO', 'Pro', 1, 2900,
     '{"articles": 100, "images": 500, "videos": 20, "research": -1, "wordpress": 50}', 3000,
     '["Everything in Free", "Video generation", "WordPress publishing", "AI SEO audit", "Platform API keys", "Unlimited research"]'),
    ('ENTERPRISE', 'Enterprise', 2, 9900,
     '{"articles": -1, "images": -1, "videos": 100, "research": -1, "wordpress": -1}', 15000,
     '["Everything in Pro", "Unlimited articles and images", "Unlimited WordPress publishing", "100 videos per month"]')
ON CONFLICT (tier) DO NOTHING;

-- What each credit-spending feature costs. `quota` names the plan quota it counts
-- against (NULL: none); `minimum_tier` gates a tool that no quota describes (AI SEO audit).
CREATE TABLE IF NOT EXISTS feature_prices (
    feature      text PRIMARY KEY,
    credits      integer NOT NULL CHECK (credits >= 0),
    quota        text,
    minimum_tier text REFERENCES plans (tier),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO feature_prices (feature, credits, quota, minimum_tier) VALUES
    ('article', 10, 'articles', NULL),
    ('metadata', 2, NULL, NULL),
    ('outline', 3, NULL, NULL),
    ('section', 5, NULL, NULL),
    ('cta', 2, NULL, NULL),
    ('seo_audit', 8, NULL, 'PRO'),
    ('research', 5, 'research', NULL),
    ('image', 8, 'images', NULL),
    ('image_edit', 8, 'images', NULL),
    ('video', 50, 'videos', NULL),
    ('video_long', 100, 'videos', NULL),
    ('audio', 3, NULL, NULL),
    ('wordpress_publish', 2, 'wordpress', NULL),
    ('seo_analysis', 0, NULL, NULL),
    ('seo_tool', 2, NULL, NULL),
    ('plagiarism', 5, NULL, NULL),
    ('transcription', 3, NULL, NULL),
    ('video_summary', 10, NULL, NULL)
ON CONFLICT (feature) DO NOTHING;

-- ---------------------------------------------------------------- subscriptions
-- One per user; FREE is provisioned on first use. Usage periods follow
-- [current_period_start, current_period_end).
CREATE TABLE IF NOT EXISTS subscriptions (
    user_id                  uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    plan                     text NOT NULL REFERENCES plans (tier),
    status                   text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CANCELLED', 'EXPIRED', 'TRIAL')),
    current_period_start     timestamptz NOT NULL,
    current_period_end       timestamptz NOT NULL,
    cancel_at_period_end     boolean NOT NULL DEFAULT false,
    payment_provider         text CHECK (payment_provider IN ('stripe', 'paypal')),
    external_customer_id     text,
    external_subscription_id text,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS subscriptions_external_key
    ON subscriptions (payment_provider, external_subscription_id) WHERE external_subscription_id IS NOT NULL;

-- ---------------------------------------------------------------- usage counters
-- `used` counts settled work, `reserved` work in flight; a reservation is refused when
-- used + reserved would pass the plan's limit.
CREATE TABLE IF NOT EXISTS usage_counters (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    quota        text NOT NULL,
    period_start timestamptz NOT NULL,
    used         integer NOT NULL DEFAULT 0 CHECK (used >= 0),
    reserved     integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, quota, period_start)
);

-- ---------------------------------------------------------------- credits
-- The balance row is the lock every credit change takes; `reserved` is held by
-- in-flight reservations, so spendable = balance - reserved and never goes negative.
CREATE TABLE IF NOT EXISTS credit_balances (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    balance         bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
    reserved        bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    lifetime_earned bigint NOT NULL DEFAULT 0,
    lifetime_spent  bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (reserved <= balance)
);
-- Append-only. (user, reason, reference) is unique so that a grant, bonus or reward
-- keyed by its cause is written exactly once, whatever retries or races happen.
CREATE TABLE IF NOT EXISTS credit_ledger (
    id            bigserial PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    delta         bigint NOT NULL,
    reason        text NOT NULL CHECK (reason IN ('plan_grant', 'signup_bonus', 'verify_bonus', 'referral_reward', 'usage',
                                                  'refund', 'admin_adjust', 'purchase')),
    reference     text NOT NULL,
    balance_after bigint NOT NULL CHECK (balance_after >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, reason, reference)
);
CREATE INDEX IF NOT EXISTS credit_ledger_user_idx ON credit_ledger (user_id, id DESC);

-- Credits (and a quota slot) held for work in progress: settled on success, released
-- on failure; a hold older than `expires_at` is released by the next reservation.
CREATE TABLE IF NOT EXISTS credit_reservations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    feature         text NOT NULL,
    quota           text,
    period_start    timestamptz,
    credits         bigint NOT NULL CHECK (credits >= 0),
    status          text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'settled', 'released')),
    idempotency_key text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    finished_at     timestamptz
);
CREATE INDEX IF NOT EXISTS credit_reservations_held_idx ON credit_reservations (user_id, expires_at) WHERE status = 'held';
CREATE UNIQUE INDEX IF NOT EXISTS credit_reservations_idempotency_key
    ON credit_reservations (user_id, feature, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The first answer of a POST sent with `Idempotency-Key`, stored with its charge.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        text NOT NULL,
    route      text NOT NULL,
    response   jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, route, key)
);

-- ---------------------------------------------------------------- referral rewards
-- level 0: the referee's own reward, 1: direct referrer, 2: the referrer's referrer.
-- Unique per referee and level: each reward is paid once.
CREATE TABLE IF NOT EXISTS referral_rewards (
    id         bigserial PRIMARY KEY,
    referee_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    level      integer NOT NULL CHECK (level IN (0, 1, 2)),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credits    integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (referee_id, level)
);
CREATE INDEX IF NOT EXISTS referral_rewards_user_idx ON referral_rewards (user_id, created_at);

-- ---------------------------------------------------------------- notifications
CREATE TABLE IF NOT EXISTS notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type       text NOT NULL,
    title      text NOT NULL,
    message    text NOT NULL,
    data       jsonb NOT NULL DEFAULT '{}'::jsonb,
    read_at    timestamptz,
    dedupe_key text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE UNIQUE INDEX IF NOT EXISTS notifications_dedupe_key ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;

-- ---------------------------------------------------------------- billing: webhooks
-- One row per payment-provider event, written in the same transaction as the change it
-- causes: a redelivered event finds its row and changes nothing.
CREATE TABLE IF NOT EXISTS processed_webhook_events (
    provider    text NOT NULL,
    event_id    text NOT NULL,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- Payments the providers reported (invoice and sale webhooks), for the admin's list. The
-- ledger of credits is elsewhere; this is money.
CREATE TABLE IF NOT EXISTS payments (
    id           bigserial PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     text NOT NULL,
    event_id     text NOT NULL,
    amount_cents integer NOT NULL,
    currency     text NOT NULL,
    status       text NOT NULL CHECK (status IN ('completed', 'failed')),
    plan         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, event_id)
);
CREATE INDEX IF NOT EXISTS payments_created_idx ON payments (created_at DESC);

-- ---------------------------------------------------------------- settings and keys
CREATE TABLE IF NOT EXISTS user_settings (
    user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    default_provider text,
    focus_keyphrase  text,
    preferences      jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Which automatic e-mails the user receives; absent keys take their defaults.
    email_settings   jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Users' own AI provider keys, AES-256-GCM sealed (nonce ‖ ciphertext ‖ tag) with
-- ENCRYPTION_KEY and bound to (user, provider); only the last four characters are shown.
CREATE TABLE IF NOT EXISTS user_provider_keys (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider   text NOT NULL CHECK (provider IN ('GEMINI', 'OPENAI', 'ANTHROPIC', 'LLAMA')),
    sealed_key bytea NOT NULL,
    last4      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, provider)
);

-- Platform API keys (`nxf_…`, 256 random bits) for the WordPress plugin: shown once,
-- stored as SHA-256 (a slow hash adds nothing to a key with that much entropy).
CREATE TABLE IF NOT EXISTS platform_api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    key_hash     text NOT NULL UNIQUE,
    last4        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX IF NOT EXISTS platform_api_keys_user_idx ON platform_api_keys (user_id, created_at DESC);

-- Notifications of the kinds that also go by e-mail are turned into `email_outbox` rows by
-- the API service's notification mailer; `emailed_at` marks them done (sent or skipped
-- because the user opted out), so each event is mailed at most once.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS emailed_at timestamptz;
CREATE INDEX IF NOT EXISTS notifications_unmailed_idx ON notifications (created_at) WHERE emailed_at IS NULL;
-- ---------------------------------------------------------------- usage history
-- One row per AI attempt or synced operation (`UsageRecorder`, POST /token-usage/sync):
-- the source of /token-usage/stats, /stats and the admin statistics. Append-only.
CREATE TABLE IF NOT EXISTS tool_usage (
    id          bigserial PRIMARY KEY,
    user_id     uuid REFERENCES users (id) ON DELETE CASCADE,
    tool        text NOT NULL,
    provider    text,
    model       text,
    tokens_in   bigint NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out  bigint NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    tokens_used bigint NOT NULL DEFAULT 0 CHECK (tokens_used >= 0),
    credits     integer NOT NULL DEFAULT 0 CHECK (credits >= 0),
    latency_ms  integer CHECK (latency_ms >= 0),
    status      text NOT NULL DEFAULT 'success' CHECK (status IN ('success', 'failure')),
    source      text NOT NULL DEFAULT 'api',
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS tool_usage_user_created_idx ON tool_usage (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS tool_usage_created_idx ON tool_usage (created_at DESC);

-- Failed generations, for the admin failure statistics (written with the failed
-- attempt's `tool_usage` row).
CREATE TABLE IF NOT EXISTS generation_failures (
    id          bigserial PRIMARY KEY,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    service     text NOT NULL,
    provider    text,
    model       text,
    error_type  text NOT NULL,
    message     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS generation_failures_created_idx ON generation_failures (created_at DESC);
CREATE INDEX IF NOT EXISTS generation_failures_user_idx ON generation_failures (user_id, created_at DESC);

-- ---------------------------------------------------------------- feedback
-- Ratings of generated content: 1-5 stars or a thumbs up/down (+1/-1).
CREATE TABLE IF NOT EXISTS feedback (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('ARTICLE', 'ARTICLE_SECTION', 'ARTICLE_METADATA', 'ARTICLE_CTA', 'IMAGE',
                                                       'VIDEO', 'AUDIO', 'RESEARCH', 'SEO_ANALYSIS')),
    provider     text CHECK (provider IN ('GEMINI', 'OPENAI', 'ANTHROPIC', 'LLAMA')),
    rating       integer NOT NULL CHECK (rating BETWEEN -1 AND 5 AND rating <> 0),
    comment      text,
    content_id   text,
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS feedback_user_idx ON feedback (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS feedback_content_provider_idx ON feedback (content_type, provider);

-- ---------------------------------------------------------------- admin settings
-- Platform-wide AI settings edited by admins (GET/PUT /admin/settings); one row.
-- Feature prices live in `feature_prices`.
CREATE TABLE IF NOT EXISTS admin_settings (
    id                integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    provider          text NOT NULL DEFAULT 'gemini',
    focus_keyphrase   text NOT NULL DEFAULT '',
    fallback_order    jsonb NOT NULL DEFAULT '["gemini", "openai", "anthropic", "llama"]'::jsonb,
    enabled_providers jsonb NOT NULL DEFAULT '["gemini", "openai", "anthropic", "llama", "offline"]'::jsonb,
    updated_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO admin_settings (id) VALUES (1) ON CONFLICT (id) DO NOTHING;

-- ---------------------------------------------------------------- research
-- Every research query a user ran (cache hits included), newest first in the history.
CREATE TABLE IF NOT EXISTS research_queries (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL DEFAULT 'query',
    query      text NOT NULL,
    language   text NOT NULL,
    summary    text NOT NULL,
    sources    jsonb NOT NULL DEFAULT '[]'::jsonb,
    citations  jsonb NOT NULL DEFAULT '[]'::jsonb,
    grounded   boolean NOT NULL,
    cached     boolean NOT NULL,
    provider   text,
    model      text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS research_queries_user_idx ON research_queries (user_id, created_at DESC);

-- ---------------------------------------------------------------- media
-- Assets point at content-addressed files (`storage_key` = SHA-256 of the bytes), so a
-- file is stored once however many assets share it.
CREATE TABLE IF NOT EXISTS media_assets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type        text NOT NULL CHECK (type IN ('IMAGE', 'VIDEO', 'AUDIO')),
    provider    text,
    model       text,
    prompt      text,
    storage_key text,
    mime_type   text,
    size        bigint,
    status      text NOT NULL DEFAULT 'completed' CHECK (status IN ('processing', 'completed', 'failed')),
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS media_assets_user_idx ON media_assets (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS media_assets_key_idx ON media_assets (storage_key);

-- Long-running generations (videos): the provider operation, the credit hold it settles
-- or releases when it ends, and when the poller should look again.
ALTER TABLE media_assets ADD COLUMN IF NOT EXISTS operation_name text;
ALTER TABLE media_assets ADD COLUMN IF NOT EXISTS reservation_id uuid;
ALTER TABLE media_assets ADD COLUMN IF NOT EXISTS poll_after timestamptz;
CREATE INDEX IF NOT EXISTS media_assets_processing_idx ON media_assets (poll_after) WHERE status = 'processing';

-- ---------------------------------------------------------------- articles
-- Stored articles (GET/POST /articles, the writer's /articles/generate, WordPress
-- publishing). The slug is unique per user; word_count and seo_score are computed by the
-- service (SEOAnalyzer) on every write.
CREATE TABLE IF NOT EXISTS articles (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title               text NOT NULL,
    slug                text NOT NULL,
    seo_title           text,
    meta_description    text,
    focus_keyphrase     text,
    content             text NOT NULL DEFAULT '',
    html_content        text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
    word_count          integer NOT NULL DEFAULT 0,
    seo_score           integer NOT NULL DEFAULT 0,
    provider            text,
    model               text,
    wordpress_url       text,
    wordpress_remote_id text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    published_at        timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_user_slug_idx ON articles (user_id, slug);
CREATE INDEX IF NOT EXISTS articles_user_created_idx ON articles (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS articles_user_status_created_idx ON articles (user_id, status, created_at DESC);

-- ---------------------------------------------------------------- drafts
-- The writer's autosaved work in progress. `version` grows by one on every save; a save
-- naming an older version is refused (409), so two tabs never overwrite each other.
CREATE TABLE IF NOT EXISTS drafts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       text NOT NULL DEFAULT '',
    config      jsonb NOT NULL DEFAULT '{}'::jsonb,
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
    sections    jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(sections) = 'array'),
    cta_content text NOT NULL DEFAULT '',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS drafts_user_updated_idx ON drafts (user_id, updated_at DESC);

-- ---------------------------------------------------------------- one source of truth for "is admin"
-- `role` decides; `is_superuser` (fastapi-users' field) must equal role = 'admin'. Rows
-- where the two disagreed (a superuser revoked through PATCH /users/{id} kept role admin)
-- lose both: an admin is only who both columns said was one.
UPDATE users SET role = 'user', is_superuser = false WHERE is_superuser <> (role = 'admin');
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_role_is_superuser_check') THEN
        ALTER TABLE users ADD CONSTRAINT users_role_is_superuser_check CHECK (is_superuser = (role = 'admin'));
    END IF;
END
$$;

-- ---------------------------------------------------------------- provider-billed grants
-- The start of a provider subscription's first period, as first learnt: the monthly grant
-- of a provider-billed plan is keyed by subscription and month number since then, so a
-- provider restating a period's start does not pay the grant twice.
ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS billing_anchor timestamptz;

-- ---------------------------------------------------------------- admin user list at scale
-- GET /admin/users pages newest first and searches e-mail and name by substring: a
-- B-tree for the order, trigram indexes (pg_trgm, a trusted extension Debian's and the
-- official images ship) for the search, so neither scans the table however many users.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS users_created_at_idx ON users (created_at DESC, id);
CREATE INDEX IF NOT EXISTS users_email_trgm_idx ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS users_name_trgm_idx ON users USING gin (lower(coalesce(name, '')) gin_trgm_ops);

-- ---------------------------------------------------------------- change notifications
-- Each API replica keeps a read model of what every request shows (subscription, plan,
-- balance, usage counters, the user row, plans, prices, admin settings) and drops
-- entries when told here: NOTIFY is delivered after commit, to every replica, whichever
-- service or psql session made the change. Payload: "<table>:<user id>" for a user's row,
-- "<table>" for a catalogue table. Within a transaction PostgreSQL sends a repeated
-- payload once.
CREATE OR REPLACE FUNCTION nova_notify_user_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nova_changes', TG_TABLE_NAME || ':' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END));
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION nova_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nova_changes', 'users:' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END));
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION nova_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nova_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION nova_notify_user();
CREATE OR REPLACE TRIGGER subscriptions_notify AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION nova_notify_user_row();
CREATE OR REPLACE TRIGGER credit_balances_notify AFTER INSERT OR UPDATE OR DELETE ON credit_balances
    FOR EACH ROW EXECUTE FUNCTION nova_notify_user_row();
CREATE OR REPLACE TRIGGER usage_counters_notify AFTER INSERT OR UPDATE OR DELETE ON usage_counters
    FOR EACH ROW EXECUTE FUNCTION nova_notify_user_row();
CREATE OR REPLACE TRIGGER plans_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION nova_notify_table();
CREATE OR REPLACE TRIGGER feature_prices_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feature_prices
    FOR EACH STATEMENT EXECUTE FUNCTION nova_notify_table();
CREATE OR REPLACE TRIGGER admin_settings_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_settings
    FOR EACH STATEMENT EXECUTE FUNCTION nova_notify_table();

-- ---------------------------------------------------------------- grant bookkeeping
-- The monthly grant reference (see SubscriptionStore.grantReference) last seen to: a
-- request in a period whose grant is settled skips the ledger, which decides anyway.
ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS grant_reference text;

-- ---------------------------------------------------------------- reserve and settle in one statement
-- A generation's accounting, as one statement each on the path every request takes once
-- a user's rows exist (CreditReservations.reserve/settle call these first). Each takes
-- the locks in the documented order (subscriptions, credit_balances, usage_counters,
-- credit_reservations) and returns no row, having written nothing, whenever anything is
-- not ordinary: a missing row, a period to roll or a grant to pay, an expired hold, a
-- refusal of any kind. The Swift code then runs the general path, which decides and
-- words every refusal, so the two cannot disagree about what is allowed.
--
-- `grant_reference` is cleared whenever what names a period's grant changes, so a
-- non-null value means the current period's grant is seen to. Existing references are
-- cleared once when this trigger first appears (the next request of each user takes the
-- general path once; the ledger's unique reference keeps every grant single).
CREATE OR REPLACE FUNCTION nova_subscription_grant_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.grant_reference IS NOT DISTINCT FROM OLD.grant_reference
       AND (NEW.plan, NEW.current_period_start, NEW.payment_provider, NEW.external_subscription_id, NEW.billing_anchor)
           IS DISTINCT FROM (OLD.plan, OLD.current_period_start, OLD.payment_provider, OLD.external_subscription_id, OLD.billing_anchor) THEN
        NEW.grant_reference := NULL;
    END IF;
    RETURN NEW;
END
$$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'subscriptions_grant_stale') THEN
        UPDATE subscriptions SET grant_reference = NULL WHERE grant_reference IS NOT NULL;
        CREATE TRIGGER subscriptions_grant_stale BEFORE UPDATE ON subscriptions
            FOR EACH ROW EXECUTE FUNCTION nova_subscription_grant_stale();
    END IF;
END
$$;

-- Whether a plan's quotas are all integers (what PlanCatalog can read; otherwise the
-- general path treats the plan as offering nothing).
CREATE OR REPLACE FUNCTION nova_quotas_readable(quotas jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_typeof(quotas) = 'object' AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(quotas) q WHERE q.value !~ '^-?[0-9]{1,9}$')
$$;

-- Holds `p_feature`'s price (and a quota slot) for user `p_user` as reservation `p_id`,
-- expiring at `p_expires`; commits without waiting for the flush (the settlement's
-- commit flushes it; a hold lost in a crash is a release). One row when held.
CREATE OR REPLACE FUNCTION nova_reserve(p_user uuid, p_feature text, p_id uuid, p_expires timestamptz)
RETURNS TABLE (r_credits integer, r_quota text, r_period_start timestamptz, r_plan text) LANGUAGE plpgsql AS $$
DECLARE
    v_price feature_prices%ROWTYPE;
    v_sub subscriptions%ROWTYPE;
    v_balance credit_balances%ROWTYPE;
    v_plan plans%ROWTYPE;
    v_counter usage_counters%ROWTYPE;
    v_limit integer;
    v_tiers CONSTANT text[] := ARRAY['FREE', 'PRO', 'ENTERPRISE'];
BEGIN
    IF EXISTS (SELECT 1 FROM credit_reservations r WHERE r.user_id = p_user AND r.status = 'held' AND r.expires_at < now()) THEN
        RETURN;
    END IF;
    SELECT * INTO v_price FROM feature_prices f WHERE f.feature = p_feature;
    IF NOT FOUND THEN RETURN; END IF;
    SELECT * INTO v_sub FROM subscriptions s WHERE s.user_id = p_user FOR UPDATE;
    IF NOT FOUND OR now() >= v_sub.current_period_end OR v_sub.grant_reference IS NULL THEN RETURN; END IF;
    SELECT * INTO v_balance FROM credit_balances b WHERE b.user_id = p_user FOR UPDATE;
    IF NOT FOUND OR v_balance.balance - v_balance.reserved < v_price.credits THEN RETURN; END IF;
    SELECT * INTO v_plan FROM plans p WHERE p.tier = v_sub.plan;
    IF NOT FOUND OR NOT nova_quotas_readable(v_plan.quotas) THEN RETURN; END IF;
    IF v_price.minimum_tier IS NOT NULL
       AND coalesce(array_position(v_tiers, v_sub.plan), 0) < coalesce(array_position(v_tiers, v_price.minimum_tier), 99) THEN
        RETURN;
    END IF;
    IF v_price.quota IS NOT NULL THEN
        v_limit := coalesce((v_plan.quotas ->> v_price.quota)::integer, 0);
        IF v_limit = 0 THEN RETURN; END IF;
        SELECT * INTO v_counter FROM usage_counters c
        WHERE c.user_id = p_user AND c.quota = v_price.quota AND c.period_start = v_sub.current_period_start FOR UPDATE;
        IF NOT FOUND OR (v_limit <> -1 AND v_counter.used + v_counter.reserved + 1 > v_limit) THEN RETURN; END IF;
        UPDATE usage_counters c SET reserved = c.reserved + 1, updated_at = now()
        WHERE c.user_id = p_user AND c.quota = v_price.quota AND c.period_start = v_sub.current_period_start;
    END IF;
    UPDATE credit_balances b SET reserved = b.reserved + v_price.credits, updated_at = now() WHERE b.user_id = p_user;
    INSERT INTO credit_reservations (id, user_id, feature, quota, period_start, credits, expires_at)
    VALUES (p_id, p_user, p_feature, v_price.quota, CASE WHEN v_price.quota IS NOT NULL THEN v_sub.current_period_start END,
            v_price.credits, p_expires);
    PERFORM set_config('synchronous_commit', 'off', true);
    RETURN QUERY SELECT v_price.credits, v_price.quota, CASE WHEN v_price.quota IS NOT NULL THEN v_sub.current_period_start END, v_sub.plan;
END
$$;

-- Settles held reservation `p_id`: marks it settled, counts the quota use, debits the
-- credits (ledger reason `usage`, referenced by the id as Swift spells it: upper case).
-- Runs inside the caller's transaction. One row (balance after, quota used, the plan's
-- limit) when settled.
CREATE OR REPLACE FUNCTION nova_settle(p_id uuid, p_user uuid, p_credits bigint, p_quota text, p_period timestamptz, p_plan text)
RETURNS TABLE (r_balance bigint, r_used integer, r_limit integer) LANGUAGE plpgsql AS $$
DECLARE
    v_balance credit_balances%ROWTYPE;
    v_quotas jsonb;
    v_used integer;
    v_limit integer := 0;
BEGIN
    SELECT * INTO v_balance FROM credit_balances b WHERE b.user_id = p_user FOR UPDATE;
    IF NOT FOUND OR v_balance.reserved < p_credits OR v_balance.balance < p_credits THEN RETURN; END IF;
    IF p_quota IS NOT NULL AND p_period IS NOT NULL THEN
        PERFORM 1 FROM usage_counters c WHERE c.user_id = p_user AND c.quota = p_quota AND c.period_start = p_period FOR UPDATE;
        IF NOT FOUND THEN RETURN; END IF;
        SELECT p.quotas INTO v_quotas FROM plans p WHERE p.tier = p_plan;
        IF NOT FOUND OR NOT nova_quotas_readable(v_quotas) THEN RETURN; END IF;
        v_limit := coalesce((v_quotas ->> p_quota)::integer, 0);
    END IF;
    PERFORM 1 FROM credit_reservations r WHERE r.id = p_id AND r.user_id = p_user AND r.status = 'held' FOR UPDATE;
    IF NOT FOUND THEN RETURN; END IF;
    IF EXISTS (SELECT 1 FROM credit_ledger l WHERE l.user_id = p_user AND l.reason = 'usage' AND l.reference = upper(p_id::text)) THEN
        RETURN;
    END IF;
    UPDATE credit_reservations r SET status = 'settled', finished_at = now() WHERE r.id = p_id;
    IF p_quota IS NOT NULL AND p_period IS NOT NULL THEN
        UPDATE usage_counters c SET used = c.used + 1, reserved = greatest(c.reserved - 1, 0), updated_at = now()
        WHERE c.user_id = p_user AND c.quota = p_quota AND c.period_start = p_period RETURNING c.used INTO v_used;
    END IF;
    INSERT INTO credit_ledger (user_id, delta, reason, reference, balance_after)
    VALUES (p_user, -p_credits, 'usage', upper(p_id::text), v_balance.balance - p_credits);
    UPDATE credit_balances b SET balance = b.balance - p_credits, reserved = b.reserved - p_credits,
        lifetime_spent = b.lifetime_spent + p_credits, updated_at = now()
    WHERE b.user_id = p_user;
    RETURN QUERY SELECT v_balance.balance - p_credits, v_used, v_limit;
END
$$;

-- Users' own provider keys are read by every generation: each API replica keeps them
-- (sealed) in its read model, dropped on this notification.
CREATE OR REPLACE TRIGGER user_provider_keys_notify AFTER INSERT OR UPDATE OR DELETE ON user_provider_keys
    FOR EACH ROW EXECUTE FUNCTION nova_notify_user_row();

-- ---------------------------------------------------------------- counts kept on write
-- The admin dashboard counts users and subscriptions by plan and state on every load,
-- and a user's credit history shows how many rows it has: at a million users (or a
-- million rows of one user's ledger) an exact count reads them all. These counts are kept
-- on write instead, by statement triggers (a bulk insert adds once, not row by row).
--
-- Counts over all users must not become a row every writer waits for (a registration
-- would hold it until it commits): writers only append deltas to
-- `aggregate_count_deltas`, which takes no lock another writer needs, and a reader
-- folds them into `aggregate_counts` (`nova_compact_counts`) before it reads. Keys:
-- "users", and "subscriptions:<plan>:<status>:<renewing|cancelling>".
CREATE TABLE IF NOT EXISTS aggregate_counts (
    key   text PRIMARY KEY,
    count bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS aggregate_count_deltas (
    id    bigserial PRIMARY KEY,
    key   text NOT NULL,
    delta bigint NOT NULL
);
ALTER TABLE credit_balances ADD COLUMN IF NOT EXISTS ledger_rows bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION nova_subscription_key(plan text, status text, cancelling boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'subscriptions:' || plan || ':' || status || ':' || CASE WHEN cancelling THEN 'cancelling' ELSE 'renewing' END
$$;

-- Folds the committed deltas into the counts. Concurrent folds do not count a delta
-- twice: the second waits for the first's deleted rows and then skips them.
CREATE OR REPLACE FUNCTION nova_compact_counts() RETURNS void LANGUAGE sql AS $$
    WITH moved AS (DELETE FROM aggregate_count_deltas RETURNING key, delta)
    INSERT INTO aggregate_counts (key, count)
    SELECT key, sum(delta) FROM moved GROUP BY key ORDER BY key
    ON CONFLICT (key) DO UPDATE SET count = aggregate_counts.count + EXCLUDED.count
$$;

CREATE OR REPLACE FUNCTION nova_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM aggregate_counts WHERE key = 'users';
        DELETE FROM aggregate_count_deltas WHERE key = 'users';
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO aggregate_count_deltas (key, delta) SELECT 'users', count(*) FROM new_rows HAVING count(*) > 0;
    ELSE
        INSERT INTO aggregate_count_deltas (key, delta) SELECT 'users', -count(*) FROM old_rows HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION nova_count_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM aggregate_counts WHERE key LIKE 'subscriptions:%';
        DELETE FROM aggregate_count_deltas WHERE key LIKE 'subscriptions:%';
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO aggregate_count_deltas (key, delta)
        SELECT nova_subscription_key(n.plan, n.status, n.cancel_at_period_end), count(*) FROM new_rows n GROUP BY 1;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO aggregate_count_deltas (key, delta)
        SELECT nova_subscription_key(o.plan, o.status, o.cancel_at_period_end), -count(*) FROM old_rows o GROUP BY 1;
    ELSE
        -- Most updates (a period rolled, a grant seen to) change no count: nothing is written.
        INSERT INTO aggregate_count_deltas (key, delta)
        SELECT changes.key, sum(changes.delta) FROM (
            SELECT nova_subscription_key(n.plan, n.status, n.cancel_at_period_end) AS key, 1 AS delta FROM new_rows n
            UNION ALL
            SELECT nova_subscription_key(o.plan, o.status, o.cancel_at_period_end), -1 FROM old_rows o
        ) AS changes
        GROUP BY changes.key HAVING sum(changes.delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;

-- Credits spent per user and UTC day (GET /stats: this period's spending and the daily
-- series), kept on write like the counts: a heavy user's million ledger rows are never
-- summed on read. `usage` is what usage debits took, `refunds` what refunds gave back.
CREATE TABLE IF NOT EXISTS credit_spend_by_day (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date NOT NULL,
    usage   bigint NOT NULL DEFAULT 0,
    refunds bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

-- Ledger rows per user, on the balance row every ledger writer already holds, and the
-- day's spending.
CREATE OR REPLACE FUNCTION nova_count_ledger_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO credit_balances AS b (user_id, ledger_rows)
        SELECT n.user_id, count(*) FROM new_rows n GROUP BY n.user_id ORDER BY n.user_id
        ON CONFLICT (user_id) DO UPDATE SET ledger_rows = b.ledger_rows + EXCLUDED.ledger_rows;
        INSERT INTO credit_spend_by_day AS d (user_id, day, usage, refunds)
        SELECT n.user_id, (n.created_at AT TIME ZONE 'UTC')::date, coalesce(sum(-n.delta) FILTER (WHERE n.reason = 'usage'), 0),
               coalesce(sum(n.delta) FILTER (WHERE n.reason = 'refund'), 0)
        FROM new_rows n WHERE n.reason IN ('usage', 'refund') GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (user_id, day) DO UPDATE SET usage = d.usage + EXCLUDED.usage, refunds = d.refunds + EXCLUDED.refunds;
    ELSE
        UPDATE credit_balances b SET ledger_rows = b.ledger_rows - gone.rows
        FROM (SELECT o.user_id, count(*) AS rows FROM old_rows o GROUP BY o.user_id) AS gone
        WHERE b.user_id = gone.user_id;
        UPDATE credit_spend_by_day d SET usage = d.usage - gone.usage, refunds = d.refunds - gone.refunds
        FROM (SELECT o.user_id, (o.created_at AT TIME ZONE 'UTC')::date AS day, coalesce(sum(-o.delta) FILTER (WHERE o.reason = 'usage'), 0) AS usage,
                     coalesce(sum(o.delta) FILTER (WHERE o.reason = 'refund'), 0) AS refunds
              FROM old_rows o WHERE o.reason IN ('usage', 'refund') GROUP BY 1, 2) AS gone
        WHERE d.user_id = gone.user_id AND d.day = gone.day;
    END IF;
    RETURN NULL;
END
$$;

-- Installed once, with the counts taken while writers wait (the same transaction).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'users_count_insert') THEN
        LOCK TABLE users, subscriptions, credit_balances, credit_ledger IN SHARE ROW EXCLUSIVE MODE;
        DELETE FROM aggregate_counts WHERE key = 'users' OR key LIKE 'subscriptions:%';
        DELETE FROM aggregate_count_deltas;
        INSERT INTO aggregate_counts (key, count) SELECT 'users', count(*) FROM users;
        INSERT INTO aggregate_counts (key, count)
        SELECT nova_subscription_key(plan, status, cancel_at_period_end), count(*) FROM subscriptions GROUP BY 1;
        UPDATE credit_balances b SET ledger_rows = counted.rows
        FROM (SELECT user_id, count(*) AS rows FROM credit_ledger GROUP BY user_id) AS counted WHERE b.user_id = counted.user_id;
        CREATE TRIGGER users_count_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_users();
        CREATE TRIGGER users_count_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_users();
        CREATE TRIGGER users_count_truncate AFTER TRUNCATE ON users
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_users();
        CREATE TRIGGER subscriptions_count_insert AFTER INSERT ON subscriptions REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_subscriptions();
        CREATE TRIGGER subscriptions_count_update AFTER UPDATE ON subscriptions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_subscriptions();
        CREATE TRIGGER subscriptions_count_delete AFTER DELETE ON subscriptions REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_subscriptions();
        CREATE TRIGGER subscriptions_count_truncate AFTER TRUNCATE ON subscriptions
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_subscriptions();
        CREATE TRIGGER credit_ledger_count_insert AFTER INSERT ON credit_ledger REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_ledger_rows();
        CREATE TRIGGER credit_ledger_count_delete AFTER DELETE ON credit_ledger REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION nova_count_ledger_rows();
    END IF;
END
$$;

-- The day table's first fill (it is kept by the trigger above from then on; the whole
-- script runs in one transaction, so no ledger row can fall between the two).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM credit_spend_by_day) AND EXISTS (SELECT 1 FROM credit_ledger WHERE reason IN ('usage', 'refund')) THEN
        LOCK TABLE credit_ledger IN SHARE ROW EXCLUSIVE MODE;
        INSERT INTO credit_spend_by_day (user_id, day, usage, refunds)
        SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, coalesce(sum(-delta) FILTER (WHERE reason = 'usage'), 0),
               coalesce(sum(delta) FILTER (WHERE reason = 'refund'), 0)
        FROM credit_ledger WHERE reason IN ('usage', 'refund') GROUP BY 1, 2;
    END IF;
END
$$;

-- This period's first, partial day is summed from the ledger itself, found by time.
CREATE INDEX IF NOT EXISTS credit_ledger_user_created_idx ON credit_ledger (user_id, created_at) INCLUDE (delta, reason);
