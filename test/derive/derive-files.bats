# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-derive's kinds file and secret-file and the node's chain, the real binary on a temporary
# tree (--root: nothing is restarted there).

load helpers

setup() {
	derive_tree <<'EOM'
version: 1
chain: regtest
secrets:
  rpc: {generate: true}
  unlock: {generate: true}
apps:
  node:
    containers: {main: {image: localhost/x:1}}
    derived:
      - {kind: bitcoin-conf, path: /var/lib/archipelago/node/bitcoin.conf, rpc_user: u, secret: rpc, options: {txindex: "1", rpcport: "18443"}}
  lnd:
    containers: {main: {image: localhost/x:1}}
    derived:
      - {kind: lnd-conf, path: /var/lib/archipelago/lnd/lnd.conf, rpc_user: u, secret: rpc, rpc_host: "archy-node:8332"}
      - {kind: secret-file, path: /var/lib/archipelago/lnd/unlock, secret: unlock, owner: "1000:1000"}
      - kind: file
        path: /var/lib/archipelago/lnd/electrs.toml
        mode: "0640"
        content: |
          auth = "u:${secret:rpc}"
          cost = "$$5"
EOM
	D=$T/var/lib/archipelago
}


@test "file and secret-file: written with the secrets, raw secret without newline, owner and mode; drift repaired" {
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	rpc=$(cat "$D/secrets/rpc")
	[ "$(cat "$D/lnd/electrs.toml")" = "$(printf 'auth = "u:%s"\ncost = "$5"' "$rpc")" ]
	[ "$(stat -c '%a %u:%g' "$D/lnd/electrs.toml")" = "640 0:0" ]
	# the secret's 32 characters and nothing else: no newline added
	[ "$(cat "$D/lnd/unlock")" = "$(cat "$D/secrets/unlock")" ]
	[ "$(stat -c %s "$D/lnd/unlock")" = 32 ]
	[ "$(stat -c '%a %u:%g' "$D/lnd/unlock")" = "600 1000:1000" ]
	echo tampered >"$D/lnd/electrs.toml"
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 3 ]
	[[ "$output" == *"apps.lnd.derived[2]: /var/lib/archipelago/lnd/electrs.toml: drift: its content differs from what the manifest and the secrets give"* ]]
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	grep -qx "auth = \"u:$rpc\"" "$D/lnd/electrs.toml"
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 0 ]
}

@test "chain regtest: bitcoin.conf gets chain=, regtest.rpcbind and the options (rpcport prefixed), lnd.conf bitcoin.regtest=1" {
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	grep -qx 'chain=regtest' "$D/node/bitcoin.conf"
	grep -qx 'regtest.rpcbind=0.0.0.0' "$D/node/bitcoin.conf"
	grep -qx 'regtest.rpcport=18443' "$D/node/bitcoin.conf"
	grep -qx 'txindex=1' "$D/node/bitcoin.conf"
	run grep -c '^rpcbind=' "$D/node/bitcoin.conf"
	[ "$output" = 0 ]
	grep -qx 'bitcoin.regtest=1' "$D/lnd/lnd.conf"
	run grep -c '^bitcoin.mainnet' "$D/lnd/lnd.conf"
	[ "$output" = 0 ]
}

@test "a \${...} other than \${secret:NAME} or \${app:...} in content: the app is skipped with the key named, the others derived (exit 0)" {
	sed -i 's/cost = "\$\$5"/host = "${host}"/' "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ] # archy-derive(8) EXIT STATUS: apps with problems do not change it
	[[ "$output" == *'apps.lnd.derived[2].content: expected ${secret:NAME}'*'at "${host}"'* ]]
	[ ! -e "$D/lnd/electrs.toml" ] && [ ! -e "$D/lnd/unlock" ] && [ -f "$D/node/bitcoin.conf" ]
}
