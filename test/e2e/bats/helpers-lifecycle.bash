# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the node layer's lifecycle files (150-180: reboot, reinstall, switch, uninstall): data
# markers in every app's named volumes and databases, manifest changes applied the way the node's
# daemon does (archyctl apply), health and integrations per app.
# shellcheck shell=bash
load helpers-node
# archyctl_apply
load helpers-archyctl

# shellcheck disable=SC2034
STATE=/var/lib/archy-e2e
SECRETS=/var/lib/archipelago/secrets
mkdir -p "$STATE" 2>/dev/null || true

# Health (assert_app_up runs the health commands) and integrations (assert_app_connected APP,
# integrations_of) come from helpers-node.bash.

# The podman volumes archy made for APP (its archy-APP-*.volume files; a longer app name that shares
# the prefix is not APP's), one a line. Read from $2 (a saved copy of the quadlet dir) if given.
volumes_of() {
	local app=$1 dir=${2:-$QUADLET} f
	for f in "$dir/archy-$app"-*.volume; do
		[ -e "$f" ] || continue
		grep -qx "Label=archy.app=$app" "$f" || continue
		sed -n 's/^VolumeName=//p' "$f"
	done
}

LND_WALLET=data/chain/bitcoin/mainnet/wallet.db

mountpoint_of() { podman volume inspect --format '{{.Mountpoint}}' "$1"; }

# The databases' own rows: a table e2e_marker(v) with one row, inserted with the real client.
pg() { podman exec archy-btcpay-server-postgres psql -X -q -t -A -v ON_ERROR_STOP=1 -h /var/run/postgresql -U postgres -d postgres -c "$1"; }
my() { podman exec archy-mempool-db mariadb -h 127.0.0.1 --protocol=tcp -umempool "-p$(cat "$SECRETS/mempool-db-password")" -N -B mempool -e "$1"; }
db_of() {
	case $1 in
	btcpay-server) echo pg ;;
	mempool) echo my ;;
	esac
}

# write_markers APP TAG: TAG into a file in each named volume of APP, and a row in its database
write_markers() {
	local app=$1 tag=$2 v db
	for v in $(volumes_of "$app"); do
		echo "$app-$tag" >"$(mountpoint_of "$v")/e2e-marker-$tag"
	done
	# lnd's wallet: created once by archy's wallet part, it must outlive whatever comes next (the
	# same wallet: the seed the part kept is unchanged)
	if [ "$app" = lnd ] && [ -e "$(mountpoint_of archy-lnd-lnd-data)/$LND_WALLET" ]; then
		sha256sum <"$(mountpoint_of archy-lnd-lnd-data)/archy-wallet-seed" >"$STATE/lnd-wallet-$tag"
	fi
	db=$(db_of "$app")
	[ -z "$db" ] || $db "CREATE TABLE IF NOT EXISTS e2e_marker (v VARCHAR(64)); INSERT INTO e2e_marker VALUES ('$app-$tag');"
}

# assert_markers APP TAG: every marker write_markers left is still there
assert_markers() {
	local app=$1 tag=$2 v f db vols
	vols=$(volumes_of "$app")
	[ -n "$vols" ] || {
		echo "$app: archy rendered no named volume for it"
		return 1
	}
	for v in $vols; do
		f=$(mountpoint_of "$v")/e2e-marker-$tag
		[ "$(cat "$f" 2>/dev/null)" = "$app-$tag" ] || {
			echo "$app: volume $v lost its marker $f: '$(cat "$f" 2>&1)'"
			return 1
		}
	done
	if [ "$app" = lnd ] && [ -e "$STATE/lnd-wallet-$tag" ]; then
		[ -e "$(mountpoint_of archy-lnd-lnd-data)/$LND_WALLET" ] || {
			echo "lnd: its wallet $LND_WALLET is gone"
			return 1
		}
		[ "$(sha256sum <"$(mountpoint_of archy-lnd-lnd-data)/archy-wallet-seed")" = "$(cat "$STATE/lnd-wallet-$tag")" ] || {
			echo "lnd: the seed archy's wallet part kept changed: another wallet was made"
			return 1
		}
		wait_for 60 lnd_active || {
			echo "lnd: its wallet is there but lnd says: $(curl -sk -m 5 https://127.0.0.1:8080/v1/state)"
			return 1
		}
	fi
	db=$(db_of "$app")
	[ -z "$db" ] && return 0
	wait_for 120 "$db" "SELECT 1" || true
	$db "SELECT v FROM e2e_marker" | grep -qx "$app-$tag" || {
		echo "$app: its database lost the row '$app-$tag': $($db "SELECT v FROM e2e_marker" 2>&1)"
		return 1
	}
}

