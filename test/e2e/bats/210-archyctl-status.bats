# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl status --json checked field by field against systemd (systemctl show) and podman on the
# e2e manifest's apps: the healthy node, then one unit stopped by hand, one crashed and waiting to
# restart with its restart count, one failed for good; and that it starts no process. Its metrics
# (archyctl status --prometheus) name every app, and archy-metrics.timer keeps node_exporter's
# archy.prom fresh. Runs after 10-install.bats (plan status), in both modes (plan rootless): the
# apps' units in the manager that runs them (app_systemctl), their containers in its podman, the
# helpers' state where that mode keeps it; archyctl and archy-metrics run as root in both.
load helpers

OUT=$BATS_FILE_TMPDIR/status.json

# One member of the JSON archyctl status printed last, by a Python expression over d (strings as
# they are, everything else as JSON: true, null, 5).
field() {
	python3 -c 'import json, sys
v = eval(sys.argv[2], {"d": json.load(open(sys.argv[1]))})
print(v if isinstance(v, str) else json.dumps(v))' "$OUT" "$1"
}

# The unit object of unit $1 in the last JSON, as a Python expression.
unit_expr() { echo "[u for a in d['apps'] for u in a['units'] if u['unit'] == '$1'][0]"; }
ufield() { field "$(unit_expr "$1")['$2']"; }

# A crash: the app process under the container's init (catatonit, RunInit) dies of SIGSEGV, so the
# container exits 139. (A SIGKILL of the container gives 137, which archy's units count as a clean
# stop: SuccessExitStatus=143 137.)
crash() {
	local init
	init=$(app_podman inspect --format '{{.State.Pid}}' "$1")
	kill -SEGV $(pgrep -P "$init")
}

status_json() {
	local rc=0
	archyctl status --json >"$OUT" || rc=$?
	echo "$rc"
}

# An app unit's property, from the manager that runs the apps; a system unit's (the helpers').
show() { app_systemctl show -p "$2" --value "$1"; }
show_unix() { local v; v=$(app_systemctl show --timestamp=unix -p "$2" --value "$1"); echo "${v#@}"; }
system_show() { systemctl show -p "$2" --value "$1"; }
substate_is() { [ "$(show "$1" SubState)" = "$2" ]; }
activestate_is() { [ "$(show "$1" ActiveState)" = "$2" ]; }

# Every field of unit $1 that systemd holds, against systemctl show.
assert_unit_matches_systemd() {
	local u=$1
	[ "$(ufield "$u" loaded)" = true ]
	[ "$(ufield "$u" active_state)" = "$(show "$u" ActiveState)" ]
	[ "$(ufield "$u" sub_state)" = "$(show "$u" SubState)" ]
	[ "$(ufield "$u" restarts)" = "$(show "$u" NRestarts)" ]
	[ "$(ufield "$u" since_unix)" = "$(show_unix "$u" StateChangeTimestamp)" ]
}

# The last failure of unit $1, against systemctl show.
assert_failure_matches_systemd() {
	local u=$1 code
	[ "$(field "$(unit_expr "$u")['last_failure']['result']")" = "$(show "$u" Result)" ]
	[ "$(field "$(unit_expr "$u")['last_failure']['exec_main_status']")" = "$(show "$u" ExecMainStatus)" ]
	[ "$(field "$(unit_expr "$u")['last_failure']['at_unix']")" = "$(show_unix "$u" ExecMainExitTimestamp)" ]
	code=$(show "$u" ExecMainCode) # 1 exited, 2 killed, 3 dumped
	case $code in
	1) [ "$(field "$(unit_expr "$u")['last_failure']['exec_main_code']")" = exited ] ;;
	2) [ "$(field "$(unit_expr "$u")['last_failure']['exec_main_code']")" = killed ] ;;
	3) [ "$(field "$(unit_expr "$u")['last_failure']['exec_main_code']")" = dumped ] ;;
	*) return 1 ;;
	esac
}

