# SPDX-License-Identifier: LGPL-2.1-or-later
# Reinstall of the shipped node: every app uninstalled (state: uninstalled in a copy of the installed
# manifest), applied as the node's daemon does (archyctl apply: the units that vanish stopped,
# manifest installed, daemon-reload, archy-apps.target started): units and containers gone, named volumes kept. Then
# the installed manifest again (state: started): the same data back, healthy, connected. Applying
# the same manifest once more restarts nothing.
load helpers-lifecycle

APPS=(bitcoin-knots lnd electrumx btcpay-server mempool fedimint)

setup_file() {
	local app
	rm -rf "$STATE/quadlet-before-reinstall"
	cp -r "$QUADLET" "$STATE/quadlet-before-reinstall"
	cp "$MANIFEST" "$STATE/manifest-before-reinstall"
	# an app that is down here fails its own rows below (no marker to find), not the whole file
	for app in "${APPS[@]}"; do
		assert_app_up "$app" 60 >&2 || continue
		write_markers "$app" reinstall >&2 || echo "$app: could not write its markers" >&2
	done
}

saved() { echo "$STATE/quadlet-before-reinstall"; }

uninstalled() {
	local app=$1 v
	no_orphans "$app" "$(saved)"
	for v in $(volumes_of "$app" "$(saved)"); do
		podman volume exists "$v" || {
			echo "$app: its volume $v is gone (uninstall must keep the data)"
			return 1
		}
	done
}

back() {
	local app=$1
	assert_app_up "$app" 120
	assert_markers "$app" reinstall
}

@test "all | reinstall | every app uninstalled (state: uninstalled), applied" {
	local states=() app m
	for app in "${APPS[@]}"; do states+=("$app=uninstalled"); done
	m=$(with_states "$STATE/manifest-before-reinstall" "${states[@]}")
	apply "$m"
	# no container file rendered any more (started_apps would print the glob's grep error)
	run compgen -G "$QUADLET/archy-*.container"
	echo "still rendered: $output"
	[ "$status" != 0 ]
}

@test "bitcoin-knots | reinstall | uninstalled: units, containers, ports gone, volumes kept" { uninstalled bitcoin-knots; }
@test "lnd | reinstall | uninstalled: units, containers, ports gone, volumes kept" { uninstalled lnd; }
@test "electrumx | reinstall | uninstalled: units, containers, ports gone, volumes kept" { uninstalled electrumx; }
@test "btcpay-server | reinstall | uninstalled: units, containers, ports gone, volumes kept" { uninstalled btcpay-server; }
@test "mempool | reinstall | uninstalled: units, containers, ports gone, volumes kept" { uninstalled mempool; }
@test "fedimint | reinstall | uninstalled: units, containers, ports gone, volumes kept" { uninstalled fedimint; }

@test "all | reinstall | the installed manifest again (state: started), applied" {
	apply "$STATE/manifest-before-reinstall"
	diff <(cd "$(saved)" && ls) <(cd "$QUADLET" && ls)
}

@test "bitcoin-knots | reinstall | back up, healthy, on its data" { back bitcoin-knots; }
@test "lnd | reinstall | back up, healthy, on its data (the same wallet)" { back lnd; }
@test "electrumx | reinstall | back up, healthy, on its data" { back electrumx; }
@test "btcpay-server | reinstall | back up, healthy, on its data and postgres rows" { back btcpay-server; }
@test "mempool | reinstall | back up, healthy, on its data and mariadb rows" { back mempool; }
@test "fedimint | reinstall | back up, healthy, on its data" { back fedimint; }

@test "lnd | reinstall | connected again to bitcoind" { assert_app_connected lnd; }
@test "electrumx | reinstall | connected again to bitcoind" { assert_app_connected electrumx; }
@test "btcpay-server | reinstall | connected again to bitcoind, lnd, NBXplorer, postgres" { assert_app_connected btcpay-server; }
@test "mempool | reinstall | connected again to electrumx, bitcoind, its database" { assert_app_connected mempool; }
@test "fedimint | reinstall | connected again to bitcoind" { assert_app_connected fedimint; }

@test "all | reinstall | the same manifest applied once more" {
	local app
	for app in "${APPS[@]}"; do assert_app_up "$app" 60; done
	active_since >"$STATE/since-1"
	apply "$MANIFEST"
	sleep 5
	active_since >"$STATE/since-2"
}

# no container of APP entered active again (ActiveEnterTimestamp unchanged)
unchanged() {
	local app=$1 c
	for c in $(containers_of "$app"); do
		[ "$(grep "^$c " "$STATE/since-1")" = "$(grep "^$c " "$STATE/since-2")" ] || {
			echo "$c restarted: $(grep "^$c " "$STATE/since-1") -> $(grep "^$c " "$STATE/since-2")"
			return 1
		}
	done
}

@test "bitcoin-knots | reinstall | idempotent: applying it again restarts no unit" { unchanged bitcoin-knots; }
@test "lnd | reinstall | idempotent: applying it again restarts no unit" { unchanged lnd; }
@test "electrumx | reinstall | idempotent: applying it again restarts no unit" { unchanged electrumx; }
@test "btcpay-server | reinstall | idempotent: applying it again restarts no unit" { unchanged btcpay-server; }
@test "mempool | reinstall | idempotent: applying it again restarts no unit" { unchanged mempool; }
@test "fedimint | reinstall | idempotent: applying it again restarts no unit" { unchanged fedimint; }
