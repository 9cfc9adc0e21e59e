# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the end-to-end bats files; they run inside the booted guest as root. Tests name
# "APP | EVENT | what a user would check", so that matrix.sh can print app x event. An APP is an
# app or app-part as in the unit name: node-ui is container "ui" of app "node", unit archy-node-ui.
#
# Negative assertions: bats runs tests under errexit, which ignores a negated command, so a bare
# `! cmd` asserts nothing unless it is a test's very last command. Write `! cmd || false`, or use
# a helper below whose own last command is the negation (make lint refuses any other `! cmd` line).
# Used by the bats files that load this one:
# shellcheck disable=SC2034
MANIFEST=/etc/archipelago/manifest.yaml
# shellcheck disable=SC2034
PRISTINE=/usr/local/share/archy-e2e/manifest.yaml
# shellcheck disable=SC2034
STATE=/var/lib/archy-e2e
STARTED=(node node-ui wallet wallet-ui indexer)

# The node's mode (archy-manifest(5) NODE), from the installed manifest: rootful (root's podman, the
# system manager) or rootless (the apps user's podman and its systemd --user manager). The
# rootless layer (test/e2e/plans/rootless) runs these files on a rootless node.
node_setting() {
	awk -v key="$1" '
		/^node:/ { innode = 1; line = $0; sub(/^node: */, "", line)
			if (match(line, key ": *[a-z_][a-z0-9_-]*")) { v = substr(line, RSTART, RLENGTH); sub(/^[a-z]+: */, "", v); print v; exit }
			next }
		innode && /^[^ #]/ { exit }
		innode && $1 == key ":" { print $2; exit }' "$MANIFEST" 2>/dev/null
}
ARCHY_MODE=$(node_setting mode)
ARCHY_MODE=${ARCHY_MODE:-rootful}
APPS_USER=root
if [ "$ARCHY_MODE" = rootless ]; then
	APPS_USER=$(node_setting user)
	APPS_USER=${APPS_USER:-archipelago}
fi
APPS_UID=$(id -u "$APPS_USER")
APPS_HOME=$(getent passwd "$APPS_USER" | cut -d: -f6)
rootless() { [ "$ARCHY_MODE" = rootless ]; }
# Where the manager that runs the apps keeps the generated units and archy its Quadlet staging.
# shellcheck disable=SC2034
GENERATOR_DIR=/run/systemd/generator
# shellcheck disable=SC2034
QUADLET_DIR=/run/archy/quadlet
# That podman's storage and the lock its every command takes (held, podman hangs), and the status
# and state files of the archy-podman-repair that mends it (archy-podman-repair(8) FILES).
# shellcheck disable=SC2034
PODMAN_STORAGE=/var/lib/containers/storage
# shellcheck disable=SC2034
PODMAN_ALIVE_LOCK=/run/libpod/alive.lck
# shellcheck disable=SC2034
REPAIR_STATUS=/run/archipelago/podman-health.json
# shellcheck disable=SC2034
REPAIR_STATE=/var/lib/archipelago/podman-repair.state
# A command run as the apps user, with the environment its manager gives it (nothing to add on a
# rootful node, where root runs the apps): "${AS_APPS_USER[@]}" CMD..., also under timeout(1).
AS_APPS_USER=()
if rootless; then
	GENERATOR_DIR=/run/user/$APPS_UID/systemd/generator
	QUADLET_DIR=/run/user/$APPS_UID/archy/quadlet
	PODMAN_STORAGE=$APPS_HOME/.local/share/containers/storage
	PODMAN_ALIVE_LOCK=/run/user/$APPS_UID/libpod/tmp/alive.lck
	REPAIR_STATUS=/run/user/$APPS_UID/archipelago/podman-health.json
	REPAIR_STATE=$APPS_HOME/.local/state/archipelago/podman-repair.state
	AS_APPS_USER=(setpriv --reuid="$APPS_UID" --regid="$(id -g "$APPS_USER")" --init-groups env -C / HOME="$APPS_HOME"
		USER="$APPS_USER" LOGNAME="$APPS_USER" XDG_RUNTIME_DIR="/run/user/$APPS_UID"
		DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$APPS_UID/bus")
fi
# shellcheck disable=SC2034
PODMAN_DB=$PODMAN_STORAGE/db.sql
# host.archipelago inside an app's container (FM4, AddHost=host.archipelago:host-gateway): the
# bridge's gateway (rootful), pasta's address that reaches the host (rootless).
# shellcheck disable=SC2034
HOST_ALIAS_ADDR=10.89.0.1
rootless && HOST_ALIAS_ADDR=169.254.1.2

# systemctl, podman and journalctl for the apps' units and containers, in the node's mode: the
# system's and root's (rootful); the apps user's manager (systemctl --user -M USER@, as root) and
# the user's podman, run as the user with its environment (rootless).
app_systemctl() {
	if rootless && [ "$1" = cat ]; then
		shift
		app_unit_cat "$@"
	elif rootless; then
		systemctl --user -M "$APPS_USER@" "$@"
	else
		systemctl "$@"
	fi
}
# systemctl cat refuses another manager ("Cannot remotely cat units", also for -M USER@ on this
# host): rootless, each unit's file and drop-ins that the user manager loaded, printed as systemctl
# cat prints them; a unit the manager has no file for fails, as there.
app_unit_cat() {
	local unit fragment f
	for unit in "$@"; do
		fragment=$(app_systemctl show -p FragmentPath --value "$unit")
		[ -n "$fragment" ] || {
			echo "No files found for $unit." >&2
			return 1
		}
		for f in "$fragment" $(app_systemctl show -p DropInPaths --value "$unit"); do
			echo "# $f"
			cat "$f"
		done
	done
}
app_podman() {
	if rootless; then
		"${AS_APPS_USER[@]}" PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman "$@"
	else
		podman "$@"
	fi
}
# Rootless, -u UNIT becomes the user's unit (journalctl --user-unit would match the caller's uid).
app_journalctl() {
	rootless || {
		journalctl "$@"
		return
	}
	local args=()
	while [ $# -gt 0 ]; do
		case $1 in
		-u | --unit) args+=("_UID=$APPS_UID" "_SYSTEMD_USER_UNIT=$2") && shift 2 ;;
		--unit=*) args+=("_UID=$APPS_UID" "_SYSTEMD_USER_UNIT=${1#--unit=}") && shift ;;
		*) args+=("$1") && shift ;;
		esac
	done
	journalctl "${args[@]}"
}
# The host ids that hold the container's UID:GID $1 (archy-derive(8), ROOTLESS NODE): the same
# (rootful); rootless, 0 is the apps user itself and N from 1 up its subordinate id start + N - 1
# (/etc/subuid, /etc/subgid, as archy-setup-rootless made them).
host_owner() {
	local uid=${1%%:*} gid=${1#*:} su sg
	rootless || {
		echo "$uid:$gid"
		return
	}
	su=$(awk -F: -v u="$APPS_USER" '$1 == u {print $2; exit}' /etc/subuid)
	sg=$(awk -F: -v u="$APPS_USER" '$1 == u {print $2; exit}' /etc/subgid)
	if [ "$uid" = 0 ]; then uid=$APPS_UID; else uid=$((su + uid - 1)); fi
	if [ "$gid" = 0 ]; then gid=$(id -g "$APPS_USER"); else gid=$((sg + gid - 1)); fi
	echo "$uid:$gid"
}

# The cgroup an app's container runs in: the apps slice of the manager that runs it.
apps_slice_cgroup() {
	if rootless; then
		echo "/user.slice/user-$APPS_UID.slice/user@$APPS_UID.service/archipelago.slice/archipelago-apps.slice"
	else
		echo /archipelago.slice/archipelago-apps.slice
	fi
}

# archyctl_apply, apply_manifest_raw (not followed: make lint checks that file on its own)
# shellcheck disable=SC1091
source "${BASH_SOURCE[0]%/*}/helpers-archyctl.bash"

unit_of() { echo "archy-$1.service"; }

SECRET=/var/lib/archipelago/secrets/bitcoin-rpc-password
rpc_password() { cat "$SECRET"; }

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
	node) curl -fsS -m 3 -u "e2e:$(rpc_password)" "http://127.0.0.1:$port/" ;;
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

