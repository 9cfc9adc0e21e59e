# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the node layer's bats files (test/e2e/plans/node): the guest runs the shipped manifest,
# manifests/archipelago.yaml, byte for byte (or the deliberately broken copy E2E_NODE_MANIFEST_SED
# made, see /usr/local/share/archy-e2e/manifest.broken), with stand-in and real database images
# tagged with the references it names. Tests name "APP | EVENT | what is checked" (matrix.sh).
# What the node runs is read from what archy rendered (/run/archy/quadlet), not repeated here.
# Used by the bats files that load this one:
# shellcheck disable=SC2034
MANIFEST=/etc/archipelago/manifest.yaml
# shellcheck disable=SC2034
PRISTINE=/usr/local/share/archy-e2e/manifest.yaml
BROKEN=/usr/local/share/archy-e2e/manifest.broken
QUADLET=/run/archy/quadlet
# The started apps of the shipped node; 100-node-install checks the manifest still says so.
# shellcheck disable=SC2034
NODE_APPS=(bitcoin-knots lnd electrumx btcpay-server mempool fedimint)

# Containers of an app as archy named them (archy-APP and archy-APP-PART), one a line.
containers_of() {
	local app=$1 f c
	for f in "$QUADLET/archy-$app.container" "$QUADLET/archy-$app"-*.container; do
		[ -e "$f" ] || continue
		c=$(basename "$f" .container)
		# archy-APP-PART belongs to APP only when no longer app name claims it (btcpay-server-*)
		[ "$(app_of_container "$c")" = "$app" ] && echo "$c"
	done
	return 0
}