# A copy of manifest $1 with apps' states set (APP=STATE...), checked by the generator; prints its path.
with_states() {
	local out
	out=$(set_states "$@")
	archy-generator --check "$out" >&2 || return 1
	echo "$out"
}

# The same, unchecked (the caller edits it further).
set_states() {
	local in=$1 out pair
	shift
	out=$(mktemp /tmp/manifest.XXXXXX)
	cp "$in" "$out"
	for pair in "$@"; do
		awk -v app="  ${pair%%=*}:" -v st="${pair#*=}" '
			$0 == app { inapp = 1 }
			inapp && /^    state:/ { sub(/state: .*/, "state: " st); inapp = 0 }
			{ print }' "$out" >"$out.new"
		mv "$out.new" "$out"
	done
	echo "$out"
}

no_jobs() { [ -z "$(systemctl list-jobs --no-legend 2>/dev/null)" ]; }

# Applies manifest $1 as the node's daemon does: archyctl apply, which stops the units that vanish
# and waits for the stops they pass on to the apps that require them (a start of archy-apps.target
# while such a stop job is still queued once left mempool stopped), installs the manifest,
# daemon-reloads, starts, and waits for every changed app; converged, or the step fails.
apply() {
	archyctl_apply "$1"
	wait_for 180 no_jobs
}

# assert_no_orphans, given up to 90 s: archy-derive's timer (30 s) removes an uninstalled app's files
no_orphans() {
	wait_for 90 assert_no_orphans "$@" || assert_no_orphans "$@"
}

# Nothing of APP is left: no unit loaded, no container, none of the ports its files published
# (saved quadlet dir $2) listening, no nginx route file.
assert_no_orphans() {
	local app=$1 saved=$2 units ctrs p f
	units=$(systemctl list-units --all --no-legend --plain "archy-$app.*" "archy-$app-*" | awk '$2 == "loaded" {print $1}' |
		while read -r u; do [ "$(app_of_unit "$u" "$saved")" = "$app" ] && echo "$u"; done)
	[ -z "$units" ] || {
		echo "$app: units still loaded: $units"
		return 1
	}
	ctrs=$(podman ps -a --filter "label=archy.app=$app" --format '{{.Names}}')
	[ -z "$ctrs" ] || {
		echo "$app: containers left: $ctrs"
		return 1
	}
	for f in "$saved/archy-$app".container "$saved/archy-$app"-*.container; do
		[ -e "$f" ] || continue
		grep -qx "Label=archy.app=$app" "$f" || continue
		while read -r p; do
			if listening_on "$p"; then
				echo "$app: port $p still listening: $(ss -Hltnp "sport = :$p")"
				return 1
			fi
		done < <(sed -n 's/^PublishPort=//p' "$f" | awk -F: '{ sub("/.*", "", $NF); print $(NF-1) }')
	done
	f=/etc/nginx/archipelago-ports.d/$app.conf
	[ ! -e "$f" ] || {
		echo "$app: its nginx route file is left: $f"
		return 1
	}
}

# The app a unit belonged to, from the saved quadlet dir's Label=archy.app (any app name prefix).
app_of_unit() {
	local u=${1%.service} f
	u=${u%-volume}
	u=${u%-network}
	for f in "$2/$u.container" "$2/$u.volume"; do
		[ -e "$f" ] && sed -n 's/^Label=archy.app=//p' "$f" && return 0
	done
	echo "${u#archy-}"
}

# The HTTPS port of APP's UI on nginx (its nginx-route in the pristine manifest), empty if none.
route_port_of() {
	awk -v app="  $1:" '$0 == app { a = 1; next } a && /^  [a-z]/ { a = 0 }
		a && /kind: nginx-route/ { if (match($0, /port: [0-9]+/)) print substr($0, RSTART + 6, RLENGTH - 6); else want = 1; next }
		a && want && match($0, /port: [0-9]+/) { print substr($0, RSTART + 6, RLENGTH - 6); want = 0 }' "$PRISTINE"
}

# nginx answers on APP's HTTPS port with a page of the app (not a 502 of a dead upstream)
nginx_serves() {
	local code
	code=$(curl -ksS -o /dev/null -m 5 -w '%{http_code}' "https://127.0.0.1:$(route_port_of "$1")/")
	case $code in 2?? | 3?? | 401) return 0 ;; esac
	echo "nginx on $(route_port_of "$1") for $1 answered $code"
	return 1
}

# When each unit of the started apps last entered active, one "unit timestamp" a line.
active_since() {
	local app c
	for app in $(started_apps); do
		for c in $(containers_of "$app"); do
			echo "$c $(systemctl show -p ActiveEnterTimestampMonotonic --value "$c.service")"
		done
	done
}
