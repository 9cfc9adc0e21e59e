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
container_running() { [ "$(podman inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
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
			echo "$app: $c.service is $(systemctl is-active "$c.service"), container running: $(podman inspect --format '{{.State.Running}}' "$c" 2>&1)"
			explain "$c"
			return 1
		fi
	done
	[ ${#missing[@]} = 0 ] || {
		printf "$app: %s, and this guest has none: no test/e2e/images/*.image lists it in REFS (no stand-in yet)\n" "${missing[@]}"
		return 1
	}
}

# connected INTEGRATION: one integration of the shipped node really works (the client side logged
# in to its server). The app helpers fill these in as their stand-ins learn to tell.
connected() {
	case $1 in
	lnd-bitcoind | electrumx-bitcoind | mempool-electrumx | mempool-bitcoind | mempool-db | \
		btcpay-bitcoind | btcpay-lnd | btcpay-nbxplorer | btcpay-postgres | nbxplorer-bitcoind | \
		nbxplorer-postgres | fedimint-bitcoind)
		echo "connected $1: no check written yet (test/e2e/bats/helpers-node.bash)"
		return 1
		;;
	*)
		echo "connected $1: unknown integration"
		return 2
		;;
	esac
}
