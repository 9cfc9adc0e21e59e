# SPDX-License-Identifier: LGPL-2.1-or-later
# After 80-uninstall.bats every app is uninstalled: what archy-derive derived for them is gone
# within one timer period (env files holding the RPC password, nginx routes, archy's block in
# bitcoin.conf), the user's own lines stay (56-derive-nginx.bats added one), and so do the volumes
# (80-uninstall.bats checks them); archy writes no node-wide containers.conf drop-in (FM4 is podman's
# host-gateway, archy-manifest(5) NODE).
load helpers

PERIOD=30
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf
ROUTES=/etc/nginx/archipelago.d

cleaned() { archy-derive --check >/dev/null 2>&1 && [ ! -e /run/archipelago/env/wallet.env ]; }
http_status() { curl -s -o /dev/null -w '%{http_code}' -m 3 "http://127.0.0.1$1"; }
# nginx's reload is a signal: archy-derive's reload job is done when nginx -s reload has sent it,
# and the master reads the new config after that. A moment, or seconds on a busy 2-core CI host.
not_served() { [ "$(http_status "$1")" = 404 ]; }
port_closed() { ! curl -ks -o /dev/null -m 3 "https://127.0.0.1:$1/"; }

setup_file() {
	# the timer's next run cleans; one period plus the run
	wait_for $((PERIOD + 40)) cleaned
}

@test "wallet | uninstall-derived | its env file, which held the RPC password, is gone" {
	[ ! -e /run/archipelago/env/wallet.env ]
}
@test "indexer | uninstall-derived | its env file, which held the RPC password, is gone" {
	[ ! -e /run/archipelago/env/indexer.env ]
}
@test "all | uninstall-derived | no env file at all is left" {
	[ -z "$(ls -A /run/archipelago/env)" ]
}

@test "wallet-ui | uninstall-derived | its nginx route is gone, nginx was reloaded and no longer serves it" {
	[ ! -e "$ROUTES/wallet.conf" ]
	[ "$(systemctl is-active nginx.service)" = active ]
	wait_for 10 not_served /wallet/
}
@test "wallet-ui | uninstall-derived | its HTTPS port's server is gone, nothing listens on the port" {
	[ ! -e /etc/nginx/archipelago-ports.d/wallet.conf ]
	[ -z "$(ls -A /etc/nginx/archipelago-ports.d)" ]
	wait_for 10 port_closed 4436
}
@test "node-ui | uninstall-derived | its nginx route is gone, nginx no longer serves it" {
	[ ! -e "$ROUTES/node.conf" ]
	wait_for 10 not_served /node/
	[ -z "$(ls -A "$ROUTES")" ]
}

@test "node | uninstall-derived | bitcoin.conf keeps the user's lines only: no block, no rpcauth" {
	if [ -f "$STATE/bitcoin-conf-user-line" ]; then
		cat "$BITCOIN_CONF"
		cmp "$BITCOIN_CONF" "$STATE/bitcoin-conf-user-line"
	else
		[ ! -e "$BITCOIN_CONF" ] # it held archy's block only
	fi
	[ ! -e "$BITCOIN_CONF.archy-damaged" ]
}

@test "all | uninstall-derived | the RPC password is in no file but the canonical secret" {
	run grep -rlF -D skip --exclude-dir=secrets "$(rpc_password)" /run /etc /var/lib/archipelago
	echo "$output"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "all | uninstall-derived | no node-wide containers.conf drop-in: host.archipelago is podman's host-gateway" {
	[ ! -e /etc/containers/containers.conf.d/50-archipelago.conf ]
	run grep -rl host_containers_internal_ip /etc/containers
	[ "$status" -eq 1 ]
}

@test "all | uninstall-derived | another run changes nothing and restarts nothing" {
	local before
	before=$(stat -c '%n %i %Y' "$BITCOIN_CONF" 2>/dev/null || true)
	run archy-derive
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(stat -c '%n %i %Y' "$BITCOIN_CONF" 2>/dev/null || true)" = "$before" ]
}
