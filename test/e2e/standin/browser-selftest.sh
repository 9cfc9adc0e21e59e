#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Check the browser-driven UI checks on the host before the e2e suite trusts them: headless Chromium
# (test/e2e/guest/browser-check) against `archy-standin ui` directly and behind a real nginx. The
# check must pass where real UIs work (each app at the root of its own HTTPS port; BTCPay's root
# path proxied unstripped) and fail where they break: a sub-path proxy that strips the prefix breaks
# the base-root (mempool), cra (lightning-terminal) and guardian (fedimintd's UI) shapes, an X-Frame-Options: DENY the proxy
# does not hide or a frame-ancestors without the dashboard's origin keeps the UI out of the iframe.
# Usage: test/e2e/standin/browser-selftest.sh BINARY     TAP on stdout; exit 1 if any check fails
# Needs chromium and nginx (installed from the host's Debian packages when missing) and openssl.
# shellcheck disable=SC2317,SC2016  # t_* run through check(); nginx's $1 and $host are nginx's
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
check_bin=$here/../guest/browser-check
missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
		echo "browser-selftest: could not install ${missing[*]}" >&2
		exit 2
	}
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -s "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=test/e2e/standin/tap.bash
. "$(dirname "$0")/tap.bash"
on_fail() { sed 's/^/# /' "$tmp/out"; }

# alloc_port VAR: the next free port from 18800 on, never one handed out before (nginx binds later)
next_port=18800
alloc_port() {
	while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
	printf -v "$1" %s "$next_port"
	next_port=$((next_port + 1))
}
wait_port() {
	local i
	for ((i = 0; i < 50; i++)); do
		port_free "$1" || return 0
		sleep 0.1
	done
	echo "browser-selftest: nothing listens on $1" >&2
	exit 1
}
# start_ui NAME ARGS...: runs archy-standin ui on a free port, sets ${NAME}_port
start_ui() {
	local name=$1 port
	shift
	alloc_port port
	"$bin" ui --port "$port" "$@" 2>>"$tmp/ui-$name.log" &
	pids+=($!)
	printf -v "${name}_port" %s "$port"
	wait_port "$port"
}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout "$tmp/key.pem" \
	-out "$tmp/cert.pem" >/dev/null 2>&1
start_ui root --shape base-root
start_ui cra --shape cra
start_ui guardian --shape guardian
start_ui rootpath --shape root-path --base /btcpay
start_ui deny --shape base-root --header 'X-Frame-Options: DENY'
start_ui btcpay --shape root-path --base /btcpay --header 'X-Frame-Options: DENY'
start_ui litd --shape cra --tls "$tmp/cert.pem" "$tmp/key.pem"
# shellcheck disable=SC2154  # set by start_ui through printf -v
up_root=$root_port up_cra=$cra_port up_guardian=$guardian_port up_rootpath=$rootpath_port up_deny=$deny_port up_btcpay=$btcpay_port up_litd=$litd_port

