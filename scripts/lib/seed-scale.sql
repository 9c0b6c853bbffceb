-- Seeds a database at a given size for scripts/bench-scale.sh (issue #15, "cost flat in
-- table size"). psql variables: users (number of bulk users), ledger (credit_ledger rows,
-- a tenth of them the heavy user's), articles (the heavy user's articles), heavy (the
-- heavy user's id: an existing user, who is also the admin measuring); half the other
-- users have one article each. Every bulk user has a subscription and a balance,
-- like any user who has used the API once.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
INSERT INTO users (email, hashed_password, name, is_verified, created_at)
SELECT 'bulk' || n || '@example.com', 'x', 'Bulk User ' || n, true, now() - make_interval(secs => n)
FROM generate_series(1, :users) AS n;
INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
SELECT id, (ARRAY['FREE', 'FREE', 'FREE', 'PRO', 'ENTERPRISE'])[1 + abs(hashtext(id::text)) % 5],
       (ARRAY['ACTIVE', 'ACTIVE', 'ACTIVE', 'CANCELLED', 'EXPIRED'])[1 + abs(hashtext(email)) % 5],
       now() - interval '3 days', now() + interval '27 days'
FROM users WHERE email LIKE 'bulk%'
ON CONFLICT (user_id) DO NOTHING;
INSERT INTO credit_balances (user_id, balance)
SELECT id, 1000 FROM users WHERE email LIKE 'bulk%'
ON CONFLICT (user_id) DO NOTHING;
-- Nine tenths of the ledger over the bulk users, a tenth for the heavy user.
WITH bulk AS (SELECT id, row_number() OVER () AS n FROM users WHERE email LIKE 'bulk%')
INSERT INTO credit_ledger (user_id, delta, reason, reference, balance_after, created_at)
SELECT bulk.id, -1, 'usage', 'seed:' || g, 1000, now() - make_interval(secs => g)
FROM generate_series(1, (:ledger * 9 / 10)::bigint) AS g
JOIN bulk ON bulk.n = 1 + (g % :users);
INSERT INTO credit_ledger (user_id, delta, reason, reference, balance_after, created_at)
SELECT :'heavy', -1, 'usage', 'seed:' || g, 1000, now() - make_interval(secs => g)
FROM generate_series(1, (:ledger / 10)::bigint) AS g;
INSERT INTO articles (user_id, title, slug, content, html_content, status, word_count, created_at)
SELECT :'heavy', 'Article ' || n, 'article-' || n, 'Short body ' || n, '<p>Short body ' || n || '</p>',
       (ARRAY['DRAFT', 'PUBLISHED', 'ARCHIVED'])[1 + n % 3], 3, now() - make_interval(secs => n)
FROM generate_series(1, :articles) AS n;
-- One article each for half the other users (the heavy user's are not the whole table).
INSERT INTO articles (user_id, title, slug, content, html_content, status, word_count, created_at)
SELECT id, 'Article', 'article', 'Short body', '<p>Short body</p>', 'PUBLISHED', 2, created_at
FROM users WHERE email LIKE 'bulk%' ORDER BY created_at DESC LIMIT (:users / 2);
VACUUM ANALYZE;
