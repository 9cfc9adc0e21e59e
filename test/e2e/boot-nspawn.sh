#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot GUEST_DIR with systemd as PID 1 in systemd-nspawn, SHARE bound to /ci, until the guest's
# runner has finished its plan. A guest reboot makes nspawn exit with 133: boot the same tree again.
# Usage: test/e2e/boot-nspawn.sh GUEST_DIR SHARE
# Env:   E2E_NSPAWN_TIMEOUT (s, all boots together; default 2400, so that a hung guest still lets
#        CI finish inside its 90 minutes), E2E_NSPAWN_LOCK (default /run/lock/archy-e2e-nspawn.lock:
#        held while the guest runs when it has no cgroup of its own: one such guest at a time),
#        E2E_NSPAWN_DISK (a size, e.g. 4G: the guest's root is an ext4 file system of its own, on a
#        loop device, made from GUEST_DIR and dropped afterwards, so that chaos 6 (270-disk-full)
#        fills the guest's disk and not the host's; default: GUEST_DIR itself)
set -u
here=$(cd "$(dirname "$0")" && pwd)
guest=$1
share=$2
# These hosts mount hybrid cgroups, read-only inside nspawn: give the guest a pure cgroup2 tree.
export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
# On a host without systemd (no unit of its own to keep), nspawn --keep-unit puts the guest in the
# caller's cgroup: here the root of the host's cgroup2 tree, shared with every other guest and with
# anything an earlier guest left there. Give each guest a cgroup of its own, removed afterwards.
own_cgroup=
if [ ! -d /run/systemd/system ]; then
	for cg_base in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		if [ "$(stat -f -c %T "$cg_base" 2>/dev/null)" != cgroup2fs ] || [ ! -w "$cg_base/cgroup.procs" ]; then
			continue
		fi
		own_cgroup=$cg_base/archy-e2e-$$
		if ! { mkdir -p "$own_cgroup" && echo $$ >"$own_cgroup/cgroup.procs"; }; then
			echo "nspawn: could not move into a cgroup of its own ($own_cgroup): the guest shares $cg_base" >&2
			rmdir "$own_cgroup" 2>/dev/null
			own_cgroup=
		fi
		break
	done
fi
# shellcheck disable=SC2317 # run by the EXIT trap
leave_cgroup() {
	[ -n "$own_cgroup" ] || return 0
	echo $$ >"$cg_base/cgroup.procs"
	find "$own_cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
}
trap leave_cgroup EXIT
# Without a cgroup of its own (a host with systemd: --keep-unit shares the caller's unit), one
# nspawn guest at a time on the machine: two guests' systemds in one cgroup tree see each other's
# units' processes (a second guest made 60-daemon-crash's archipelago.service wait 90 s for
# processes that were not its own). A second run waits here; the wait does not count against the
# timeout.
if [ -z "$own_cgroup" ]; then
	lock=${E2E_NSPAWN_LOCK:-/run/lock/archy-e2e-nspawn.lock}
	mkdir -p "$(dirname "$lock")"
	exec 9>"$lock"
	if ! flock -n 9; then
		echo "nspawn: another nspawn guest of archy's suite is running on this machine: waiting for it" >&2
		flock 9
	fi
fi
root=$guest
if [ -n "${E2E_NSPAWN_DISK:-}" ]; then
	disk=$guest.ext4 root=$guest.fs
	mkdir -p "$root"
	if ! { truncate -s "$E2E_NSPAWN_DISK" "$disk" && mkfs.ext4 -q -F -L root -d "$guest" "$disk" &&
		mount -o loop "$disk" "$root"; }; then
		echo "nspawn: could not make the guest's own $E2E_NSPAWN_DISK ext4 disk from $guest" >>"$share/out/host.log"
		rm -f "$disk"
		exit 1
	fi
	echo "nspawn: the guest's root is an ext4 file system of its own ($E2E_NSPAWN_DISK, $disk)" >>"$share/out/host.log"
fi
# shellcheck disable=SC2317 # run by the EXIT trap
leave() {
	leave_cgroup
	[ "$root" = "$guest" ] && return 0
	umount "$root" && rmdir "$root" && rm -f "$disk"
}
trap leave EXIT
deadline=$(($(date +%s) + ${E2E_NSPAWN_TIMEOUT:-2400}))
rc=none
# One boot, and one more per "reboot" step of the plan (the runner's copy in SHARE).
reboots=$(grep -cx reboot "$share/plan" 2>/dev/null) || true
boots=$((1 + ${reboots:-0}))
for ((boot = 1; boot <= boots; boot++)); do
	start=$(date +%s)
	[ "$start" -lt "$deadline" ] || break
	# nspawn wants a terminal; a machine name of its own (nspawn keeps per-name state in
	# /run/systemd/nspawn, which two guests side by side must not share: both trees are "root");
	# --private-network gives netavark a namespace it may change;
	# crun needs keyctl and bpf, which nspawn filters out by default.
	timeout "$((deadline - start))" script -qfec "systemd-nspawn -q -D '$root' --machine='archy-e2e-$$' --register=no --keep-unit \
		--private-network --system-call-filter='@keyring bpf' --bind='$share:/ci' \
		--bind-ro='$here/nspawn-containers.conf:/etc/containers/containers.conf.d/90-archy-e2e-nspawn.conf' \
		--boot" /dev/null </dev/null >>"$share/out/console.log" 2>&1
	rc=$?
	echo "nspawn boot $boot: exit $rc after $(($(date +%s) - start)) s" >>"$share/out/host.log"
	[ -e "$share/out/done" ] && exit 0
	[ "$rc" = 133 ] || break
done
echo "nspawn: the guest stopped before finishing its plan (last exit $rc)" >>"$share/out/host.log"
exit 1