# The front end, as on the node: the dashboard's origin serves the harness (and a page whose script
# throws), each app has its own HTTPS port proxied at its root, with the framing headers set.
dash='' p_root='' p_cra='' p_guardian='' p_deny='' p_leak='' p_self='' p_litd=''
for v in dash p_root p_cra p_guardian p_deny p_leak p_self p_litd; do alloc_port "$v"; done
mkdir -p "$tmp/www/ui"
cp "$here/../guest/archy-frame.html" "$tmp/www/ui/"
printf '<!doctype html>\n<title>throws</title>\n<script>throw new Error("deliberate")</script>\n' >"$tmp/www/ui/throws.html"
frame_ok="add_header Content-Security-Policy \"frame-ancestors 'self' https://\$host:$dash\" always;"
app_server() { # PORT UPSTREAM EXTRA...
	local port=$1 up=$2
	shift 2
	printf 'server {\n\tlisten 127.0.0.1:%s ssl;\n\tssl_certificate %s/cert.pem;\n\tssl_certificate_key %s/key.pem;\n' \
		"$port" "$tmp" "$tmp"
	printf '\tlocation / {\n\t\tproxy_pass http://127.0.0.1:%s;\n' "$up"
	printf '\t\t%s\n' "$@"
	printf '\t}\n}\n'
}
{
	printf 'pid %s/nginx.pid;\nerror_log %s/nginx-error.log;\nevents {}\nhttp {\n' "$tmp" "$tmp"
	printf 'access_log %s/nginx-access.log;\nclient_body_temp_path %s;\nproxy_temp_path %s;\n' "$tmp" "$tmp" "$tmp"
	printf 'fastcgi_temp_path %s;\nuwsgi_temp_path %s;\nscgi_temp_path %s;\n' "$tmp" "$tmp" "$tmp"
	printf 'server {\n\tlisten 127.0.0.1:%s ssl;\n\tssl_certificate %s/cert.pem;\n\tssl_certificate_key %s/key.pem;\n' \
		"$dash" "$tmp" "$tmp"
	printf '\tlocation /ui/ { alias %s/www/ui/; }\n' "$tmp"
	# The sub-path scheme that breaks root-relative UIs: the prefix stripped by proxy_pass's URI.
	printf '\tlocation /apps/root/ { proxy_pass http://127.0.0.1:%s/; }\n' "$up_root"
	printf '\tlocation /apps/cra/ { proxy_pass http://127.0.0.1:%s/; }\n' "$up_cra"
	printf '\tlocation /apps/guardian/ { proxy_pass http://127.0.0.1:%s/; }\n' "$up_guardian"
	printf '\tlocation /apps/stripped/ { proxy_pass http://127.0.0.1:%s/; }\n' "$up_rootpath"
	# BTCPay's root path, proxied unstripped; its own X-Frame-Options hidden (or not: /deny/).
	printf '\tlocation /btcpay/ { proxy_pass http://127.0.0.1:%s; proxy_hide_header X-Frame-Options; }\n' "$up_btcpay"
	printf '\tlocation /deny/btcpay/ { rewrite ^/deny(/.*)$ $1 break; proxy_pass http://127.0.0.1:%s; }\n' "$up_btcpay"
	printf '}\n'
	app_server "$p_root" "$up_root" "proxy_hide_header X-Frame-Options;" "$frame_ok"
	app_server "$p_litd" "$up_litd" "proxy_hide_header X-Frame-Options;" "$frame_ok" | sed 's|http://|https://|'
	app_server "$p_cra" "$up_cra" "proxy_hide_header X-Frame-Options;" "$frame_ok"
	app_server "$p_guardian" "$up_guardian" "proxy_hide_header X-Frame-Options;" "$frame_ok"
	app_server "$p_deny" "$up_deny"
	app_server "$p_leak" "$up_deny" "$frame_ok"
	app_server "$p_self" "$up_root" "proxy_hide_header X-Frame-Options;" \
		"add_header Content-Security-Policy \"frame-ancestors 'self'\" always;"
	printf '}\n'
} >"$tmp/nginx.conf"
/usr/sbin/nginx -t -q -c "$tmp/nginx.conf" 2>"$tmp/out" || {
	cat "$tmp/out" >&2
	exit 1
}
/usr/sbin/nginx -c "$tmp/nginx.conf"
wait_port "$dash"
harness=https://127.0.0.1:$dash/ui/archy-frame.html
# Only the front end's certificate is accepted (browser-check --cert), as in the guest.
export BROWSER_CHECK_CERT=$tmp/cert.pem
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout "$tmp/other-key.pem" \
	-out "$tmp/other-cert.pem" >/dev/null 2>&1

# passes URL [ARGS]: browser-check passes; fails URL [ARGS]: it fails (exit 1, not a crash)
passes() { "$check_bin" "$@" >"$tmp/out" 2>&1; }
fails() {
	local rc=0
	"$check_bin" "$@" >"$tmp/out" 2>&1 || rc=$?
	[ "$rc" = 1 ]
}
says() { grep -qF -- "$1" "$tmp/out"; }
t_strip_fails() { fails "$1" && says "resource FAILED 404 $2"; }
t_frame_blocked() { fails --iframe --harness "$harness" "$1" && says "framing blocked: " && says "$2"; }

