# SPDX-License-Identifier: LGPL-2.1-or-later
# Chaos 6, a full disk (the nspawn layer, whose guest root is an ext4 disk of its own: boot-nspawn.sh
# E2E_NSPAWN_DISK; or a VM). The root filesystem, which holds /etc and /var, is filled to 99 % and
# then to 100 % while the node runs, and every archy writer runs against it.
# What the two levels mean (archy-manifest(5), FULL DISK):
#   99 %  as df shows it: what an unprivileged user may still use is 1 % of the disk. ext4's
#         reserved blocks (5 %) are root's, and every archy helper and rootful podman runs as root,
#         so everything works; archyctl doctor asks for attention.
#   100 % not one block left for root either: a root write of one block fails with ENOSPC (ext4's
#         own few reserved clusters excepted, which no write can use). Topped up before each writer,
#         since anything that deletes a file (journald's vacuuming, a temporary file) frees blocks.
# Asserted: no file archy writes is truncated or lost (every one old-whole or new-whole), each writer
# that must write fails naming the path and "No space left on device" (also in the journal), the
# ones that need not write carry on, the generator still makes the units in /run, the apps keep
# answering, and once the space is back every helper works again.
load helpers

FILL=/var/archy-e2e-fill
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf
# What archy writes on the root filesystem: manifest and last good copy, secrets, derived files,
# state files (reconcile, podman-repair, verify-ota, apply), the metrics.
ARCHY_FILES=(/etc/archipelago /var/lib/archipelago /etc/nginx/archipelago.d /etc/nginx/archipelago-ports.d /var/lib/prometheus/node-exporter)

setup_file() {
	wait_for 90 no_jobs
	apps_answer
	snapshot "$BATS_FILE_TMPDIR/before"
}

teardown_file() {
	rm -f "$FILL".*
	sync
}

# Usage: snapshot DIR: a copy of every archy file (their paths in DIR/list, checksums in DIR/sha).
snapshot() {
	mkdir -p "$1/files"
	find "${ARCHY_FILES[@]}" -type f 2>/dev/null | sort >"$1/list"
	xargs -r -d '\n' sha256sum <"$1/list" >"$1/sha"
	xargs -r -d '\n' cp --parents -t "$1/files" <"$1/list"
}

# FILE was rewritten whole on purpose (a repair: rpcauth gets a new salt): its new bytes are the
# ones the next checks expect.
rebase() {
	local sum
	sum=$(sha256sum <"$1" | cut -d' ' -f1)
	sed -i "s|^[0-9a-f]*  $1\$|$sum  $1|" "$BATS_FILE_TMPDIR/before/sha"
	cp "$1" "$BATS_FILE_TMPDIR/before/files$1"
}

# A file that may change between two runs (a state file or the metrics) is whole: not empty, ends
# with a newline, and a .json one parses.
whole() {
	[ -s "$1" ] && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || return 1
	case $1 in *.json) python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" ;; esac
}

