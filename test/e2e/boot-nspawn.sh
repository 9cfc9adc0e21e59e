#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot GUEST_DIR with systemd as PID 1 in systemd-nspawn, SHARE bound to /ci, until the guest's
# runner has finished its plan. A guest reboot makes nspawn exit with 133: boot the same tree again.
# Usage: test/e2e/boot-nspawn.sh GUEST_DIR SHARE
# Env:   E2E_NSPAWN_TIMEOUT (s, all boots together; default 1500, so that a hung guest still lets
#        CI finish inside its 90 minutes), E2E_NSPAWN_LOCK (default /run/lock/archy-e2e-nspawn.lock:
#        held while the guest runs, one nspawn guest at a time)
set -u
here=$(cd "$(dirname "$0")" && pwd)
guest=$1
share=$2
# These hosts mount hybrid cgroups, read-only inside nspawn: give the guest a pure cgroup2 tree.
export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
# One nspawn guest at a time on the machine: --keep-unit puts every guest in the caller's cgroup,
# so two guests' systemds would share one cgroup tree, each seeing the other's units' processes (a
# second guest made 60-daemon-crash's archipelago.service wait 90 s for processes that were not
# its own). A second run waits here; the wait does not count against the timeout.
lock=${E2E_NSPAWN_LOCK:-/run/lock/archy-e2e-nspawn.lock}
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
if ! flock -n 9; then
	echo "nspawn: another nspawn guest of archy's suite is running on this machine: waiting for it" >&2
	flock 9
fi
deadline=$(($(date +%s) + ${E2E_NSPAWN_TIMEOUT:-1500}))
rc=none
# One boot, and one more per "reboot" step of the plan (the runner's copy in SHARE).
reboots=$(grep -cx reboot "$share/plan" 2>/dev/null) || true
boots=$((1 + ${reboots:-0}))
for ((boot = 1; boot <= boots; boot++)); do
	start=$(date +%s)
	[ "$start" -lt "$deadline" ] || break
	# nspawn wants a terminal; --private-network gives netavark a namespace it may change;
	# crun needs keyctl and bpf, which nspawn filters out by default.
	timeout "$((deadline - start))" script -qfec "systemd-nspawn -q -D '$guest' --register=no --keep-unit \
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