cid() { app_podman inspect --format '{{.Id}}' "archy-$1" 2>/dev/null; }
running() { [ "$(app_podman inspect --format '{{.State.Running}}' "archy-$1" 2>/dev/null)" = true ]; }
active() { [ "$(app_systemctl is-active "$(unit_of "$1")")" = active ]; }
# The host PID of an app's container's main process.
pid_of() { app_podman inspect --format '{{.State.Pid}}' "archy-$1"; }
# Port released: no socket listens on the app's port any more (ss), whatever would answer on it.
listening() { [ -n "$(ss -Hltn "sport = :$(port_of "$1")")" ]; }
port_closed() { ! listening "$1"; }
no_container() { ! app_podman container exists "archy-$1"; }

# Runs a helper as a test line runs it, under errexit, so that any of its lines can fail it (bats'
# `run` turns errexit off: a helper under `run` would only answer for its last line).
as_test_line() { bash -ec 'source "$0" && "$@"' "$BATS_TEST_DIRNAME/helpers.bash" "$@"; }

# Stopped cleanly: inactive, not failed, container gone, port released.
assert_stopped() {
	local app=$1 u
	u=$(unit_of "$app")
	[ "$(app_systemctl show -p ActiveState --value "$u")" = inactive ] || {
		app_systemctl status --no-pager "$u" >&2
		return 1
	}
	[ "$(app_systemctl show -p Result --value "$u")" = success ]
	no_container "$app"
	port_closed "$app"
}

