# shellcheck shell=bash
# What the services are started with: default options, generated secrets, template placeholders. Sourced by ./stack.

# Defaults for every dotnet service; a variable the caller exported wins (operators and tests override any option).
default_service_environment() {
  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
  export ConnectionStrings__Reservations="${ConnectionStrings__Reservations:-Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=reservations;Maximum Pool Size=50;Max Auto Prepare=32;Auto Prepare Min Usages=2}"
  export ConnectionStrings__Redis="${ConnectionStrings__Redis:-$(redis_seeds)}"
  # Local http, and all load from one address (the load tool, k6): cookies without Secure, generous per-address limits
  # (the proxies' and the hubs' rate limits, the hubs' open sockets per address).
  export WaitingRoom__SecureCookies="${WaitingRoom__SecureCookies:-false}"
  # Start-up on a loaded machine (a rehearsal, CI): the first backend migrates and seeds while the other waits its turn.
  export Reservation__Database__StartupTimeout="${Reservation__Database__StartupTimeout:-00:03:00}"
  export WaitingRoom__RateLimits__JoinPerSecond="${WaitingRoom__RateLimits__JoinPerSecond:-100000}"
  export WaitingRoom__RateLimits__JoinBurst="${WaitingRoom__RateLimits__JoinBurst:-100000}"
  export WaitingRoom__RateLimits__VisitorPerSecond="${WaitingRoom__RateLimits__VisitorPerSecond:-100000}"
  export WaitingRoom__RateLimits__VisitorBurst="${WaitingRoom__RateLimits__VisitorBurst:-100000}"
  export SocketHub__MaxSocketsPerAddress="${SocketHub__MaxSocketsPerAddress:-1000000}"
  export WaitingRoom__RateLimits__JoinPerNetworkPerSecond="${WaitingRoom__RateLimits__JoinPerNetworkPerSecond:-100000}"
  export WaitingRoom__RateLimits__JoinNetworkBurst="${WaitingRoom__RateLimits__JoinNetworkBurst:-100000}"
  export WaitingRoom__RateLimits__NewPlacePerSecond="${WaitingRoom__RateLimits__NewPlacePerSecond:-100000}"
  export WaitingRoom__RateLimits__NewPlaceBurst="${WaitingRoom__RateLimits__NewPlaceBurst:-100000}"
  export WaitingRoom__RateLimits__NewPlacePerNetworkPerSecond="${WaitingRoom__RateLimits__NewPlacePerNetworkPerSecond:-100000}"
  export WaitingRoom__RateLimits__NewPlaceNetworkBurst="${WaitingRoom__RateLimits__NewPlaceNetworkBurst:-100000}"
  # The rehearsal room's places all come from one network too: its cap on places per network (default 50) is off.
  export WaitingRoom__Rooms__concert__MaxPlacesPerNetwork="${WaitingRoom__Rooms__concert__MaxPlacesPerNetwork:-0}"
  # Secrets generated once per state directory (see ensure_secrets); the caller's values win.
  local line key
  while IFS= read -r line; do
    key="${line%%=*}"
    [ -n "${!key:-}" ] || export "$line"
  done < "$SECRETS"
  # The backends' admin API (`./stack reset` frees every seat with it) takes the proxies' admin key unless set apart.
  export Reservation__Admin__Key="${Reservation__Admin__Key:-${WaitingRoom__AdminKey:-}}"
}

# The admin key and the token signing key: random, generated on first `up`, kept in $STATE/secrets.env (mode 600).
ensure_secrets() {
  [ -s "$SECRETS" ] && return 0
  mkdir -p "$STATE"
  (
    umask 077
    printf 'WaitingRoom__AdminKey=%s\n' "$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    printf 'WaitingRoom__SigningKeys__%s=%s\n' "k$(date +%Y%m%d)" "$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
  ) > "$SECRETS"
}

# The proxies' admin key: the caller's, else the generated one.
admin_key() {
  if [ -n "${WaitingRoom__AdminKey:-}" ]; then printf '%s\n' "$WaitingRoom__AdminKey"
  else sed -n 's/^WaitingRoom__AdminKey=//p' "$SECRETS"
  fi
}

# Placeholders the nginx and Prometheus templates may use (the same names compose passes to nginx's envsubst).
template_values() {
  printf '%s\n' \
    "INTERNAL_LB_PORT=$INTERNAL_LB_PORT" \
    "BACKEND_A=127.0.0.1:$BACKEND_A_PORT" \
    "BACKEND_B=127.0.0.1:$BACKEND_B_PORT" \
    "EDGE_PORT=$EDGE_PORT" \
    "PROXY_A=127.0.0.1:$PROXY_A_PORT" \
    "PROXY_B=127.0.0.1:$PROXY_B_PORT" \
    "HUB_A=127.0.0.1:$HUB_A_PORT" \
    "HUB_B=127.0.0.1:$HUB_B_PORT" \
    "PROMETHEUS_PORT=$PROMETHEUS_PORT"
}
