#!/usr/bin/env bash
# API contract check (issue #14), part 2: a Swift client generated from the API service's
# OpenAPI document by apple/swift-openapi-generator compiles. Builds the package
# Tools/OpenAPIClientCheck, whose build plugin generates the types and the client from the
# document (openapi-generator-config.yaml beside it) and compiles them against
# swift-openapi-runtime. No transport is built: the client takes any ClientTransport.
#
#   scripts/check-openapi-client.sh [DOCUMENT]
#
# DOCUMENT defaults to .data/openapi/api.json, which scripts/check-openapi.sh downloads
# from the running API service. The build has a scratch folder of its own,
# .build-openapi-client (OPENAPI_CLIENT_SCRATCH), kept between runs: only the first build
# compiles the generator and its dependencies. The generated sources stay under it
# (plugins/outputs/…/APIClient/…/GeneratedSources) for a look at what the document becomes.
set -euo pipefail
cd "$(dirname "$0")/.."

document="${1:-.data/openapi/api.json}"
package=Tools/OpenAPIClientCheck
scratch="${OPENAPI_CLIENT_SCRATCH:-.build-openapi-client}"
log="${scratch}/check-openapi-client.log"
if [ ! -f "$document" ]; then
    echo "error: no OpenAPI document at $document (scripts/check-openapi.sh downloads it, or pass a path)" >&2
    exit 2
fi

# The plugin reads the document from the target's folder (the copy is git-ignored).
cp "$document" "$package/Sources/APIClient/openapi.json"
mkdir -p "$scratch"
echo "== API contract: a client generated from $document compiles (swift-openapi-generator)"
started=$SECONDS
if swift build --package-path "$package" --scratch-path "$scratch" --target APIClient >"$log" 2>&1; then
    generated="$(find "$scratch" -path '*APIClient*GeneratedSources*' -name '*.swift' -exec cat {} + 2>/dev/null | wc -l)"
    echo "client: compiles ($generated lines generated, $((SECONDS - started)) s; log: $log)"
    # What the generator skipped (it says so with a context: the schema's place).
    skipped="$(grep -oE 'warning: .*\[context: .*' "$log" | sort -u || true)"
    if [ -n "$skipped" ]; then
        echo "    the generator skipped $(wc -l <<<"$skipped") schema parts:"
        head -n 10 <<<"$skipped" | cut -c1-300 | sed 's/^/    /'
    fi
    exit 0
fi
# The generator's and the compiler's complaints, each message once, the most frequent first
# (the generator writes "Error: ..." after its configuration summary; swiftc
# "file:line:col: error: ..."), then where the first errors are.
errors="$(grep -oE '[Ee]rror: .*|warning: .*\[context: .*' "$log" | sort | uniq -c | sort -rn || true)"
echo "client: does NOT compile ($((SECONDS - started)) s); $(grep -cE '[Ee]rror: ' "$log" || true) error lines, these messages:"
head -n 40 <<<"$errors" | cut -c1-300 | sed 's/^/    /'
echo "  first places:"
grep -E ': error: ' "$log" | sed -E 's|^.*/GeneratedSources/|GeneratedSources/|' | awk '!seen[$0]++' | head -n 10 | cut -c1-300 | sed 's/^/    /' || true
echo "    (full log: $log)"
exit 1
