# SPDX-License-Identifier: LGPL-2.1-or-later
# bitcoin.conf lines bitcoind refuses (a whole file of garbage, a '-' line, rpcpassword with '#'):
# left out, the file as it was kept aside once, the user's valid lines kept; the result is read
# by an independent reading of bitcoind's config reader (bitcoin-conf-check.py).

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
EOM
	CONF=$T/var/lib/archipelago/node/bitcoin.conf
	CHECK=$BATS_TEST_DIRNAME/bitcoin-conf-check.py
	"$DERIVE" --root "$T"
}

# 40 lines of base64 noise, no '=' and no archy block (the soak's chaos 5).
garbage() { for i in $(seq 40); do printf '%s' "$i" | sha256sum | head -c 57 | base64 -w0; echo; done; }

rejected() { find "$T/var/lib/archipelago/node" -name 'bitcoin.conf.archy-rejected-*'; }

@test "a whole file of garbage: rewritten with archy's block only, bitcoind reads it, the garbage kept aside once (0600), a second run changes nothing" {
	garbage >"$CONF"
	cp "$CONF" "$T/garbage"
	run "$CHECK" "$CONF"
	[ "$status" -eq 1 ] # the checker refuses what bitcoind refuses
	[[ "$output" == "parse error on line 1: "* ]]
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	head=$(head -c 64 "$T/garbage")
	[[ "$output" == *"apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: line 1 is refused by bitcoind, which would not start: \"$head...\""* ]]
	[[ "$output" == *"apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: repaired: line 1 is one bitcoind refuses (neither an option (no '='), nor a [section], nor a comment); such lines are left out, and the file as it was is kept as bitcoin.conf.archy-rejected-"* ]]
	run "$CHECK" "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx '# BEGIN archy-derive.*' "$CONF"
	grep -q '^rpcauth=u:' "$CONF"
	run grep -c . "$CONF"
	[ "$output" -eq 9 ] # BEGIN, 7 options, END: no line of the garbage
	[ "$(rejected | wc -l)" -eq 1 ]
	copy=$(rejected)
	[[ "$copy" =~ bitcoin\.conf\.archy-rejected-[0-9]{8}T[0-9]{6}Z$ ]]
	cmp "$copy" "$T/garbage"
	[ "$(stat -c '%a' "$copy")" = 600 ]
	before=$(cat "$CONF")
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(cat "$CONF")" = "$before" ]
	[ "$(rejected | wc -l)" -eq 1 ]
}

@test "refused lines among valid ones: every valid user line survives (dbcache=450, a section, CRLF), each refused one goes, the first named with its number and escaped bytes" {
	good=$(cat "$CONF")
	{
		printf 'dbcache=450\n'
		printf '\001\002garbage\\x\n'
		printf '%s\n' "$good"
		printf -- '-txindex=1\n'
		printf 'prune=550\r\n'
		printf 'rpcpassword=ab#cd\n'
		printf 'notxindex\n'
		printf 'main.conf=/etc/other.conf\n'
		printf '[test]\n'
		printf 'rpcport=18000 # a comment\n'
	} >"$CONF"
	cp "$CONF" "$T/before"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *": line 2 is refused by bitcoind, which would not start: \"\\x01\\x02garbage\\\\x\""* ]]
	run "$CHECK" "$CONF"
	echo "$output"
	[ "$status" -eq 0 ]
	printf 'dbcache=450\n%s\nprune=550\r\n[test]\nrpcport=18000 # a comment\n' "$good" >"$T/want"
	diff <(cat -A "$T/want") <(cat -A "$CONF")
	cmp "$(rejected)" "$T/before"
}

@test "--check: the refused line is drift (exit 3), nothing is written, no copy is kept" {
	printf 'dbcache=450\ngarbage\n' >>"$CONF"
	cp "$CONF" "$T/before"
	run "$DERIVE" --root "$T" --check
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"drift: line "*" is one bitcoind refuses ("*"); such lines are left out, and the file as it is would be kept as bitcoin.conf.archy-rejected-"* ]]
	cmp "$CONF" "$T/before"
	[ -z "$(rejected)" ]
}

@test "a valid file with unknown keys, comments and sections is not touched and nothing is kept aside" {
	printf '# mine\ndbcache=450\nSGVsbG8=\n[main]\nmaxconnections=20\n' >>"$CONF"
	cp "$CONF" "$T/before"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	cmp "$CONF" "$T/before"
	[ -z "$(rejected)" ]
}
