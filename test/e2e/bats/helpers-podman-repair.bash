# SPDX-License-Identifier: LGPL-2.1-or-later
# What the podman repair rows share (57-podman-repair, 310-rootless-repair): what a run of the
# repair that runs the apps' podman found and did, from its status file ($STATUS) and its journal
# entries; the data markers written into the named volumes of $DATA_APPS before a fault.
# Sourced by those files after helpers.bash.
# shellcheck shell=bash

# One member of the status file, as archy-podman-repair writes it (one member per line).
field() { sed -n "s/^  \"$1\": \"\\{0,1\\}\\([^\",]*\\)\"\\{0,1\\},\\{0,1\\}\$/\\1/p" "$STATUS"; }

# The status file holds the last run only, and the timer's next run follows a repair at once:
# what a run found and did is taken from its journal entry.
# Usage: repaired_entry SINCE_UNIX STATE
repaired_entry() {
	journalctl --since "@$1" --no-pager -o verbose _UID="$APPS_UID" ARCHY_PODMAN_STATE="$2" ARCHY_REPAIR_RESULT=repaired
}
repaired_since() { repaired_entry "$@" | grep -q 'MESSAGE='; }
entry_field() { repaired_entry "$1" "$2" | sed -n "s/^ *$3=//p" | tail -1; }

healthy_since() { [ "$(field checked_at_unix)" -gt "$1" ] && [ "$(field result)" = healthy ]; }

# Usage: wait_repaired SINCE_UNIX STATE: one timer period (20 s in the guest), the probe's own
# timeout for a hang (30 s), stopping the node (its 3 s flush) and starting every app again; the
# repair's journal entry printed.
wait_repaired() {
	wait_for 180 repaired_since "$1" "$2" || {
		cat "$STATUS" >&2
		app_journalctl -u archy-podman-repair.service --since "@$1" --no-pager >&2
		return 1
	}
	repaired_entry "$1" "$2"
}

write_markers() {
	local app
	for app in "${DATA_APPS[@]}"; do
		app_podman exec "archy-$app" sh -c "echo '$1' > /data/e2e-podman-marker"
	done
}

marker_kept() { [ "$(app_podman exec "archy-$1" cat /data/e2e-podman-marker)" = "$2" ]; }
