# SPDX-License-Identifier: LGPL-2.1-or-later
# Chaos scenario 3: the management daemon is restarted (`systemctl restart`) in the middle of an
# install or an uninstall it was carrying out with archyctl apply. The caller is a fake daemon,
# fake-archipelagod.service, whose ExecStart is `archyctl apply FILE`; its first run stops itself
# right after it persisted a phase (ARCHY_APPLY_STOP_AFTER, archyctl(8)), and systemd's restart
# ends it there (SIGTERM, SIGCONT). The restarted daemon's own apply finds the journal, finishes the
# cut-short apply, and then has nothing left to do: the app installed and up (or gone, data kept),
# no orphaned container or unit, the journal gone.
load helpers

DAEMON=fake-archipelagod.service
UNIT_FILE=/run/systemd/system/$DAEMON
ENV_FILE=/run/fake-archipelagod.env

setup_file() {
	settle
	cat >"$UNIT_FILE" <<EOF
[Unit]
Description=A fake management daemon that applies \$FAKE_TARGET with archyctl (e2e)

[Service]
Type=oneshot
EnvironmentFile=$ENV_FILE
ExecStart=$(command -v archyctl) apply --timeout 120 \${FAKE_TARGET}
# as the node's daemon (FM3): SIGTERM to the daemon, then SIGKILL to what is left
KillMode=mixed
TimeoutStartSec=600
TimeoutStopSec=20
EOF
	systemctl daemon-reload
}

teardown_file() {
	systemctl stop "$DAEMON" || true
	rm -f "$UNIT_FILE" "$ENV_FILE"
	systemctl daemon-reload
	systemctl reset-failed "$DAEMON" 2>/dev/null || true
	archyctl_apply "$PRISTINE"
	settle
}

uninstalled_manifest() { archyctl_draft "$(manifest_with_states wallet=uninstalled indexer=uninstalled)"; }

daemon_pid() { systemctl show -p MainPID --value "$DAEMON"; }

# The daemon's archyctl apply has persisted phase $1 and stopped itself there.
stopped_at() {
	local pid
	pid=$(daemon_pid)
	[ "$pid" -gt 0 ] && [ "$(awk '{print $3}' "/proc/$pid/stat")" = T ] &&
		grep -qx "phase=$1" "$APPLY_STATE/journal"
}

# Everything the invocation $1 of the daemon logged (while it runs: systemd forgets the id after).
daemon_log() { journalctl --no-pager -o cat "_SYSTEMD_INVOCATION_ID=$1"; }

# What the daemon logged after journal cursor $1.
daemon_log_since() { journalctl --no-pager -o cat -u "$DAEMON" --after-cursor "$1"; }

# The daemon, after cursor $1, resumed the apply of pid $2, cut short after phase $3.
resumed_since() { daemon_log_since "$1" | grep -qF "resuming the apply of pid $2 interrupted after \"$3\""; }

# From manifest $1 (applied first), the daemon applies $3; restarted once its apply persisted
# phase $2. Then: the restarted daemon's apply resumed and converged, $3 installed, journal gone.
restart_mid_apply() {
	local from=$1 phase=$2 target pid first cursor
	run archyctl_apply "$from"
	[ "$status" -eq 0 ] || {
		echo "$output"
		return 1
	}
	target=$(archyctl_draft "$3")
	printf 'FAKE_TARGET=%s\nARCHY_APPLY_STOP_AFTER=%s\n' "$target" "$phase" >"$ENV_FILE"
	systemctl start --no-block "$DAEMON"
	wait_for 120 stopped_at "$phase" || {
		systemctl status --no-pager "$DAEMON"
		cat "$APPLY_STATE/journal"
		return 1
	}
	pid=$(daemon_pid)
	first=$(systemctl show -p InvocationID --value "$DAEMON")
	cursor=$(journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
	[ -n "$cursor" ]
	echo "# apply of pid $pid stopped after $phase: systemctl restart $DAEMON" >&3
	printf 'FAKE_TARGET=%s\nARCHY_APPLY_STOP_AFTER=\n' "$target" >"$ENV_FILE"
	# A oneshot: restart returns once the restarted daemon's apply has ended, and fails unless it
	# exited 0 (converged).
	timeout 400 systemctl restart "$DAEMON" || {
		systemctl status --no-pager "$DAEMON"
		return 1
	}
	if [ -e "/proc/$pid" ] && grep -q archyctl "/proc/$pid/comm"; then
		echo "the first apply (pid $pid) outlived the restart"
		return 1
	fi
	daemon_log "$first"
	wait_for 10 resumed_since "$cursor" "$pid" "$phase"
	daemon_log_since "$cursor"
	daemon_log_since "$cursor" | grep -q 'done: converged'
	[ "$(systemctl show -p Result --value "$DAEMON")" = success ]
	apply_journal_gone
	cmp "$MANIFEST" "$target"
}

installed_and_up() {
	assert_up wallet
	assert_up wallet-ui
	assert_up indexer
	assert_up node
	app_podman volume exists "$(volume_of wallet)"
	[ "$(app_systemctl is-active archy-wallet-wallet-data-volume.service)" = active ]
	assert_no_orphan
}

gone_data_kept() {
	assert_gone wallet
	assert_gone wallet-ui
	assert_gone indexer
	[ "$(app_systemctl show -p LoadState --value archy-wallet-wallet-data-volume.service)" = not-found ]
	assert_data_kept wallet wallet-before-chaos
	assert_up node
	assert_up node-ui
	assert_no_orphan
}

@test "wallet | archyctl caller-restart | install, daemon restarted after \"planned\": resumed, installed, up, no orphan" {
	restart_mid_apply "$(uninstalled_manifest)" planned "$PRISTINE"
	installed_and_up
}

@test "wallet | archyctl caller-restart | install, daemon restarted after \"started\": resumed, installed, up, no orphan" {
	restart_mid_apply "$(uninstalled_manifest)" started "$PRISTINE"
	installed_and_up
}

@test "wallet | archyctl caller-restart | uninstall, daemon restarted after \"planned\": resumed, gone, data kept, no orphan" {
	app_podman exec archy-wallet sh -c 'echo wallet-before-chaos > /data/e2e-uninstall-marker'
	restart_mid_apply "$PRISTINE" planned "$(uninstalled_manifest)"
	gone_data_kept
}

@test "wallet | archyctl caller-restart | uninstall, daemon restarted after \"started\": resumed, gone, data kept, no orphan" {
	restart_mid_apply "$PRISTINE" started "$(uninstalled_manifest)"
	gone_data_kept
}
