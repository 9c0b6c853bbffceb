#!/usr/bin/env bash
# Measures both services (release builds) with wrk on this machine, each figure next to
# the reference it is judged against, measured in the same run (the machine is shared
# and noisy: ratios, not absolute numbers, are the goals of issue #15):
#   framework: a bare Hummingbird 2 server (Tools/BenchReference) answering /users/me
#              with a fixed body: the ceiling for the auth service's GET /users/me, sent
#              the same request as it (bearer header included) and, as before, without
#   auth: GET /users/me (authenticated) and POST /auth/jwt/login (bcrypt cost 10, against
#         what bcrypt allows on this machine's cores)
#   API:  GET /api/v1/me and /api/v1/subscription/usage against the auth service's
#         /users/me, without and with REDIS_URL; SEO analysis (throughput, and CPU per
#         analysis of a 2,000-word article and of the largest article of adversarial
#         text); a research query over the offline provider against a cheap read, with
#         the WAL syncs, commits and statements (round trips) it costs, counted by
#         PostgreSQL (pg_stat_wal, pg_stat_database, pg_stat_statements); the same over
#         an instant fake OpenAI
# and the peak RSS of each server process. The throughput figures and their references
# take turns in one stretch of time (see `rounds`).
# Usage: scripts/bench.sh [duration-seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh

DURATION="${1:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

server_pid=""
api_pid=""
fake_pid=""
reference_pid=""
redis_pid=""
cleanup() {
    status=$?
    if [ "$status" -ne 0 ] && [ -f "$work/api.log" ]; then echo "--- API service log" >&2; tail -20 "$work/api.log" >&2; fi
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
    [ -n "$reference_pid" ] && kill "$reference_pid" 2>/dev/null || true
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
    stop_local_postgres
    rm -rf "$work"
}
work="$(mktemp -d)"
trap cleanup EXIT

# Durable settings (fsync on, as in production): WAL syncs are one of the figures.
start_local_postgres .data/pg-bench "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_utility=on"
RESET=1 create_local_database nova_bench
export DATABASE_URL="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/nova_bench"
sql() { psql -qAt -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres nova_bench -c "$1"; }
sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

swift build -c release --static-swift-stdlib --scratch-path .build-release --product AuthService >/dev/null
swift build -c release --static-swift-stdlib --scratch-path .build-release --product APIService >/dev/null
bin="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)"
swift build -c release --package-path Tools/BenchReference --scratch-path .build-release-reference >/dev/null
reference_bin="$(swift build -c release --package-path Tools/BenchReference --scratch-path .build-release-reference --show-bin-path)"
port="$(free_port)"
# Limits stay on (their cost is measured) but high enough for one benchmark account.
ENV=development LOG_LEVEL=warning PORT="$port" HOST=127.0.0.1 BCRYPT_COST=10 RATE_LIMIT_AUTH_PER_MINUTE=1000000 RATE_LIMIT_LOGIN_PER_MINUTE=1000000 \
    "$bin/AuthService" serve >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fsS "$base/ready" >/dev/null 2>&1 && break; sleep 0.1; done

email="bench-$RANDOM@example.com"
password="benchmark password 1"
curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/auth/register" >/dev/null
token="$(curl -fsS -d "username=$email&password=$password" "$base/auth/jwt/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "username=$email&password=$password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

