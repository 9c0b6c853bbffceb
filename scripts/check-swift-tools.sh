#!/usr/bin/env bash
# The Docker image's Swift toolchain must be able to load every package of the build: its
# version (parsed from the Dockerfile's `FROM swift:X.Y[.Z]...` line) must be at least the
# swift-tools-version of the root Package.swift and of every resolved dependency under
# .build/checkouts and .build-release/checkouts. Prints the offenders and fails.
#
#   scripts/check-swift-tools.sh [DOCKERFILE]        (default: deploy/Dockerfile)
#
# SCRATCH_PATHS (default ".build .build-release") names the SwiftPM scratch directories to
# read; where one has a workspace-state.json, only the dependencies listed there (the
# current resolution) are checked, not stale checkouts. A dependency whose Package.swift
# asks for more is still fine when it ships a version-specific manifest
# (Package@swift-6.0.swift, ...) that this toolchain selects and can load, as SwiftPM does.
# Without any checkouts only the root manifest is checked (a note says so).
set -euo pipefail
cd "$(dirname "$0")/.."

dockerfile=${1:-deploy/Dockerfile}
scratch_paths=${SCRATCH_PATHS:-.build .build-release}

fail() { echo "check-swift-tools: $*" >&2; exit 1; }
[ -f "$dockerfile" ] || fail "no such Dockerfile: $dockerfile"

# ---- the builder's Swift version ---------------------------------------------------
# FROM [--platform=...] [registry/][library/]swift:TAG[@sha256:...] [AS name]; TAG may use
# an ARG declared earlier with a default (ARG SWIFT_VERSION=6.2.3).
from_line=$(grep -iE '^[[:space:]]*FROM[[:space:]]' "$dockerfile" \
    | grep -iE '[[:space:]]([^[:space:]]*/)?swift:[^[:space:]]+' | head -n 1 || true)
[ -n "$from_line" ] || fail "$dockerfile: no 'FROM swift:<version>...' line"
image=$(sed -E 's/^[[:space:]]*[Ff][Rr][Oo][Mm][[:space:]]+(--[^[:space:]]+[[:space:]]+)*([^[:space:]]+).*/\2/' <<<"$from_line")
tag=${image##*swift:}
tag=${tag%%@*}
while [[ $tag =~ \$\{?([A-Za-z_][A-Za-z0-9_]*)\}? ]]; do
    name=${BASH_REMATCH[1]}
    value=$(sed -nE "s/^[[:space:]]*ARG[[:space:]]+$name=\"?([^\"[:space:]]*)\"?.*/\1/p" "$dockerfile" | head -n 1)
    [ -n "$value" ] || fail "$dockerfile: FROM uses \$$name without an ARG default"
    tag=${tag//"${BASH_REMATCH[0]}"/$value}
done
[[ $tag =~ ^([0-9]+(\.[0-9]+){0,2}) ]] || fail "$dockerfile: cannot read a Swift version from '$image' (pin a tag such as swift:6.2.3-bookworm)"
builder=${BASH_REMATCH[1]}

# ---- versions ----------------------------------------------------------------------
# version_le A B: A <= B, both "X[.Y[.Z]]" (missing components are 0, as in SwiftPM).
version_le() {
    local -a a b
    IFS=. read -r -a a <<<"$1"
    IFS=. read -r -a b <<<"$2"
    local i
    for i in 0 1 2; do
        local x=$((10#${a[i]:-0})) y=$((10#${b[i]:-0}))
        if ((x < y)); then return 0; fi
        if ((x > y)); then return 1; fi
    done
    return 0
}

# tools_version FILE: the declared swift-tools-version, "" when there is none.
tools_version() {
    local line
    line=$(grep -m 1 -v '^[[:space:]]*$' "$1" || true)
    if [[ $line =~ ^[[:space:]]*//[[:space:]]*[Ss][Ww][Ii][Ff][Tt]-[Tt][Oo][Oo][Ll][Ss]-[Vv][Ee][Rr][Ss][Ii][Oo][Nn][[:space:]]*:[[:space:]]*([0-9]+(\.[0-9]+){0,2}) ]]; then
        echo "${BASH_REMATCH[1]}"
    fi
}

# ---- the packages --------------------------------------------------------------------
packages=(.)
for scratch in $scratch_paths; do
    [ -d "$scratch/checkouts" ] || continue
    state="$scratch/workspace-state.json"
    if [ -f "$state" ] && command -v python3 >/dev/null; then
        # Checkouts, and local (path:) dependencies, of the current resolution.
        while IFS= read -r dir; do
            [ -n "$dir" ] && [ -f "$dir/Package.swift" ] && packages+=("$dir")
        done < <(python3 -c '
import json, os, sys
scratch, state = sys.argv[1], json.load(open(sys.argv[2]))
for dependency in state.get("object", {}).get("dependencies", []):
    kind = dependency.get("state", {}).get("name")
    if kind == "sourceControlCheckout":
        print(os.path.join(scratch, "checkouts", dependency.get("subpath", "")))
    elif kind == "fileSystem":
        print(dependency.get("packageRef", {}).get("location", ""))
' "$scratch" "$state")
    else
        for dir in "$scratch"/checkouts/*/; do
            [ -f "$dir/Package.swift" ] && packages+=("${dir%/}")
        done
    fi
done

checked=0
offenders=()
for package in "${packages[@]}"; do
    manifest="$package/Package.swift"
    [ -f "$manifest" ] || continue
    checked=$((checked + 1))
    required=$(tools_version "$manifest")
    if [ -z "$required" ]; then
        offenders+=("$manifest: no '// swift-tools-version:' line")
        continue
    fi
    version_le "$required" "$builder" && continue
    # A version-specific manifest this toolchain would select instead (the newest
    # Package@swift-S.swift with S <= builder), and whether it can load it.
    best="" best_file=""
    for candidate in "$package"/Package@swift-*.swift; do
        [ -f "$candidate" ] || continue
        suffix=${candidate##*/Package@swift-}
        suffix=${suffix%.swift}
        [[ $suffix =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || continue
        version_le "$suffix" "$builder" || continue
        if [ -z "$best" ] || version_le "$best" "$suffix"; then best=$suffix best_file=$candidate; fi
    done
    if [ -n "$best_file" ]; then
        fallback=$(tools_version "$best_file")
        if [ -n "$fallback" ] && version_le "$fallback" "$builder"; then continue; fi
    fi
    offenders+=("$manifest: swift-tools-version $required > Swift $builder")
done

if [ "${#packages[@]}" -eq 1 ]; then
    echo "check-swift-tools: note: no resolved dependencies in $scratch_paths; only the root manifest was checked (run 'swift package resolve' for the full check)"
fi
if [ "${#offenders[@]}" -gt 0 ]; then
    echo "check-swift-tools: $dockerfile builds with swift:$tag (Swift $builder), older than these packages need:" >&2
    printf '  %s\n' "${offenders[@]}" >&2
    echo "Move the FROM line to a Swift image at least that new." >&2
    exit 1
fi
echo "check-swift-tools: ok, Swift $builder ($dockerfile) loads all $checked manifests"