# Up as a user sees it: unit active, container running, port answering.
assert_up() {
	local app=$1
	wait_for "${2:-90}" answers "$app" || {
		# (systemctl status exits 3 for a unit that is not active: the journal must still show)
		app_systemctl status --no-pager "$(unit_of "$app")" >&2 || true
		app_journalctl -u "$(unit_of "$app")" -n 20 --no-pager >&2
		return 1
	}
	active "$app"
	running "$app"
}

# Neither the system manager nor (rootless) the one running the apps has a job queued.
no_jobs() {
	[ -z "$(systemctl list-jobs --no-legend 2>/dev/null)" ] || return 1
	rootless || return 0
	[ -z "$(app_systemctl list-jobs --no-legend 2>/dev/null)" ]
}

# The archy units that failed, in the system manager and (rootless) the one running the apps.
failed_archy_units() {
	{
		systemctl --failed --no-legend --plain
		if rootless; then app_systemctl --failed --no-legend --plain; fi
	} | grep archy || true
}

# Waits until systemd has no job left and every started app answers: restarts have settled.
settle() {
	local app
	wait_for 90 no_jobs
	for app in "${STARTED[@]}"; do assert_up "$app" 90; done
}

# True once app $1 runs in another container than $2.
restarted_since() {
	local now
	now=$(cid "$1")
	[ -n "$now" ] && [ "$now" != "$2" ]
}

# Records the container ID of every running app into $1.
record_ids() {
	local app
	for app in "${STARTED[@]}"; do echo "$app $(cid "$app")"; done >"$1"
}

recorded_id() { awk -v a="$1" '$1 == a {print $2}' "$2"; }

# Up, and still the very container recorded in $2: nothing stopped or recreated it.
assert_same_container() {
	assert_up "$1" 10
	[ "$(cid "$1")" = "$(recorded_id "$1" "$2")" ]
}

# Applies the pristine manifest plus the apps the calling file's extra_apps prints (for its
# setup_file): archyctl refuses it, printing every problem, unless it is valid.
add_extra_apps() {
	local m=$BATS_FILE_TMPDIR/manifest.yaml
	{ cat "$PRISTINE" && extra_apps; } >"$m"
	pause_reconcile
	archyctl_apply "$m"
}

# The files with extra apps start a stopped app's units by hand (systemctl start) to watch what
# systemd does with them; archy-reconcile would rightly stop those again (a stopped app must not
# run: 230-reconcile.bats checks it). So reconcile is off while they run: its timer stopped and
# its service masked for this boot (archyctl apply then does not start it either). A rootless
# node's reconcile that acts is the apps user's (the system's skips the node): that one too.
pause_reconcile() {
	systemctl stop archy-reconcile.timer archy-reconcile.service
	systemctl mask --runtime archy-reconcile.service >/dev/null
	rootless || return 0
	app_systemctl stop archy-reconcile.timer archy-reconcile.service
	app_systemctl mask --runtime archy-reconcile.service >/dev/null
}

resume_reconcile() {
	systemctl unmask --runtime archy-reconcile.service >/dev/null
	systemctl start archy-reconcile.timer
	rootless || return 0
	app_systemctl unmask --runtime archy-reconcile.service >/dev/null
	app_systemctl start archy-reconcile.timer
}

# Back to the pristine node (for teardown_file): archyctl apply stops every unit of the extra apps
# (their volume units too) while systemd still knows it, installs the pristine manifest and starts
# the node's apps again; then the calling file's drop_extra_data, if it has one, and every app up.
drop_extra_apps() {
	archyctl_apply "$PRISTINE"
	if declare -F drop_extra_data >/dev/null; then drop_extra_data; fi
	resume_reconcile
	settle
}