# The app a container belongs to: its quadlet file names its unit's app in the Label= archy wrote,
# or, failing that, the longest started app name that prefixes it.
app_of_container() {
	local c=${1#archy-} best="" a
	for a in $(started_apps); do
		if [ "$c" = "$a" ] || [[ $c == "$a"-* ]]; then [ ${#a} -gt ${#best} ] && best=$a; fi
	done
	echo "$best"
}

# Apps archy renders and starts (their unit is wanted by archy-apps.target), from the quadlet files.
started_apps() {
	local f
	for f in "$QUADLET"/archy-*.container; do
		grep -q '^WantedBy=archy-apps.target' "$f" || continue
		basename "$f" .container
	done | sed 's/^archy-//' | sort -u | while read -r c; do
		# a part's file (archy-APP-PART) is listed only if no file names APP alone
		local p=$c keep=1
		while [[ $p == *-* ]]; do
			p=${p%-*}
			[ -e "$QUADLET/archy-$p.container" ] && keep=0
		done
		[ $keep = 0 ] || echo "$c"
	done
}

image_of() { sed -n 's/^Image=//p' "$QUADLET/$1.container"; }
# host ports a container publishes ("127.0.0.1:8332:8332" -> 8332), one a line
ports_of() { sed -n 's/^PublishPort=//p' "$QUADLET/$1.container" | awk -F: '{ print $(NF-1) }'; }
unit_active() { [ "$(systemctl is-active "$1.service")" = active ]; }
container_running() { [ "$(podman container inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
one_shot() { grep -qx 'Type=oneshot' "$QUADLET/$1.container"; }
listening_on() { [ -n "$(ss -Hltn "sport = :$1")" ]; }

# What went wrong with a container, for a failing test: the contract a stand-in refused (its
# messages say "(contract: ...)"), then the unit's last lines.
explain() {
	local c=$1
	echo "--- $c: contract messages:"
	journalctl -q --no-pager -u "$c.service" | grep -i 'contract' | tail -n 5
	echo "--- $c: last lines of its unit:"
	journalctl -q --no-pager -u "$c.service" -n 15
	[ ! -s "$BROKEN" ] || { echo "--- this guest runs a deliberately broken copy of the manifest:" && cat "$BROKEN"; }
}

# Polls a command for up to $1 seconds.
wait_for() {
	local secs=$1 end
	shift
	end=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.5
	done
}

# Every container of APP: its image is in the guest, its unit active, the container running. The
# containers whose image exists are checked first, so that a missing stand-in does not hide a
# companion that refuses (a real database's entrypoint, say).
assert_app_up() {
	local app=$1 secs=${2:-180} c img missing=()
	mapfile -t cs < <(containers_of "$app")
	[ ${#cs[@]} -gt 0 ] || {
		echo "$app: archy rendered no container for it (is it started in $MANIFEST?)"
		return 1
	}
	for c in "${cs[@]}"; do
		img=$(image_of "$c")
		if ! podman image exists "$img"; then
			missing+=("$c needs image $img")
			continue
		fi
		# a one-shot part (restart: "no", e.g. lnd's wallet) has exited 0 when its unit is active
		if ! wait_for "$secs" unit_active "$c" || { ! one_shot "$c" && ! wait_for 10 container_running "$c"; }; then
			echo "$app: $c.service is $(systemctl is-active "$c.service"), container running: $(podman container inspect --format '{{.State.Running}}' "$c" 2>&1)"
			explain "$c"
			return 1
		fi
	done
	[ ${#missing[@]} = 0 ] || {
		printf "$app: %s, and this guest has none: no test/e2e/images/*.image lists it in REFS (no stand-in yet)\n" "${missing[@]}"
		return 1
	}
	# healthy: the manifest's health command (Quadlet HealthCmd=) passes in the container
	for c in "${cs[@]}"; do
		grep -q '^HealthCmd=' "$QUADLET/$c.container" || continue
		wait_for "$secs" podman healthcheck run "$c" || {
			echo "$app: $c: its health command fails: $(sed -n 's/^HealthCmd=//p' "$QUADLET/$c.container")"
			podman healthcheck run "$c"
			explain "$c"
			return 1
		}
	done
}

# The integrations each app's own stand-ins report (connected INTEGRATION names).
integrations_of() {
	case $1 in
	lnd) echo lnd-bitcoind litd-lnd ;;
	electrumx) echo electrumx-bitcoind ;;
	mempool) echo mempool-electrumx mempool-bitcoind mempool-db ;;
	btcpay-server) echo nbxplorer-bitcoind nbxplorer-postgres btcpay-postgres btcpay-nbxplorer btcpay-lnd ;;
	fedimint) echo fedimint-bitcoind ;;
	esac
}

# Every integration of APP connected again (within $2 s each, default 120).
assert_app_connected() {
	local i
	for i in $(integrations_of "$1"); do assert_connected "$i" "${2:-120}" || return 1; done
}

# Host ports (tcp and udp) someone listens on, among those APP's containers publish (conmon holds
# each published port open while the container runs).
open_ports_of() {
	local c p
	for c in $(containers_of "$1"); do
		for p in $(ports_of "$c"); do
			[ -z "$(ss -Hltun "sport = :$p")" ] || echo "$c publishes $p: $(ss -Hltunp "sport = :$p" | head -n 2)"
		done
	done
}

# The opposite, so the check can fail: published ports of APP nobody listens on.
closed_ports_of() {
	local c p
	for c in $(containers_of "$1"); do
		for p in $(ports_of "$c"); do [ -n "$(ss -Hltun "sport = :$p")" ] || echo "$c publishes $p: not listening"; done
	done
}

# connected INTEGRATION: one integration of the shipped node really works (the client side logged
# in to its server), as the client's stand-in reports it. Prints the report; 1 when not connected.
connected() {
	local out
	case $1 in
	lnd-bitcoind)
		out=$(podman exec archy-lnd lncli --lnddir=/data --network=mainnet getinfo 2>&1)
		want '"archy_standin_bitcoind": *"connected"' ;;
	electrumx-bitcoind)
		out=$(podman exec archy-electrumx electrumx_rpc -p 8000 getinfo 2>&1)
		want '"archy-standin daemon": *"connected"' ;;
	mempool-electrumx | mempool-bitcoind | mempool-db)
		out=$(curl -sS --max-time 5 http://127.0.0.1:4080/api/v1/backend-info 2>&1)
		want "\"$(mempool_key "$1")\": *\"connected\"" ;;
	nbxplorer-bitcoind | nbxplorer-postgres)
		out=$(nbxplorer_status 2>&1)
		# rpc and p2p both reach the node
		if [ "$1" = nbxplorer-postgres ]; then want '"postgres": *"connected"'; else
			want '"rpc": *"connected"' && want '"p2p": *"connected"'
		fi ;;
	btcpay-postgres | btcpay-nbxplorer | btcpay-lnd)
		out=$(curl -sS --max-time 5 http://127.0.0.1:23000/archy/status 2>&1)
		want "\"${1#btcpay-}\": *\"connected\"" ;;
	btcpay-bitcoind)
		# BTCPay reaches the node only through NBXplorer: connected when both hops are
		connected btcpay-nbxplorer && connected nbxplorer-bitcoind ;;
	fedimint-bitcoind)
		out=$(curl -sS --max-time 5 -w ' HTTP %{http_code}' http://127.0.0.1:8175/status 2>&1 | tr "\n" " ")
		want '^bitcoind connected.* HTTP 200$' ;;
	litd-lnd)
		out=$(curl -sSk --max-time 5 -w ' HTTP %{http_code}' https://127.0.0.1:8443/archy-standin/status 2>&1)
		want '^connected HTTP 200$' ;;
	*)
		echo "connected $1: unknown integration"
		return 2
		;;
	esac
}

