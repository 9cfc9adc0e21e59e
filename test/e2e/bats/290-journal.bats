#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Journal message ids (lib/basic/message-ids.h, catalog/archy.catalog): the events an operator or
# a UI filters on carry MESSAGE_ID= and ARCHY_APP=, and journalctl -x explains them from archy's
# catalog. Each row makes the event happen for real and asks journalctl for exactly that id and
# app: archyctl restart's unit restart; archy-reconcile restarting the indexer that systemd gave up
# on (run as its service, where stdout is the journal); archy-derive repairing a corrupted
# bitcoin.conf (its timer); archyctl run by a unit of its own while journald is flooded, its outcome
# filed under that unit. Runs after 10-install.bats (plan journal), or in plan full; in both
# modes (plan rootless): on a rootless node archyctl and archy-derive are still the system's, and
# archy-reconcile runs in the apps user's manager, its entries under _UID and _SYSTEMD_USER_UNIT (a
# system user's services log to the system journal).
load helpers

CATALOG=/usr/lib/systemd/catalog/archy.catalog
RECONCILE_RESTART_APP=1d9d954035754be1a7fba153d73a1208
DERIVE_DRIFT_REPAIRED=825cb0a8d24a4c4797832b91868b11e0
APPLY_UNIT_RESTARTED=935de3186b6a4401b349389171416f91
APPLY_CONVERGED=d880817433954163b151af75308832c6
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf

setup_file() {
	settle
}

teardown() {
	systemctl stop archy-e2e-flood.service archy-e2e-flood-native.service 2>/dev/null || true
}

teardown_file() {
	app_systemctl reset-failed || true
	app_systemctl start archy-apps.target archy-reconcile.timer
	settle
}

# The entries of archy-reconcile.service, the unit of the manager that runs the apps.
reconcile_unit() {
	if rootless; then echo "_UID=$APPS_UID _SYSTEMD_USER_UNIT=archy-reconcile.service"; else echo "_SYSTEMD_UNIT=archy-reconcile.service"; fi
}

# A cursor just after the journal's last entry: entries from now on are the test's.
mark() { journalctl -n 1 --show-cursor --no-pager -q | sed -n 's/^-- cursor: //p'; }

# The entries since cursor $1 that match the journalctl matches $2..., as MESSAGE lines.
messages_since() {
	local cursor=$1
	shift
	journalctl --after-cursor="$cursor" --no-pager -o cat "$@"
}

# One field of the entries since $1 matching $3...: "FIELD=value" lines.
field_since() {
	local cursor=$1 field=$2
	shift 2
	journalctl --after-cursor="$cursor" --no-pager -o export "$@" | grep "^$field=" || true
}

in_sync() { archy-derive --check >/dev/null 2>&1; }
has_entry() { [ -n "$(messages_since "$@")" ]; }
# Exactly $2 apply outcomes (converged) since cursor $1.
outcomes_since() { [ "$(messages_since "$1" MESSAGE_ID=$APPLY_CONVERGED | wc -l)" -eq "$2" ]; }

@test "all | catalog | installed and compiled: journalctl lists every id of archy's catalog" {
	[ -f "$CATALOG" ]
	local want got
	want=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$CATALOG" | sort)
	[ "$(echo "$want" | wc -l)" -ge 20 ]
	got=$(journalctl --list-catalog --no-pager | awk '{print $1}' | sort)
	comm -23 <(echo "$want") <(echo "$got") >"$BATS_TEST_TMPDIR/missing"
	[ ! -s "$BATS_TEST_TMPDIR/missing" ] || {
		cat "$BATS_TEST_TMPDIR/missing" >&2
		return 1
	}
	journalctl --list-catalog --no-pager | grep -q "^$RECONCILE_RESTART_APP archy: archy-reconcile started @ARCHY_APP@ again"
}

@test "indexer | archyctl restart | the unit's restart carries MESSAGE_ID and ARCHY_APP=indexer; the apply's outcome its own id" {
	local cursor
	cursor=$(mark)
	run archyctl restart indexer --timeout 120
	echo "$output" >&2
	[ "$status" -eq 0 ]
	assert_up indexer
	messages_since "$cursor" MESSAGE_ID=$APPLY_UNIT_RESTARTED ARCHY_APP=indexer >"$BATS_TEST_TMPDIR/got"
	cat "$BATS_TEST_TMPDIR/got" >&2
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 1 ]
	grep -q '^apply: restarting archy-indexer.service (app indexer, restart)$' "$BATS_TEST_TMPDIR/got"
	# no other app's entry under that id
	[ -z "$(messages_since "$cursor" MESSAGE_ID=$APPLY_UNIT_RESTARTED ARCHY_APP=node)" ]
	[ "$(field_since "$cursor" SYSLOG_IDENTIFIER MESSAGE_ID=$APPLY_CONVERGED)" = SYSLOG_IDENTIFIER=archyctl ]
	# the terminal's output is as before: no id in it
	[[ $output != *"$APPLY_UNIT_RESTARTED"* ]]
}

