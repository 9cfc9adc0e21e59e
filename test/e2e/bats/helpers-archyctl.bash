# SPDX-License-Identifier: LGPL-2.1-or-later
# Manifest changes the way the node's daemon makes them: `archyctl apply FILE` (archyctl(8)), which
# stops what must stop before the manifest changes, installs it, daemon-reloads, starts and waits.
# Sourced by helpers.bash and helpers-lifecycle.bash.
# shellcheck shell=bash

# Loaded without helpers.bash (the node layer, rootful): the apps' systemctl and podman are root's.
if ! declare -F app_podman >/dev/null; then
	app_podman() { podman "$@"; }
	app_systemctl() { systemctl "$@"; }
	rootless() { false; }
fi

# archyctl apply checks FILE as the installed manifest is checked (archy-manifest(5), OWNERSHIP AND
# MODE: root's, in directories only root can write): the files it is given are copied here first,
# not left in /tmp or a bats temporary directory.
# shellcheck disable=SC2034
ARCHYCTL_DRAFTS=/var/lib/archy-e2e/archyctl
# Where archyctl apply keeps its lock, journal and copies.
# shellcheck disable=SC2034
APPLY_STATE=/var/lib/archipelago/apply

# The path under $ARCHYCTL_DRAFTS that archyctl_apply would apply for FILE, the copy made.
archyctl_draft() {
	local file=$1 draft
	install -d -m755 -o root -g root "$ARCHYCTL_DRAFTS"
	draft=$ARCHYCTL_DRAFTS/$(basename "$file")
	[ "$file" -ef "$draft" ] || install -m644 -o root -g root "$file" "$draft"
	echo "$draft"
}

# archyctl_apply [OPTIONS...] FILE: archyctl apply of a copy of FILE (see above); what it printed goes
# to standard error (the test's log); its exit status is the helper's (0: converged).
archyctl_apply() {
	local file=${*: -1} draft rc=0
	local opts=("${@:1:$#-1}")
	draft=$(archyctl_draft "$file") || return 1
	archyctl apply --timeout "${ARCHYCTL_TIMEOUT:-180}" "${opts[@]}" "$draft" >&2 || rc=$?
	echo "archyctl apply ${opts[*]} $draft ($file) -> $rc" >&2
	return "$rc"
}

# The journal and the copies of an apply are gone: nothing is left half done.
apply_journal_gone() {
	[ ! -e "$APPLY_STATE/journal" ] && [ ! -e "$APPLY_STATE/new.yaml" ] && [ ! -e "$APPLY_STATE/old.yaml" ]
}

# No half state: no archy container without its loaded unit; no archy unit that is failed, or that
# still runs while systemd has no file for it (an uninstalled app's container or volume unit).
assert_no_orphan() {
	local c left
	for c in $(app_podman ps -a --filter label=archy.managed=true --format '{{.Names}}'); do
		[ "$(app_systemctl show -p LoadState --value "$c.service")" = loaded ] || {
			echo "orphan container $c"
			return 1
		}
	done
	left=$({
		systemctl list-units --all --no-legend --plain 'archy-*' 'archipelago-*'
		if rootless; then app_systemctl list-units --all --no-legend --plain 'archy-*' 'archipelago-*'; fi
	} | awk '($2 != "loaded" && $3 != "inactive") || $3 == "failed"')
	[ -z "$left" ] || {
		echo "units left behind: $left"
		return 1
	}
}

# For the few files whose point is a manifest archyctl refuses (a YAML syntax error, a key written
# twice) reaching the generator all the same: what a tool that bypasses archyctl does, the manifest
# written atomically and systemd reloaded, nothing stopped or started. Rootless, the apps user's
# manager reloads after the system's, as archyctl apply reloads them: its generator (the one that
# makes the apps' units) reads the new manifest.
apply_manifest_raw() {
	install -m644 "$1" "$MANIFEST.tmp"
	mv "$MANIFEST.tmp" "$MANIFEST"
	systemctl daemon-reload
	if rootless; then app_systemctl daemon-reload; fi
}

