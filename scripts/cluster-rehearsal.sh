#!/usr/bin/env bash
# The compose cluster's Temporal path without Docker: PostgreSQL from the distribution's packages, the
# Temporal server and its SQL tool built with `go install` at the version docker-compose.yml pins, the
# schema, namespace and search attributes set up the way the compose set-up jobs do, on loopback only.
#
#   scripts/cluster-rehearsal.sh              # install, then the rehearsal (test/cluster-postgres.test.ts)
#                                             # and the load at 10 cutovers (test/cluster-load.test.ts),
#                                             # each bringing a cluster up and tearing it down itself
#   scripts/cluster-rehearsal.sh install      # only build the server and SQL tool into .tools/
#   scripts/cluster-rehearsal.sh up DIR       # start PostgreSQL and the server with their state in DIR;
#                                             # prints TEMPORAL_ADDRESS=… and TEMPORAL_NAMESPACE=…
#   scripts/cluster-rehearsal.sh down DIR     # stop both and remove DIR
#   scripts/cluster-rehearsal.sh load [--cutovers N] [--approvals N] ...
#                                             # a cluster of its own, two `cutover worker` processes and
#                                             # 1,000 cutovers held at gates (test/bench/cluster-load.ts);
#                                             # figures to bench/cluster-load.json, then everything torn down
#
# Ports (loopback): CLUSTER_PG_PORT (default 55432) and CLUSTER_TEMPORAL_PORT (default 17233, the frontend;
# the other services take the next ports up to +13). Everything is idempotent: `install` skips what is
# built, `up` on a DIR that is already up only prints its settings, `down` on a stopped DIR is quiet.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One pin for both paths: the server image the compose file runs.
VERSION="${TEMPORAL_SERVER_VERSION:-$(sed -n 's|.*image: temporalio/server:\([0-9.]*\).*|\1|p' "$ROOT/docker-compose.yml" | head -n1)}"
[[ -n "$VERSION" ]] || { echo "no temporalio/server image pin in docker-compose.yml" >&2; exit 1; }
TOOLS="$ROOT/.tools/temporal-server-$VERSION"
PG_PORT="${CLUSTER_PG_PORT:-55432}"
FRONTEND_PORT="${CLUSTER_TEMPORAL_PORT:-17233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"

log() { echo "cluster-rehearsal: $*" >&2; }

install_server() {
  if [[ -x "$TOOLS/bin/server" && -x "$TOOLS/bin/sql" && -d "$TOOLS/schema/postgresql/v12" ]]; then
    return
  fi
  command -v go >/dev/null || { echo "go is needed to build the Temporal server" >&2; exit 1; }
  log "building go.temporal.io/server v$VERSION (server and SQL tool) into ${TOOLS#"$ROOT"/} ..."
  local started=$SECONDS
  # Outside any module, so the server's own go.mod decides every dependency version.
  (cd "$(mktemp -d)" && GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod nice -n 10 go install \
    "go.temporal.io/server/cmd/server@v$VERSION" "go.temporal.io/server/cmd/tools/sql@v$VERSION")
  # The schema files ship in the module, not in the binaries; keep a copy so a cleaned module cache
  # does not break the next `up`.
  local dir
  dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "go.temporal.io/server@v$VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$TOOLS/schema"
  rm -rf "$TOOLS/schema/postgresql"
  cp -R "$dir/schema/postgresql" "$TOOLS/schema/postgresql"
  chmod -R u+w "$TOOLS/schema"
  log "built in $((SECONDS - started)) s"
}

pg_bin() {
  local bin
  bin="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    [[ "$(id -u)" == 0 ]] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }
    log "installing PostgreSQL from the distribution's packages"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
    bin="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  fi
  echo "$bin"
}

# PostgreSQL refuses to run as root, so as root its commands run as the packages' postgres user.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

temporal_cli() {
  local cli
  cli="${TEMPORAL_CLI_PATH:-}"
  if [[ -z "$cli" && -f "$ROOT/.tools/binaries.json" ]]; then
    cli="$(node -e 'console.log(require(process.argv[1]).cli.path)' "$ROOT/.tools/binaries.json")"
  fi
  [[ -n "$cli" ]] || cli="$(command -v temporal || true)"
  [[ -x "$cli" ]] || { echo "no Temporal CLI: run npm run setup first" >&2; exit 1; }
  echo "$cli"
}

