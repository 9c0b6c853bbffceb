#!/usr/bin/env bash
# Do the runtime image's packages provide every shared library the release binaries load?
#
#   scripts/check-image-libs.sh [BUILD_DIR] [DOCKERFILE]
#
# BUILD_DIR (default .build-release, as `.ci/run` builds it with
# `swift build -c release --static-swift-stdlib --scratch-path .build-release`) holds
# release/AuthService and release/APIService; BINARIES="a b ..." names other ELF files
# instead. DOCKERFILE defaults to deploy/Dockerfile; its last stage is the runtime image.
#
# For each binary, `ldd` lists the libraries it loads and `dpkg -S` the Debian package
# that owns each one on this machine (the build machine: Debian bookworm like the image).
# A package passes when
#   - the runtime stage's `apt-get install` names it (libcurl4, libargon2-1, ...), or
#   - the base image already has it: the C library and compiler runtime (libc6 for libc,
#     libm, libpthread, libdl, librt and ld-linux; libgcc-s1; libstdc++6, which apt in
#     debian:*-slim depends on) and zlib1g (dpkg pre-depends on it); BASE_PACKAGES
#     overrides that list, or
#   - the library is not linked directly (not in the binary's DT_NEEDED) and a named
#     package depends on its package, so apt installs it with it (libcurl4 brings
#     libssl3, libnghttp2-14, ...; the dependencies are read from dpkg on this machine).
# A library linked directly must be named itself; one from no package at all (a
# toolchain's libswiftCore.so when --static-swift-stdlib is missing, /usr/local/lib) or
# missing on this machine fails too. Exit status 1 lists what to add to the install line.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/.build-release}
dockerfile=${2:-$root/deploy/Dockerfile}
read -r -a base_packages <<<"${BASE_PACKAGES:-libc6 libgcc-s1 libstdc++6 zlib1g}"

fail() { echo "check-image-libs: $*" >&2; exit 1; }
for tool in ldd dpkg-query; do
    command -v "$tool" >/dev/null || fail "needs $tool (run it on the Debian build machine)"
done
if command -v readelf >/dev/null; then
    needed_of() { readelf -d "$1" | sed -nE 's/.*\(NEEDED\).*\[(.*)\].*/\1/p'; }
elif command -v objdump >/dev/null; then
    needed_of() { objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }'; }
else
    fail "needs readelf or objdump (binutils)"
fi
[ -f "$dockerfile" ] || fail "no such Dockerfile: $dockerfile"

if [ -n "${BINARIES:-}" ]; then
    read -r -a binaries <<<"$BINARIES"
else
    binaries=("$build_dir/release/AuthService" "$build_dir/release/APIService")
fi
for binary in "${binaries[@]}"; do
    [ -f "$binary" ] || fail "no such binary: $binary (build first: swift build -c release --static-swift-stdlib --scratch-path .build-release)"
    [ "$(head -c 4 "$binary" | od -An -c | tr -d ' ')" = '177ELF' ] || fail "$binary is not an ELF file"
done

# ---- the runtime stage's packages --------------------------------------------------
# Comment lines dropped, continuation lines joined, everything after the last FROM; then
# the words after `install` in each `apt-get install` / `apt install` command.
runtime_stage=$(grep -v '^[[:space:]]*#' "$dockerfile" \
    | awk '{ if (sub(/\\[[:space:]]*$/, "")) { buffer = buffer $0 " "; next } print buffer $0; buffer = "" }
           END { if (buffer != "") print buffer }' \
    | awk 'toupper($1) == "FROM" { stage = "" } { stage = stage $0 "\n" } END { printf "%s", stage }')
runtime_from=$(head -n 1 <<<"$runtime_stage")
listed=()
while IFS= read -r command; do
    words=()
    read -r -a words <<<"$command"
    after_install=false
    for word in "${words[@]}"; do
        if $after_install; then
            case "$word" in
                -*) ;;
                *) word=${word%%=*}; listed+=("${word%%:*}") ;;
            esac
        elif [ "$word" = install ]; then
            after_install=true
        fi
    done
done < <(grep -iE '^[[:space:]]*RUN[[:space:]]' <<<"$runtime_stage" \
    | sed -E 's/&&|\|\||;|\|/\n/g' \
    | grep -E '(^|[[:space:]])(apt-get|apt)[[:space:]]+([^[:space:]]+[[:space:]]+)*install([[:space:]]|$)' || true)
[ "${#listed[@]}" -gt 0 ] || fail "$dockerfile: no 'apt-get install' in the runtime stage ($runtime_from)"

# Debian's 64-bit time_t transition renamed some library packages (libcurl4 -> libcurl4t64
# in trixie); compare names without that suffix so that the check is about the library.
normalize() { local name=${1%%:*}; echo "${name%t64}"; }
contains() { local item=$1; shift; local each; for each; do [ "$(normalize "$each")" = "$(normalize "$item")" ] && return 0; done; return 1; }

