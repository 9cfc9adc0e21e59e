# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-derive and wiring between apps: ${app:...} in a file's content and an env file's values,
# bitcoin-conf's rpc_users with rpcwhitelist, and --bind-source; the real binary on a temporary
# tree (--root: nothing is restarted there).

load helpers

setup() {
	derive_tree <<'EOM'
version: 1
secrets:
  rpc: {generate: true}
  electrs-rpc: {generate: true}
apps:
  node:
    containers:
      main: {image: localhost/x:1, expose: {rpc: 8332}}
    derived:
      - kind: bitcoin-conf
        path: /var/lib/archipelago/node/bitcoin.conf
        rpc_user: archy
        secret: rpc
        rpc_users: [{user: electrs, secret: electrs-rpc, whitelist: [getblockchaininfo, getblock]}]
  electrs:
    requires: [node]
    containers: {main: {image: localhost/x:1}}
    derived:
      - kind: file
        path: /var/lib/archipelago/electrs/electrs.toml
        content: |
          daemon_rpc_addr = "${app:node.host}:${app:node.ports.rpc}"
          auth = "electrs:${secret:electrs-rpc}"
      - {kind: env, path: /var/lib/archipelago/electrs/electrs.env, vars: {URL: "http://${app:node.host}:${app:node.ports.rpc}/"}}
EOM
	D=$T/var/lib/archipelago
}


@test "a file and an env file get the other app's host and port; bitcoin.conf an rpcauth line and a whitelist per user" {
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	pw=$(cat "$D/secrets/electrs-rpc")
	[ "$(cat "$D/electrs/electrs.toml")" = "$(printf 'daemon_rpc_addr = "archy-node:8332"\nauth = "electrs:%s"' "$pw")" ]
	grep -qx 'URL=http://archy-node:8332/' "$D/electrs/electrs.env"
	grep -qE '^rpcauth=archy:[0-9a-f]{32}\$[0-9a-f]{64}$' "$D/node/bitcoin.conf"
	grep -qE '^rpcauth=electrs:[0-9a-f]{32}\$[0-9a-f]{64}$' "$D/node/bitcoin.conf"
	grep -qx 'rpcwhitelistdefault=0' "$D/node/bitcoin.conf"
	grep -qx 'rpcwhitelist=electrs:getblockchaininfo,getblock' "$D/node/bitcoin.conf"
	# in sync afterwards: every salt kept
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 0 ]
}

@test "a reference to an app not in requires skips the app with the key and a hint; the others are derived" {
	sed -i 's/^    requires: \[node\]$/    requires: []/' "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'apps.electrs.derived[0].content: ${app:node.host}: app electrs does not require app "node", expected it in apps.electrs.requires (add node there'* ]]
	[ ! -e "$D/electrs/electrs.toml" ] && [ -f "$D/node/bitcoin.conf" ]
}

@test "--bind-source creates a missing directory with its owner and mode, leaves an existing one alone" {
	run "$DERIVE" --root "$T" --bind-source /srv/app/data --owner "$(id -u):$(id -g)" --mode 0750
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(stat -c '%a %u:%g' "$T/srv/app/data")" = "750 $(id -u):$(id -g)" ]
	[[ "$output" == *"bind source /srv/app/data created (owner $(id -u):$(id -g), mode 0750)"* ]]
	chmod 0700 "$T/srv/app/data"
	run "$DERIVE" --root "$T" --bind-source /srv/app/data --owner "$(id -u):$(id -g)" --mode 0750
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$T/srv/app/data")" = 700 ]
	[[ "$output" == *"bind source /srv/app/data exists (owner $(id -u):$(id -g), mode 0700): left as it is"* ]]
}

@test "--bind-source refuses a symbolic link, and wrong arguments exit 2" {
	ln -s /etc "$T/link"
	run "$DERIVE" --root "$T" --bind-source /link/x --owner 0:0 --mode 0750
	[ "$status" -eq 1 ]
	[[ "$output" == *"bind source /link/x: /link is a symbolic link or not a directory, refusing to create anything below it"* ]]
	[ ! -e /etc/x ]
	run "$DERIVE" --root "$T" --bind-source /srv/x --owner 0:0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--bind-source, --owner and --mode go together"* ]]
	run "$DERIVE" --root "$T" --bind-source /srv/x --owner root --mode 0750
	[ "$status" -eq 2 ]
	run "$DERIVE" --root "$T" --bind-source srv/x --owner 0:0 --mode 0750
	[ "$status" -eq 1 ]
	[ ! -e "$T/srv/x" ]
}