print_env() {
  echo "TEMPORAL_ADDRESS=127.0.0.1:$FRONTEND_PORT"
  echo "TEMPORAL_NAMESPACE=$NAMESPACE"
  echo "CLUSTER_PG_PORT=$PG_PORT"
}

write_config() {
  local state="$1" f="$FRONTEND_PORT"
  local db
  cat >"$state/temporal.yaml" <<EOF
# Single-node development-style cluster on PostgreSQL, every port on loopback.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
EOF
  for db in default visibility; do
    cat >>"$state/temporal.yaml" <<EOF
    postgres-$db:
      sql:
        pluginName: postgres12
        databaseName: $([[ $db == default ]] && echo temporal || echo temporal_visibility)
        connectAddr: "127.0.0.1:$PG_PORT"
        connectProtocol: tcp
        user: temporal
        password: temporal
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
EOF
  done
  cat >>"$state/temporal.yaml" <<EOF
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:
    rpc: { grpcPort: $f, membershipPort: $((f + 10)), httpPort: $((f + 4)), bindOnLocalHost: true }
  history:
    rpc: { grpcPort: $((f + 1)), membershipPort: $((f + 11)), bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $((f + 2)), membershipPort: $((f + 12)), bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $((f + 3)), membershipPort: $((f + 13)), bindOnLocalHost: true }
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
      rpcAddress: "127.0.0.1:$f"
dcRedirectionPolicy:
  policy: noop
# The compose cluster's own dynamic config, so its keys are exercised by a real server.
dynamicConfigClient:
  filepath: "$ROOT/deploy/temporal/dynamicconfig.yaml"
  pollInterval: 10s
EOF
}

start_postgres() {
  local state="$1" bin
  bin="$(pg_bin)"
  local data="$state/pg"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    mkdir -p "$data"
    echo temporal >"$state/pg-password"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$data" "$state/pg-password" && chmod 700 "$data"
    as_pg "$bin/initdb" -D "$data" -U temporal --pwfile="$state/pg-password" \
      --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >"$state/initdb.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    # Loopback TCP only; the socket stays inside the state folder so nothing else on the machine is touched.
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $data -c fsync=off" start >/dev/null
  fi
}

setup_schema() {
  local schema="$TOOLS/schema/postgresql/v12"
  local sqltool=("$TOOLS/bin/sql" --plugin postgres12 --ep 127.0.0.1 -p "$PG_PORT" -u temporal --pw temporal)
  local db
  for db in temporal temporal_visibility; do
    # `create` fails once the database exists; the schema steps below report any real fault.
    "${sqltool[@]}" --db "$db" create-database >/dev/null 2>&1 || true
  done
  # setup-schema -v 0.0 only adds the versioning tables (a no-op when present); update-schema applies
  # whatever versions are missing, so both are safe to repeat.
  {
    "${sqltool[@]}" --db temporal setup-schema -v 0.0
    "${sqltool[@]}" --db temporal update-schema -d "$schema/temporal/versioned"
    "${sqltool[@]}" --db temporal_visibility setup-schema -v 0.0
    "${sqltool[@]}" --db temporal_visibility update-schema -d "$schema/visibility/versioned"
  } >"$1/schema.log" 2>&1 || { echo "schema set-up failed; its log:" >&2; tail -n 20 "$1/schema.log" >&2; exit 1; }
}

start_temporal() {
  local state="$1"
  if [[ -f "$state/temporal.pid" ]] && kill -0 "$(cat "$state/temporal.pid")" 2>/dev/null; then return; fi
  write_config "$state"
  # setsid: the server outlives this script, in its own process group so `down` can stop all of it.
  setsid "$TOOLS/bin/server" --config-file "$state/temporal.yaml" --allow-no-auth start \
    >"$state/temporal.log" 2>&1 </dev/null &
  echo $! >"$state/temporal.pid"
}