# The packages that apt installs along with the named ones (Depends and Pre-Depends,
# recursively, as far as this machine has them installed): dependency_of[package] = root.
declare -A dependency_of=()
queue=()
for package in "${listed[@]}"; do dependency_of[$(normalize "$package")]=$package; queue+=("$package"); done
while [ "${#queue[@]}" -gt 0 ]; do
    package=${queue[0]}
    queue=("${queue[@]:1}")
    origin=${dependency_of[$(normalize "$package")]}
    fields=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}\n' "$package" 2>/dev/null | head -n 1 || true)
    [ -n "$fields" ] || continue
    while IFS= read -r dependency; do
        dependency=$(sed -E 's/\(.*\)//; s/:[a-z0-9]+//; s/[[:space:]]//g' <<<"$dependency")
        [ -n "$dependency" ] || continue
        key=$(normalize "$dependency")
        if [ -z "${dependency_of[$key]:-}" ]; then
            dependency_of[$key]=$origin
            queue+=("$dependency")
        fi
    done < <(tr ',|' '\n' <<<"$fields")
done

# owner PATH: the packages owning PATH (also tried through symbolic links and with or
# without the /usr prefix: dpkg records /usr/lib/... where ldd prints /lib/...).
owner() {
    local path=$1 candidate resolved
    resolved=$(readlink -f "$path" 2>/dev/null || echo "$path")
    for candidate in "$path" "${path#/usr}" "/usr$path" "$resolved" "${resolved#/usr}" "/usr$resolved"; do
        [ -n "$candidate" ] || continue
        local line
        line=$(dpkg-query -S -- "$candidate" 2>/dev/null | grep -v '^diversion ' | head -n 1 || true)
        if [ -n "$line" ]; then
            local packages=${line%%: /*}
            tr ',' '\n' <<<"$packages" | sed -E 's/^[[:space:]]+//; s/:[a-z0-9]+$//'
            return 0
        fi
    done
    return 1
}

host_codename=$(sed -nE 's/^VERSION_CODENAME="?([^"]*)"?$/\1/p' /etc/os-release 2>/dev/null || true)
if [ -n "$host_codename" ] && ! grep -qi -- "$host_codename" <<<"$runtime_from"; then
    echo "check-image-libs: warning: this machine runs Debian $host_codename but the runtime stage is '$runtime_from'; package names may differ" >&2
fi

echo "runtime stage installs: ${listed[*]}"
missing=()
for binary in "${binaries[@]}"; do
    echo "$(basename "$binary"):"
    direct=$(needed_of "$binary")
    ldd_output=$(ldd "$binary" 2>&1 || true)
    if grep -qE 'not a dynamic executable|statically linked' <<<"$ldd_output"; then
        echo "  statically linked: nothing to install"
        continue
    fi
    while IFS= read -r line; do
        line=${line#"${line%%[![:space:]]*}"}
        [ -n "$line" ] || continue
        if [[ $line =~ ^([^[:space:]]+)[[:space:]]+=\>[[:space:]]+not[[:space:]]+found ]]; then
            missing+=("$(basename "$binary"): ${BASH_REMATCH[1]} is not installed on this machine, so its package is unknown")
            printf '  %-28s %s\n' "${BASH_REMATCH[1]}" "NOT FOUND on this machine"
            continue
        fi
        if [[ $line =~ ^([^[:space:]]+)[[:space:]]+=\>[[:space:]]+([^[:space:]]+) ]]; then
            soname=${BASH_REMATCH[1]} path=${BASH_REMATCH[2]}
        elif [[ $line =~ ^(/[^[:space:]]+)[[:space:]]+\( ]]; then
            path=${BASH_REMATCH[1]} soname=$(basename "$path")
        elif [[ $line =~ ^([^[:space:]]+)[[:space:]]+\( ]]; then
            soname=${BASH_REMATCH[1]} path=""
        else
            continue
        fi
        case "$soname" in linux-vdso.so.* | linux-gate.so.* | linux-vdso64.so.*) continue ;; esac
        if [ -z "$path" ]; then continue; fi
        is_direct=false
        grep -qxF -- "$soname" <<<"$direct" && is_direct=true
        packages=$(owner "$path" || true)
        if [ -z "$packages" ]; then
            missing+=("$(basename "$binary"): $soname ($path) belongs to no Debian package, so the image cannot install it (a toolchain or /usr/local library? build with --static-swift-stdlib)")
            printf '  %-28s %-22s %s\n' "$soname" "-" "NO PACKAGE ($path)"
            continue
        fi
        verdict="" package=""
        for candidate in $packages; do
            package=$candidate
            if contains "$candidate" "${base_packages[@]}"; then verdict="base image"; break; fi
            if contains "$candidate" "${listed[@]}"; then verdict="installed by the Dockerfile"; break; fi
            if ! $is_direct && [ -n "${dependency_of[$(normalize "$candidate")]:-}" ]; then
                verdict="dependency of ${dependency_of[$(normalize "$candidate")]}"
                break
            fi
        done
        if [ -z "$verdict" ]; then
            package=${packages%%$'\n'*}
            if $is_direct; then
                verdict="MISSING: linked directly, add $package to the runtime apt-get install"
            else
                verdict="MISSING: no installed package depends on it, add $package"
            fi
            missing+=("$(basename "$binary"): $soname needs $package")
        fi
        printf '  %-28s %-22s %s\n' "$soname" "$package" "$verdict"
    done <<<"$ldd_output"
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "check-image-libs: the runtime stage of $dockerfile lacks libraries the binaries load:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
fi
echo "check-image-libs: ok, the runtime stage provides every library the binaries load"