# The container of a running unit is running in podman; a unit that is not running has none.
assert_container_matches_podman() {
	local app=$1
	if [ "$(ufield "$(unit_of "$app")" active_state)" = active ]; then
		running "$app"
		[ "$(ufield "$(unit_of "$app")" health)" = none ] # the e2e manifest has no health checks
		[ -z "$(app_podman inspect --format '{{.State.Health.Status}}' "archy-$app" 2>/dev/null)" ] ||
			[ "$(app_podman inspect --format '{{.State.Health.Status}}' "archy-$app")" = "$(ufield "$(unit_of "$app")" health)" ]
	else
		[ "$(ufield "$(unit_of "$app")" health)" = null ]
		no_container "$app"
	fi
}

@test "archyctl | status | healthy node: verdict not attention, exit 0, every unit as systemd and podman say" {
	settle
	[ "$(status_json)" = 0 ]
	[ "$(field "d['verdict']")" != attention ]
	[ "$(field "d['manifest']['in_use']")" = "$MANIFEST" ]
	[ "$(field "d['manifest']['fallback']")" = false ]
	[ "$(field "[a['name'] for a in d['apps']]")" = '["node", "wallet", "indexer", "notes"]' ]
	[ "$(field "[a['desired'] for a in d['apps']]")" = '["started", "started", "started", "stopped"]' ]
	for app in "${STARTED[@]}"; do
		assert_unit_matches_systemd "$(unit_of "$app")"
		[ "$(ufield "$(unit_of "$app")" active_state)" = active ]
		[ "$(ufield "$(unit_of "$app")" last_failure)" = null ]
		assert_container_matches_podman "$app"
	done
	# the stopped app: inactive as systemd says, no container
	[ "$(ufield archy-notes.service active_state)" = "$(show archy-notes.service ActiveState)" ]
	assert_container_matches_podman notes
	if [ -e "$REPAIR_STATUS" ]; then
		[ "$(field "d['podman']['result']")" = "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["result"])' "$REPAIR_STATUS")" ]
	fi
	[ "$(field "d['derive']['found']")" = true ]
	[ "$(field "d['derive']['last_result']")" = "$(system_show archy-derive.service Result)" ]
	[ "$(field "d['derive']['drift']")" = unknown ]
}

TEXTFILE=/var/lib/prometheus/node-exporter/archy.prom

# archy.prom exists and archy-metrics.service ran after $1 (seconds since the epoch).
metrics_written_after() {
	[ -f "$TEXTFILE" ] && [ "$(stat -c %Y "$TEXTFILE")" -ge "$1" ]
}

metrics_idle() { [ "$(system_show archy-metrics.service ActiveState)" = inactive ]; }