# The report in $out matches the extended regex $1 (prints it either way, for a failing test).
want() {
	echo "$out"
	grep -Eq "$1" <<<"$out" || { echo "connected: the report does not say $1" && return 1; }
}

mempool_key() { case $1 in mempool-electrumx) echo electrum ;; mempool-bitcoind) echo core_rpc ;; *) echo database ;; esac; }

# NBXplorer's status API, from the host to the container's address on the app network, with the
# cookie it wrote as Basic auth (its image has no curl or wget).
nbxplorer_status() {
	local c=archy-btcpay-server-nbxplorer ip cookie
	ip=$(podman container inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$c" | awk '{ print $1 }')
	cookie=$(podman exec "$c" cat /datadir/Main/.cookie) || return 1
	curl -sS --max-time 5 -u "$cookie" "http://$ip:32838/v1/cryptos/btc/status"
}

# lnd connects to bitcoind only once a wallet exists, and nobody is there to create one: archy's
# one-shot part `wallet` (lnd's block of the shipped manifest) does, with the lnd-wallet-password
# secret, and keeps the seed on lnd's volume. lnd_wallet_made waits for that part to have exited 0
# (its unit active) and checks what it left: lnd unlocked (RPC_ACTIVE or SERVER_ACTIVE), the seed
# file whole (24 words) and 0600. No test step creates a wallet.
LND_WALLET_PASSWORD_FILE=/var/lib/archipelago/lnd/wallet-password
lnd_state() { curl -sk --max-time 5 https://127.0.0.1:8080/v1/state; }
lnd_active() { lnd_state | grep -Eq '"(RPC_ACTIVE|SERVER_ACTIVE)"'; }
lnd_wallet_made() {
	local seed mode
	wait_for "${1:-180}" unit_active archy-lnd-wallet || {
		echo "lnd: archy's wallet part did not complete: archy-lnd-wallet.service is $(systemctl is-active archy-lnd-wallet.service)"
		explain archy-lnd-wallet
		return 1
	}
	wait_for 60 lnd_active || {
		echo "lnd: the wallet part completed, but lnd says $(lnd_state)"
		return 1
	}
	seed=$(podman volume inspect --format '{{.Mountpoint}}' archy-lnd-lnd-data)/archy-wallet-seed
	mode=$(stat -c %a "$seed" 2>&1)
	[ "$mode" = 600 ] || { echo "lnd: the seed file $seed: mode $mode, want 600" && return 1; }
	[ "$(wc -w <"$seed")" = 24 ] || { echo "lnd: the seed file $seed holds $(wc -w <"$seed") words, want 24" && return 1; }
}

# Waits up to $2 s (default 120) for connected $1, then runs it once more for the test's output.
assert_connected() {
	wait_for "${2:-120}" connected "$1" || true
	connected "$1"
}
