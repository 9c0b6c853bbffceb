# Shared by scripts/dev and scripts/test: a throw-away PostgreSQL cluster under a
# git-ignored folder of the project, on a free loopback port.
#   start_local_postgres DIR   -> exports LOCAL_PG_PORT, LOCAL_PG_DIR
#   stop_local_postgres
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
# user (created by Debian's postgresql package).

find_pg_bin() {
    local candidate
    for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")" /usr/lib/postgresql/*/bin; do
        if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: initdb/pg_ctl not found on PATH or under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    return 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_local_postgres() {
    local dir="$1" extra_options="${2:-}"
    PG_BIN="$(find_pg_bin)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        chown postgres "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            # A parent folder is closed to the postgres user (e.g. a clone under /root):
            # keep the cluster in /tmp instead, linked from the project folder.
            local fallback
            fallback="/tmp/nova-pg-$(echo "$dir" | sha1sum | cut -c1-12)"
            mkdir -p "$fallback" && chown postgres "$fallback"
            rm -rf "$dir" && ln -s "$fallback" "$dir"
            dir="$fallback"
        fi
    fi
    LOCAL_PG_DIR="$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            return 1
        }
    fi
    if as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    LOCAL_PG_PORT="$(free_port)"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $LOCAL_PG_PORT -c listen_addresses=127.0.0.1 -k $dir $extra_options" start >/dev/null || {
        tail -n 30 "$dir/postgres.log" >&2
        return 1
    }
    export LOCAL_PG_PORT LOCAL_PG_DIR PG_BIN
}

stop_local_postgres() {
    if [ -n "${LOCAL_PG_DIR:-}" ] && [ -n "${PG_BIN:-}" ]; then
        as_pg_owner "$PG_BIN/pg_ctl" -D "$LOCAL_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# create_database NAME: (re)creates NAME in the local cluster; RESET=1 drops it first.
create_local_database() {
    local name="$1"
    if [ "${RESET:-0}" = 1 ]; then
        psql -q -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
    fi
    if ! psql -tA -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        psql -q -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
    fi
}

# Drops the per-test databases (t_*) that earlier runs left in the local cluster.
drop_scratch_databases() {
    local name
    for name in $(psql -tA -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 't\_%'"); do
        psql -q -h 127.0.0.1 -p "$LOCAL_PG_PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
    done
}
