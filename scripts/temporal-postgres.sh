#!/usr/bin/env bash
# Runs Temporal Server on PostgreSQL on this machine, on loopback, without Docker: the stack of
# docker-compose.temporal.yml (the schemas, the `default` namespace, Capstan's search attributes,
# the same dynamic config) as two background processes, a private PostgreSQL cluster and
# temporal-server. Then run Capstan against it: ./capstan up --temporal 127.0.0.1:PORT
#
# Usage: scripts/temporal-postgres.sh start [--port P] [--pg-port Q] [--state-dir DIR]
#        scripts/temporal-postgres.sh stop [--keep-postgres] [--state-dir DIR]
#        scripts/temporal-postgres.sh status [--state-dir DIR]
#   --port P         the frontend's gRPC port, 1024 to 32754 (default 7233, or the last start's);
#                    the other ports follow from it: history P+1, matching P+2, worker P+3,
#                    frontend HTTP P+4, membership P+10..P+13 (below 32768: PostgreSQL keeps
#                    them in a smallint column)
#   --pg-port Q      PostgreSQL's port (default P+30, or the last start's)
#   --state-dir DIR  data, config, logs and pid files (default .capstan/state/temporal-postgres);
#                    a start on a folder used before keeps its runs
#   --keep-postgres  stop temporal-server only, leaving PostgreSQL and the data as they are
# PostgreSQL's superuser is `temporal`, password `temporal` (as in the compose file), reachable
# from 127.0.0.1 only. Needs scripts/install-temporal-server.sh and scripts/install-temporal-cli.sh.
set -euo pipefail

readonly SERVER_VERSION="1.29.1"
readonly DB_USER="temporal"
readonly DB_PASSWORD="temporal"
readonly NAMESPACE="default"
readonly NAMESPACE_RETENTION="24h"
# What every Capstan run carries (RunSearchAttributes in the workflows module).
readonly SEARCH_ATTRIBUTES=(CapstanKind=Keyword CapstanName=Keyword CapstanNamespace=Keyword
  CapstanLabels=KeywordList)
readonly READY_TIMEOUT_S=90
readonly STOP_GRACE_S=15

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
bin_dir="${CAPSTAN_TOOLS_BIN:-$root/.capstan/tools/bin}"
server_bin="$bin_dir/temporal-server"
sql_tool="$bin_dir/temporal-sql-tool"
cli="${CAPSTAN_TEMPORAL_CLI:-$bin_dir/temporal}"

die() {
  echo "temporal-postgres: $*" >&2
  exit 1
}

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- arguments ---------------------------------------------------------------------------------

action="${1:-}"
case "$action" in
  start | stop | status) shift ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    echo "temporal-postgres: expected start, stop or status (see --help)" >&2
    exit 2
    ;;
esac
port=""
pg_port=""
state_dir="$root/.capstan/state/temporal-postgres"
keep_postgres=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="${2:?--port needs a number}" && shift 2 ;;
    --pg-port) pg_port="${2:?--pg-port needs a number}" && shift 2 ;;
    --state-dir) state_dir="${2:?--state-dir needs a folder}" && shift 2 ;;
    --keep-postgres) keep_postgres=true && shift ;;
    -h | --help) usage && exit 0 ;;
    *)
      echo "temporal-postgres: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
done
if [[ "$action" == start ]]; then
  mkdir -p "$state_dir"
elif [[ ! -d "$state_dir" ]]; then
  echo "temporal-postgres: nothing runs from $state_dir (no such folder)"
  [[ "$action" == stop ]] && exit 0
  exit 1
fi
state_dir="$(cd "$state_dir" && pwd -P)"

# --- where things live -------------------------------------------------------------------------

readonly ports_file="$state_dir/ports.env"
readonly pg_home="$state_dir/postgres"
readonly pg_data="$pg_home/data"
readonly pg_socket_dir="$pg_home/run"
readonly pg_log="$pg_home/postgres.log"
readonly temporal_home="$state_dir/temporal"
readonly server_log="$temporal_home/temporal-server.log"
readonly server_pid_file="$temporal_home/temporal-server.pid"
readonly schema_log="$temporal_home/schema.log"

