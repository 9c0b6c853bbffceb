#!/usr/bin/env bash
# The Swift sources are as swift-format (shipped with the toolchain) writes them, under
# the repository's .swift-format. `scripts/check-format.sh --fix` rewrites them so.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Tools/OpenAPIClientCheck/Package.swift Tools/OpenAPIClientCheck/Sources)
if [ "${1:-}" = "--fix" ]; then
    swift format format --in-place --recursive --parallel "${paths[@]}"
else
    swift format lint --strict --recursive --parallel "${paths[@]}"
fi
