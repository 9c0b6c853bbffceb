#!/usr/bin/env bash
# Cost flat in table size (issue #15): every list, search and admin report of the API
# service, at p50 over HTTP (release build, wrk -c1 on this machine), on a database seeded
# at two sizes, printed side by side:
#   small: 10,000 users, 100,000 ledger rows, 1,000 articles of one user (and 5,000 of others)
#   large: 1,000,000 users, 10,000,000 ledger rows, 100,000 articles of one user (and 500,000 of others)
# (scripts/lib/seed-scale.sql; a tenth of the ledger and all those articles belong to one
# heavy user, who is also the admin measuring). The goal: every figure under 50 ms at the
# large size, and about what it is at the small one. Seeding the large size takes about
# five minutes here.
# Usage: scripts/bench-scale.sh [seconds-per-endpoint]   (SIZES="small" for a quick run)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh

DURATION="${1:-3}"
SIZES="${SIZES:-small large}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

auth_pid=""
api_pid=""
cleanup() {
    [ -n "$auth_pid" ] && kill -TERM "$auth_pid" 2>/dev/null && wait "$auth_pid" 2>/dev/null || true
    [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
    stop_local_postgres
    rm -rf "$work"
}
work="$(mktemp -d)"
trap cleanup EXIT

# Reads only: durability settings do not change them, and seeding is faster without.
start_local_postgres .data/pg-scale "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB"
swift build -c release --static-swift-stdlib --scratch-path .build-release --product AuthService >/dev/null
swift build -c release --static-swift-stdlib --scratch-path .build-release --product APIService >/dev/null
bin="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)"

wait_ready() { for _ in $(seq 1 200); do curl -fsS "$1/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# p50 of one endpoint at c=1, in ms (a warm-up run first); "!" marks non-2xx answers.
p50() {
    wrk -t1 -c1 -d1s -H "Authorization: Bearer $token" "$1" >/dev/null
    wrk -t1 -c1 -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$1" >"$work/run.txt"
    python3 - "$work/run.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)", text, re.M)
value, unit = float(m.group(1)), m.group(2)
ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{ms:.2f}" + ("!" if errors else ""))
PY
}

declare -A users_at=([small]=10000 [large]=1000000)
declare -A ledger_at=([small]=100000 [large]=10000000)
declare -A articles_at=([small]=1000 [large]=100000)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -c1 on the same machine; ${DURATION}s per endpoint"
for size in $SIZES; do
    RESET=1 create_local_database "nova_scale_$size"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/nova_scale_$size"
    sql() { psql -qAt -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres "nova_scale_$size" "$@"; }
    "$bin/APIService" migrate >/dev/null
    password="benchmark password 1"
    ENV=development LOG_LEVEL=error BCRYPT_COST=4 "$bin/AuthService" create-admin --email heavy@example.com --password "$password" >/dev/null
    heavy="$(sql -c "SELECT id FROM users WHERE email = 'heavy@example.com'")"
    started=$SECONDS
    sql -v users="${users_at[$size]}" -v ledger="${ledger_at[$size]}" -v articles="${articles_at[$size]}" -v heavy="$heavy" \
        -f scripts/lib/seed-scale.sql >/dev/null
    echo "$size: seeded ${users_at[$size]} users, ${ledger_at[$size]} ledger rows, ${articles_at[$size]} articles in $((SECONDS - started)) s"

    auth_port="$(free_port)"
    ENV=development LOG_LEVEL=error PORT="$auth_port" HOST=127.0.0.1 RATE_LIMIT_LOGIN_PER_MINUTE=1000000 "$bin/AuthService" serve \
        >"$work/auth.log" 2>&1 &
    auth_pid=$!
    wait_ready "http://127.0.0.1:$auth_port"
    token="$(curl -fsS -d "username=heavy@example.com&password=$password" "http://127.0.0.1:$auth_port/auth/jwt/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
    kill -TERM "$auth_pid" && wait "$auth_pid" 2>/dev/null || true
    auth_pid=""
    api_port="$(free_port)"
    ENV=development LOG_LEVEL=error PORT="$api_port" HOST=127.0.0.1 RATE_LIMIT_API_PER_MINUTE=1000000 MEDIA_STORAGE_PATH="$work/media" \
        "$bin/APIService" serve >"$work/api.log" 2>&1 &
    api_pid=$!
    api="http://127.0.0.1:$api_port/api/v1"
    wait_ready "http://127.0.0.1:$api_port"

    # Positions deep in each list (what a client following nextCursor reaches).
    deep_users=$((${users_at[$size]} * 4 / 5))
    user_cursor="$(sql -c "SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '_' || id FROM users
                           ORDER BY created_at DESC, id OFFSET $deep_users LIMIT 1")"
    ledger_cursor="$(sql -c "SELECT id FROM credit_ledger WHERE user_id = '$heavy' ORDER BY id DESC OFFSET $((${ledger_at[$size]} / 20)) LIMIT 1")"
    article_cursor="$(sql -c "SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '_' || id FROM articles WHERE user_id = '$heavy'
                              ORDER BY created_at DESC, id OFFSET $((${articles_at[$size]} * 4 / 5)) LIMIT 1")"
    search="bulk$((${users_at[$size]} / 10 - 1))"
    endpoints=(
        "GET /me (reference)|$api/me"
        "GET /admin/users?page=1|$api/admin/users?page=1"
        "GET /admin/users, 80 % deep by cursor|$api/admin/users?cursor=$user_cursor"
        "GET /admin/users, 80 % deep by page|$api/admin/users?page=$((deep_users / 20))"
        "GET /admin/users?search=<one user>|$api/admin/users?search=$search"
        "GET /admin/users?search=<many users>|$api/admin/users?search=user%209"
        "GET /admin/subscriptions|$api/admin/subscriptions"
        "GET /stats/plans|$api/stats/plans"
        "GET /admin/quota|$api/admin/quota"
        "GET /admin/payments|$api/admin/payments"
        "GET /admin/audit-log|$api/admin/audit-log"
        "GET /admin/generation-failures|$api/admin/generation-failures"
        "GET /stats/usage|$api/stats/usage"
        "GET /stats/failures|$api/stats/failures"
        "GET /credits/history (heavy user)|$api/credits/history"
        "GET /credits/history, 5 % deep by cursor|$api/credits/history?cursor=$ledger_cursor"
        "GET /articles (heavy user)|$api/articles"
        "GET /articles?status=published|$api/articles?status=published"
        "GET /articles, 80 % deep by cursor|$api/articles?cursor=$article_cursor"
        "GET /stats (heavy user)|$api/stats"
        "GET /subscription/usage|$api/subscription/usage"
        "GET /credits|$api/credits"
    )
    for entry in "${endpoints[@]}"; do
        echo "${entry%%|*}|$(p50 "${entry#*|}")" >>"$work/$size.txt"
    done
    kill -TERM "$api_pid" && wait "$api_pid" 2>/dev/null || true
    api_pid=""
    sql -c "SELECT 'rows: ' || (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM credit_ledger) || ' ledger, '
                   || (SELECT count(*) FROM articles) || ' articles'"
done

# The table: p50 in ms at each size (! = some answers were not 2xx).
python3 - "$work" $SIZES <<'PY'
import os, sys
work, sizes = sys.argv[1], sys.argv[2:]
columns = {size: dict(line.rstrip("\n").split("|", 1) for line in open(os.path.join(work, size + ".txt"))) for size in sizes}
names = [line.split("|", 1)[0] for line in open(os.path.join(work, sizes[0] + ".txt"))]
header = ["endpoint (p50, ms)"] + sizes + (["under 50 ms"] if "large" in sizes else [])
rows = []
for name in names:
    row = [name] + [columns[size].get(name, "") for size in sizes]
    if "large" in sizes:
        value = columns["large"].get(name, "")
        row.append("yes" if value and not value.endswith("!") and float(value) < 50 else "NO")
    rows.append(row)
widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
print()
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows: print(line(r))
PY