setup_namespace() {
  local state="$1" cli attribute name type
  cli="$(temporal_cli)"
  export TEMPORAL_ADDRESS="127.0.0.1:$FRONTEND_PORT"
  local deadline=$((SECONDS + 120))
  until "$cli" operator cluster health >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$state/temporal.pid")" 2>/dev/null; then
      echo "the Temporal server exited; its log:" >&2; tail -n 30 "$state/temporal.log" >&2; exit 1
    fi
    ((SECONDS < deadline)) || { echo "the Temporal server did not become healthy in 120 s" >&2; exit 1; }
    sleep 1
  done
  "$cli" operator namespace describe -n "$NAMESPACE" >/dev/null 2>&1 ||
    "$cli" operator namespace create -n "$NAMESPACE" --retention 30d >/dev/null
  # A new namespace reaches each service's namespace cache only on its next refresh (about 10 s), and
  # search attributes cannot be listed or added before that.
  until "$cli" operator search-attribute list -n "$NAMESPACE" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "namespace $NAMESPACE never appeared" >&2; exit 1; }
    sleep 1
  done
  # The same registrations the dev server gets, from the workflow's own definition of them.
  [[ -f "$ROOT/dist/src/workflows/search-attributes.js" ]] || (cd "$ROOT" && nice -n 10 npm run --silent build)
  for attribute in $(node -e 'console.log(require(process.argv[1]).SEARCH_ATTRIBUTE_REGISTRATIONS.join(" "))' \
    "$ROOT/dist/src/workflows/search-attributes.js"); do
    name="${attribute%%=*}"
    type="${attribute#*=}"
    "$cli" operator search-attribute list -n "$NAMESPACE" | grep -qw "$name" ||
      "$cli" operator search-attribute create -n "$NAMESPACE" --name "$name" --type "$type" >/dev/null
  done
}

# A port something already listens on would leave `up` talking to someone else's server.
ensure_ports_free() {
  local port
  for port in "$PG_PORT" "$FRONTEND_PORT" $((FRONTEND_PORT + 1)) $((FRONTEND_PORT + 2)) $((FRONTEND_PORT + 3)) \
    $((FRONTEND_PORT + 4)) $((FRONTEND_PORT + 10)) $((FRONTEND_PORT + 11)) $((FRONTEND_PORT + 12)) $((FRONTEND_PORT + 13)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "port $port is taken: set CLUSTER_PG_PORT and CLUSTER_TEMPORAL_PORT to free ones" >&2
      exit 1
    fi
  done
}

up() {
  local state="${1:?usage: $0 up DIR}"
  mkdir -p "$state"
  state="$(cd "$state" && pwd)"
  [[ "$(id -u)" == 0 ]] && chmod 755 "$state"
  install_server
  local started=$SECONDS
  start_postgres "$state"
  setup_schema "$state"
  start_temporal "$state"
  setup_namespace "$state"
  log "PostgreSQL on 127.0.0.1:$PG_PORT, Temporal $VERSION on 127.0.0.1:$FRONTEND_PORT, up in $((SECONDS - started)) s"
  print_env | tee "$state/env"
}

down() {
  local state="${1:?usage: $0 down DIR}"
  [[ -d "$state" ]] || return 0
  if [[ -f "$state/temporal.pid" ]]; then
    local pid
    pid="$(cat "$state/temporal.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  if [[ -f "$state/pg/PG_VERSION" ]]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$state/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$state"
}

case "${1:-rehearse}" in
  install) install_server ;;
  up) up "${2:-}" ;;
  down) down "${2:-}" ;;
  env) print_env ;;
  rehearse)
    started=$SECONDS
    install_server
    cd "$ROOT"
    node scripts/setup.mjs >/dev/null
    nice -n 10 npm run --silent build
    # Without the project's mocha config, whose spec list would add the whole suite.
    CUTOVER_CLUSTER_TEST=1 npx mocha --no-config --require dist/test/hooks.js --enable-source-maps --exit \
      dist/test/cluster-postgres.test.js dist/test/cluster-load.test.js
    log "rehearsal done in $((SECONDS - started)) s"
    ;;
  load)
    shift
    install_server
    cd "$ROOT"
    node scripts/setup.mjs >/dev/null
    nice -n 10 npm run --silent build
    ensure_ports_free
    state="$(mktemp -d "${TMPDIR:-/tmp}/cutover-cluster-load.XXXXXX")"
    # Whatever ends the run, the server and PostgreSQL go with it.
    trap 'down "$state"' EXIT
    trap 'exit 130' INT TERM
    up "$state" >/dev/null
    set -a
    # shellcheck disable=SC1091
    . "$state/env"
    set +a
    node --enable-source-maps dist/test/bench/cluster-load.js "$@"
    ;;
  *) echo "usage: $0 [rehearse|install|up DIR|down DIR|env|load [OPTIONS]]" >&2; exit 2 ;;
esac