@test "indexer | systemd gave up, archy-reconcile.service | its restart-app entry: MESSAGE_ID, ARCHY_APP=indexer, once, explained by -x" {
	app_systemctl stop archy-reconcile.timer archy-reconcile.service
	# earlier rows gave up on indexer too: their restarts in a row would make this one wait
	forget_restart_streak indexer
	give_up_on indexer
	local cursor
	cursor=$(mark)
	app_systemctl start archy-reconcile.service
	assert_up indexer 60
	messages_since "$cursor" MESSAGE_ID=$RECONCILE_RESTART_APP ARCHY_APP=indexer >"$BATS_TEST_TMPDIR/got"
	cat "$BATS_TEST_TMPDIR/got" >&2
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 1 ]
	grep -q '^restart-app archy-indexer.service (app indexer): systemd gave up on archy-indexer.service' "$BATS_TEST_TMPDIR/got"
	[ "$(field_since "$cursor" SYSLOG_IDENTIFIER MESSAGE_ID=$RECONCILE_RESTART_APP)" = SYSLOG_IDENTIFIER=archy-reconcile ]
	[ "$(field_since "$cursor" PRIORITY MESSAGE_ID=$RECONCILE_RESTART_APP)" = PRIORITY=5 ]
	# the service's stdout is the journal: the action is in it once, not also as a plain line
	# shellcheck disable=SC2046 # the matches, one word each
	[ "$(messages_since "$cursor" $(reconcile_unit) | grep -c '^restart-app archy-indexer.service')" -eq 1 ]
	# -x: the catalog's text, with the app filled in
	journalctl --after-cursor="$cursor" -x --no-pager MESSAGE_ID=$RECONCILE_RESTART_APP >"$BATS_TEST_TMPDIR/x"
	cat "$BATS_TEST_TMPDIR/x" >&2
	grep -q 'Subject: archy-reconcile started indexer again after systemd gave up on it' "$BATS_TEST_TMPDIR/x"
	grep -q 'Documentation: man:archy-reconcile(8)' "$BATS_TEST_TMPDIR/x"
	app_systemctl start archy-reconcile.timer
}

@test "node | derive drift | archy-derive.timer's repair: MESSAGE_ID=DRIFT_REPAIRED, ARCHY_APP=node, explained by --catalog" {
	settle
	local cursor
	cursor=$(mark)
	sed -i -E "s/^(rpcauth=e2e:[0-9a-f]{32}\\\$)[0-9a-f]{64}\$/\\1$(printf '0%.0s' $(seq 64))/" "$BITCOIN_CONF"
	! in_sync || false
	wait_for 70 in_sync
	wait_for 30 has_entry "$cursor" MESSAGE_ID=$DERIVE_DRIFT_REPAIRED ARCHY_APP=node
	messages_since "$cursor" MESSAGE_ID=$DERIVE_DRIFT_REPAIRED ARCHY_APP=node >"$BATS_TEST_TMPDIR/got"
	cat "$BATS_TEST_TMPDIR/got" >&2
	grep -q "$BITCOIN_CONF: repaired" "$BATS_TEST_TMPDIR/got"
	[ "$(field_since "$cursor" SYSLOG_IDENTIFIER MESSAGE_ID=$DERIVE_DRIFT_REPAIRED | sort -u)" = SYSLOG_IDENTIFIER=archy-derive ]
	# stderr is the journal under systemd: the message is there once per repair, not twice
	[ "$(messages_since "$cursor" -u archy-derive.service | grep -c "$BITCOIN_CONF: repaired")" -eq \
		"$(wc -l <"$BATS_TEST_TMPDIR/got")" ]
	# not filed under another app
	[ -z "$(messages_since "$cursor" MESSAGE_ID=$DERIVE_DRIFT_REPAIRED ARCHY_APP=wallet)" ]
	journalctl --after-cursor="$cursor" --catalog --no-pager MESSAGE_ID=$DERIVE_DRIFT_REPAIRED >"$BATS_TEST_TMPDIR/x"
	grep -q 'Subject: archy-derive repaired a drifted config of node' "$BATS_TEST_TMPDIR/x"
	assert_up node 60
}

# The node daemon runs archyctl from its own unit, the helpers run as services. journald learns an
# entry's unit from the sender's /proc files when it reads the entry: an entry it reads after its
# sender is gone has no _SYSTEMD_UNIT, and journalctl -u does not show it. Busy, journald reads
# late: without archy's wait at exit (lib/basic/log.c, log_journal_drain), 5 of 30 such entries
# here had no unit, and CI of b5e6db1 lost derive's repair from journalctl -u (the row above).
@test "archyctl | run by a unit, exits right after its outcome, journald flooded | journalctl -u shows the outcome of each of 30 runs" {
	local i cursor big
	big=$(printf 'x%.0s' $(seq 3000))
	# journald's stream socket and its native one, as fast as a shell can
	systemd-run -q -u archy-e2e-flood yes "flood flood flood flood flood flood flood flood"
	systemd-run -q -u archy-e2e-flood-native sh -c "while :; do logger -t flood $big; done"
	cursor=$(mark)
	for i in $(seq 30); do
		systemd-run --wait -q -u "archy-e2e-apply-$i" archyctl apply --timeout 60 /etc/archipelago/manifest.yaml >/dev/null
	done
	systemctl stop archy-e2e-flood.service archy-e2e-flood-native.service
	# every outcome reached the journal at all (by id alone) ...
	wait_for 20 outcomes_since "$cursor" 30
	# ... and journalctl -u finds each under the unit that ran it
	for i in $(seq 30); do
		[ "$(messages_since "$cursor" -u "archy-e2e-apply-$i" | grep -cx 'archyctl apply: converged')" -eq 1 ] || {
			echo "run $i: its outcome is not under archy-e2e-apply-$i.service" >&2
			journalctl --after-cursor="$cursor" --no-pager -o export MESSAGE_ID=$APPLY_CONVERGED | grep -a '^_PID=\|^_SYSTEMD_UNIT=\|^MESSAGE=' >&2
			return 1
		}
	done
}
