# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-derive on a rootless node (archy-derive(8) ROOTLESS NODE), the real binary on a temporary
# tree: owners mapped into the apps user's namespace, bind sources made, archy's old containers.conf
# drop-in removed, exit codes. The apps user is "nobody" (it exists on Debian), its ranges come from
# test files (ARCHY_SUBUID_FILE, ARCHY_SUBGID_FILE). The user manager's restarts: test/e2e 330.

load helpers

NOBODY=$(id -u nobody 2>/dev/null || echo 65534)
NOGROUP=$(id -g nobody 2>/dev/null || echo 65534)
DROPIN=etc/containers/containers.conf.d/50-archipelago.conf

setup() {
	derive_tree <<'EOM'
version: 1
node: {mode: rootless, user: nobody}
secrets:
  rpc: {generate: true}
apps:
  node:
    containers:
      main:
        image: localhost/x:1
        volumes:
          - {source: /srv/node/config, target: /config, create: {owner: "1000:1000", mode: "0750"}}
    derived:
      - {kind: bitcoin-conf, path: /var/lib/archipelago/node/bitcoin.conf, rpc_user: u, secret: rpc}
      - {kind: file, path: /etc/node/extra.conf, content: "a=1\n", owner: "1000:1000"}
      - {kind: nginx-route, path: /etc/nginx/archy.d/node.conf, location: /node/, upstream: "127.0.0.1:8080"}
  wallet:
    containers: {main: {image: localhost/x:1, env_files: [/run/archipelago/env/wallet.env]}}
    derived:
      - {kind: env, path: /run/archipelago/env/wallet.env, vars: {URL: "http://u:${secret:rpc}@archy-node:8332/"}}
EOM
	printf 'other:100000:65536\nnobody:524288:65536\n' >"$T/subuid"
	printf 'nobody:524288:65536\n' >"$T/subgid"
	export ARCHY_SUBUID_FILE=$T/subuid ARCHY_SUBGID_FILE=$T/subgid
	install -d -m755 "$T/srv/node"
}

owner() { stat -c %u:%g "$T/$1"; }

@test "rootless: the files containers and podman read get the mapped owner, nginx's route stays root's" {
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(owner var/lib/archipelago/node/bitcoin.conf)" = "$NOBODY:$NOGROUP" ]
	[ "$(owner run/archipelago/env/wallet.env)" = "$NOBODY:$NOGROUP" ]
	[ "$(stat -c %a "$T/run/archipelago/env/wallet.env")" = 600 ]
	[ "$(stat -c %a "$T/run/archipelago/env")" = 755 ]
	[ "$(owner etc/node/extra.conf)" = 525287:525287 ]
	[ "$(owner etc/nginx/archy.d/node.conf)" = 0:0 ]
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 0 ]
}

@test "rootless: a file owned as on a rootful node is drift, repaired to the mapped owner" {
	"$DERIVE" --root "$T"
	chown 0:0 "$T/run/archipelago/env/wallet.env" "$T/var/lib/archipelago/node/bitcoin.conf"
	run "$DERIVE" --root "$T" --check
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"wallet.env: drift: owner 0:0 mode 0600, want $NOBODY:$NOGROUP 0600"* ]]
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ "$(owner run/archipelago/env/wallet.env)" = "$NOBODY:$NOGROUP" ]
	[ "$(owner var/lib/archipelago/node/bitcoin.conf)" = "$NOBODY:$NOGROUP" ]
}

@test "rootless: a bind source with create: is made with the mapped owner, once" {
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 3 ]
	[[ "$output" == *"bind source /srv/node/config is missing: a run without --check creates it"* ]]
	[ ! -e "$T/srv/node/config" ]
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ "$(owner srv/node/config)" = 525287:525287 ]
	[ "$(stat -c %a "$T/srv/node/config")" = 750 ]
	chown 0:0 "$T/srv/node/config" # an existing one is the app's: left as it is
	"$DERIVE" --root "$T"
	[ "$(owner srv/node/config)" = 0:0 ]
}

@test "rootless: archy's old containers.conf drop-in is removed, anyone else's is kept" {
	mkdir -p "$T/${DROPIN%/*}"
	printf '# Written by archy-derive for app node. Edit the manifest, not this file.\n[containers]\nhost_containers_internal_ip = "10.89.0.1"\n' >"$T/$DROPIN"
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 3 ]
	[ -e "$T/$DROPIN" ]
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$T/$DROPIN" ]
	[ "$(grep -c '50-archipelago.conf: removed' <<<"$output")" -eq 1 ]
	run "$DERIVE" --root "$T"
	[[ "$output" != *"50-archipelago.conf"* ]]
	printf '[containers]\nhost_containers_internal_ip = "10.89.0.1"\n' >"$T/$DROPIN"
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ -e "$T/$DROPIN" ]
}

@test "rootful: the drop-in stays and owners are the manifest's" {
	sed -i '/^node:/d' "$T/etc/archipelago/manifest.yaml"
	mkdir -p "$T/${DROPIN%/*}"
	printf '# Written by archy-derive for app node. Edit the manifest, not this file.\n[containers]\nhost_containers_internal_ip = "10.89.0.1"\n' >"$T/$DROPIN"
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ -e "$T/$DROPIN" ]
	[ "$(owner run/archipelago/env/wallet.env)" = 0:0 ]
	[ "$(owner etc/node/extra.conf)" = 1000:1000 ]
	[ ! -e "$T/srv/node/config" ] # the unit's ExecStartPre= makes it on a rootful node
}

@test "rootless: an owner outside the user's ranges is refused, naming the file, the line and the ranges" {
	sed -i 's/owner: "1000:1000"}$/owner: "70000:0"}/' "$T/etc/archipelago/manifest.yaml"
	grep -q '"70000:0"' "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"apps.node.derived[1]: /etc/node/extra.conf: not derived, the file is left as it is: owner 70000:0 ($T/etc/archipelago/manifest.yaml line 14) is outside the ids the rootless apps user nobody maps: uids 0 to 65536 (0 is nobody itself, 1 to 65536 its subordinate uids 524288 to 589823) and gids 0 to 65536 (subordinate gids 524288 to 589823); expected an owner within them"* ]]
	[ ! -e "$T/etc/node/extra.conf" ]
	[ -e "$T/run/archipelago/env/wallet.env" ] # the other files are derived
}

@test "rootless: an apps user without a subordinate range derives nothing, and says what to do" {
	printf 'other:100000:65536\n' >"$T/subuid"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"user nobody has no subordinate range in $T/subuid"*"archy-setup-rootless nobody"* ]]
	[[ "$output" == *"nothing derived"* ]]
	[ ! -e "$T/run/archipelago/env/wallet.env" ]
}