summary() { # label, wrk output file
    python3 - "$1" "$2" <<'PY'
import re, sys
label, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def latency(p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    if not m: return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{label:<44} {rps:>10.0f} req/s   p50 {latency(50):7.2f} ms   p99 {latency(99):7.2f} ms   non-2xx {errors.group(1) if errors else 0}")
PY
}
# figure NAME WRK-OUTPUT: keeps req/s, p50 and p99 of a run for the ratios at the end.
figure() {
    python3 - "$1" "$2" "$work/figures.json" <<'PY'
import json, os, re, sys
name, path, store = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
def latency(p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
figures = json.load(open(store)) if os.path.exists(store) else {}
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
figures[name] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), "p50": latency(50), "p99": latency(99),
                 "requests": int(re.search(r"(\d+) requests in", text).group(1)), "errors": int(errors.group(1)) if errors else 0}
json.dump(figures, open(store, "w"))
PY
}
# measure NAME LABEL wrk-arguments...: a warm-up, then the measured run.
measure() {
    local name="$1" label="$2"
    shift 2
    wrk -d3s "$@" >/dev/null
    wrk -d"${DURATION}s" --latency "$@" >"$work/$name.txt"
    summary "$label" "$work/$name.txt"
    figure "$name" "$work/$name.txt"
}
# rounds NAME...: the throughput figures. Each NAME is a function `load_NAME` running wrk
# (given -d and --latency) with its label in labels[NAME]. After a warm-up of each, the
# loads take turns, ROUNDS times, DURATION/ROUNDS seconds a turn: a figure and its
# reference are then measured over the same stretch of time, so the drift of a shared
# machine (other tenants, frequency) falls on both alike instead of on whichever ran
# first. A figure is the mean req/s of its turns, with the median turn's p50 and the
# worst turn's p99.
ROUNDS="${ROUNDS:-4}"
declare -A labels
rounds() {
    local slice=$(((DURATION + ROUNDS - 1) / ROUNDS)) name round
    [ "$slice" -lt 2 ] && slice=2
    for name in "$@"; do "load_$name" -d2s >/dev/null; done
    for round in $(seq 1 "$ROUNDS"); do
        for name in "$@"; do "load_$name" -d"${slice}s" --latency >"$work/$name.$round.txt"; done
    done
    for name in "$@"; do
        python3 - "$name" "${labels[$name]}" "$work/figures.json" "$work/$name".*.txt <<'PY'
import json, os, re, statistics, sys
name, label, store, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def latency(text, p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
turns = []
for path in paths:
    text = open(path).read()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    turns.append({"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), "p50": latency(text, 50), "p99": latency(text, 99),
                  "requests": int(re.search(r"(\d+) requests in", text).group(1)), "errors": int(errors.group(1)) if errors else 0})
figure = {"rps": statistics.mean(t["rps"] for t in turns), "p50": statistics.median(t["p50"] for t in turns),
          "p99": max(t["p99"] for t in turns), "requests": sum(t["requests"] for t in turns), "errors": sum(t["errors"] for t in turns),
          "turns": [round(t["rps"]) for t in turns]}
figures = json.load(open(store)) if os.path.exists(store) else {}
figures[name] = figure
json.dump(figures, open(store, "w"))
print(f"{label:<44} {figure['rps']:>10.0f} req/s   p50 {figure['p50']:7.2f} ms   p99 {figure['p99']:7.2f} ms   non-2xx {figure['errors']}"
      f"   (turns: {', '.join(str(t) for t in figure['turns'])})")
PY
    done
}
rss() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); wrk on the same machine; ${DURATION}s per figure in $ROUNDS turns"
reference_port="$(free_port)"
PORT="$reference_port" "$reference_bin/BenchReference" >"$work/reference.log" 2>&1 &
reference_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$reference_port/users/me" >/dev/null 2>&1 && break; sleep 0.1; done
labels[reference]="bare Hummingbird GET /users/me (c=$CONNECTIONS)"
load_reference() { wrk "$@" -t2 -c"$CONNECTIONS" "http://127.0.0.1:$reference_port/users/me"; }
labels[reference_headers]="  the same with the contract's headers (c=$CONNECTIONS)"
load_reference_headers() { wrk "$@" -t2 -c"$CONNECTIONS" "http://127.0.0.1:$reference_port/with-headers/users/me"; }
# The request the auth path gets, bearer header and all: receiving its 200-odd bytes
# (parsing, validating the field) is the framework's work, paid by any server of it.
labels[reference_request]="  bare, sent the auth path's request (c=$CONNECTIONS)"
load_reference_request() { wrk "$@" -t2 -c"$CONNECTIONS" -H "Authorization: Bearer $token" "http://127.0.0.1:$reference_port/users/me"; }
labels[auth_me]="GET /users/me (c=$CONNECTIONS)"
load_auth_me() { wrk "$@" -t2 -c"$CONNECTIONS" -H "Authorization: Bearer $token" "$base/users/me"; }

# One login at a time gives the cost of one bcrypt verification plus overhead; the
# machine's cores bound the throughput at cores / that time.
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/login.lua" "$base/auth/jwt/login" >"$work/login1.txt"
summary "POST /auth/jwt/login (c=1)" "$work/login1.txt"
wrk -t2 -c16 -d"${DURATION}s" --latency -s "$work/login.lua" "$base/auth/jwt/login" >"$work/login16.txt"
summary "POST /auth/jwt/login (c=16)" "$work/login16.txt"
python3 - "$work/login1.txt" "$work/login16.txt" "$(nproc)" <<'PY'
import re, sys
def rps(path): return float(re.search(r"Requests/sec:\s+([\d.]+)", open(path).read()).group(1))
single, loaded, cores = rps(sys.argv[1]), rps(sys.argv[2]), int(sys.argv[3])
bound = single * cores
print(f"login throughput: {loaded:.1f}/s of a bcrypt bound of {bound:.1f}/s ({cores} cores x {single:.1f}/s) = {100*loaded/bound:.0f} %")
PY
auth_rss="$(rss "$server_pid")"
echo "peak RSS of the auth service: $auth_rss MiB"

