# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the end-to-end bats files; they run inside the booted guest as root. Tests name
# "APP | EVENT | what a user would check", so that matrix.sh can print app x event. An APP is an
# app or app-part as in the unit name: node-ui is container "ui" of app "node", unit archy-node-ui.
MANIFEST=/etc/archipelago/manifest.yaml
PRISTINE=/usr/local/share/archy-e2e/manifest.yaml
STATE=/var/lib/archy-e2e
STARTED=(node node-ui wallet wallet-ui indexer)

unit_of() { echo "archy-$1.service"; }

port_of() {
	case $1 in
	node) echo 18332 ;; node-ui) echo 18081 ;; wallet) echo 18080 ;; wallet-ui) echo 18082 ;;
	indexer) echo 18501 ;; notes) echo 18090 ;; *) return 1 ;;
	esac
}

# Named volume of an app's main container, mounted at /data.
volume_of() { echo "archy-$1-$1-data"; }

# What a user would try: the node's RPC with the node's credentials, every other app's web port.
answers() {
	local app=$1 port
	port=$(port_of "$app")
	case $app in
	node) curl -fsS -m 3 -u "e2e:$(cat $STATE/rpc-password)" "http://127.0.0.1:$port/" ;;
	wallet | indexer) curl -fsS -m 3 "http://127.0.0.1:$port/" | grep '^connected' ;;
	*) curl -fsS -m 3 "http://127.0.0.1:$port/" | grep 'archy stand-in UI' ;;
	esac
}

# Polls a command for up to $1 seconds; prints what it waited for when it gives up.
wait_for() {
	local secs=$1 end
	shift
	end=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "gave up after ${secs}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.3
	done
}

cid() { podman inspect --format '{{.Id}}' "archy-$1" 2>/dev/null; }
running() { [ "$(podman inspect --format '{{.State.Running}}' "archy-$1" 2>/dev/null)" = true ]; }
active() { [ "$(systemctl is-active "$(unit_of "$1")")" = active ]; }
port_closed() { ! curl -s -m 2 -o /dev/null "http://127.0.0.1:$(port_of "$1")/"; }

# Stopped cleanly: inactive, not failed, container gone, port released.
assert_stopped() {
	local app=$1 u
	u=$(unit_of "$app")
	[ "$(systemctl show -p ActiveState --value "$u")" = inactive ] || {
		systemctl status --no-pager "$u" >&2
		return 1
	}
	[ "$(systemctl show -p Result --value "$u")" = success ]
	! podman container exists "archy-$app"
	port_closed "$app"
}

# Up as a user sees it: unit active, container running, port answering.
assert_up() {
	local app=$1
	wait_for "${2:-90}" answers "$app" || {
		systemctl status --no-pager "$(unit_of "$app")" >&2
		journalctl -u "$(unit_of "$app")" -n 20 --no-pager >&2
		return 1
	}
	active "$app"
	running "$app"
}

# Records the container ID of every running app into $1.
record_ids() {
	local app
	for app in "${STARTED[@]}"; do echo "$app $(cid "$app")"; done >"$1"
}

recorded_id() { awk -v a="$1" '$1 == a {print $2}' "$2"; }

# Installs a manifest the way the node's daemon does: atomically, then daemon-reload.
apply_manifest() {
	install -m644 "$1" "$MANIFEST.tmp"
	mv "$MANIFEST.tmp" "$MANIFEST"
	systemctl daemon-reload
}

# Sets one app's state in a copy of the pristine manifest, prints the copy's path.
manifest_with_state() {
	local app=$1 state=$2 out
	out=$(mktemp /tmp/manifest.XXXXXX)
	awk -v app="  $app:" -v st="$state" '
		$0 == app { inapp = 1 }
		inapp && /^    state:/ { sub(/state: .*/, "state: " st); inapp = 0 }
		{ print }' "$PRISTINE" >"$out"
	grep -q "state: $state" "$out"
	echo "$out"
}
