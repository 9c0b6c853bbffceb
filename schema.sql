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
