# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-derive's command line and exit codes, the real binary on a temporary tree (--root: it
# restarts nothing there, so no systemd is needed; the restarts are covered by test/e2e).

load helpers

setup() {
	derive_tree <<'EOM'
version: 1
secrets:
  rpc: {generate: true}
apps:
  node:
    containers: {main: {image: localhost/x:1}}
    derived:
      - {kind: bitcoin-conf, path: /var/lib/archipelago/node/bitcoin.conf, rpc_user: u, secret: rpc}
  wallet:
    containers: {main: {image: localhost/x:1, env_files: [/run/archipelago/env/wallet.env]}}
    derived:
      - {kind: env, path: /run/archipelago/env/wallet.env, vars: {URL: "http://u:${secret:rpc}@archy-node:8332/"}}
      - {kind: env, path: /run/archipelago/env/other.env, vars: {X: "${secret:not-declared}"}}
EOM
	CONF=$T/var/lib/archipelago/node/bitcoin.conf
}


@test "--help and --version answer with exit 0" {
	run "$DERIVE" --help
	[ "$status" -eq 0 ]
	for word in --check --app --root --manifest --secrets-dir ARCHY_LAST_GOOD "Exit status"; do [[ "$output" == *"$word"* ]]; done
	run "$DERIVE" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "archy-derive "* ]]
}

@test "usage errors exit 2 and change nothing" {
	for args in "--bogus" "extra-arg" "--manifest relative.yaml" "--secrets-dir relative" "--app Bad_Name"; do
		# shellcheck disable=SC2086
		run "$DERIVE" --root "$T" $args
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
	done
	run "$DERIVE" --root "$T" --app nosuchapp
	[ "$status" -eq 2 ]
	[[ "$output" == *"--app nosuchapp: no such app"* ]]
	[ ! -e "$T/var" ] && [ ! -e "$T/run" ]
}

@test "--check on a fresh tree: drift, exit 3, nothing written, no secret generated" {
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 1 ] # problems (an undeclared missing secret) come before drift
	sed -i '/not-declared/d' "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T" --check
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: drift: a secret it needs is missing; a run without --check generates it"* ]]
	[ ! -e "$T/var" ] && [ ! -e "$T/run" ]
}

@test "a run derives what it can; an undeclared missing secret is a problem for its entry only (exit 1)" {
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"apps.wallet.derived[1]: /run/archipelago/env/other.env: not derived, the file is left as it is: secret not-declared is missing and the manifest does not ask to generate it"* ]]
	[ -f "$CONF" ] && [ -f "$T/run/archipelago/env/wallet.env" ] && [ ! -e "$T/run/archipelago/env/other.env" ]
	[ "$(stat -c %a "$T/var/lib/archipelago/secrets/rpc")" = 600 ]
	grep -q "^URL=http://u:$(cat "$T/var/lib/archipelago/secrets/rpc")@archy-node:8332/$" "$T/run/archipelago/env/wallet.env"
}

@test "in sync: --check exits 0 and a run writes nothing; drift: --check exits 3, a run repairs it" {
	printf 'not-declared-value\n' >"$T/secret"
	install -d -m700 "$T/var/lib/archipelago/secrets"
	install -m600 "$T/secret" "$T/var/lib/archipelago/secrets/not-declared"
	"$DERIVE" --root "$T"
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	before=$(stat -c '%i %Y' "$CONF")
	"$DERIVE" --root "$T"
	[ "$(stat -c '%i %Y' "$CONF")" = "$before" ]
	printf 'user-line=1\n' >>"$CONF"
	sed -i 's/^rpcauth=u:\([0-9a-f]*\)\$[0-9a-f]*/rpcauth=u:\1$00/' "$CONF"
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 3 ]
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bitcoin.conf: repaired: its content differs"* ]]
	grep -qx 'user-line=1' "$CONF"
	! grep -q 'rpcauth=u:[0-9a-f]*\$00$' "$CONF" || false
}

@test "--manifest with a YAML error: exit 1, no fallback to the last good copy, nothing written" {
	cp "$T/etc/archipelago/manifest.yaml" "$T/etc/archipelago/manifest.last-good.yaml"
	printf 'version: 1\napps: [\n' >"$T/etc/archipelago/draft.yaml"
	run "$DERIVE" --root "$T" --manifest /etc/archipelago/draft.yaml
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"draft.yaml:3:1: YAML syntax error"* ]]
	[[ "$output" == *"--manifest has no fallback"* ]]
	[ ! -e "$T/var" ]
}

@test "the installed manifest with a YAML error falls back to the last good copy, as the generator does" {
	cp "$T/etc/archipelago/manifest.yaml" "$T/etc/archipelago/manifest.last-good.yaml"
	printf 'version: 1\napps: [\n' >"$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T" --app node
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"using the last good copy"* ]]
	[ -f "$CONF" ]
}