# Every archy file of the snapshot is still there, and old-whole (the snapshot's bytes, or $2 for
# the file in $1) or, for state files and metrics, new-whole. Prints what is wrong.
assert_files_whole() {
	local f sum bad=0 changed_ok
	while read -r sum f; do
		[ -e "$f" ] || {
			echo "lost: $f"
			bad=1
			continue
		}
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sum" ] && continue
		[ -n "${1:-}" ] && [ "$f" = "$1" ] && cmp -s "$f" "$2" && continue
		changed_ok=no
		case $f in
		*/reconcile/* | *.state | */apply/* | *.prom | *.json) whole "$f" && changed_ok=yes ;;
		esac
		[ $changed_ok = yes ] || {
			echo "changed: $f"
			diff "$BATS_FILE_TMPDIR/before/files$f" "$f" | head -5
			bad=1
		}
	done <"$BATS_FILE_TMPDIR/before/sha"
	# no temporary file of an atomic write left behind
	find "${ARCHY_FILES[@]}" -name '*.tmp.*' 2>/dev/null | grep . && bad=1
	return $bad
}

# Blocks free for root, free for anyone else, and the size of the filesystem, in bytes.
root_free() { stat -f -c '%f %S' /var | awk '{ print $1 * $2 }'; }
user_free() { stat -f -c '%a %S' /var | awk '{ print $1 * $2 }'; }
fs_size() { stat -f -c '%b %S' /var | awk '{ print $1 * $2 }'; }
use_percent() { df --output=pcent /var | tail -1 | tr -dc 0-9; }

# Fills the last blocks root can still get (a real write, as an application would), until ENOSPC.
top_up() {
	dd if=/dev/zero of="$FILL.last" bs=64k oflag=append conv=notrunc,fsync status=none 2>/dev/null || true
	dd if=/dev/zero of="$FILL.last" bs=4k oflag=append conv=notrunc,fsync status=none 2>/dev/null || true
	sync
}

# A root write of one block fails: the disk is full for the helpers too.
root_cannot_write() {
	run dd if=/dev/zero of="$FILL.probe" bs=4k count=1 conv=fsync
	rm -f "$FILL.probe"
	[ "$status" -ne 0 ] && [[ $output == *"No space left on device"* ]]
}

fill_99() {
	local size margin
	size=$(fs_size)
	margin=$((size / 100))
	fallocate -l $(($(user_free) - margin)) "$FILL.99"
	echo "filled to $(use_percent) %: $(user_free) bytes free for users, $(root_free) for root" >&2
	[ "$(use_percent)" -ge 99 ]
}

fill_100() {
	# fallocate reserves without writing (instant, and the VM's sparse disk image does not grow); the
	# last 64 MiB are written, since ext4 keeps a few clusters that fallocate may not take.
	fallocate -l $(($(root_free) - 64 * 1024 * 1024)) "$FILL.100"
	top_up
	echo "filled to $(use_percent) %: $(root_free) bytes free for root" >&2
	root_cannot_write
}

# Replaces the rpcauth hash in bitcoin.conf by zeros in place (same length: no new block needed, so
# it works on a full disk too): drift that archy-derive must repair by writing the file again.
corrupt_rpcauth() {
	python3 - "$BITCOIN_CONF" <<'EOP'
import re, sys
with open(sys.argv[1], "r+b") as f:
    data = f.read()
    m = re.search(rb"^(rpcauth=e2e:[0-9a-f]{32}\$)([0-9a-f]{64})$", data, re.M)
    f.seek(m.start(2))
    f.write(b"0" * 64)
EOP
	# shellcheck disable=SC2016 # a literal $ in the pattern
	grep -q '^rpcauth=e2e:[0-9a-f]*\$0\{64\}$' "$BITCOIN_CONF"
}

in_sync() { archy-derive --check >/dev/null 2>&1; }

# The started apps still answer (through their ports: nothing here needs podman to write).
apps_answer() {
	local app
	for app in "${STARTED[@]}"; do
		wait_for 30 answers "$app" || return 1
		active "$app"
	done
}

# archyctl with a timeout: exit 0, its output in the test's log.
ctl_ok() {
	run archyctl "$@" --timeout 120
	echo "$output"
	[ "$status" -eq 0 ]
}

# Journal lines of UNIT since the test began.
journal_of() { journalctl -u "$1" --since "@$T0" --no-pager -o cat; }

@test "all | disk 99 % | root's reserved blocks: derive repairs drift, apply, reconcile and podman-repair work; doctor asks for attention" {
	fill_99
	record_ids "$BATS_FILE_TMPDIR/ids"
	corrupt_rpcauth
	cp "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
	run archy-derive
	echo "$output"
	[ "$status" -eq 0 ]
	in_sync
	! cmp -s "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf" || false
	rebase "$BITCOIN_CONF"
	# the node restarts on the repaired file (a new container: root's reserved blocks hold it)
	wait_for 90 restarted_since node "$(recorded_id node "$BATS_FILE_TMPDIR/ids")"
	run archy-reconcile
	echo "$output"
	[ "$status" -eq 0 ]
	run archy-podman-repair
	echo "$output"
	[ "$status" -eq 0 ]
	run archyctl doctor
	echo "$output"
	# under 1 GiB or 2 % free for users: attention, with what is free (not yet "full")
	grep -E '^attention +disk-root +/: [0-9.]+ MiB free of' <<<"$output"
	wait_for 90 no_jobs
	apps_answer
	assert_files_whole
	apps_answer
}

@test "all | disk 100 % | derive fails naming the file and ENOSPC, in the journal too; the drifted file stays whole" {
	T0=$(date +%s)
	fill_100
	# after the fill, in place: archy-derive.timer cannot repair it before the disk is full
	corrupt_rpcauth
	cp "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
	top_up
	run archy-derive
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$BITCOIN_CONF"*"No space left on device"* ]]
	cmp "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
	top_up
	run systemctl start archy-derive.service
	[ "$status" -ne 0 ]
	journal_of archy-derive.service | grep "$BITCOIN_CONF.*No space left on device"
	assert_files_whole "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
}

@test "all | disk 100 % | podman-repair and reconcile: no repair, no action, nothing damaged" {
	top_up
	root_cannot_write
	local failures_before
	failures_before=$(sed -n 's/^failures=//p' /var/lib/archipelago/podman-repair.state 2>/dev/null)
	run archy-podman-repair
	echo "$output"
	# podman's own writes fail ("database or disk is full"): reported as disk-full (5), or healthy
	# (0) when podman had nothing to write; never a repair (4) nor a give-up (6) of a podman that is
	# only out of disk
	[ "$status" -eq 0 ] || [ "$status" -eq 5 ]
	if [ "$status" -eq 5 ]; then
		[[ $output == *"podman cannot write: the disk of /var/lib/containers/storage is full"* ]]
		grep -Eq '"state_now": ?"disk-full"' /run/archipelago/podman-health.json
	fi
	[ "$(sed -n 's/^failures=//p' /var/lib/archipelago/podman-repair.state 2>/dev/null)" = "$failures_before" ]
	top_up
	run archy-reconcile
	echo "$output"
	[ "$status" -eq 0 ] || [[ $output == *"No space left on device"* ]]
	assert_files_whole "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
	apps_answer
}

@test "indexer | disk 100 % | archyctl stop refuses cleanly: manifest unchanged, no apply journal, indexer still up" {
	top_up
	root_cannot_write
	run archyctl stop indexer --timeout 120
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"No space left on device"* ]]
	cmp "$MANIFEST" "$PRISTINE"
	apply_journal_gone
	assert_up indexer 30
	assert_files_whole "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
}

@test "all | disk 100 % | status and doctor answer; doctor says the disk is full" {
	top_up
	run archyctl status
	echo "$output"
	# 5: attention, when archy-podman-repair last found podman out of disk
	[ "$status" -eq 0 ] || [ "$status" -eq 5 ]
	[[ $output == *node* ]]
	run archyctl doctor
	echo "$output"
	grep -E '^attention +disk-root +/: the disk is full: nothing free of .* left for root\)' <<<"$output"
}

@test "all | disk 100 % | daemon-reload: the generator still writes the units to /run; the apps keep running" {
	top_up
	root_cannot_write
	local since
	since=$(systemctl show -p ActiveEnterTimestampMonotonic --value archy-node.service)
	rm -f /run/systemd/generator/archy-node.service
	systemctl daemon-reload
	[ -s /run/systemd/generator/archy-node.service ]
	[ -s /run/archy/quadlet/archy-node.container ]
	[ "$(systemctl show -p LoadState --value archy-node.service)" = loaded ]
	[ "$(systemctl show -p ActiveEnterTimestampMonotonic --value archy-node.service)" = "$since" ]
	apps_answer
	assert_files_whole "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf"
}

@test "all | disk freed | derive repairs the drift, apply succeeds, every file whole; the apps answer" {
	rm -f "$FILL".*
	sync
	[ "$(use_percent)" -lt 90 ]
	wait_for 60 in_sync || archy-derive
	in_sync
	! cmp -s "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/corrupted.conf" || false
	rebase "$BITCOIN_CONF"
	wait_for 90 no_jobs
	apps_answer
	ctl_ok stop indexer
	assert_stopped indexer
	ctl_ok start indexer
	assert_up indexer
	cmp "$MANIFEST" "$PRISTINE"
	apply_journal_gone
	run archy-podman-repair
	[ "$status" -eq 0 ]
	run archy-reconcile
	[ "$status" -eq 0 ]
	assert_files_whole
	apps_answer
	run archyctl doctor
	echo "$output"
	! grep -E 'disk-root.*full' <<<"$output" || false
}
