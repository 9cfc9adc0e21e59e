# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl doctor on the e2e node: clean (exit 0) on the healthy node, then one problem injected at
# a time, doctor naming it with the right verdict and exit status, then undone: an unusable
# manifest installed (the last good copy in use), a failed archy unit, a drifted derived file,
# podman's status file saying archy-podman-repair gave up, a pending and a rolled-back OTA state,
# a nearly full filesystem (a small tmpfs doctor is pointed at: the node's own disks cannot be
# filled here), and time sync as timedated reports it. The orphans row runs only when
# archy-reconcile is installed. Runs after 10-install.bats (plan doctor), in both modes (plan
# rootless): there the podman check reads the apps user's archy-podman-repair status and names the
# user's unit to start.
load helpers

OUT=$BATS_FILE_TMPDIR/doctor.json
PODMAN_STATUS=$REPAIR_STATUS
OTA_STATE=/var/lib/archipelago/update-verify.state
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf

# Runs archyctl doctor --json into $OUT; prints its exit status.
doctor_json() {
	local rc=0
	archyctl doctor --json >"$OUT" || rc=$?
	echo "$rc"
}

# check NAME FIELD: a field of the named check in the last JSON (strings as they are).
check() {
	python3 -c 'import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == sys.argv[2]][0]
v = c[sys.argv[3]]
print(v if isinstance(v, str) else json.dumps(v))' "$OUT" "$1" "$2"
}

verdict() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["verdict"])' "$OUT"; }

# On a failure, what doctor said.
show() { archyctl doctor >&2 || true; }

@test "all | doctor | healthy node: exit 0, every archy check ok, the names in their documented order" {
	settle
	[ "$(doctor_json)" = 0 ] || {
		show
		return 1
	}
	[ "$(verdict)" != attention ]
	[ "$(python3 -c 'import json, sys; print(",".join(c["name"] for c in json.load(open(sys.argv[1]))["checks"]))' "$OUT")" = \
		manifest,units,failed-units,drift,podman,orphans,disk-root,disk-containers,disk-archipelago,time-sync,ota,limits ]
	for c in manifest units failed-units drift podman ota limits; do
		[ "$(check "$c" verdict)" = ok ] || {
			show
			return 1
		}
	done
	[ "$(check manifest detail)" = "$MANIFEST is valid and in use (4 apps)" ]
	# the stopped app's unit counts as generated too
	[ "$(check units detail)" = "all 6 units of the 4 started or stopped apps are loaded" ]
	# text: a line per check and the summary
	run archyctl doctor
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "doctor: "*" (0 attention, "* ]]
}

@test "all | doctor | an unusable manifest installed: manifest attention, exit 5, its problems, the --check command" {
	[ -s /etc/archipelago/manifest.last-good.yaml ]
	cp "$MANIFEST" "$BATS_FILE_TMPDIR/manifest.yaml"
	printf 'version: 1\napps: [oops\n' >"$MANIFEST"
	local rc
	rc=$(doctor_json)
	cp "$BATS_FILE_TMPDIR/manifest.yaml" "$MANIFEST"
	[ "$rc" = 5 ]
	[ "$(verdict)" = attention ]
	[ "$(check manifest verdict)" = attention ]
	[[ "$(check manifest detail)" == "$MANIFEST is unusable ("*"): the node runs its last good copy /etc/archipelago/manifest.last-good.yaml" ]]
	[ "$(check manifest suggestion)" = "archy-generator --check $MANIFEST" ]
	[[ "$(python3 -c 'import json, sys; print([c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "manifest"][0]["findings"][0])' "$OUT")" == "$MANIFEST:"* ]]
	# undone: ok again
	[ "$(doctor_json)" = 0 ]
	[ "$(check manifest verdict)" = ok ]
}

