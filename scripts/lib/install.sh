# Shared by scripts/dev, scripts/test and .ci/run: the one list of what a fresh Debian or
# Ubuntu machine must have, installed when we may (root, or sudo without a password), else
# a stop before anything is built, with the exact command to run.
#   ensure_system_packages dev|test|ci
#   ensure_python_tools PACKAGE...   -> a virtualenv under .data/venv, its bin/ added to PATH

# Building: AsyncHTTPClient needs libcurl's headers (FoundationNetworking), the password
# hasher libargon2's.
NOVA_BUILD_PACKAGES=(libcurl4-openssl-dev libargon2-dev)
# Running the system: the database (a local cluster is started from its binaries).
NOVA_DEV_PACKAGES=(postgresql)
# Testing: real servers (PostgreSQL, Redis, an SMTP sink), the interop checks' Python
# libraries, and venv for the PyPI tools (moto's S3 server).
NOVA_TEST_PACKAGES=(postgresql redis-server curl python3 python3-venv python3-yaml python3-aiosmtpd python3-jwt python3-argon2 python3-bcrypt)
# CI also validates docker-compose.yml and runs the benchmark tool's smoke test.
NOVA_CI_PACKAGES=(docker-compose wrk)

nova_missing_packages() {
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
    done
}

ensure_system_packages() {
    local profile="$1" wanted=("${NOVA_BUILD_PACKAGES[@]}")
    case "$profile" in
        dev) wanted+=("${NOVA_DEV_PACKAGES[@]}") ;;
        test) wanted+=("${NOVA_TEST_PACKAGES[@]}") ;;
        ci) wanted+=("${NOVA_TEST_PACKAGES[@]}" "${NOVA_CI_PACKAGES[@]}") ;;
        *) echo "ensure_system_packages: unknown profile $profile" >&2; return 2 ;;
    esac
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "note: not a Debian-like system; make sure these (or your system's equivalents) are installed: ${wanted[*]}" >&2
        return 0
    fi
    local missing
    mapfile -t missing < <(nova_missing_packages "${wanted[@]}")
    [ "${#missing[@]}" -eq 0 ] && return 0
    local runner=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            runner=(sudo)
        else
            echo "error: missing system packages. Install them, then run this again:" >&2
            echo "    sudo apt-get install -y ${missing[*]}" >&2
            return 1
        fi
    fi
    echo "installing system packages: ${missing[*]}"
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The API contract checks' tools (scripts/check-openapi.sh), pinned: schemathesis' command
# line and its checks change between releases.
NOVA_CONTRACT_TOOLS=("schemathesis==4.32.5" "openapi-spec-validator==0.9.0")

# PyPI tools in a virtualenv of the project's (Debian's system Python refuses `pip install`).
# A PACKAGE is a name, optionally with extras and an exact pin: "moto[server]", "tool==1.2.3".
ensure_python_tools() {
    local venv=".data/venv" package name pin installed missing=() python=python3
    # Debian's own Python where there is one (python3-venv gives it ensurepip), not a
    # pyenv shim that may come first on PATH.
    [ -x /usr/bin/python3 ] && python=/usr/bin/python3
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv" || { echo "error: $python -m venv failed (apt-get install python3-venv)" >&2; return 1; }
    fi
    for package in "$@"; do
        name="${package%%==*}"
        name="${name%%[*}"
        pin=""
        if [[ "$package" == *==* ]]; then pin="${package##*==}"; fi
        # `pip show` fails for a package not installed yet: that is an answer, not an error.
        installed="$({ "$venv/bin/python" -m pip show "$name" 2>/dev/null || true; } | sed -n 's/^Version: //p')"
        if [ -z "$installed" ] || { [ -n "$pin" ] && [ "$installed" != "$pin" ]; }; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "installing Python tools: ${missing[*]}"
        "$venv/bin/python" -m pip install -q "${missing[@]}"
    fi
    # Last on PATH: the tools are found, while `python3` stays what it was.
    PATH="$PATH:$(pwd)/$venv/bin"
    export PATH
}