# The newest PostgreSQL in Debian's layout, or the one CAPSTAN_PG_BIN names.
pg_bin="${CAPSTAN_PG_BIN:-}"
if [[ -z "$pg_bin" ]]; then
  pg_bin="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
  pg_bin="${pg_bin%/initdb}"
fi

# initdb and postgres refuse to run as root; then they run as the `postgres` user, who owns the
# cluster's folder. Any other user owns it and runs them as itself.
as_pg_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd "$pg_home" && runuser -u postgres -- "$@")
  else
    (cd "$pg_home" && "$@")
  fi
}

# --- processes ---------------------------------------------------------------------------------

# True while process $1 runs; an exited one that its parent has not reaped yet counts as gone.
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z* ]]
}

server_pid() {
  local pid
  pid="$(cat "$server_pid_file" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && alive "$pid" &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$server_bin"; then
    echo "$pid"
  fi
}

postgres_running() {
  [[ -f "$pg_data/PG_VERSION" && -x "$pg_bin/pg_ctl" ]] &&
    as_pg_owner "$pg_bin/pg_ctl" status -D "$pg_data" >/dev/null 2>&1
}

# True when something accepts connections on 127.0.0.1:$1.
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
  local pid waited=0
  pid="$(server_pid)"
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid" && [[ $waited -lt $((STOP_GRACE_S * 10)) ]]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$server_pid_file"
}

stop_postgres() {
  if postgres_running; then
    as_pg_owner "$pg_bin/pg_ctl" stop -D "$pg_data" -m fast -w -t 60 >/dev/null ||
      die "PostgreSQL did not stop; see $pg_log"
  fi
}

# --- start -------------------------------------------------------------------------------------

check_installed() {
  [[ -x "$server_bin" && -x "$sql_tool" ]] ||
    die "no temporal-server/temporal-sql-tool in $bin_dir; run scripts/install-temporal-server.sh"
  [[ -x "$cli" ]] || die "no Temporal CLI at $cli; run scripts/install-temporal-cli.sh"
  [[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] ||
    die "no PostgreSQL (no /usr/lib/postgresql/*/bin/initdb); run scripts/install-temporal-server.sh"
  if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root, but there is no postgres user to run PostgreSQL as; install Debian's postgresql package"
  fi
}

choose_ports() {
  local last_port="" last_pg_port=""
  if [[ -f "$ports_file" ]]; then
    last_port="$(sed -n 's/^PORT=//p' "$ports_file")"
    last_pg_port="$(sed -n 's/^PG_PORT=//p' "$ports_file")"
  fi
  port="${port:-${last_port:-7233}}"
  pg_port="${pg_port:-${last_pg_port:-$((port + 30))}}"
  # Temporal's PostgreSQL schema keeps each service's membership port in a smallint, so P+13 must
  # stay below 32768 (the server dies at start otherwise).
  [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1024 && "$port" -le 32754 ]] ||
    die "--port must be a number from 1024 to 32754 (the membership ports P+10..P+13 must fit Temporal's smallint column), not '$port'"
  [[ "$pg_port" =~ ^[0-9]+$ && "$pg_port" -ge 1024 && "$pg_port" -le 65535 ]] ||
    die "--pg-port must be a number from 1024 to 65535, not '$pg_port'"
}

# Creates the cluster once: superuser temporal with a password, trusted on its own unix socket
# (a folder only the owner can open), password-checked on TCP, which listens on 127.0.0.1 only.
init_postgres() {
  mkdir -p "$pg_home"
  if [[ "$(id -u)" -eq 0 ]]; then
    chown postgres: "$pg_home"
    runuser -u postgres -- test -x "$pg_home" ||
      die "the postgres user cannot open $pg_home; choose a --state-dir it can reach"
  fi
  if [[ -f "$pg_data/PG_VERSION" ]]; then
    return
  fi
  local password_file="$pg_home/initdb-password"
  as_pg_owner sh -c "umask 077 && printf '%s\n' '$DB_PASSWORD' >'$password_file'"
  if ! as_pg_owner "$pg_bin/initdb" -D "$pg_data" -U "$DB_USER" --pwfile="$password_file" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$pg_home/initdb.log" 2>&1; then
    rm -f "$password_file"
    die "initdb failed; see $pg_home/initdb.log"
  fi
  rm -f "$password_file"
  # Each start writes the port and the rest into capstan.conf; postgresql.conf includes it.
  echo "include_if_exists 'capstan.conf'" | as_pg_owner tee -a "$pg_data/postgresql.conf" >/dev/null
}