@test "all | doctor | a failed archy unit: failed-units attention, exit 5, journalctl -u UNIT; reset: ok" {
	local u=archy-e2e-doctor-fails.service
	systemd-run --unit="$u" --property=Type=oneshot /bin/false || true
	wait_for 10 bash -c "[ \"\$(systemctl show -p ActiveState --value $u)\" = failed ]"
	local rc
	rc=$(doctor_json)
	systemctl reset-failed "$u"
	[ "$rc" = 5 ]
	[ "$(check failed-units verdict)" = attention ]
	[ "$(check failed-units suggestion)" = "journalctl -u $u" ]
	[ "$(doctor_json)" = 0 ]
	[ "$(check failed-units verdict)" = ok ]
}

@test "node | doctor | a drifted derived file: drift warning naming it, exit 0, systemctl start archy-derive.service" {
	# the timer repairs drift every 30 s: hold it while doctor looks
	systemctl stop archy-derive.timer
	cp -p "$BITCOIN_CONF" "$BATS_FILE_TMPDIR/bitcoin.conf"
	# a corrupted rpcauth line, as 55-derive.bats does (a line added outside archy's block is not drift)
	sed -i -E "s/^(rpcauth=e2e:[0-9a-f]{32}\\\$)[0-9a-f]{64}\$/\\1$(printf '0%.0s' $(seq 64))/" "$BITCOIN_CONF"
	# shellcheck disable=SC2016 # a literal $ in the pattern
	grep -q '^rpcauth=e2e:[0-9a-f]*\$0\{64\}$' "$BITCOIN_CONF"
	local rc
	rc=$(doctor_json)
	cp -p "$BATS_FILE_TMPDIR/bitcoin.conf" "$BITCOIN_CONF"
	systemctl start archy-derive.timer
	[ "$rc" = 0 ]
	[ "$(check drift verdict)" = warning ]
	[ "$(check drift suggestion)" = "systemctl start archy-derive.service" ]
	[[ "$(check drift findings)" == *"$BITCOIN_CONF: drift"* ]]
	archy-derive --check
	[ "$(doctor_json)" = 0 ]
	[ "$(check drift verdict)" = ok ]
}

@test "all | doctor | archy-podman-repair's status saying it gave up: podman attention, exit 5, start the repair" {
	# the status file as archy-podman-repair writes it (archy-podman-repair(8), FILES); its timer
	# is held so that no run replaces it while doctor looks
	app_systemctl stop archy-podman-repair.timer
	cp -p "$PODMAN_STATUS" "$BATS_FILE_TMPDIR/podman-health.json"
	printf '{"result": "gave-up", "healthy": false, "state_now": "database-corrupt", "failed_repairs_in_a_row": 3, "gave_up_reason": "3 repairs in a row did not help", "checked_at_unix": %s}\n' "$(date +%s)" >"$PODMAN_STATUS"
	local rc
	rc=$(doctor_json)
	cp -p "$BATS_FILE_TMPDIR/podman-health.json" "$PODMAN_STATUS"
	app_systemctl start archy-podman-repair.timer
	[ "$rc" = 5 ]
	[ "$(check podman verdict)" = attention ]
	[ "$(check podman detail)" = "archy-podman-repair gave up: 3 repairs in a row did not help" ]
	if rootless; then
		[[ "$(check podman suggestion)" == "systemctl --user -M $APPS_USER@ start archy-podman-repair.service"* ]]
	else
		[[ "$(check podman suggestion)" == "systemctl start archy-podman-repair.service"* ]]
	fi
	[ "$(doctor_json)" = 0 ]
	[ "$(check podman verdict)" = ok ]
}