@test "ARCHY_LAST_GOOD names the last good copy (under --root), as for the generator" {
	install -d -m755 "$T/srv/keep"
	cp "$T/etc/archipelago/manifest.yaml" "$T/srv/keep/good.yaml"
	printf 'version: 1\napps: [\n' >"$T/etc/archipelago/manifest.yaml"
	ARCHY_LAST_GOOD=/srv/keep/good.yaml run "$DERIVE" --root "$T" --app node
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"using the last good copy $T/srv/keep/good.yaml instead"* ]]
	[ -f "$CONF" ]
	[ ! -e "$T/etc/archipelago/manifest.last-good.yaml" ]
}

@test "no manifest at all: nothing to derive, exit 0" {
	rm "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ ! -e "$T/var" ]
}

@test "the installed manifest with a key written twice: no crash, the last good copy is used" {
	cp "$T/etc/archipelago/manifest.yaml" "$T/etc/archipelago/manifest.last-good.yaml"
	sed -i 's|^\(    derived:\)$|\1\n      - {kind: env, path: /run/archipelago/env/x.env, vars: {}}\n\1|' \
		"$T/etc/archipelago/manifest.yaml"
	sed -i 's|^\(    containers: {main: {image: localhost/x:1}}\)$|\1\n\1|' "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T" --app node
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"manifest.yaml:7:5: apps.node: duplicate key \"containers\" (first at line 6)"* ]]
	[[ "$output" == *"manifest.yaml:10:5: apps.node: duplicate key \"derived\" (first at line 8)"* ]]
	[[ "$output" == *"using the last good copy"* ]]
	[ -f "$CONF" ]
}

@test "a FIFO at the manifest path is refused at once, with what it is" {
	rm "$T/etc/archipelago/manifest.yaml"
	mkfifo "$T/etc/archipelago/manifest.yaml"
	run timeout 5 "$DERIVE" --root "$T" --manifest /etc/archipelago/manifest.yaml
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/etc/archipelago/manifest.yaml: cannot read the manifest: it is a FIFO, expected a regular file"* ]]
	[ ! -e "$T/var" ]
}

# The tree's files as "mode uid:gid name" lines plus their bytes in hex, for "nothing changed".
tree_state() { (cd "$T" && find . -path ./etc -prune -o -type f -printf '%m %U:%G %i %T@ %p\n' | sort); }

@test "NUL bytes in bitcoin.conf (an interrupted write): removed, every user line kept, the damaged file kept next to it; a second run changes nothing" {
	sed -i '/not-declared/d' "$T/etc/archipelago/manifest.yaml"
	"$DERIVE" --root "$T"
	good=$(cat "$CONF")
	# user lines around the block, then a NUL run in the middle and a zero-filled tail
	{ printf 'dbcache=4000\nprune=0\0\0\0\0\n'; printf '%s\n' "$good"; printf 'txindex=1\n'; head -c 4096 /dev/zero; } >"$CONF"
	cp "$CONF" "$T/damaged"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: repaired: it holds NUL bytes, the first at offset 20; every other byte is kept, and the file as it was is kept as bitcoin.conf.archy-damaged"* ]]
	printf 'dbcache=4000\nprune=0\n%s\ntxindex=1\n' "$good" >"$T/want"
	cmp "$CONF" "$T/want"
	cmp "$CONF.archy-damaged" "$T/damaged"
	[ "$(stat -c '%a %u:%g' "$CONF.archy-damaged")" = "$(stat -c '%a %u:%g' "$CONF")" ]
	before=$(tree_state)
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ -z "$output" ] # no drift, nothing repaired, no restart asked for
	[ "$(tree_state)" = "$before" ]
}

@test "a symlinked parent directory: refused with its name, exit 1, nothing written through it, the other apps' files derived" {
	sed -i '/not-declared/d' "$T/etc/archipelago/manifest.yaml"
	install -d -m755 "$T/var/lib/archipelago" "$T/elsewhere"
	ln -s "$T/elsewhere" "$T/var/lib/archipelago/node"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: /var/lib/archipelago/node is a symbolic link: left alone, nothing is written through it"* ]]
	[ -z "$(ls -A "$T/elsewhere")" ]
	[ -L "$T/var/lib/archipelago/node" ]
	[ -f "$T/run/archipelago/env/wallet.env" ]
	# a link higher up, above directories that do not exist yet: nothing is created through it
	rm -rf "$T/run" && install -d -m755 "$T/elsewhere2" && ln -s "$T/elsewhere2" "$T/run"
	run "$DERIVE" --root "$T" --app wallet
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"apps.wallet.derived[0]: /run/archipelago/env/wallet.env: /run is a symbolic link: left alone, nothing is written through it"* ]]
	[ -z "$(ls -A "$T/elsewhere2")" ]
}