start_postgres() {
  if postgres_running; then
    listening "$pg_port" || die "PostgreSQL of $state_dir runs, but not on port $pg_port; stop it first"
    return
  fi
  if listening "$pg_port"; then
    die "port $pg_port on 127.0.0.1 is taken; choose another --pg-port"
  fi
  as_pg_owner mkdir -p "$pg_socket_dir"
  as_pg_owner chmod 700 "$pg_socket_dir"
  # Temporal opens up to 30 connections per service (20 + 10 for visibility).
  as_pg_owner tee "$pg_data/capstan.conf" >/dev/null <<CONF
# Written by scripts/temporal-postgres.sh on each start.
port = $pg_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_socket_dir'
max_connections = 200
CONF
  as_pg_owner "$pg_bin/pg_ctl" start -D "$pg_data" -l "$pg_log" -w -t 60 >/dev/null ||
    die "PostgreSQL did not start on 127.0.0.1:$pg_port; see $pg_log"
}

psql_tcp() {
  PGPASSWORD="$DB_PASSWORD" "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U "$DB_USER" \
    -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

# Creates both databases when missing and brings their schemas to the version this server needs:
# setup-schema -v 0.0 only adds the version tables (and leaves a newer version alone); update-schema
# applies the embedded versioned scripts from there on.
setup_schemas() {
  local db schema
  for db in temporal temporal_visibility; do
    if [[ -z "$(psql_tcp -c "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>>"$schema_log")" ]]; then
      psql_tcp -c "CREATE DATABASE $db" >>"$schema_log" 2>&1 ||
        die "cannot create database $db; see $schema_log"
    fi
    schema="postgresql/v12/temporal"
    [[ "$db" == temporal_visibility ]] && schema="postgresql/v12/visibility"
    local tool=("$sql_tool" --plugin postgres12 --endpoint 127.0.0.1 --port "$pg_port"
      --user "$DB_USER" --password "$DB_PASSWORD" --database "$db")
    { "${tool[@]}" setup-schema -v 0.0 && "${tool[@]}" update-schema --schema-name "$schema"; } \
      >>"$schema_log" 2>&1 || die "the schema of database $db could not be set up; see $schema_log"
  done
}

write_server_config() {
  mkdir -p "$temporal_home/config"
  cat >"$temporal_home/dynamicconfig.yaml" <<'YAML'
# Written by scripts/temporal-postgres.sh; the same as docker-compose.temporal.yml's.
# Search attributes registered a moment ago are usable at once (a development setting).
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
limit.maxIDLength:
  - value: 255
    constraints: {}
# New transfer tasks (every activity and workflow task to dispatch) are loaded at most this often
# per shard and second; the default, 20, puts ~40 ms into each dispatch on a 4-shard cluster.
history.transferProcessorMaxPollRPS:
  - value: 200
    constraints: {}
YAML
  datastore() {
    cat <<YAML
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: tcp
        user: $DB_USER
        password: $DB_PASSWORD
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
YAML
  }
  service() {
    cat <<YAML
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $3
      bindOnIP: 127.0.0.1
YAML
  }
  {
    cat <<YAML
# Written by scripts/temporal-postgres.sh on each start, like the auto-setup image's config.
log:
  stdout: true
  level: info
persistence:
  # Fixed when the database is created; never change it for existing data.
  numHistoryShards: 4
  defaultStore: default
  visibilityStore: visibility
  datastores:
    default:
YAML
    datastore temporal 20
    echo "    visibility:"
    datastore temporal_visibility 10
    cat <<YAML
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  pprof:
    port: 0
services:
YAML
    service frontend "$port" $((port + 10))
    echo "      httpPort: $((port + 4))"
    service history $((port + 1)) $((port + 11))
    service matching $((port + 2)) $((port + 12))
    service worker $((port + 3)) $((port + 13))
    cat <<YAML
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$port"
      httpAddress: "127.0.0.1:$((port + 4))"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "$temporal_home/dynamicconfig.yaml"
  pollInterval: 60s
YAML
  } >"$temporal_home/config/capstan.yaml"
}

# Before anything starts: a frontend of another server on our port would answer our checks.
check_server_ports_free() {
  local p
  for p in "$port" $((port + 1)) $((port + 2)) $((port + 3)) $((port + 4)) \
    $((port + 10)) $((port + 11)) $((port + 12)) $((port + 13)); do
    if listening "$p"; then
      die "port $p on 127.0.0.1 is taken (another Temporal?); choose another --port"
    fi
  done
}

start_server() {
  write_server_config
  # A session of its own, so the server outlives this script and whatever started it.
  setsid nohup "$server_bin" --root "$temporal_home" --config config --env capstan \
    --allow-no-auth start >>"$server_log" 2>&1 </dev/null &
  echo $! >"$server_pid_file"
}

temporal() {
  "$cli" "$@" --address "127.0.0.1:$port" --command-timeout 5s
}

# Runs "$@" until it succeeds, while temporal-server lives, for at most READY_TIMEOUT_S.
until_ok() {
  local what="$1" deadline=$((SECONDS + READY_TIMEOUT_S))
  shift
  until "$@" >/dev/null 2>&1; do
    [[ -n "$(server_pid)" ]] || die "temporal-server exited while $what; see $server_log"
    [[ $SECONDS -lt $deadline ]] ||
      die "temporal-server was not ready within ${READY_TIMEOUT_S}s ($what); see $server_log"
    sleep 0.5
  done
}

search_attribute_registered() {
  temporal operator search-attribute list --namespace "$NAMESPACE" --output json |
    grep -qF "\"$1\""
}

register_search_attribute() {
  local name="${1%%=*}" type="${1#*=}"
  search_attribute_registered "$name" ||
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
}

create_namespace() {
  temporal operator namespace describe --namespace "$NAMESPACE" ||
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$NAMESPACE_RETENTION" \
      --description "Default namespace for Temporal Server."
}

set_up_namespace() {
  until_ok "creating namespace $NAMESPACE" create_namespace
  local attribute
  for attribute in "${SEARCH_ATTRIBUTES[@]}"; do
    until_ok "registering search attribute ${attribute%%=*}" register_search_attribute "$attribute"
  done
  # Runs can be listed in the namespace once the frontend knows it.
  until_ok "waiting for namespace $NAMESPACE" \
    temporal workflow list --namespace "$NAMESPACE" --limit 1
}

start() {
  check_installed
  choose_ports
  mkdir -p "$temporal_home"
  local started=$SECONDS
  if [[ -n "$(server_pid)" ]] && postgres_running; then
    echo "Temporal Server $SERVER_VERSION on PostgreSQL already runs at 127.0.0.1:$port ($state_dir): ./capstan up --temporal 127.0.0.1:$port"
    return
  fi
  local server_runs=false
  [[ -n "$(server_pid)" ]] && server_runs=true
  $server_runs || check_server_ports_free
  init_postgres
  start_postgres
  setup_schemas
  $server_runs || start_server
  printf 'PORT=%s\nPG_PORT=%s\n' "$port" "$pg_port" >"$ports_file"
  until_ok "starting" temporal operator cluster health
  set_up_namespace
  echo "Temporal Server $SERVER_VERSION on PostgreSQL is up at 127.0.0.1:$port in $((SECONDS - started))s (data and logs in $state_dir): ./capstan up --temporal 127.0.0.1:$port"
}

# --- stop and status ---------------------------------------------------------------------------

stop() {
  stop_server
  if ! $keep_postgres; then
    stop_postgres
  fi
}

status() {
  local pid running=true
  pid="$(server_pid)"
  choose_ports
  if [[ -n "$pid" ]]; then
    echo "temporal-server: running (pid $pid) at 127.0.0.1:$port; log $server_log"
  else
    echo "temporal-server: stopped"
    running=false
  fi
  if postgres_running; then
    echo "PostgreSQL: running at 127.0.0.1:$pg_port; data $pg_data, log $pg_log"
  else
    echo "PostgreSQL: stopped"
    running=false
  fi
  $running
}

"$action"