@test "archyctl | status | --prometheus: every started app running; archy-metrics.timer writes node_exporter's archy.prom" {
	settle
	local prom=$BATS_TEST_TMPDIR/out.prom app rc=0 since
	archyctl status --prometheus >"$prom" || rc=$?
	cat "$prom" >&2
	[ "$rc" = 0 ]
	[ "$(grep -c '^archy_app_running{' "$prom")" -eq 4 ] # one series per app of the manifest
	for app in node wallet indexer; do
		grep -qx "archy_app_running{app=\"$app\"} 1" "$prom"
		grep -qx "archy_app_desired_running{app=\"$app\"} 1" "$prom"
	done
	grep -qx 'archy_app_running{app="notes"} 0' "$prom"
	grep -qx 'archy_app_desired_running{app="notes"} 0' "$prom"
	for app in "${STARTED[@]}"; do
		grep -qx "archy_container_restarts_total{app=\"${app%-ui}\",container=\"$([ "$app" = "${app%-ui}" ] && echo main || echo ui)\"} $(show "$(unit_of "$app")" NRestarts)" "$prom"
	done
	grep -qx 'archy_helper_last_run_success{helper="derive"} 1' "$prom"
	if command -v promtool >/dev/null; then promtool check metrics <"$prom"; fi
	# The timer's file: written again within its 30 s period, whole, mode 0644, the same series.
	[ "$(systemctl is-active archy-metrics.timer)" = active ]
	since=$(date +%s)
	wait_for 45 metrics_written_after "$since"
	[ "$(stat -c %a "$TEXTFILE")" = 644 ]
	[ "$(system_show archy-metrics.service Result)" = success ]
	for app in node wallet indexer; do grep -qx "archy_app_running{app=\"$app\"} 1" "$TEXTFILE"; done
	grep -q '^archy_metrics_last_run_timestamp_seconds ' "$TEXTFILE"
	[ -z "$(find "${TEXTFILE%/*}" -name 'archy.prom.tmp.*')" ]
	# The timer's run is in the metrics of a later reader (systemd clears a service's exit record
	# when it starts again, so archy-metrics.service's own archy.prom cannot carry it).
	wait_for 20 metrics_idle
	archyctl status --prometheus >"$prom" || true
	grep -q '^archy_helper_last_run_success{helper="metrics"} 1$' "$prom"
	grep -q '^archy_helper_last_run_duration_seconds{helper="metrics"} 0\.[0-9]*$' "$prom"
	# node_exporter's textfile collector serves it, when node_exporter runs in the guest
	if [ "$(systemctl is-active prometheus-node-exporter.service)" = active ]; then
		curl -fsS http://127.0.0.1:9100/metrics | grep -qx 'archy_app_running{app="node"} 1'
	else
		echo "# prometheus-node-exporter is not running in this guest: its scrape not checked" >&3
	fi
}

@test "archyctl | status | it starts no process: no podman, no systemctl" {
	strace -f -qq -e trace=execve -o "$BATS_TEST_TMPDIR/trace" archyctl status --json >/dev/null
	cat "$BATS_TEST_TMPDIR/trace" >&2
	[ "$(grep -c 'execve(' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
}

@test "archyctl | status | a started app's unit stopped by hand: degraded, exit 0, inactive as systemd says" {
	app_systemctl stop archy-indexer.service
	[ "$(status_json)" = 0 ]
	[ "$(field "d['verdict']")" = degraded ]
	assert_unit_matches_systemd archy-indexer.service
	[ "$(ufield archy-indexer.service active_state)" = inactive ]
	assert_container_matches_podman indexer
	[[ "$(field "[p['text'] for p in d['problems'] if p['app'] == 'indexer'][0]")" == *"archy-indexer.service is inactive"* ]]
	app_systemctl start archy-indexer.service
	assert_up indexer
}

@test "archyctl | status | a crashed container: waiting to restart, the restart count and the failure as systemd has them" {
	local u=archy-wallet-ui.service before
	assert_up wallet-ui
	before=$(show "$u" NRestarts)
	crash archy-wallet-ui
	wait_for 10 substate_is "$u" auto-restart
	# RestartSec=5: systemd's answer holds still for a few seconds
	[ "$(status_json)" = 0 ]
	[ "$(show "$u" SubState)" = auto-restart ]
	assert_unit_matches_systemd "$u"
	assert_failure_matches_systemd "$u"
	[ "$(field "d['verdict']")" = degraded ]
	assert_up wallet-ui 60
	[ "$(status_json)" = 0 ]
	assert_unit_matches_systemd "$u"
	[ "$(ufield "$u" restarts)" -gt "$before" ]
	[ "$(ufield "$u" active_state)" = active ]
}

@test "archyctl | status | a unit failed for good: attention, exit 5, its failure and restart count as systemd has them" {
	local u=archy-wallet-ui.service
	printf '[Service]\nRestart=no\n' | app_runtime_dropin wallet-ui 99-e2e-no-restart.conf
	app_systemctl daemon-reload
	assert_up wallet-ui 60
	crash archy-wallet-ui
	wait_for 30 activestate_is "$u" failed
	[ "$(status_json)" = 5 ]
	[ "$(field "d['verdict']")" = attention ]
	assert_unit_matches_systemd "$u"
	assert_failure_matches_systemd "$u"
	[ "$(field "[a['level'] for a in d['apps'] if a['name'] == 'wallet'][0]")" = attention ]
	run archyctl status wallet
	[ "$status" -eq 5 ]
	[[ "$output" == *"$u failed"* ]]
	app_runtime_dropin_remove wallet-ui 99-e2e-no-restart.conf
	app_systemctl daemon-reload
	app_systemctl reset-failed "$u"
	app_systemctl start "$u"
	assert_up wallet-ui 60
	[ "$(status_json)" = 0 ]
}

# ---- probes (issue 15: archyctl probe, apps[].probes[] in status) ----------------------------------
# The e2e manifest's probes: node rpc (tcp 18332) and ui (http 18081), wallet api (http 18080, 503
# until it reaches the node) and ui (http 18082), indexer tcp (18501); notes is stopped, not probed.

probe_json() {
	local rc=0
	archyctl probe --json "$@" >"$OUT" || rc=$?
	echo "$rc"
}

# Probe $2 of app $1 in the last archyctl probe JSON, as a Python expression.
probe_expr() { echo "[p for p in d['probes'] if p['app'] == '$1' and p['name'] == '$2'][0]"; }
# The same probe in the last archyctl status JSON.
status_probe_expr() { echo "[p for a in d['apps'] if a['name'] == '$1' for p in a['probes'] if p['name'] == '$2'][0]"; }

@test "archyctl | probe | every started app's probes pass (exit 0), recorded, and status shows the same results" {
	settle
	wait_for 60 archyctl probe
	[ "$(probe_json)" = 0 ]
	cat "$OUT" >&2
	[ "$(field "d['ok']")" = true ]
	[ "$(field "sorted((p['app'], p['name'], p['kind'], p['target']) for p in d['probes'])")" = \
		'[["indexer", "tcp", "tcp", "127.0.0.1:18501"], ["node", "rpc", "tcp", "127.0.0.1:18332"], ["node", "ui", "http", "http://127.0.0.1:18081/"], ["wallet", "api", "http", "http://127.0.0.1:18080/"], ["wallet", "ui", "http", "http://127.0.0.1:18082/"]]' ]
	[ "$(field "all(p['ok'] for p in d['probes'])")" = true ]
	[ "$(field "$(probe_expr node rpc)['detail']")" = connected ]
	[ "$(field "$(probe_expr node ui)['detail']")" = "HTTP 200" ]
	local at
	at=$(field "$(probe_expr node rpc)['checked_at']")
	# the record on tmpfs, and status reads it back without probing
	[ -s /run/archipelago/probes ]
	[ "$(stat -f -c %T /run/archipelago)" = tmpfs ]
	[ "$(status_json)" = 0 ]
	[ "$(field "$(status_probe_expr node rpc)['ok']")" = true ]
	[ "$(field "$(status_probe_expr node rpc)['checked_at_unix']")" = "$at" ]
	[ "$(field "$(status_probe_expr wallet api)['detail']")" = "HTTP 200" ]
	[ "$(field "[a['probes'] for a in d['apps'] if a['name'] == 'notes'][0]")" = "[]" ]
}

@test "archyctl | probe | an app's container stopped: its probe fails with a detail (exit 8), status degraded; passes after start" {
	settle
	app_systemctl stop archy-indexer.service
	[ "$(probe_json indexer)" = 8 ]
	cat "$OUT" >&2
	[ "$(field "d['ok']")" = false ]
	[ "$(field "$(probe_expr indexer tcp)['ok']")" = false ]
	[ "$(field "$(probe_expr indexer tcp)['detail']")" = "connection refused" ]
	# status shows the recorded failure: the app is degraded, with the probe's detail
	[ "$(status_json)" = 0 ]
	[ "$(field "$(status_probe_expr indexer tcp)['ok']")" = false ]
	[ "$(field "[a['level'] for a in d['apps'] if a['name'] == 'indexer'][0]")" = degraded ]
	[[ "$(field "[p['text'] for p in d['problems'] if p['app'] == 'indexer']")" == *"probe tcp of indexer (tcp 127.0.0.1:18501) failed at "*": connection refused"* ]]
	# the other apps' results were kept
	[ "$(field "$(status_probe_expr node rpc)['ok']")" = true ]
	app_systemctl start archy-indexer.service
	assert_up indexer
	wait_for 30 archyctl probe indexer
	[ "$(probe_json)" = 0 ]
	[ "$(field "$(probe_expr indexer tcp)['ok']")" = true ]
	[ "$(status_json)" = 0 ]
	[ "$(field "$(status_probe_expr indexer tcp)['ok']")" = true ]
	[ "$(field "[p['text'] for p in d['problems'] if 'probe' in p['text']]")" = "[]" ]
}
