# shellcheck shell=bash
# Installation and build: Debian packages, idempotent; `apt-get update` once, only when something is missing.
# Sourced by ./stack.

find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then PG_BIN="$dir"; return 0; fi
  done
  return 1
}

ensure_packages() {
  local missing=("$@")
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  find_pg_bin || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # Debian's prometheus would start a system-wide service on :9090; the stack runs its own, so no service starts
    # during this install (policy-rc.d 101, the standard way in images) and nothing is left enabled by it.
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      guard=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' | as_root tee "$guard" >/dev/null && as_root chmod 755 "$guard"
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
      [ -n "$guard" ] && as_root rm -f "$guard"
      die "apt-get install ${missing[*]} failed"
    }
    [ -n "$guard" ] && as_root rm -f "$guard"
  fi
  find_pg_bin || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is required (dotnet on PATH)"
}

# What the browser tests need besides the stack: Debian's chromium, CJK fonts for the Korean screenshots, node
# (comes with the machine; installed from Debian if not) and playwright-core from tests/browser/package-lock.json.
ensure_test_packages() {
  local extra=()
  command -v chromium >/dev/null 2>&1 || extra+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || extra+=(fonts-noto-cjk)
  command -v node >/dev/null 2>&1 || extra+=(nodejs npm)
  # kubectl renders deploy/kubernetes (kubectl kustomize, no cluster needed): Debian's kubernetes-client, or any kubectl
  # already on the PATH.
  command -v kubectl >/dev/null 2>&1 || extra+=(kubernetes-client)
  ensure_packages "${extra[@]}"
  if [ ! -d "$ROOT/k6/node_modules/@types/k6" ]; then
    say "installing the k6 scripts' type-check packages (npm ci)"
    (cd "$ROOT/k6" && npm ci --silent --no-audit --no-fund) || die "npm ci in k6 failed"
  fi
  if [ "$ROOT/tests/browser/package-lock.json" -nt "$ROOT/tests/browser/node_modules/.package-lock.json" ]; then
    say "installing the browser tests' npm packages (npm ci)"
    (cd "$ROOT/tests/browser" && npm ci --silent --no-audit --no-fund) || die "npm ci in tests/browser failed"
  fi
  if [ "$ROOT/deploy/kubernetes/validate/package-lock.json" -nt "$ROOT/deploy/kubernetes/validate/node_modules/.package-lock.json" ]; then
    say "installing the Kubernetes manifest validator's npm packages (npm ci)"
    (cd "$ROOT/deploy/kubernetes/validate" && npm ci --silent --no-audit --no-fund) || die "npm ci in deploy/kubernetes/validate failed"
  fi
}

build_solution() {
  (cd "$ROOT" && dotnet build YarpWaitingRoom.sln -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly) || die "build failed"
}

# The build of `up`, skipped with STACK_NO_BUILD=1.
build() {
  if [ "${STACK_NO_BUILD:-0}" = "1" ]; then return 0; fi
  say "building ($CONFIGURATION)"
  build_solution
}