# Sets apps' states in a copy of the pristine manifest, prints the copy's path.
# Usage: manifest_with_states APP=STATE...
manifest_with_states() {
	local out pair
	out=$(mktemp /tmp/manifest.XXXXXX)
	cp "$PRISTINE" "$out"
	for pair in "$@"; do
		awk -v app="  ${pair%%=*}:" -v st="${pair#*=}" '
			$0 == app { inapp = 1 }
			inapp && /^    state:/ { sub(/state: .*/, "state: " st); inapp = 0 }
			{ print }' "$out" >"$out.new"
		mv "$out.new" "$out"
	done
	archy-generator --check "$out" >&2
	echo "$out"
}

# Uninstalls apps (state: uninstalled in a copy of the pristine manifest) through archyctl apply.
uninstall_apps() {
	local app states=() new
	for app in "$@"; do states+=("$app=uninstalled"); done
	new=$(manifest_with_states "${states[@]}")
	archyctl_apply "$new"
}

# Nothing of a container left: no unit, no generated file, no container, port released.
assert_gone() {
	local app=$1
	[ "$(app_systemctl show -p LoadState --value "$(unit_of "$app")")" = not-found ]
	[ ! -e "$GENERATOR_DIR/$(unit_of "$app")" ]
	[ -z "$(find "$GENERATOR_DIR" -path "*.wants/$(unit_of "$app")")" ]
	[ ! -e "$QUADLET_DIR/archy-$app.container" ]
	no_container "$app"
	port_closed "$app"
}

# The app's named volume and the marker written into it are still there.
assert_data_kept() {
	local app=$1 marker=$2
	app_podman volume exists "$(volume_of "$app")"
	grep -qx "$marker" "$(app_podman volume inspect --format '{{.Mountpoint}}' "$(volume_of "$app")")/e2e-uninstall-marker"
}

# FM5 (archy-verify-ota): the updater's side, as the node's updater would do it.
OTA_MARKER=/var/lib/archipelago/update-pending-verify.json
OTA_STATE=/var/lib/archipelago/update-verify.state
WEB_BIN=/opt/archipelago/bin/archipelago-web
WEB_UI=/opt/archipelago/web-ui

# The release the front end serves, as a user sees it through nginx.
served_release() { curl -sk -m 5 https://127.0.0.1/ | sed -n 's/^archipelago //p'; }
ui_release() { curl -sk -m 5 https://127.0.0.1/ui/index.html | sed -n 's/^web ui //p'; }
serves() { [ "$(served_release)" = "$1" ]; }
front_end_status() { [ "$(curl -sk -m 5 -o /dev/null -w '%{http_code}' https://127.0.0.1/)" = "$1" ]; }

# Usage: apply_update VERSION HTTP_STATUS DEADLINE_SECONDS
# Keeps the running release as .bak, installs the new one, writes the marker, restarts.
apply_update() {
	local version=$1 status=$2 deadline=$3 previous
	previous=$(served_release)
	cp -a "$WEB_BIN" "$WEB_BIN.bak"
	rm -rf "$WEB_UI.bak" && cp -a "$WEB_UI" "$WEB_UI.bak"
	printf '#!/bin/sh\nexec /usr/local/bin/archy-standin web --port 8090 --status %s --body "archipelago %s"\n' \
		"$status" "$version" >"$WEB_BIN.new"
	chmod 755 "$WEB_BIN.new" && mv "$WEB_BIN.new" "$WEB_BIN"
	echo "web ui $version" >"$WEB_UI/index.html"
	cat >"$OTA_MARKER.tmp" <<EOM
{
  "marker_version": 1,
  "new_version": "$version",
  "previous_version": "$previous",
  "applied_at": $(date +%s),
  "deadline_seconds": $deadline,
  "grace_seconds": 2,
  "max_attempts": 3,
  "checks": [{"url": "https://127.0.0.1/", "expect_status": 200}],
  "rollback": {
    "swap": [
      {"current": "$WEB_BIN", "backup": "$WEB_BIN.bak"},
      {"current": "$WEB_UI", "backup": "$WEB_UI.bak"}
    ],
    "restart": ["archipelago-web.service"]
  }
}
EOM
	sync "$OTA_MARKER.tmp" && mv "$OTA_MARKER.tmp" "$OTA_MARKER"
	systemctl restart archipelago-web.service
}

ota_phase() { sed -n 's/^phase=//p' "$OTA_STATE" 2>/dev/null; }
ota_phase_is() { [ "$(ota_phase)" = "$1" ]; }
