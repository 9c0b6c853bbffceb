#!/usr/bin/env bash
# API contract check (issue #14): starts PostgreSQL and both built services on free loopback
# ports, downloads each service's /openapi.json, validates it with openapi-spec-validator,
# then runs schemathesis against each running service with every check (`--checks all`) as
# a real, verified superuser, and compares the failures with
# openapi/schemathesis-allowlist.txt (schemathesis' settings: openapi/schemathesis.toml).
# Exits non-zero on a document that does not validate,
# on a schemathesis error, or on any failure the allow-list does not name. Builds nothing;
# stops everything it started when it exits.
#
#   scripts/check-openapi.sh [BIN_DIR]
#
# BIN_DIR (or NOVA_BIN_DIR) holds the AuthService and APIService executables; default:
# `swift build --show-bin-path` (the debug build). Optional settings:
#   OPENAPI_MAX_EXAMPLES   test cases per operation in each phase (default 10)
#   OPENAPI_PHASES         schemathesis phases (default examples,coverage,fuzzing,stateful)
#   OPENAPI_SEED           schemathesis' seed (default 14, so that runs repeat; "random"
#                          for a new one, printed)
#   OPENAPI_WORKERS        schemathesis workers (default 1: with more, Debian 12's Python
#                          3.11.2 can fail inside schemathesis with "AST constructor
#                          recursion depth mismatch", a CPython bug in threads)
#   OPENAPI_SERVICES       services to run schemathesis against: "auth api" (default), "auth", "api"
#   OPENAPI_TIMEOUT        seconds after which a schemathesis run counts as hung and is
#                          stopped, per service (default 600; the examples bound a run)
#   OPENAPI_SKIP_FUZZ=1    download and validate the documents only
#   OPENAPI_OUT            output folder (default .data/openapi): auth.json and api.json (the
#                          documents; scripts/check-openapi-client.sh reads api.json), the
#                          services' logs, and per service <service>/output-*.txt
#                          (schemathesis' own reports), events-*.ndjson, failures.txt (every
#                          failure, in the allow-list's format)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/lib/install.sh
source scripts/lib/postgres.sh

bin_dir="${1:-${NOVA_BIN_DIR:-}}"
[ -n "$bin_dir" ] || bin_dir="$(swift build --show-bin-path)"
for executable in AuthService APIService; do
    [ -x "$bin_dir/$executable" ] || { echo "error: $bin_dir/$executable is not built (swift build)" >&2; exit 2; }
done
max_examples="${OPENAPI_MAX_EXAMPLES:-10}"
phases="${OPENAPI_PHASES:-examples,coverage,fuzzing,stateful}"
# A fixed seed by default: the same document gets the same test cases, so a failure in CI
# is one a developer can repeat; OPENAPI_SEED=random explores new ones.
seed="${OPENAPI_SEED:-14}"
if [ "$seed" = random ]; then seed="$RANDOM$RANDOM"; fi
workers="${OPENAPI_WORKERS:-1}"
services_to_fuzz="${OPENAPI_SERVICES:-auth api}"
run_timeout="${OPENAPI_TIMEOUT:-600}"
out="${OPENAPI_OUT:-.data/openapi}"
allowlist="$root/openapi/schemathesis-allowlist.txt"
[ -f "$allowlist" ] || { echo "error: $allowlist is missing" >&2; exit 2; }

ensure_python_tools "${NOVA_CONTRACT_TOOLS[@]}"
venv_bin="$root/.data/venv/bin"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -rf "$out/auth.json" "$out/api.json" "$out/media"  # nothing of an earlier run
pids=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    stop_local_postgres
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== API contract: PostgreSQL and both services ($bin_dir)"
start_local_postgres .data/pg-openapi "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
# A new database each run (the cluster under .data/pg-openapi is kept between runs).
for statement in 'DROP DATABASE IF EXISTS nova_openapi WITH (FORCE)' 'CREATE DATABASE nova_openapi'; do
    PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres -d postgres -c "$statement"
