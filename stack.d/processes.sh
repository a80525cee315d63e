# shellcheck shell=bash
# The stack's processes: pid files under $RUN, Redis, PostgreSQL, Prometheus, the dotnet services, readiness.
# Sourced by ./stack.

pid_of() {
  local file="$RUN/$1.pid"
  [ -s "$file" ] || return 1
  local pid
  pid="$(head -n1 "$file" | tr -dc '0-9')"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

is_running() { pid_of "$1" >/dev/null; }

# still_serving NAME PORT: the service's process runs and is not on its way out. A process that is running but not ready
# may be stopping (signalled: a hub draining, a rolling update): it is given up to 10 s to exit, then started anew by the
# caller; one that is still there after that is left alone (it may be starting) and readiness decides.
still_serving() {
  local name="$1" port="$2" pid i
  pid="$(pid_of "$name")" || return 1
  http_ok "http://127.0.0.1:$port/readyz" && return 0
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 1; sleep 0.25; done
  return 0
}

stop_pid_file() {
  local name="$1" pid i
  if pid="$(pid_of "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then warn "$name did not stop in 10 s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

# Runs PostgreSQL tools as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The postgres user must be able to reach $STATE/pg through every parent directory.
open_path_for_postgres() {
  local dir="$1"
  while [ "$dir" != "/" ]; do
    chmod o+x "$dir" 2>/dev/null || true
    dir="$(dirname "$dir")"
  done
}

# ---------------------------------------------------------------------------------------------------------------------
# Redis, PostgreSQL and Prometheus
# ---------------------------------------------------------------------------------------------------------------------
# Redis: one redis-server named "redis", or with STACK_REDIS_CLUSTER=N a Redis Cluster of N masters named "redis-1" …
# "redis-N", each in its own directory under $STATE with its own log and pid file.
redis_is_cluster() { [ "$REDIS_CLUSTER" != 0 ]; }

# Fills REDIS_NODES ("name|port|bus port" per redis-server; no bus port for one redis-server) from the settings, or stops
# with what is wrong with them. A cluster port may name its bus port as Redis writes it, PORT@BUSPORT (else PORT + 10000).
load_redis_nodes() {
  REDIS_NODES=()
  if ! redis_is_cluster; then
    REDIS_NODES=("redis|$REDIS_PORT|")
    return 0
  fi
  [[ "$REDIS_CLUSTER" =~ ^[0-9]+$ ]] && [ "$REDIS_CLUSTER" -ge 3 ] \
    || die "STACK_REDIS_CLUSTER is '$REDIS_CLUSTER': 0 for one redis-server, else the number of masters (3 or more)"
  local ports=() i
  read -r -a ports <<<"${REDIS_CLUSTER_PORTS//,/ }"
  if [ "${#ports[@]}" -eq 0 ]; then
    for ((i = 0; i < REDIS_CLUSTER; i++)); do ports+=("$((REDIS_PORT + i))"); done
  fi
  [ "${#ports[@]}" -eq "$REDIS_CLUSTER" ] \
    || die "STACK_REDIS_CLUSTER_PORTS names ${#ports[@]} ports for $REDIS_CLUSTER masters"
  for i in "${!ports[@]}"; do
    [[ "${ports[$i]}" =~ ^([0-9]+)(@([0-9]+))?$ ]] \
      || die "STACK_REDIS_CLUSTER_PORTS: '${ports[$i]}' is neither PORT nor PORT@BUSPORT"
    REDIS_NODES+=("redis-$((i + 1))|${BASH_REMATCH[1]}|${BASH_REMATCH[3]:-$((BASH_REMATCH[1] + 10000))}")
  done
}

# What the services connect to (StackExchange.Redis syntax): every node, so any of them can tell the client the slot map.
redis_seeds() {
  local entry name port bus seeds=()
  for entry in "${REDIS_NODES[@]}"; do
    IFS='|' read -r name port bus <<<"$entry"
    seeds+=("127.0.0.1:$port")
  done
  (IFS=,; printf '%s\n' "${seeds[*]}")
}

start_redis() {
  local entry name port bus cluster
  for entry in "${REDIS_NODES[@]}"; do
    IFS='|' read -r name port bus <<<"$entry"
    is_running "$name" && continue
    cluster=()
    [ -z "$bus" ] || cluster=(--cluster-enabled yes --cluster-config-file nodes.conf --cluster-port "$bus")
    mkdir -p "$STATE/$name"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$STATE/$name" \
      --appendonly yes --save '' --daemonize yes "${cluster[@]}" --latency-monitor-threshold 100 \
      --pidfile "$RUN/$name.pid" --logfile "$LOGS/$name.log" >/dev/null
    say "started $name on :$port"
  done
}

redis_answers() {
  local entry name port bus
  for entry in "${REDIS_NODES[@]}"; do
    IFS='|' read -r name port bus <<<"$entry"
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG || return 1
  done
}

# redis_cluster_info PORT: CLUSTER INFO of one node, one field a line (without the protocol's carriage returns).
redis_cluster_info() { redis-cli -p "$1" cluster info 2>/dev/null | tr -d '\r'; }

# New nodes know only themselves and own no slot: redis-cli joins them and spreads the 16,384 slots evenly over them.
# Nodes that formed the cluster before (nodes.conf and the AOF in their directories) find each other again by themselves.
form_redis_cluster() {
  redis_is_cluster || return 0
  local entry name port bus addresses=()
  for entry in "${REDIS_NODES[@]}"; do
    IFS='|' read -r name port bus <<<"$entry"
    redis_cluster_info "$port" | grep -qx 'cluster_slots_assigned:0' || return 0
    addresses+=("127.0.0.1:$port")
  done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes >>"$LOGS/redis-cluster.log" 2>&1 \
    || die "could not form the Redis Cluster of ${addresses[*]}; see $LOGS/redis-cluster.log"
  say "formed a Redis Cluster: $REDIS_CLUSTER masters, the 16,384 slots spread over them"
}

# Every node sees the whole cluster, every slot served (cluster_state:ok).
redis_cluster_ok() {
  local entry name port bus info
  for entry in "${REDIS_NODES[@]}"; do
    IFS='|' read -r name port bus <<<"$entry"
    info="$(redis_cluster_info "$port")"
    grep -qx 'cluster_state:ok' <<<"$info" && grep -qx "cluster_known_nodes:$REDIS_CLUSTER" <<<"$info" || return 1
  done
}

stop_redis() {
  local entry name port bus file
  for entry in "${REDIS_NODES[@]}"; do
    IFS='|' read -r name port bus <<<"$entry"
    if is_running "$name"; then
      redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
    fi
  done
  # By pid file: also what the other setting started (a stack brought up with STACK_REDIS_CLUSTER and down without it).
  for file in "$RUN"/redis*.pid; do
    [ -e "$file" ] || continue
    name="$(basename "$file" .pid)"
    stop_pid_file "$name"
  done
}

start_prometheus() {
  if is_running prometheus; then return 0; fi
  mkdir -p "$STATE/prometheus/data"
  render_template "$ROOT/prometheus/prometheus.yml.template" "$STATE/prometheus/prometheus.yml"
  nohup prometheus --config.file="$STATE/prometheus/prometheus.yml" --storage.tsdb.path="$STATE/prometheus/data" \
    --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle \
    >>"$LOGS/prometheus.log" 2>&1 </dev/null &
  echo $! > "$RUN/prometheus.pid"
  say "started prometheus on :$PROMETHEUS_PORT"
}

start_postgres() {
  local pid
  if [ -s "$PG_DATA/postmaster.pid" ] && pid="$(head -n1 "$PG_DATA/postmaster.pid")" && kill -0 "$pid" 2>/dev/null; then
    echo "$pid" > "$RUN/postgres.pid"
    return 0
  fi
  mkdir -p "$STATE/pg" "$PG_SOCKET"
  if [ "$(id -u)" -eq 0 ]; then
    open_path_for_postgres "$STATE/pg"
    chown postgres:postgres "$STATE/pg" "$PG_SOCKET"
    touch "$LOGS/postgres.log" && chown postgres:postgres "$LOGS/postgres.log"
  fi
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    say "initialising PostgreSQL in $PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --no-instructions >>"$LOGS/postgres-init.log" 2>&1 \
      || die "initdb failed; see $LOGS/postgres-init.log"
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOGS/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
    || die "PostgreSQL did not start; see $LOGS/postgres.log"
  head -n1 "$PG_DATA/postmaster.pid" > "$RUN/postgres.pid"
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'reservations'" postgres | grep -q 1; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE reservations" postgres >/dev/null
  fi
  say "started postgres on :$PG_PORT"
}

stop_postgres() {
  if [ -s "$PG_DATA/postmaster.pid" ] && find_pg_bin; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    say "stopped postgres"
  fi
  rm -f "$RUN/postgres.pid"
}

# ---------------------------------------------------------------------------------------------------------------------
# dotnet services
# ---------------------------------------------------------------------------------------------------------------------
start_dotnet_service() {
  local name="$1" port="$2" project="$3" assembly="$4" extra="$5"
  if still_serving "$name" "$port"; then return 0; fi
  local dll="$ROOT/$project/bin/$CONFIGURATION/net10.0/$assembly.dll"
  [ -f "$dll" ] || die "$dll not found; run without STACK_NO_BUILD=1 to build"
  (
    default_service_environment
    cd "$ROOT/$project"
    # env, not export: configuration keys may contain '-' (YARP destination names), which bash cannot export.
    # shellcheck disable=SC2086
    nohup env $extra dotnet "$dll" --urls "http://127.0.0.1:$port" >>"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! > "$RUN/$name.pid"
  )
  say "started $name on :$port"
}

# ---------------------------------------------------------------------------------------------------------------------
# Readiness
# ---------------------------------------------------------------------------------------------------------------------
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# wait_until_ready NAME LOG COMMAND [ARG...]: runs the command every half second until it succeeds; gives up (and shows
# the log) after $READY_TIMEOUT seconds, or at once when the service's process has exited.
wait_until_ready() {
  local name="$1" log="$2" deadline=$((SECONDS + READY_TIMEOUT))
  shift 2
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf '\033[31merror:\033[0m %s is not ready after %s s (check: %s)\n  log: %s\n' "$name" "$READY_TIMEOUT" "$*" "$log" >&2
      [ -f "$log" ] && tail -n 20 "$log" | sed 's/^/    /' >&2
      exit 1
    fi
    if [[ "$name" != redis* && "$name" != postgres ]] && ! is_running "$name"; then
      printf '\033[31merror:\033[0m %s exited during start-up\n  log: %s\n' "$name" "$log" >&2
      [ -f "$log" ] && tail -n 20 "$log" | sed 's/^/    /' >&2
      exit 1
    fi
    sleep 0.5
  done
}
