# SPDX-License-Identifier: LGPL-2.1-or-later
# ${secret:NAME:url} (percent-encoded for a URL) and secrets.NAME.chars: alnum (a supplied secret
# outside [A-Za-z0-9] is refused), the real archy-derive on a temporary tree (--root).

load helpers

setup() {
	derive_tree <<'EOM'
version: 1
secrets:
  rpc: {generate: true}
  db: {generate: true, chars: alnum}
apps:
  electrumx:
    containers: {main: {image: localhost/x:1, env_files: [/run/archipelago/env/electrumx.env]}}
    derived:
      - kind: env
        path: /run/archipelago/env/electrumx.env
        vars: {DAEMON_URL: "http://u:${secret:rpc:url}@bitcoind:8332/", RAW: "${secret:rpc}"}
      - kind: file
        path: /var/lib/archipelago/electrumx/url
        mode: "0600"
        content: "http://u:${secret:rpc:url}@h/"
  mempool:
    containers: {main: {image: localhost/x:1, env_files: [/run/archipelago/env/mempool.env]}}
    derived:
      - kind: env
        path: /run/archipelago/env/mempool.env
        vars: {DATABASE_PASSWORD: "${secret:db}"}
EOM
	D=$T/var/lib/archipelago
	install -d -m700 "$D/secrets"
}

@test "secret :url form: every byte outside [A-Za-z0-9._~-] percent-encoded, the plain form as it is" {
	printf '%s' 'a/b?c#d@e%f,g:h!&\"~.-_Z9' >"$D/secrets/rpc"
	chmod 600 "$D/secrets/rpc"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qxF 'DAEMON_URL=http://u:a%2Fb%3Fc%23d%40e%25f%2Cg%3Ah%21%26%5C%22~.-_Z9@bitcoind:8332/' "$T/run/archipelago/env/electrumx.env"
	grep -qxF 'RAW=a/b?c#d@e%f,g:h!&\"~.-_Z9' "$T/run/archipelago/env/electrumx.env"
	[ "$(cat "$D/electrumx/url")" = 'http://u:a%2Fb%3Fc%23d%40e%25f%2Cg%3Ah%21%26%5C%22~.-_Z9@h/' ]
	# decoding gives the secret back (what aiohttp/yarl does with a URL's userinfo)
	enc=$(sed -n 's/^DAEMON_URL=http:\/\/u:\(.*\)@bitcoind.*/\1/p' "$T/run/archipelago/env/electrumx.env")
	[ "$(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]), end="")' "$enc")" = "$(cat "$D/secrets/rpc")" ]
}

@test "secret :url form of a generated secret is the secret itself" {
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	grep -qxF "DAEMON_URL=http://u:$(cat "$D/secrets/rpc")@bitcoind:8332/" "$T/run/archipelago/env/electrumx.env"
}

@test "chars: alnum: a generated secret fits, a supplied one with another character is refused and nothing is written" {
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	grep -qxF "DATABASE_PASSWORD=$(cat "$D/secrets/db")" "$T/run/archipelago/env/mempool.env"
	printf '%s' 'pass&word' >"$D/secrets/db"
	run "$DERIVE" --root "$T"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"apps.mempool.derived[0]: /run/archipelago/env/mempool.env: not derived, the file is left as it is: secret db holds a character outside [A-Za-z0-9], which secrets.db.chars: alnum requires"* ]]
	# the old file stays: not derived from the refused secret
	! grep -q 'pass&word' "$T/run/archipelago/env/mempool.env" || false
	# an alnum supplied secret is taken
	printf '%s' 'Supplied42' >"$D/secrets/db"
	run "$DERIVE" --root "$T"
	[ "$status" -eq 0 ]
	grep -qxF 'DATABASE_PASSWORD=Supplied42' "$T/run/archipelago/env/mempool.env"
}
