#!/usr/bin/env bash
# Measures both services (release builds) with wrk on this machine:
#   auth: GET /users/me (authenticated, through PostgreSQL) and POST /auth/jwt/login
#         (bcrypt cost 10, against what bcrypt allows on this machine's cores)
#   API:  GET /api/v1/subscription/usage and GET /api/v1/me (authenticated, through
#         PostgreSQL and the subscription cache); SEO analysis (throughput, and CPU per
#         analysis of a 2,000-word article and of 1 MB of adversarial text); the
#         generation path's overhead over an instant fake provider
# and reports requests/s, p50, p99 and the peak RSS of each server process.
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
cleanup() {
    status=$?
    if [ "$status" -ne 0 ] && [ -f "$work/api.log" ]; then echo "--- API service log" >&2; tail -20 "$work/api.log" >&2; fi
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
    stop_local_postgres
    rm -rf "$work"
}
work="$(mktemp -d)"
trap cleanup EXIT

start_local_postgres .data/pg-bench
RESET=1 create_local_database nova_bench
export DATABASE_URL="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/nova_bench"

swift build -c release --static-swift-stdlib --scratch-path .build-release --product AuthService >/dev/null
swift build -c release --static-swift-stdlib --scratch-path .build-release --product APIService >/dev/null
bin="$(swift build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path)"
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
print(f"{label:<34} {rps:>10.0f} req/s   p50 {latency(50):7.2f} ms   p99 {latency(99):7.2f} ms   non-2xx {errors.group(1) if errors else 0}")
PY
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); wrk on the same machine; ${DURATION}s per run"
wrk -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $token" "$base/users/me" >/dev/null   # warm-up
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$base/users/me" >"$work/me.txt"
summary "GET /users/me (c=$CONNECTIONS)" "$work/me.txt"

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
echo "peak RSS of the auth service: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server_pid/status)"

# The API service, with the token the auth service issued (shared SECRET). Its limit of
# 120 requests/min per user stays on, raised above the benchmark's load.
# A fake OpenAI that answers at once: what remains of a generation's latency is ours.
fake_port="$(free_port)"
python3 scripts/lib/fake_openai.py "$fake_port" &
fake_pid=$!
api_port="$(free_port)"
ENV=development LOG_LEVEL=warning PORT="$api_port" HOST=127.0.0.1 RATE_LIMIT_API_PER_MINUTE=1000000 \
    OPENAI_API_KEY=bench OPENAI_BASE_URL="http://127.0.0.1:$fake_port/v1" MEDIA_STORAGE_PATH="$work/media" \
    "$bin/APIService" serve >"$work/api.log" 2>&1 &
api_pid=$!
api="http://127.0.0.1:$api_port"
for _ in $(seq 1 100); do curl -fsS "$api/ready" >/dev/null 2>&1 && break; sleep 0.1; done
# The benchmark account: ENTERPRISE (no research quota) and credits for every request,
# written before the API service caches its subscription.
user_id="$(curl -fsS -H "Authorization: Bearer $token" "$base/users/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
psql -q -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres nova_bench -c "
    INSERT INTO subscriptions (user_id, plan, status, current_period_start, current_period_end)
    VALUES ('$user_id', 'ENTERPRISE', 'ACTIVE', now(), now() + interval '1 month')
    ON CONFLICT (user_id) DO UPDATE SET plan = 'ENTERPRISE';
    INSERT INTO credit_balances (user_id, balance) VALUES ('$user_id', 100000000)
    ON CONFLICT (user_id) DO UPDATE SET balance = credit_balances.balance + 100000000;" >/dev/null
curl -fsS -H "Authorization: Bearer $token" "$api/api/v1/me" >/dev/null
for path in /api/v1/subscription/usage /api/v1/me; do
    wrk -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $token" "$api$path" >/dev/null   # warm-up
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$api$path" >"$work/api.txt"
    summary "GET $path (c=$CONNECTIONS)" "$work/api.txt"
done
echo "peak RSS of the API service: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$api_pid/status)"

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
# 1 MB of adversarial text (what took minutes before the analyzer was made linear).
for kind in "Dr. " "<!--"; do
    python3 - "$work/hostile.json" "$kind" <<'PY'
import json, sys
piece = sys.argv[2]
open(sys.argv[1], "w").write(json.dumps({"content": "<p>" + piece * (1_000_000 // len(piece) - 8)}))
PY
    before="$(cpu_ms "$api_pid")"
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary @"$work/hostile.json" "$api/api/v1/seo/analyze"
    done
    after="$(cpu_ms "$api_pid")"
    python3 -c 'import sys; print(f"SEO analysis, 1 MB of \"{sys.argv[3]}\" repeated: {(float(sys.argv[2]) - float(sys.argv[1])) / 10:.1f} ms of CPU per request (goal < 100 ms)")' "$before" "$after" "$kind"
done

# Generation overhead: research queries (each a new question, so no cache hit) answered
# by the instant fake, against the fake alone; both one request at a time.
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
cat >"$work/fake.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"hi"}]}'
LUA
# One request by hand first: a failing setup must not be measured as a fast one.
curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"query":"benchmark warm-up question"}' "$api/api/v1/research/query" >/dev/null
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/fake.lua" "http://127.0.0.1:$fake_port/v1/chat/completions" >"$work/fake.txt"
summary "fake provider alone (c=1)" "$work/fake.txt"
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/gen.lua" -H "Authorization: Bearer $token" "$api/api/v1/research/query" >"$work/gen.txt"
summary "POST /research/query via fake (c=1)" "$work/gen.txt"
python3 - "$work/fake.txt" "$work/gen.txt" <<'PY'
import re, sys
def p50(path):
    m = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)", open(path).read(), re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
print(f"generation path overhead (p50, c=1): {p50(sys.argv[2]) - p50(sys.argv[1]):.2f} ms per request "
      "(reserve + provider routing + usage row + settle + history)")
PY
echo "peak RSS of the API service after all runs: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$api_pid/status)"