# The API service, with the token the auth service issued (shared SECRET). Its limit of
# 120 requests/min per user stays on, raised above the benchmark's load. No AI key: the
# offline provider answers generations, so what they cost is ours alone.
start_api() { # extra environment assignments
    api_port="$(free_port)"
    env ENV=development LOG_LEVEL=warning PORT="$api_port" HOST=127.0.0.1 RATE_LIMIT_API_PER_MINUTE=1000000 \
        RATE_LIMIT_GENERATION_PER_MINUTE=1000000 MEDIA_STORAGE_PATH="$work/media" "$@" "$bin/APIService" serve >"$work/api.log" 2>&1 &
    api_pid=$!
    api="http://127.0.0.1:$api_port"
    for _ in $(seq 1 100); do curl -fsS "$api/ready" >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_api() {
    kill -TERM "$api_pid" && wait "$api_pid" 2>/dev/null || true
    api_pid=""
}
start_api
# The benchmark account: ENTERPRISE (no research quota) and credits for every request.
user_id="$(curl -fsS -H "Authorization: Bearer $token" "$base/users/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
sql "
    INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
    VALUES ('$user_id', 'ENTERPRISE', 'ACTIVE', now(), now() + interval '1 month')
    ON CONFLICT (user_id) DO UPDATE SET plan = 'ENTERPRISE';
    INSERT INTO credit_balances (user_id, balance) VALUES ('$user_id', 100000000)
    ON CONFLICT (user_id) DO UPDATE SET balance = credit_balances.balance + 100000000;" >/dev/null
curl -fsS -H "Authorization: Bearer $token" "$api/api/v1/me" >/dev/null
labels[api_me]="GET /api/v1/me (c=$CONNECTIONS)"
load_api_me() { wrk "$@" -t2 -c"$CONNECTIONS" -H "Authorization: Bearer $token" "$api/api/v1/me"; }
labels[api_usage]="GET /api/v1/subscription/usage (c=$CONNECTIONS)"
load_api_usage() { wrk "$@" -t2 -c"$CONNECTIONS" -H "Authorization: Bearer $token" "$api/api/v1/subscription/usage"; }
# The framework's ceiling, the auth service and the API's reads, taking turns.
rounds reference reference_headers reference_request auth_me api_me api_usage
kill "$reference_pid" && wait "$reference_pid" 2>/dev/null || true
reference_pid=""
api_rss="$(rss "$api_pid")"
echo "peak RSS of the API service: $api_rss MiB"

# SEO analysis of a 2,000-word article (free, CPU only).
python3 - "$work/seo.lua" <<'PY'
import json, sys
sentence = "Coffee brewing at home is simple when you grind fresh beans and heat the water well. "
paragraphs = ["<p>" + sentence * 5 + "</p>" for _ in range(27)]
html = "<h1>Coffee brewing</h1>" + "".join(("<h2>Step %d</h2>" % i) + p for i, p in enumerate(paragraphs))
body = json.dumps({"content": html, "keywords": ["coffee brewing"], "title": "Coffee brewing at home"})
open(sys.argv[1], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body))
PY
wrk -t2 -c"$CONNECTIONS" -d3s -s "$work/seo.lua" -H "Authorization: Bearer $token" "$api/api/v1/seo/analyze" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/seo.lua" -H "Authorization: Bearer $token" "$api/api/v1/seo/analyze" >"$work/seo.txt"
summary "POST /seo/analyze 2,000 words (c=$CONNECTIONS)" "$work/seo.txt"