done
api_port="$(free_port)"
auth_port="$(free_port)"
while [ "$auth_port" = "$api_port" ]; do auth_port="$(free_port)"; done
# As the live tests run them (Tests/AuthServiceTests/LiveSystem.swift): a test secret, no
# rate limits, no mail server (mail is only logged, into email_outbox). No AI provider key:
# every generation is answered by the offline provider, and the providers' endpoints point
# at a closed loopback port in case a user's own (fuzzed) key is tried. Stripe is
# configured against the same closed port, so its webhook checks signatures (locally) and
# checkout fails as it does when Stripe is unreachable; PayPal stays off (its webhook
# verification is a call to PayPal).
closed="http://127.0.0.1:9"
common_env=(
    ENV=test DATABASE_URL="postgres://postgres@127.0.0.1:$LOCAL_PG_PORT/nova_openapi"
    SECRET="openapi-contract-check-secret-0123456789abcdef" HOST=127.0.0.1 LOG_LEVEL=warning DATABASE_POOL_SIZE=4
    RATE_LIMIT_ENABLED=false JWT_ACCESS_TOKEN_EXPIRE_MINUTES=120 FRONTEND_URL=http://localhost:3000 EMAILS_ENABLED=false
    BCRYPT_COST=4 DEFAULT_AI_PROVIDER=offline AI_FALLBACK_ORDER=offline AI_MAX_RETRIES=0 AI_TIMEOUT_SECONDS=1
    GEMINI_BASE_URL="$closed" OPENAI_BASE_URL="$closed" ANTHROPIC_BASE_URL="$closed" GROQ_BASE_URL="$closed"
    STRIPE_SECRET_KEY=sk_test_contract_check STRIPE_WEBHOOK_SECRET=whsec_contract_check STRIPE_API_BASE="$closed"
    MEDIA_STORAGE=disk MEDIA_STORAGE_PATH="$out/media"
)
# The schema once, before both start (each would also apply it under an advisory lock).
env "${common_env[@]}" "$bin_dir/APIService" migrate >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }
env "${common_env[@]}" AUTO_MIGRATE=false PORT="$api_port" "$bin_dir/APIService" serve >"$out/api.log" 2>&1 &
pids+=($!)
env "${common_env[@]}" AUTO_MIGRATE=false PORT="$auth_port" API_UPSTREAM_URL="http://127.0.0.1:$api_port" \
    "$bin_dir/AuthService" serve >"$out/auth.log" 2>&1 &
pids+=($!)

wait_ready() {
    local name="$1" port="$2" pid="$3"
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "error: the $name service did not become ready on port $port; the end of its log ($out/$name.log):" >&2
    tail -n 30 "$out/$name.log" >&2 || true
    return 1
}
wait_ready api "$api_port" "${pids[0]}"
wait_ready auth "$auth_port" "${pids[1]}"
declare -A base_url=([auth]="http://127.0.0.1:$auth_port" [api]="http://127.0.0.1:$api_port")

status=0
echo "== API contract: openapi-spec-validator $("$venv_bin/python" -m pip show openapi-spec-validator | sed -n 's/^Version: //p')"
for service in auth api; do
    curl -fsS "${base_url[$service]}/openapi.json" -o "$out/$service.json"
    if "$venv_bin/openapi-spec-validator" "$out/$service.json" >"$out/$service.validator.txt" 2>&1; then
        echo "$service: $(tail -n 1 "$out/$service.validator.txt" | sed "s|^$out/||")"
    else
        echo "$service: INVALID:"
        sed 's/^/    /' "$out/$service.validator.txt" | head -n 40
        status=1
    fi
done
if [ "${OPENAPI_SKIP_FUZZ:-0}" = 1 ]; then
    [ "$status" = 0 ] || echo "error: an OpenAPI document does not validate (documents in $out)" >&2
    exit "$status"
fi

