# SPDX-License-Identifier: LGPL-2.1-or-later
# FM6 across a reboot: podman's database is overwritten with garbage and the node goes down
# before any timer run sees it. 59-podman-boot-after.bats checks that the boot repaired it
# before the apps started. Both modes: root's podman, or the apps user's (repaired at boot by its
# own archy-podman-repair --user, which its archy-apps.target wants before the apps).
load helpers

DB=$PODMAN_DB

@test "all | podman-boot | before: data in every volume, then the database is overwritten with garbage" {
	settle
	local app
	for app in node wallet indexer; do
		app_podman exec "archy-$app" sh -c 'echo before-boot-garbage > /data/e2e-podman-boot-marker'
	done
	# Only the boot may find it: the runner reboots right after this file.
	app_systemctl stop archy-podman-repair.timer
	head -c 65536 /dev/urandom >"$STATE/podman-boot-garbage"
	cp "$STATE/podman-boot-garbage" "$DB"
	# and its write-ahead log: pages there (the header among them) would hide the garbage from
	# every reader until the next checkpoint
	rm -f "$DB-wal" "$DB-shm"
	if app_podman info >/dev/null 2>&1; then false; fi
}