# CPU per analysis: the API process's CPU time (utime + stime) over a run, divided by
# the requests it answered (HTTP and JSON included, so an upper bound on the analyzer).
cpu_ms() { python3 -c 'import os,sys; f=open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")",1)[1].split(); print((int(f[11])+int(f[12]))*1000/os.sysconf("SC_CLK_TCK"))' "$1"; }
before="$(cpu_ms "$api_pid")"
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/seo.lua" -H "Authorization: Bearer $token" "$api/api/v1/seo/analyze" >"$work/seo1.txt"
after="$(cpu_ms "$api_pid")"
python3 - "$work/seo1.txt" "$before" "$after" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
requests = int(re.search(r"(\d+) requests in", text).group(1))
print(f"SEO analysis, 2,000 words: {(float(sys.argv[3]) - float(sys.argv[2])) / requests:.2f} ms of CPU per request (goal < 1 ms; {requests} requests at c=1)")
PY
# The largest article (500,000 characters) of adversarial text (what took minutes before
# the analyzer was made linear).
for kind in "Dr. " "<!--"; do
    python3 - "$work/hostile.json" "$kind" <<'PY'
import json, sys
piece = sys.argv[2]
open(sys.argv[1], "w").write(json.dumps({"content": "<p>" + piece * (499_000 // len(piece))}))
PY
    before="$(cpu_ms "$api_pid")"
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary @"$work/hostile.json" "$api/api/v1/seo/analyze"
    done
    after="$(cpu_ms "$api_pid")"
    python3 -c 'import sys; print(f"SEO analysis, 500,000 characters of \"{sys.argv[3]}\" repeated: {(float(sys.argv[2]) - float(sys.argv[1])) / 10:.1f} ms of CPU per request (goal < 100 ms)")' "$before" "$after" "$kind"
done

# Generation: research queries (each a new question, so no cache hit), one at a time,
# against a cheap authenticated read at c=1 in the same run; PostgreSQL counts what each
# costs (WAL syncs, commits, statements: each statement is one round trip).
cat >"$work/gen.lua" <<'LUA'
counter = 0
request = function()
    counter = counter + 1
    -- wrk.format's header table replaces wrk.headers (which hold the -H token): copy them.
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Content-Type"] = "application/json"
    local body = '{"query":"benchmark question ' .. counter .. ' ' .. math.random(1, 1000000000) .. '"}'
    return wrk.format("POST", nil, headers, body)
end
LUA
counters() {
    sql "SELECT (SELECT wal_sync FROM pg_stat_wal), (SELECT xact_commit FROM pg_stat_database WHERE datname = 'nova_bench'),
                (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                 WHERE d.datname = 'nova_bench' AND s.query NOT LIKE '%pg_stat%')" | tr '|' ' '
}
generation() { # name label
    # One request by hand first: a failing setup must not be measured as a fast one.
    curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"query":"benchmark warm-up question"}' \
        "$api/api/v1/research/query" >/dev/null
    measure "read_$1" "GET /api/v1/me (c=1)" -t1 -c1 -H "Authorization: Bearer $token" "$api/api/v1/me"
    local before after
    before="$(counters)"
    wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/gen.lua" -H "Authorization: Bearer $token" "$api/api/v1/research/query" >"$work/$1.txt"
    after="$(counters)"
    summary "$2" "$work/$1.txt"
    figure "$1" "$work/$1.txt"
    python3 - "$work/figures.json" "$1" "$before" "$after" <<'PY'
import json, sys
store, name = sys.argv[1], sys.argv[2]
before, after = [list(map(int, v.split())) for v in sys.argv[3:5]]
figures = json.load(open(store))
n = figures[name]["requests"]
figures[name].update(wal_syncs=(after[0] - before[0]) / n, commits=(after[1] - before[1]) / n, statements=(after[2] - before[2]) / n)
json.dump(figures, open(store, "w"))
f = figures[name]
print(f"  per query: {f['wal_syncs']:.2f} WAL syncs, {f['commits']:.2f} commits, {f['statements']:.1f} statements ({n} queries)")
PY
}
generation gen_offline "POST /research/query, offline (c=1)"
echo "peak RSS of the API service after all runs: $(rss "$api_pid") MiB"
api_rss="$(rss "$api_pid")"
stop_api

# The same with REDIS_URL: the limiter's counters (and shared caches) on Redis.
redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
start_api REDIS_URL="redis://127.0.0.1:$redis_port"
labels[auth_me_redis]="GET /users/me, beside the Redis runs (c=$CONNECTIONS)"
load_auth_me_redis() { load_auth_me "$@"; }
labels[redis_me]="GET /api/v1/me, REDIS_URL set (c=$CONNECTIONS)"
load_redis_me() { load_api_me "$@"; }
labels[redis_usage]="GET /api/v1/subscription/usage, REDIS_URL set (c=$CONNECTIONS)"
load_redis_usage() { load_api_usage "$@"; }
# Against the auth service again, measured in turns with these runs.
rounds auth_me_redis redis_me redis_usage
redis_rss="$(rss "$api_pid")"
stop_api

# Over an instant fake OpenAI: the provider layer's HTTP round trip included.
fake_port="$(free_port)"
python3 scripts/lib/fake_openai.py "$fake_port" 2>/dev/null &
fake_pid=$!
for _ in $(seq 1 100); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$fake_port" 2>/dev/null && break; sleep 0.1; done
start_api OPENAI_API_KEY=bench OPENAI_BASE_URL="http://127.0.0.1:$fake_port/v1"
cat >"$work/fake.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"hi"}]}'
LUA
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/fake.lua" "http://127.0.0.1:$fake_port/v1/chat/completions" >"$work/fake.txt"
summary "fake provider alone (c=1)" "$work/fake.txt"
figure fake "$work/fake.txt"
generation gen_fake "POST /research/query via fake (c=1)"

# The goals of issue #15, each figure next to its reference from this run.
python3 - "$work/figures.json" "$auth_rss" "$api_rss" "$redis_rss" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
auth_rss, api_rss, redis_rss = map(float, sys.argv[2:5])
rows = []
def row(what, value, reference, goal, ok):
    rows.append((what, value, reference, goal, "yes" if ok else "NO"))
row("auth /users/me vs bare, same request", f"{f['auth_me']['rps']:.0f}/s ({100 * f['auth_me']['rps'] / f['reference_request']['rps']:.0f} %)",
    f"{f['reference_request']['rps']:.0f}/s", ">= 90 %", f["auth_me"]["rps"] >= 0.9 * f["reference_request"]["rps"])
row("  auth /users/me vs bare, no bearer header", f"{f['auth_me']['rps']:.0f}/s ({100 * f['auth_me']['rps'] / f['reference']['rps']:.0f} %)",
    f"{f['reference']['rps']:.0f}/s", "(the old reference)", True)
row("  bare, with the contract's headers, vs bare", f"{f['reference_headers']['rps']:.0f}/s ({100 * f['reference_headers']['rps'] / f['reference']['rps']:.0f} %)",
    f"{f['reference']['rps']:.0f}/s", "(what the headers cost)", True)
row("  bare, sent the bearer header, vs bare", f"{f['reference_request']['rps']:.0f}/s ({100 * f['reference_request']['rps'] / f['reference']['rps']:.0f} %)",
    f"{f['reference']['rps']:.0f}/s", "(what receiving it costs)", True)
for key, label, reference in [("api_me", "API /me", "auth_me"), ("api_usage", "API /subscription/usage", "auth_me"),
                              ("redis_me", "API /me, Redis", "auth_me_redis"),
                              ("redis_usage", "API /subscription/usage, Redis", "auth_me_redis")]:
    ref = f[reference]["rps"]
    errors = f[key]["errors"]
    row(f"{label} vs auth /users/me", f"{f[key]['rps']:.0f}/s ({100 * f[key]['rps'] / ref:.0f} %)" + (f", {errors} non-2xx" if errors else ""),
        f"{ref:.0f}/s", ">= 80 %, all 2xx", f[key]["rps"] >= 0.8 * ref and errors == 0)
    row(f"{label} p99", f"{f[key]['p99']:.2f} ms", "", "< 10 ms", f[key]["p99"] < 10)
g, read = f["gen_offline"], f["read_gen_offline"]
row("generation overhead (offline, p50)", f"{g['p50'] - read['p50']:.2f} ms", f"read p50 {read['p50']:.2f} ms", "<= 5 ms",
    g["p50"] - read["p50"] <= 5)
row("WAL syncs per generation", f"{g['wal_syncs']:.2f}", "", "<= 1.2", g["wal_syncs"] <= 1.2)
# (The counts include the background pollers' few statements over the run: to a tenth.)
row("statements per generation", f"{g['statements']:.1f}", f"{g['commits']:.1f} commits", "<= 6", round(g["statements"], 1) <= 6)
gf, fake = f["gen_fake"], f["fake"]
row("generation overhead (fake OpenAI, p50)", f"{gf['p50'] - fake['p50']:.2f} ms", f"fake alone {fake['p50']:.2f} ms", "", True)
for label, value in [("auth", auth_rss), ("API", api_rss), ("API, Redis", redis_rss)]:
    row(f"peak RSS, {label}", f"{value:.1f} MiB", "", "< 60 MiB", value < 60)
header = ("figure", "value", "reference (same run)", "goal", "met")
widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(5)]
line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
print()
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows: print(line(r))
PY