# The journal entries of the generator that makes the apps' units, the one a broken manifest
# reaches: the system's (rootful: no other says anything; at boot its lines come through
# /dev/kmsg, which has no _UID=); the apps user's user generator, under that user's uid (rootless;
# the system generator there says the same under uid 0). Arguments: more journalctl options.
apps_generator_journal() {
	local only=()
	if rootless; then only=("_UID=$APPS_UID"); fi
	journalctl --no-pager -o cat -t archy-generator "${only[@]}" "$@"
}

# A copy of the pristine manifest with apps' states set (manifest_with_states), where archyctl apply
# trusts it ($ARCHYCTL_DRAFTS); prints its path.
states() {
	local tmp out
	tmp=$(manifest_with_states "$@")
	install -d "$ARCHYCTL_DRAFTS"
	out=$ARCHYCTL_DRAFTS/$(basename "$tmp").yaml
	install -m644 "$tmp" "$out"
	rm -f "$tmp"
	echo "$out"
}

app_unit_failed() { [ "$(app_systemctl show -p ActiveState --value "archy-$1.service")" = failed ]; }

# Usage: app_runtime_dropin APP NAME <CONTENT: a runtime drop-in NAME for APP's main unit in the
# manager that runs the apps (/run/systemd/system, rootless /run/user/UID/systemd/user), written as
# that manager's user: a directory root made in /run/user/UID/systemd/user would leave the apps
# user's manager unable to write its own runtime links there (mask --runtime: "Access denied").
# The caller reloads the manager; app_runtime_dropin_remove APP NAME takes it away again.
app_runtime_dropin_dir() {
	if rootless; then echo "/run/user/$APPS_UID/systemd/user/archy-$1.service.d"; else echo "/run/systemd/system/archy-$1.service.d"; fi
}
app_runtime_dropin() {
	local dir
	dir=$(app_runtime_dropin_dir "$1")
	"${AS_APPS_USER[@]}" mkdir -p "$dir"
	"${AS_APPS_USER[@]}" tee "$dir/$2" >/dev/null
}
app_runtime_dropin_remove() {
	local dir
	dir=$(app_runtime_dropin_dir "$1")
	rm -f "$dir/$2"
	rmdir "$dir" 2>/dev/null || true
}

# archy-reconcile's state file, by mode (archy-reconcile(8) FILES).
RECONCILE_STATE=/var/lib/archipelago/reconcile/state.json
rootless && RECONCILE_STATE=$APPS_HOME/.local/state/archipelago/reconcile/state.json

# Usage: forget_restart_streak APP, with archy-reconcile stopped: APP's restarts in a row, which
# earlier rows' give_up_on left, are forgotten, so that the next restart is immediate rather than
# after the backoff (archy-reconcile(8) BACKOFF; 230-reconcile.bats checks the backoff itself). The
# file is rewritten in place: its owner (the apps user on a rootless node) stays.
forget_restart_streak() {
	[ -e "$RECONCILE_STATE" ] || return 0
	python3 - "$RECONCILE_STATE" "$1" <<'PY'
import json, sys
path, app = sys.argv[1], sys.argv[2]
with open(path) as f:
    doc = json.load(f)
for e in doc["apps"]:
    if e["app"] == app:
        e["streak"], e["next_retry_unix"] = 0, 0
with open(path, "r+") as f:
    f.truncate(0)
    json.dump(doc, f)
    f.write("\n")
PY
}

# Usage: give_up_on APP: the node's manager (the system's, or the apps user's on a rootless node)
# gives up on APP's main unit: every start fails (a runtime drop-in), and a second start within
# 5 min is refused, so it stays failed; the drop-in is gone again afterwards, so that a start by
# hand (archy-reconcile's) succeeds.
give_up_on() {
	local failed=0
	printf '[Unit]\nStartLimitIntervalSec=300\nStartLimitBurst=1\n[Service]\nExecStartPre=/bin/false\n' |
		app_runtime_dropin "$1" 90-e2e-fail.conf
	app_systemctl daemon-reload
	app_systemctl restart "archy-$1.service" || true
	wait_for 60 app_unit_failed "$1" || failed=$?
	app_runtime_dropin_remove "$1" 90-e2e-fail.conf
	app_systemctl daemon-reload
	[ "$failed" = 0 ]
	sleep 10 # RestartSec is 5 s: systemd would have started it again by now
	app_unit_failed "$1"
}