@test "uninstall: archy's env file goes, bitcoin.conf keeps only the user's lines; idempotent; reinstall derives everything again" {
	sed -i '/not-declared/d' "$T/etc/archipelago/manifest.yaml"
	"$DERIVE" --root "$T"
	{ printf 'dbcache=4000\n'; cat "$CONF"; printf '[test]\nrpcport=18332\n'; } >"$T/conf" && cat "$T/conf" >"$CONF"
	cp "$T/etc/archipelago/manifest.yaml" "$T/installed.yaml"
	sed -i 's/^  \(node\|wallet\):$/&\n    state: uninstalled/' "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T" --check
	[ "$status" -eq 3 ]
	[[ "$output" == *"apps.wallet.derived[0]: /run/archipelago/env/wallet.env: drift: the app is uninstalled: the file is archy-derive's, it is removed"* ]]
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: repaired: the app is uninstalled: archy-derive's block is removed, the user's lines are kept"* ]]
	[ "$(cat "$CONF")" = "$(printf 'dbcache=4000\n[test]\nrpcport=18332')" ]
	[ ! -e "$T/run/archipelago/env/wallet.env" ]
	run grep -rl "$(cat "$T/var/lib/archipelago/secrets/rpc")" "$T/run" "$T/var/lib/archipelago/node"
	[ "$status" -eq 1 ] # the password is nowhere but in the secret
	before=$(tree_state)
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(tree_state)" = "$before" ]
	cp "$T/installed.yaml" "$T/etc/archipelago/manifest.yaml"
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	grep -qx 'dbcache=4000' "$CONF"
	grep -q '^rpcauth=u:' "$CONF"
	grep -q "^URL=http://u:$(cat "$T/var/lib/archipelago/secrets/rpc")@" "$T/run/archipelago/env/wallet.env"
}

@test "drift counters: each run that finds a file drifted counts it per app and file, a repair too; --check and an in-sync run leave the file alone" {
	state=$T/var/lib/archipelago/derive.state
	"$DERIVE" --root "$T" || true
	grep -qx 'node 1 1 /var/lib/archipelago/node/bitcoin.conf' "$state"
	grep -qx 'wallet 1 1 /run/archipelago/env/wallet.env' "$state"
	# other.env could not be derived (its secret is missing and not generated): neither found nor repaired
	run grep -c other.env "$state"
	[ "$output" = 0 ]
	before=$(stat -c '%i %Y' "$state")
	sleep 1.1
	"$DERIVE" --root "$T" || true
	[ "$(stat -c '%i %Y' "$state")" = "$before" ]
	sed -i 's/^rpcauth=u:\([0-9a-f]*\)\$[0-9a-f]*/rpcauth=u:\1$00/' "$CONF"
	run "$DERIVE" --root "$T" --check
	[[ "$output" == *"bitcoin.conf: drift: "* ]]
	[ "$(stat -c '%i %Y' "$state")" = "$before" ]
	"$DERIVE" --root "$T" || true
	grep -qx 'node 2 2 /var/lib/archipelago/node/bitcoin.conf' "$state"
	grep -qx 'wallet 1 1 /run/archipelago/env/wallet.env' "$state"
	[ "$(stat -c %a "$state")" = 644 ]
}

@test "drift counters: a malformed line is dropped with a warning; an app gone from the manifest loses its entry" {
	state=$T/var/lib/archipelago/derive.state
	install -d "$T/var/lib/archipelago"
	printf '# x\ngone 5 5 /var/lib/gone.conf\nnode x 1 /a\nnode 1 1 /var/lib/archipelago/node/bitcoin.conf\n' >"$state"
	run "$DERIVE" --root "$T"
	[[ "$output" == *"derive.state: 1 malformed line(s) dropped from archy-derive's drift counters"* ]]
	grep -qx 'node 2 2 /var/lib/archipelago/node/bitcoin.conf' "$state"
	run grep -c '^gone ' "$state"
	[ "$output" = 0 ]
}

@test "drift counters on a full filesystem (ENOSPC): one warning, the repair is done, exit as without counters, the old counters whole" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	install -d "$T/full"
	mount -t tmpfs -o size=64k tmpfs "$T/full" || skip "cannot mount a tmpfs here"
	printf '# archy-derive state: see archy-derive(8)\nnode 7 7 /var/lib/archipelago/node/bitcoin.conf\n' >"$T/full/derive.state"
	dd if=/dev/zero of="$T/full/fill" bs=4k 2>/dev/null || true
	ARCHY_DERIVE_STATE=/full/derive.state run "$DERIVE" --root "$T"
	echo "$output"
	grep -qx 'node 7 7 /var/lib/archipelago/node/bitcoin.conf' "$T/full/derive.state"
	[ "$status" -eq 1 ] # other.env's missing secret, as without counters
	[ -f "$CONF" ] && [ -f "$T/run/archipelago/env/wallet.env" ]
	[ "$(grep -c "cannot write archy-derive's drift counters (No space left on device)" <<<"$output")" = 1 ]
	[[ "$output" == *"full/derive.state: cannot write"* ]]
}
