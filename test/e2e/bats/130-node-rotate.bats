# SPDX-License-Identifier: LGPL-2.1-or-later
# Password rotation on the shipped node: a new value written into a canonical secret, as the node's
# daemon (or an administrator) would. archy-derive's timer re-renders every file that uses it and
# restarts their consumers; every app must come back up and connected on the new credentials, the
# old one must be refused, and lnd (restarted with a new bitcoind password in lnd.conf) must unlock
# its wallet by itself: a rotation never leaves a locked wallet. lnd-wallet-password itself is not
# rotated by rewriting it (archy-manifest(5), the shipped manifest's secrets block).
load helpers-lifecycle

APPS=(bitcoin-knots lnd electrumx btcpay-server mempool fedimint)

# rotate NAME: a new 32-character [A-Za-z0-9] value, replaced by rename as a secret store would
rotate() {
	local name=$1 new
	new=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
	cat "$SECRETS/$name" >"$STATE/old-$name"
	printf '%s\n' "$new" >"$SECRETS/$name.new"
	chmod 600 "$SECRETS/$name.new"
	mv "$SECRETS/$name.new" "$SECRETS/$name"
	echo "$new"
}

# bitcoind's RPC on its loopback port answers user archipelago with password $1 (HTTP 200)
rpc_accepts() {
	[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -u "archipelago:$1" -H 'Content-Type: application/json' \
		-d '{"jsonrpc":"1.0","id":"e2e","method":"getblockcount","params":[]}' http://127.0.0.1:8332/)" = 200 ]
}

# every app up (health commands passing) and every integration connected, within $1 s each
all_back() {
	local app
	for app in "${APPS[@]}"; do
		assert_app_up "$app" "${1:-180}" || return 1
	done
	lnd_active || wait_for 120 lnd_active || {
		echo "lnd: not unlocked after the rotation: $(lnd_state)"
		return 1
	}
	for app in "${APPS[@]}"; do
		assert_app_connected "$app" || return 1
	done
}

# the env file archy-derive rendered for a consumer holds the value (the secret reached it)
rendered_with() { grep -rqF -- "$2" "$1"; }

@test "bitcoin-knots | rotate | a new bitcoin-rpc-password: bitcoind accepts it within one derive period, refuses the old" {
	local new
	new=$(rotate bitcoin-rpc-password)
	wait_for 120 rpc_accepts "$new" || {
		echo "bitcoind does not accept the new password; bitcoin.conf: $(grep rpcauth /var/lib/archipelago/bitcoin/bitcoin.conf)"
		return 1
	}
	! rpc_accepts "$(cat "$STATE/old-bitcoin-rpc-password")" || false
}

@test "lnd | rotate | bitcoin-rpc-password: lnd.conf re-rendered, lnd restarted and unlocked by itself, connected" {
	wait_for 120 rendered_with /var/lib/archipelago/lnd/lnd.conf "$(cat "$SECRETS/bitcoin-rpc-password")"
	assert_app_up lnd 180
	wait_for 120 lnd_active || {
		echo "lnd: locked or down after the rotation: $(lnd_state)"
		return 1
	}
	assert_app_connected lnd
}

@test "all | rotate | bitcoin-rpc-password: every app up and connected on the new password" {
	all_back 180
}

# container $1 runs with the value $2 somewhere in its environment (restarted on the new env file)
env_has() { podman exec "$1" env 2>/dev/null | grep -qF -- "$2"; }

# postgres of btcpay-server accepts user postgres with password $1 over the app network
# (scram-sha-256 there; its unix socket is trust)
pg_net_accepts() {
	local ip
	ip=$(podman container inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' \
		archy-btcpay-server-postgres | awk '{ print $1 }')
	podman exec -e PGPASSWORD="$1" archy-btcpay-server-postgres \
		psql -X -q -t -A -h "$ip" -U postgres -d postgres -c 'SELECT 1' 2>&1 | grep -qx 1
}

@test "mempool | rotate | a new mempool-db-password: mariadb re-applies it, the backend connects with it" {
	local new
	new=$(rotate mempool-db-password)
	wait_for 120 my "SELECT 1" || {
		echo "mariadb does not accept user mempool with the new password"
		my "SELECT 1"
		return 1
	}
	wait_for 120 env_has archy-mempool "$new" || {
		echo "the mempool backend was not restarted with the new DATABASE_PASSWORD"
		return 1
	}
	assert_app_up mempool 180
	assert_app_connected mempool
}

@test "btcpay-server | rotate | a new btcpay-db-password: postgres re-applies it, NBXplorer and BTCPay connect with it" {
	local new c
	new=$(rotate btcpay-db-password)
	wait_for 120 pg_net_accepts "$new" || {
		echo "postgres does not accept the new password over the network"
		return 1
	}
	for c in archy-btcpay-server-nbxplorer archy-btcpay-server; do
		wait_for 120 env_has "$c" "$new" || {
			echo "$c was not restarted with the new password"
			return 1
		}
	done
	assert_app_up btcpay-server 240
	assert_app_connected btcpay-server
	! pg_net_accepts "$(cat "$STATE/old-btcpay-db-password")" || false
}

@test "all | rotate | after every rotation: every app up and connected, lnd unlocked" {
	all_back 180
}
