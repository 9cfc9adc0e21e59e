# SPDX-License-Identifier: LGPL-2.1-or-later
# nginx-route's port form with the real nginx: archy-derive renders the routes into a tree, a real
# nginx serves them (the port-form files at its http level, the location form inside a port-80
# server, as a node includes them), in front of a real upstream that behaves like a web UI
# (nginx-upstream.py). Each file is served as archy-derive wrote it; only its two certificate paths
# are pointed at this test's own self-signed pair instead of /etc/archipelago/tls.

N_HTTP=34480  # the app over http on 127.0.0.1
N_TLS=34481   # the app over https with its own self-signed certificate (lightning-terminal)
P_ROOT=34431  # route: the app at the root of its own port
P_TLS=34432   # route: upstream_tls
P_BASE=34433  # route: base_path /btcpay/
P_LOC=34479   # the port-80 server of the node, for the location form

upstream() { "$BATS_TEST_DIRNAME/nginx-upstream.py" "$@"; }
get() { curl -ksS -m 5 "$@"; }
header() { get -D - -o /dev/null "$2" | tr -d '\r' | sed -n "s/^$1: //Ip"; }

setup_file() {
	NGINX=${ARCHY_NGINX:-/usr/sbin/nginx}
	[ -x "$NGINX" ] || skip "nginx is not installed (apt-get install nginx; make check installs it)"
	D=$BATS_FILE_TMPDIR
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	install -d -m755 "$D/tree/etc/archipelago" "$D/nginx/ports.d" "$D/nginx/tmp" "$D/tls"
	chmod 755 "$D" "$D/tree"
	cat >"$D/tree/etc/archipelago/manifest.yaml" <<-EOF
		version: 1
		apps:
		  ui:
		    containers: {main: {image: localhost/ui:1}}
		    derived:
		      - {kind: nginx-route, path: /etc/nginx/archipelago-ports.d/ui.conf, port: $P_ROOT, upstream: "127.0.0.1:$N_HTTP"}
		      - {kind: nginx-route, path: /etc/nginx/archipelago-ports.d/tls.conf, port: $P_TLS, upstream: "127.0.0.1:$N_TLS", upstream_tls: true}
		      - {kind: nginx-route, path: /etc/nginx/archipelago-ports.d/base.conf, port: $P_BASE, upstream: "127.0.0.1:$N_HTTP", base_path: /btcpay/}
		      - {kind: nginx-route, path: /etc/nginx/archipelago.d/ui.conf, location: /apps/ui/, upstream: "127.0.0.1:$N_HTTP"}
	EOF
	${ARCHY_DERIVE:-$BATS_TEST_DIRNAME/../../build/archy-derive} --root "$D/tree" >/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=node -keyout "$D/tls/node.key" \
		-out "$D/tls/node.crt" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=app -keyout "$D/tls/app.key" \
		-out "$D/tls/app.crt" 2>/dev/null
	for f in "$D"/tree/etc/nginx/archipelago-ports.d/*.conf; do
		sed "s|/etc/archipelago/tls/|$D/tls/|" "$f" >"$D/nginx/ports.d/${f##*/}"
	done
	cat >"$D/nginx/nginx.conf" <<-EOF
		pid $D/nginx/nginx.pid;
		error_log $D/nginx/error.log;
		events {}
		http {
			access_log off;
			client_body_temp_path $D/nginx/tmp/body;
			proxy_temp_path $D/nginx/tmp/proxy;
			fastcgi_temp_path $D/nginx/tmp/fastcgi;
			uwsgi_temp_path $D/nginx/tmp/uwsgi;
			scgi_temp_path $D/nginx/tmp/scgi;
			include $D/nginx/ports.d/*.conf;
			server {
				listen 127.0.0.1:$P_LOC;
				include $D/tree/etc/nginx/archipelago.d/*.conf;
			}
		}
	EOF
	# the script itself in the background, not the function: $! is then the server's own pid
	"$BATS_TEST_DIRNAME/nginx-upstream.py" serve "$N_HTTP" 3>&- &
	echo $! >"$D/upstream-http.pid"
	"$BATS_TEST_DIRNAME/nginx-upstream.py" serve "$N_TLS" "$D/tls/app.crt" "$D/tls/app.key" 3>&- &
	echo $! >"$D/upstream-tls.pid"
	"$NGINX" -t -q -p "$D/nginx" -c "$D/nginx/nginx.conf"
	"$NGINX" -p "$D/nginx" -c "$D/nginx/nginx.conf"
	for _ in $(seq 50); do
		get -o /dev/null "http://127.0.0.1:$N_HTTP/" && get -o /dev/null "https://127.0.0.1:$N_TLS/" &&
			get -o /dev/null "https://127.0.0.1:$P_ROOT/" && return 0
		sleep 0.1
	done
	echo "the upstreams or nginx did not come up" >&2
	cat "$D/nginx/error.log" >&2
	return 1
}

teardown_file() {
	D=$BATS_FILE_TMPDIR
	for f in "$D/nginx/nginx.pid" "$D/upstream-http.pid" "$D/upstream-tls.pid"; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

@test "nginx-route port form: the file is a server of its own for nginx's http level, with the node's certificate" {
	f=$BATS_FILE_TMPDIR/tree/etc/nginx/archipelago-ports.d/ui.conf
	[ "$(stat -c '%a %u:%g' "$f")" = "644 0:0" ] || [ "$(id -u)" -ne 0 ]
	grep -qx "	listen $P_ROOT ssl;" "$f"
	grep -qx '	ssl_certificate /etc/archipelago/tls/node.crt;' "$f"
	grep -qx '	ssl_certificate_key /etc/archipelago/tls/node.key;' "$f"
	grep -qx '	location / {' "$f"
	grep -qx "		proxy_pass http://127.0.0.1:$N_HTTP;" "$f" # no URI: nothing stripped
}

@test "nginx-route port form: the page and the assets it loads from / are served through the HTTPS port" {
	run get "https://127.0.0.1:$P_ROOT/"
	[ "$status" -eq 0 ]
	[[ "$output" == *'<base href="/">'* ]]
	[ "$(get "https://127.0.0.1:$P_ROOT/main.js")" = "fetch('/config.json');" ]
	[ "$(get "https://127.0.0.1:$P_ROOT/config.json")" = '{"api": "/api/v1"}' ]
}

@test "nginx-route port form: framing by the dashboard allowed on purpose: no X-Frame-Options, the app's CSP kept but its frame-ancestors" {
	[ "$(get -o /dev/null -w '%{http_code}' "http://127.0.0.1:$N_HTTP/")" = 200 ]
	[ "$(header X-Frame-Options "http://127.0.0.1:$N_HTTP/")" = DENY ] # the app forbids it
	[ -z "$(header X-Frame-Options "https://127.0.0.1:$P_ROOT/")" ]
	[ "$(header Content-Security-Policy "https://127.0.0.1:$P_ROOT/")" = \
		"default-src 'self'; ; img-src data:; frame-ancestors 'self' https://127.0.0.1" ]
	[ "$(header Content-Security-Policy "https://127.0.0.1:$P_ROOT/no-csp")" = "frame-ancestors 'self' https://127.0.0.1" ]
	# the Host the browser used, without its port: the dashboard on 443 of the same host
	[ "$(get -D - -o /dev/null -H 'Host: node.local:34431' "https://127.0.0.1:$P_ROOT/no-csp" | tr -d '\r' |
		sed -n 's/^Content-Security-Policy: //Ip')" = "frame-ancestors 'self' https://node.local" ]
	# error pages too (always)
	[ "$(header Content-Security-Policy "https://127.0.0.1:$P_ROOT/nothing-here")" = \
		"default-src 'self'; ; img-src data:; frame-ancestors 'self' https://127.0.0.1" ]
	[ -z "$(header X-Frame-Options "https://127.0.0.1:$P_ROOT/nothing-here")" ]
}

@test "nginx-route port form: the app is told Host and X-Forwarded-* with the HTTPS port" {
	run get "https://127.0.0.1:$P_ROOT/headers"
	[ "$status" -eq 0 ]
	echo "$output"
	python3 -c '
import json, sys
h = json.loads(sys.argv[1])
port = sys.argv[2]
assert h["Host"] == "127.0.0.1:" + port, h
assert h["X-Forwarded-Proto"] == "https", h
assert h["X-Forwarded-Host"] == "127.0.0.1:" + port, h
assert h["X-Forwarded-Port"] == port, h
assert h["X-Forwarded-For"] == "127.0.0.1", h
assert h["X-Real-IP"] == "127.0.0.1", h
assert h["path"] == "/headers", h
assert h["Connection"] == "close" and "Upgrade" not in h, h
' "$output" "$P_ROOT"
}

@test "nginx-route port form: a redirect the app builds from Host stays on the HTTPS port" {
	[ "$(header Location "http://127.0.0.1:$N_HTTP/login")" = "http://127.0.0.1:$N_HTTP/dashboard" ]
	[ "$(header Location "https://127.0.0.1:$P_ROOT/login")" = "https://127.0.0.1:$P_ROOT/dashboard" ]
	[ "$(get -L -o /dev/null -w '%{url_effective}' "https://127.0.0.1:$P_ROOT/login")" = \
		"https://127.0.0.1:$P_ROOT/dashboard" ]
	# plain http typed into the app's port: sent to https on the same port
	[ "$(get -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$P_ROOT/x?y=1")" = \
		"301 https://127.0.0.1:$P_ROOT/x?y=1" ]
}

@test "nginx-route port form: a WebSocket upgrade goes through, to an http and to an https upstream" {
	run upstream ws "$P_ROOT" /ws
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "HTTP/1.1 101 Switching Protocols" ]
	[ "${lines[1]}" = "hello through nginx" ]
	run upstream ws "$P_TLS" /ws
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "hello through nginx" ]
}

@test "nginx-route port form: upstream_tls proxies to an app that serves HTTPS itself with a self-signed certificate" {
	run get "https://127.0.0.1:$P_TLS/"
	[ "$status" -eq 0 ]
	[[ "$output" == *'<base href="/">'* ]]
	[ "$(header Location "https://127.0.0.1:$P_TLS/login")" = "https://127.0.0.1:$P_TLS/dashboard" ]
	[ -z "$(header X-Frame-Options "https://127.0.0.1:$P_TLS/")" ]
	# without upstream_tls the same app is unreachable: nginx speaks http to a TLS port
	sed "s|proxy_pass https://|proxy_pass http://|" "$BATS_FILE_TMPDIR/nginx/ports.d/tls.conf" >"$BATS_FILE_TMPDIR/plain.conf"
	grep -q "proxy_pass http://127.0.0.1:$N_TLS;" "$BATS_FILE_TMPDIR/plain.conf"
}

@test "nginx-route port form: base_path keeps the prefix (the app knows it), / goes to it, nothing else is served" {
	run get "https://127.0.0.1:$P_BASE/btcpay/headers"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"path": "/btcpay/headers"'* ]]
	[ "$(get -o /dev/null -w '%{http_code} %{redirect_url}' "https://127.0.0.1:$P_BASE/")" = \
		"302 https://127.0.0.1:$P_BASE/btcpay/" ]
	[ "$(get -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P_BASE/main.js")" = 404 ]
}

@test "nginx-route location form: unchanged, served inside the node's port-80 server next to the port form" {
	[ "$(get "http://127.0.0.1:$P_LOC/apps/ui/config.json")" = '{"api": "/api/v1"}' ] # the prefix stripped
	[ "$(header X-Frame-Options "http://127.0.0.1:$P_LOC/apps/ui/")" = DENY ]            # no framing policy of archy's
}

@test "nginx-route port form: without the node's certificate nginx -t refuses the route (archy-derive then puts it back)" {
	D=$BATS_FILE_TMPDIR
	install -d "$D/nocert/ports.d"
	sed "s|/etc/archipelago/tls/|$D/missing/|" "$D/tree/etc/nginx/archipelago-ports.d/ui.conf" >"$D/nocert/ports.d/ui.conf"
	sed "s|$D/nginx/ports.d|$D/nocert/ports.d|; s|$D/nginx/nginx.pid|$D/nocert/nginx.pid|" "$D/nginx/nginx.conf" \
		>"$D/nocert/nginx.conf"
	run "${ARCHY_NGINX:-/usr/sbin/nginx}" -t -q -p "$D/nocert" -c "$D/nocert/nginx.conf"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot load certificate \"$D/missing/node.crt\""* ]]
}