# ---- the app's own port ----
check "base-root loads on its direct port" passes "http://127.0.0.1:$up_root/"
check "base-root loads a client-side route (the app's index for any path)" passes "http://127.0.0.1:$up_root/mempool/blocks"
check "cra loads on its direct port" passes "http://127.0.0.1:$up_cra/"
check "guardian loads on its direct port" passes "http://127.0.0.1:$up_guardian/"
check "root-path loads under its root path" passes "http://127.0.0.1:$up_rootpath/btcpay/"
check "cra over TLS (--tls, lightning-terminal's own HTTPS port)" passes "https://127.0.0.1:$up_litd/"
check "root-path at / is a 404 page: the check fails on the page status" \
	fails "http://127.0.0.1:$up_rootpath/"
t_js_error() { fails "https://127.0.0.1:$dash/ui/throws.html" && says "js-error Error: deliberate"; }
check "a page whose script throws fails with the JS error" t_js_error

# ---- through the HTTPS proxy ----
t_other_cert() { fails --cert "$tmp/other-cert.pem" "https://127.0.0.1:$p_root/" && says ERR_CERT_AUTHORITY_INVALID; }
check "a certificate other than the node's is refused (--cert trusts that one only)" t_other_cert
check "base-root through its own HTTPS port, proxied at the root" passes "https://127.0.0.1:$p_root/"
check "cra through its own HTTPS port, proxied at the root" passes "https://127.0.0.1:$p_cra/"
check "guardian through its own HTTPS port, proxied at the root" passes "https://127.0.0.1:$p_guardian/"
check "the TLS cra through its own HTTPS port (nginx to an https:// upstream)" passes "https://127.0.0.1:$p_litd/"
check "base-root behind a prefix-stripping sub-path FAILS (its assets go to /resources/)" \
	t_strip_fails "https://127.0.0.1:$dash/apps/root/" "Script https://127.0.0.1:$dash/resources/app.js"
check "cra behind a prefix-stripping sub-path FAILS (/static/js/main.js)" \
	t_strip_fails "https://127.0.0.1:$dash/apps/cra/" "Script https://127.0.0.1:$dash/static/js/main.js"
check "guardian behind a prefix-stripping sub-path FAILS (/assets/htmx.org-2.0.4.min.js)" \
	t_strip_fails "https://127.0.0.1:$dash/apps/guardian/" "Script https://127.0.0.1:$dash/assets/htmx.org-2.0.4.min.js"
check "root-path through its root path, unstripped" passes "https://127.0.0.1:$dash/btcpay/"
check "root-path behind a prefix-stripping sub-path FAILS (the app 404s outside its root path)" \
	fails "https://127.0.0.1:$dash/apps/stripped/"

# ---- in an iframe of the dashboard ----
check "base-root in an iframe: frame-ancestors names the dashboard, X-Frame-Options hidden" \
	passes --iframe --harness "$harness" "https://127.0.0.1:$p_root/"
check "cra in an iframe" passes --iframe --harness "$harness" "https://127.0.0.1:$p_cra/"
check "guardian in an iframe" passes --iframe --harness "$harness" "https://127.0.0.1:$p_guardian/"
check "root-path (X-Frame-Options: DENY upstream, hidden by the proxy) in an iframe" \
	passes --iframe --harness "$harness" "https://127.0.0.1:$dash/btcpay/"
check "X-Frame-Options: DENY passed through, no frame-ancestors: the iframe is reported blocked" \
	t_frame_blocked "https://127.0.0.1:$p_deny/" "X-Frame-Options"
# CSP Level 2: a frame-ancestors directive makes the browser ignore X-Frame-Options. The proxy hides
# the app's X-Frame-Options anyway, for browsers without CSP.
check "X-Frame-Options: DENY passed through, but frame-ancestors names the dashboard: Chromium frames it" \
	passes --iframe --harness "$harness" "https://127.0.0.1:$p_leak/"
check "the same for the root-path app, same origin as the dashboard" \
	t_frame_blocked "https://127.0.0.1:$dash/deny/btcpay/" "X-Frame-Options"
check "frame-ancestors 'self' alone (the app's port is another origin): blocked" \
	t_frame_blocked "https://127.0.0.1:$p_self/" "frame-ancestors"

echo "1..$n"
exit "$failed"
