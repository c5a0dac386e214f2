#!/usr/bin/env bash
# A throw-away PostgreSQL server for a test run.
#
#   fixture.sh start DIR   initdb under DIR, start on 127.0.0.1 with a free port, write DIR/connection
#   fixture.sh stop DIR    stop the server started in DIR and remove DIR
#
# Both are idempotent: start first stops a server left running in DIR by an aborted run, stop on a missing or
# stopped DIR succeeds. DIR/connection is a libpq keyword/value string and appears only once the server accepts
# connections. The server trusts every loopback connection and runs with fsync off: test data only.
set -euo pipefail

die() {
    echo "fixture.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: fixture.sh start|stop DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
dir=$2
[[ -n $dir ]] || usage

find_bin_dir() {
    local candidate best=""
    # Sorted by version so that the highest installed major version wins.
    while IFS= read -r candidate; do
        if [[ -x $candidate/initdb && -x $candidate/pg_ctl ]]; then
            best=$candidate
        fi
    done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V)
    [[ -n $best ]] || die "PostgreSQL is not installed: no initdb/pg_ctl under /usr/lib/postgresql/*/bin" \
        "(Debian: apt-get install postgresql)"
    echo "$best"
}

# PostgreSQL refuses to run as root, so as root the server runs as the postgres user.
as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_server() {
    local bin_dir=$1
    local data="$dir/data"
    if [[ -f $data/PG_VERSION ]]; then
        # pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
        local status=0
        as_server_user "$bin_dir/pg_ctl" -D "$data" status >/dev/null 2>&1 || status=$?
        if [[ $status -eq 0 ]]; then
            as_server_user "$bin_dir/pg_ctl" -D "$data" stop -m fast -w >/dev/null ||
                die "could not stop the server in $data (see $dir/server.log)"
        fi
    fi
    if [[ -f $dir/socket_dir ]]; then
        rm -rf -- "$(cat "$dir/socket_dir")"
    fi
    rm -rf -- "$dir"
}

start_server() {
    local bin_dir=$1
    stop_server "$bin_dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local data="$dir/data"

    # A Unix socket path is limited to 107 bytes; a deep build folder would not fit, so fall back to /tmp.
    local socket_dir="$dir/socket"
    if (( ${#socket_dir} + 20 > 107 )); then
        socket_dir=$(mktemp -d /tmp/gw-pg-socket.XXXXXX)
        echo "$socket_dir" >"$dir/socket_dir"
    else
        mkdir -p "$socket_dir"
    fi

    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user to run the server as"
        chown -R postgres: "$dir" "$socket_dir"
        runuser -u postgres -- test -w "$dir" ||
            die "the postgres user cannot write $dir (a parent folder is not traversable?)"
    fi

    as_server_user "$bin_dir/initdb" -D "$data" -U postgres -A trust --encoding=UTF8 --no-locale --no-sync \
        >"$dir/initdb.log" 2>&1 || die "initdb failed, see $dir/initdb.log"

    cat >"$data/pg_hba.conf" <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$data/pg_hba.conf" "$data/postgresql.conf"
    fi

    # Another process may take a port between the check and the bind, so the real test is whether the server
    # starts; a failed start is retried on the next port.
    local port attempt
    port=$((20000 + RANDOM % 40000))
    for attempt in $(seq 1 20); do
        if as_server_user "$bin_dir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -o "-p $port" start \
            >/dev/null 2>&1; then
            echo "host=127.0.0.1 port=$port user=postgres dbname=postgres" >"$dir/connection.tmp"
            mv "$dir/connection.tmp" "$dir/connection"
            echo "PostgreSQL ($("$bin_dir/postgres" --version)) on 127.0.0.1:$port, data in $data"
            return 0
        fi
        port=$((20000 + (port - 20000 + 1 + RANDOM % 100) % 40000))
    done
    die "could not start PostgreSQL after $attempt attempts, see $dir/server.log"
}

bin_dir=$(find_bin_dir)
case $action in
    start) start_server "$bin_dir" ;;
    stop) stop_server "$bin_dir" ;;
    *) usage ;;
esac