@test "all | doctor | an OTA update pending: ota warning, exit 0; rolled back: attention, exit 5" {
	[ ! -e "$OTA_STATE" ] || cp -p "$OTA_STATE" "$BATS_FILE_TMPDIR/update-verify.state"
	# the verifier's own format (ota_state_format(), lib/model/ota-state.c; 95-ota.bats)
	printf 'phase=pending\nattempts=0\nswaps_done=0\nrestarted=0\nlast_status=0\ndecided_at=0\nswap_dev=0\nswap_ino=0\napplied_at=%s\nnew_version=9.9.9\nprevious_version=0.1.0\n' "$(date +%s)" >"$OTA_STATE"
	local pending rolled
	pending=$(doctor_json)
	cp "$OUT" "$BATS_FILE_TMPDIR/pending.json"
	sed -i 's/^phase=.*/phase=rolled-back/' "$OTA_STATE"
	rolled=$(doctor_json)
	if [ -e "$BATS_FILE_TMPDIR/update-verify.state" ]; then
		cp -p "$BATS_FILE_TMPDIR/update-verify.state" "$OTA_STATE"
	else
		rm -f "$OTA_STATE"
	fi
	[ "$rolled" = 5 ]
	[ "$(check ota verdict)" = attention ]
	[[ "$(check ota detail)" == "the update to 9.9.9 was rolled back to 0.1.0"* ]]
	cp "$BATS_FILE_TMPDIR/pending.json" "$OUT"
	[ "$pending" = 0 ]
	[ "$(check ota verdict)" = warning ]
	[ "$(check ota detail)" = "the update from 0.1.0 to 9.9.9 is not verified yet (pending, 0 attempts)" ]
	[[ "$(check ota suggestion)" == "archy-verify-ota --status"* ]]
	[ "$(doctor_json)" = 0 ]
	[ "$(check ota verdict)" = ok ]
}

@test "all | doctor | a nearly full filesystem (a 64 MiB tmpfs doctor is pointed at): attention, exit 5, df's figures" {
	# The node's own disks cannot be filled here; the thresholds are unit-tested (test-doctor.c).
	local d=$BATS_FILE_TMPDIR/small
	mkdir -p "$d"
	mount -t tmpfs -o size=64m tmpfs "$d"
	head -c $((60 * 1024 * 1024)) /dev/zero >"$d/fill"
	local rc avail
	rc=0
	ARCHY_DISK_ARCHIPELAGO=$d archyctl doctor --json >"$OUT" || rc=$?
	avail=$(df --output=avail -B1 "$d" | tail -1 | tr -d ' ')
	umount "$d"
	[ "$rc" = 5 ]
	[ "$(check disk-archipelago verdict)" = attention ]
	[[ "$(check disk-archipelago detail)" == "$d: "*" free of 64.0 MiB ("* ]]
	[ "$avail" -lt $((5 * 1024 * 1024)) ]
	[[ "$(check disk-archipelago suggestion)" == "df -h $d"* ]]
}

@test "all | doctor | time sync as timedated says it (the guest may have no NTP): ok when synchronized, else a warning" {
	local synced
	synced=$(timedatectl show -p NTPSynchronized --value)
	[ "$(doctor_json)" = 0 ]
	echo "NTPSynchronized=$synced; doctor: $(check time-sync detail)" >&2
	if [ "$synced" = yes ]; then
		[ "$(check time-sync verdict)" = ok ]
	else
		[ "$(check time-sync verdict)" = warning ]
		[ "$(check time-sync detail)" = "the clock is not synchronized (systemd-timedated: NTPSynchronized=no)" ]
		[ "$(check time-sync suggestion)" = "timedatectl timesync-status" ]
	fi
}

@test "all | doctor | orphans: what archy-reconcile --dry-run --json reports, one finding per action" {
	command -v archy-reconcile >/dev/null || skip "archy-reconcile is not installed on this branch (the merged suite runs this row)"
	local n
	n=$(archy-reconcile --dry-run --json | tail -1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["actions"])')
	doctor_json >/dev/null
	[ "$(python3 -c 'import json, sys; print(len([c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "orphans"][0]["findings"]))' "$OUT")" = "$n" ]
	if [ "$n" = 0 ]; then [ "$(check orphans verdict)" = ok ]; else [ "$(check orphans verdict)" = warning ]; fi
}