# A bearer token of a new user, made through the fastapi-users endpoints: register, promote
# to a verified superuser (`AuthService create-admin`, so the admin routes are exercised
# too), log in. One user per service: a superuser fuzzing /users/{id} may well deactivate or
# delete itself.
new_user_token() {
    local email="openapi-$1-$RANDOM$RANDOM@example.com" password="contract check password 1"
    curl -fsS -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" "${base_url[auth]}/auth/register"
    env "${common_env[@]}" "$bin_dir/AuthService" create-admin --email "$email" --password "$password" >>"$out/auth.log" 2>&1
    curl -fsS --data-urlencode "username=$email" --data-urlencode "password=$password" "${base_url[auth]}/auth/jwt/login" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

echo "== API contract: schemathesis $("$venv_bin/schemathesis" --version | awk '{print $NF}')" \
    "(--checks all, $max_examples examples per operation and phase, phases $phases, seed $seed)"
# Passes per service. Operations under a `servers` of their own (the API's /health, /ready,
# /metrics and /openapi.json are at /, the rest under /api/v1) get a pass with that base:
# schemathesis puts the document's top-level base path before every operation. Operations
# whose effects would change what later ones answer run last, in a pass of their own: a
# fuzzed provider key in the user's settings sends the user's generations to a provider
# (unreachable here) instead of the offline one, and the admin's AI settings reroute
# everyone's.
declare -A last_paths=([api]='/settings(/|$)')
run_schemathesis() {
    local service="$1" pass="$2"
    shift 2
    local run_status=0 started=$SECONDS
    # No --max-time: with it schemathesis repeats fuzzing until the time is spent. The
    # number of examples bounds a run; `timeout` only stops one that hangs. schemathesis
    # exits 1 when it found failures: the allow-list decides afterwards. It runs in $report,
    # where it keeps its .schemathesis folder. No U+0000 in generated strings: PostgreSQL
    # text cannot hold it, so the API refuses it anywhere (400), a rule JSON Schema cannot
    # state for free-form objects (the services' own tests cover it).
    (cd "$report" && timeout --signal=INT --kill-after=30 "$run_timeout" "$venv_bin/schemathesis" \
        --config-file "$root/openapi/schemathesis.toml" run "$out/$service.json" \
        --checks all --max-examples "$max_examples" --phases "$phases" --seed "$seed" \
        --workers "$workers" --header "Authorization: Bearer $token" --request-timeout 30 --continue-on-failure \
        --generation-database none --generation-allow-x00 false --no-color --warnings off "$@" \
        --report ndjson --report-ndjson-path "$report/events-$pass.ndjson" >"$report/output-$pass.txt" 2>&1) || run_status=$?
    echo "$service: schemathesis ($pass) ran $((SECONDS - started)) s (its report: ${report#"$root/"}/output-$pass.txt)"
    if [ "$run_status" = 124 ] || [ "$run_status" = 137 ]; then
        echo "  ERROR: stopped after OPENAPI_TIMEOUT=$run_timeout s; below are the failures found until then"
        return 1
    fi
}
# The API user gets the top plan and plenty of credits first, so that generations run
# instead of answering 403 QUOTA_EXCEEDED / 402 INSUFFICIENT_CREDITS (best effort: a
# failure is only noted).
prepare_api_user() {
    local token="$1" id
    id="$(curl -fsS -H "Authorization: Bearer $token" "${base_url[auth]}/users/me" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
    curl -fsS -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d '{"plan":"ENTERPRISE"}' "${base_url[api]}/api/v1/admin/users/$id" ||
        echo "  note: could not put the API user on the ENTERPRISE plan"
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d '{"delta":1000000,"reason":"API contract check"}' "${base_url[api]}/api/v1/admin/users/$id/credits" ||
        echo "  note: could not add credits to the API user"
}
for service in $services_to_fuzz; do
    report="$out/$service"
    rm -rf "$report" && mkdir -p "$report"
    token="$(new_user_token "$service")"
    if [ "$service" = api ]; then prepare_api_user "$token"; fi
    # "BASE<tab>REGEX" for each group of paths with servers of their own.
    mapfile -t server_groups < <(python3 - "$out/$service.json" <<'PY'
import json, re, sys
from urllib.parse import urlparse
document = json.load(open(sys.argv[1], encoding="utf-8"))
top = urlparse(((document.get("servers") or [{}])[0]).get("url", "")).path.rstrip("/")
groups = {}
for path, item in (document.get("paths") or {}).items():
    servers = item.get("servers") if isinstance(item, dict) else None
    if servers:
        base = urlparse(servers[0].get("url", "")).path.rstrip("/")
        if base != top:
            groups.setdefault(base, []).append(path)
for base, paths in sorted(groups.items()):
    print(base + "\t^(" + "|".join(re.escape(path) for path in sorted(paths)) + ")$")
PY
    )
    excluded=()
    for group in "${server_groups[@]}"; do excluded+=("${group#*$'\t'}"); done
    if [ -n "${last_paths[$service]:-}" ]; then excluded+=("${last_paths[$service]}"); fi
    if [ "${#excluded[@]}" -gt 0 ]; then
        run_schemathesis "$service" main --origin "${base_url[$service]}" --exclude-path-regex "$(IFS='|'; echo "${excluded[*]}")" || status=1
    else
        run_schemathesis "$service" main --origin "${base_url[$service]}" || status=1
    fi
    number=0
    for group in "${server_groups[@]}"; do
        number=$((number + 1))
        run_schemathesis "$service" "base$number" --url "${base_url[$service]}${group%%$'\t'*}" --include-path-regex "${group#*$'\t'}" || status=1
    done
    if [ -n "${last_paths[$service]:-}" ]; then
        run_schemathesis "$service" last --origin "${base_url[$service]}" --include-path-regex "${last_paths[$service]}" || status=1
    fi
    python3 - "$service" "$allowlist" "$report/failures.txt" "$report"/events-*.ndjson <<'PY' || status=1
# Reads schemathesis' NDJSON events: every failed check of every test case, keyed by
# (operation, check), and every error; prints them grouped by check and by operation, and
# fails on those the allow-list does not name.
import base64, json, sys
from collections import Counter
from fnmatch import fnmatchcase

service, allowlist_path, failures_path, *events_paths = sys.argv[1:]

allowed = []  # (service, operation pattern, check, justification, line)
with open(allowlist_path, encoding="utf-8") as handle:
    for number, line in enumerate(handle, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("|", 3)]
        if len(fields) != 4 or not all(fields):
            sys.exit(f"{allowlist_path}:{number}: expected 'SERVICE | METHOD /path | check | justification', got: {line}")
        allowed.append((*fields, number))

def allowance(operation, check):
    for entry_service, pattern, entry_check, _, number in allowed:
        if fnmatchcase(service, entry_service) and fnmatchcase(operation, pattern) and fnmatchcase(check, entry_check):
            return number
    return None

def text(value, limit=300):
    if isinstance(value, dict) and "$base64" in value:
        value = base64.b64decode(value["$base64"]).decode("utf-8", "replace")
    value = "" if value is None else str(value)
    return value if len(value) <= limit else value[:limit] + "…"

failures = Counter()  # (operation, check) -> failed test cases
samples = {}
errors = []
def events():
    for events_path in events_paths:
        try:
            handle = open(events_path, encoding="utf-8")
        except FileNotFoundError:
            errors.append(f"no events from schemathesis ({events_path}); see its output-*.txt beside it")
            continue
        with handle:
            yield from handle
for raw in events():
    try:
        ((kind, payload),) = json.loads(raw).items()
    except ValueError:
        continue  # the last line of a run that was stopped
    if kind == "NonFatalError":
        value = payload.get("value") or {}
        errors.append(f'{payload.get("label")}: {value.get("type")}: {text(value.get("message"))}')
    elif kind == "FatalError":
        errors.append(f"(run): {text(json.dumps(payload), 600)}")
    recorder = payload.get("recorder") if isinstance(payload, dict) else None
    if not recorder:
        continue
    interactions = recorder.get("interactions") or {}
    for case_id, checks in (recorder.get("checks") or {}).items():
        for check in checks:
            if str(check.get("status")).lower() != "failure":
                continue
            failure = (check.get("failure_info") or {}).get("failure") or {}
            operation = failure.get("operation") or recorder.get("label") or "?"
            interaction = interactions.get(case_id) or {}
            request, response = interaction.get("request") or {}, interaction.get("response") or {}
            if check["name"] == "unsupported_method" and request.get("method"):
                # The undeclared method that was tried: "TRACE /health", not "GET /health".
                operation = f'{request["method"]} {operation.split(" ", 1)[-1]}'
            key = (operation, check["name"])
            failures[key] += 1
            samples.setdefault(key, (
                f'{failure.get("code", "")} {failure.get("title", "")}: {(failure.get("message") or "").splitlines()[0] if failure.get("message") else ""}',
                f'{request.get("method")} {request.get("uri")} {text(request.get("body"), 200)}'.rstrip(),
                f'{response.get("status_code")} {text(response.get("content"), 200)}',
            ))

used, unexpected = set(), []
by_check, by_operation = Counter(), Counter()
for (operation, check), count in sorted(failures.items()):
    by_check[check] += count
    by_operation[operation] += count
    number = allowance(operation, check)
    if number is None:
        unexpected.append((operation, check))
    else:
        used.add(number)
with open(failures_path, "w", encoding="utf-8") as handle:
    for operation, check in sorted(failures):
        handle.write(f"{service} | {operation} | {check} | {failures[(operation, check)]} test cases: {samples[(operation, check)][0]}\n")

allowed_pairs = len(failures) - len(unexpected)
print(f"{service}: {sum(failures.values())} failed checks in {len(failures)} (operation, check) pairs"
      f" ({allowed_pairs} allowed, {len(unexpected)} not), {len(errors)} errors")
def top(counter, limit=15):
    shown = ", ".join(f"{name} {count}" for name, count in counter.most_common(limit))
    return shown + (f", and {len(counter) - limit} more" if len(counter) > limit else "")
if failures:
    print(f"  by check ({len(by_check)}): {top(by_check)}")
    print(f"  by operation ({len(by_operation)}): {top(by_operation)}")
# Each failure not allowed, the first ones with an example (all are in failures.txt); the
# likeliest bugs first.
severity = ["not_a_server_error", "response_schema_conformance", "content_type_conformance", "ignored_auth",
            "use_after_free", "ensure_resource_availability", "negative_data_rejection", "positive_data_acceptance"]
unexpected.sort(key=lambda key: (severity.index(key[1]) if key[1] in severity else len(severity), key))
for index, (operation, check) in enumerate(unexpected):
    if index == 150:
        print(f"  … and {len(unexpected) - index} more not allowed: {failures_path}")
        break
    print(f"  NOT ALLOWED  {service} | {operation} | {check}  ({failures[(operation, check)]} test cases)")
    if index < 25:
        message, request, response = samples[(operation, check)]
        print(f"      {message}\n      request:  {request}\n      response: {response}")
for error in errors:
    print(f"  ERROR  {error}")
for entry_service, pattern, check, _, number in allowed:
    if fnmatchcase(service, entry_service) and number not in used:
        print(f"  note: allow-list line {number} ({entry_service} | {pattern} | {check}) matched no {service} failure in this run")
sys.exit(1 if unexpected or errors else 0)
PY
done
if [ "$status" != 0 ]; then
    echo "error: the API contract checks failed: see above; the allow-list is ${allowlist#"$root/"}, reports are under ${out#"$root/"}/" >&2
    exit 1
fi
echo "API contract checks passed"
