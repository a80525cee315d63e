# shellcheck shell=bash
# nginx instances and templates: a rendered template inside a generated top-level config, all state under
# $STATE/nginx/<name>. Sourced by ./stack.

# Fills the template's ${NAME} placeholders from template_values (the nginx and Prometheus templates alike).
render_template() {
  local template="$1" out="$2" line key value
  cp "$template" "$out"
  while IFS= read -r line; do
    key="${line%%=*}"; value="${line#*=}"
    sed -i "s|\${$key}|$value|g" "$out"
  done < <(template_values)
  if grep -v "^ *#" "$out" | grep -qE '\$\{[A-Z_]+\}'; then
    die "$template uses placeholders that ./stack does not know: $(grep -oE '\$\{[A-Z_]+\}' "$out" | sort -u | tr '\n' ' ')"
  fi
}

start_nginx() {
  local name="$1" port="$2" template="$3"
  if is_running "$name"; then return 0; fi
  local dir="$STATE/nginx/$name"
  mkdir -p "$dir/tmp"
  render_template "$ROOT/nginx/$template" "$dir/server.conf"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 2;
pid $RUN/$name.pid;
error_log $LOGS/$name.error.log warn;
events { worker_connections 4096; }
http {
  access_log $LOGS/$name.access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/server.conf;
}
CONF
  local nginx_bin
  nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
  "$nginx_bin" -t -q -c "$dir/nginx.conf" -p "$dir" 2>>"$LOGS/$name.error.log" || die "nginx config for $name is invalid; see $LOGS/$name.error.log"
  "$nginx_bin" -c "$dir/nginx.conf" -p "$dir" 2>>"$LOGS/$name.error.log" || die "nginx $name did not start; see $LOGS/$name.error.log"
  say "started $name on :$port"
}
