# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-derive and the guest's real nginx: a new route that nginx -t rejects is taken back, the old
# route is on disk again byte for byte, and nginx keeps serving every route; a line of the user's in
# bitcoin.conf is kept by every run (81-uninstall-derived.bats checks it survives the uninstall).
# The port form: the wallet UI on its own HTTPS port with the node's certificate, the framing headers
# set; without the certificate a changed route is refused and put back.
load helpers

WALLET_ROUTE=/etc/nginx/archipelago.d/wallet.conf
WALLET_SERVER=/etc/nginx/archipelago-ports.d/wallet.conf
NODE_CRT=/etc/archipelago/tls/node.crt
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf
USER_LINE="# e2e: a line of the user's, archy-derive keeps it"

derive_idle() { [ "$(systemctl is-active archy-derive.service)" != activating ]; }
serves() { curl -fsS -m 3 "http://127.0.0.1$1" | grep -q 'archy stand-in UI'; }
serves_tls() { curl -kfsS -m 3 "https://127.0.0.1:$1/" | grep -q 'archy stand-in UI'; }

# The rows below install route changes by hand (apply_manifest_raw), not through archyctl apply:
# their point is the archy-derive run the row starts itself and reads. archyctl apply starts
# archy-apps.target, which runs archy-derive.service once more, concurrently with the row's own run
# (the timer is stopped for that reason) and before it, so that the row would read the second try.

setup_file() {
	settle
	cp "$MANIFEST" "$BATS_FILE_TMPDIR/manifest.yaml"
	# The timer paused: the runs of this file are the test's own.
	systemctl stop archy-derive.timer
	wait_for 60 derive_idle
	archy-derive --check
}

teardown_file() {
	[ -e "$NODE_CRT" ] || mv "$NODE_CRT.away" "$NODE_CRT"
	archyctl_apply "$BATS_FILE_TMPDIR/manifest.yaml"
	archy-derive
	systemctl start archy-derive.timer
}

@test "wallet-ui | derive-nginx-reject | nginx -t rejects the new route: the old one is back byte for byte, nginx serves on" {
	serves /wallet/
	serves /node/
	cp -p "$WALLET_ROUTE" "$BATS_FILE_TMPDIR/route.before"
	stat -c '%a %u:%g' "$WALLET_ROUTE" >"$BATS_FILE_TMPDIR/meta.before"
	# A valid manifest whose wallet route nginx refuses: a second "location /node/" in one server.
	sed 's|location: /wallet/,|location: /node/,|' "$MANIFEST" >"$BATS_FILE_TMPDIR/bad-route.yaml"
	grep -q 'wallet.conf, location: /node/' "$BATS_FILE_TMPDIR/bad-route.yaml"
	archy-generator --check "$BATS_FILE_TMPDIR/bad-route.yaml"
	apply_manifest_raw "$BATS_FILE_TMPDIR/bad-route.yaml"
	run archy-derive
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"apps.wallet.derived[1]: /etc/nginx/archipelago.d/wallet.conf: repaired: its content differs"* ]]
	[[ "$output" == *"nginx -t rejects the configuration with the new route(s): putting the old ones back"* ]]
	cmp "$WALLET_ROUTE" "$BATS_FILE_TMPDIR/route.before"
	[ "$(stat -c '%a %u:%g' "$WALLET_ROUTE")" = "$(cat "$BATS_FILE_TMPDIR/meta.before")" ]
	[ "$(ls /etc/nginx/archipelago.d)" = "$(printf 'node.conf\nwallet.conf')" ] # no temporary file left
	nginx -t -q
	[ "$(systemctl is-active nginx.service)" = active ]
	serves /wallet/
	serves /node/
}

@test "wallet-ui | derive-nginx-reject | the next run tries again and fails the same way; the old route stays" {
	run archy-derive
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"putting the old ones back"* ]]
	cmp "$WALLET_ROUTE" "$BATS_FILE_TMPDIR/route.before"
	serves /wallet/
}

@test "wallet-ui | derive-nginx-reject | the manifest fixed: in sync again, the route served" {
	apply_manifest_raw "$BATS_FILE_TMPDIR/manifest.yaml"
	run archy-derive
	echo "$output"
	[ "$status" -eq 0 ]
	archy-derive --check
	cmp "$WALLET_ROUTE" "$BATS_FILE_TMPDIR/route.before"
	serves /wallet/
}

@test "node | derive-user-line | a line of the user's in bitcoin.conf is kept; in sync, nothing rewritten or restarted" {
	local before
	record_ids "$BATS_FILE_TMPDIR/before-user-line"
	{ printf '%s\n' "$USER_LINE"; cat "$BITCOIN_CONF"; } >"$BATS_FILE_TMPDIR/conf"
	cat "$BATS_FILE_TMPDIR/conf" >"$BITCOIN_CONF"
	before=$(stat -c '%i %Y' "$BITCOIN_CONF")
	run archy-derive
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(stat -c '%i %Y' "$BITCOIN_CONF")" = "$before" ]
	[ "$(head -n1 "$BITCOIN_CONF")" = "$USER_LINE" ]
	install -d -m755 "$STATE"
	printf '%s\n' "$USER_LINE" >"$STATE/bitcoin-conf-user-line"
	assert_same_container node "$BATS_FILE_TMPDIR/before-user-line"
}

@test "wallet-ui | ui-https-proxy | the UI on its own HTTPS port through the real nginx, framable by the dashboard only" {
	serves_tls 4436
	curl -kfsS -D "$BATS_TEST_TMPDIR/h" -o /dev/null -m 3 https://127.0.0.1:4436/
	cat "$BATS_TEST_TMPDIR/h"
	! grep -qi '^X-Frame-Options:' "$BATS_TEST_TMPDIR/h" || false
	grep -qx "Content-Security-Policy: frame-ancestors 'self' https://127.0.0.1" <(tr -d '\r' <"$BATS_TEST_TMPDIR/h")
	grep -qx '	ssl_certificate /etc/archipelago/tls/node.crt;' "$WALLET_SERVER"
	[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -m 3 http://127.0.0.1:4436/)" = "301 https://127.0.0.1:4436/" ]
}

@test "wallet-ui | derive-nginx-reject | without the node's certificate a changed HTTPS route is refused and put back; the port keeps serving" {
	cp -p "$WALLET_SERVER" "$BATS_FILE_TMPDIR/server.before"
	mv "$NODE_CRT" "$NODE_CRT.away"
	sed 's|port: 4436, upstream: "127.0.0.1:18082"}|port: 4436, upstream: "127.0.0.1:18082", base_path: /w/}|' "$MANIFEST" >"$BATS_FILE_TMPDIR/moved.yaml"
	grep -q 'port: 4436, upstream: "127.0.0.1:18082", base_path: /w/}' "$BATS_FILE_TMPDIR/moved.yaml"
	apply_manifest_raw "$BATS_FILE_TMPDIR/moved.yaml"
	run archy-derive
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$WALLET_SERVER: repaired: its content differs"* ]]
	[[ "$output" == *"cannot load certificate \"$NODE_CRT\""* ]]
	[[ "$output" == *"putting the old ones back"* ]]
	cmp "$WALLET_SERVER" "$BATS_FILE_TMPDIR/server.before"
	[ "$(systemctl is-active nginx.service)" = active ]
	serves_tls 4436
	serves /wallet/
	mv "$NODE_CRT.away" "$NODE_CRT"
	apply_manifest_raw "$BATS_FILE_TMPDIR/manifest.yaml"
	run archy-derive
	[ "$status" -eq 0 ]
	archy-derive --check
	serves_tls 4436
}
