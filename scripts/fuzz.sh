#!/usr/bin/env bash
# libFuzzer over the parsers that read what clients send. Each target is compiled with
# swiftc from the project's own source files (they need nothing but Foundation), with
# AddressSanitizer, and run for a fixed time with a per-input time budget; a crash, a
# sanitizer report or an input over the budget fails the run and leaves the input in
# .fuzz/<target>/crash-* (or timeout-*) to replay: .fuzz/<target>/fuzz .fuzz/<target>/crash-…
#
#   scripts/fuzz.sh [seconds per target] [target…]     (default 60 s; all targets)
#
# The RESP decoder needs NIOCore, which a bare swiftc build cannot link cheaply: its
# hostile inputs are a property test in the suite (RESPDecoderTests) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(json multipart form seo)

sources_for() {
    case "$1" in
        json) echo Sources/Core/HTTP/JSONSyntaxError.swift ;;
        multipart) echo Sources/Core/Support/Multipart.swift ;;
        form) echo Sources/Core/Support/FormEncoding.swift ;;
        seo) echo Sources/APIService/SEO/HTMLText.swift Sources/APIService/SEO/EnglishText.swift Sources/APIService/SEO/SEOAnalyzer.swift ;;
        *) echo "unknown fuzz target: $1" >&2; exit 2 ;;
    esac
}
# Per-input budget (seconds) and largest input: the SEO analyzer gets a bigger input, as
# articles are.
budget_for() { [ "$1" = seo ] && echo "-timeout=2 -max_len=262144" || echo "-timeout=1 -max_len=65536"; }

for target in "${targets[@]}"; do
    dir=".fuzz/$target"
    mkdir -p "$dir/corpus"
    cp -n Fuzz/Seeds/"$target"/* "$dir/corpus/" 2>/dev/null || true
    # shellcheck disable=SC2046
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Fuzz$target \
        $(sources_for "$target") "Fuzz/Targets/$target.swift" -o "$dir/fuzz" 2> >(grep -v "Cannot export local symbol" >&2)
    echo "== fuzz $target for ${seconds}s"
    # shellcheck disable=SC2046
    # Swift's own backtracer and AddressSanitizer fight over a crashing process.
    (cd "$dir" && SWIFT_BACKTRACE=enable=no ./fuzz -max_total_time="$seconds" -rss_limit_mb=2048 $(budget_for "$target") -print_final_stats=1 corpus 2>&1 | tail -n 4) || failed=1
    if [ "${failed:-0}" = 1 ] || ls "$dir"/crash-* "$dir"/timeout-* "$dir"/oom-* >/dev/null 2>&1; then
        echo "fuzz $target: a failing input was found (see $dir)" >&2
        exit 1
    fi
done
echo "fuzzing passed: ${targets[*]}"
