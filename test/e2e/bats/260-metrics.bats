# SPDX-License-Identifier: LGPL-2.1-or-later
# archy's metrics and alerts on the e2e node (issue 15): the real prometheus-node-exporter (enabled,
# as on a node) serves archy.prom from its textfile collector; a real Prometheus, started by this
# file only (the guest has it disabled), scrapes it every 2 s, evaluates the SHIPPED rules
# (/usr/share/archy/prometheus/archy-alerts.yml, archy-alerts(7)) every 2 s with only their `for:`
# shortened, and the tests ask its HTTP API what they see: an app's container killed and kept
# down (ArchyAppDown fires), the app stopped on purpose (no ArchyAppDown), a derived file's drift
# (the repaired counter moves). archy-reconcile.timer is held for the file (it would start the
# killed app again). Runs after 10-install.bats (plan alerts; about 60 s in nspawn), in both modes
# (plan rootless): the apps' units and containers through app_systemctl and app_podman, the
# exporter, Prometheus and archy-derive the system's.
load helpers

PROM=http://127.0.0.1:9090
SHIPPED=/usr/share/archy/prometheus/archy-alerts.yml
ROUTE=/etc/nginx/archipelago.d/node.conf
# Every `for:` of the shipped rules (minutes) becomes this in the test's copy.
FOR=10s

setup_file() {
	settle
	app_systemctl stop archy-reconcile.timer
	local dir=$BATS_FILE_TMPDIR/prometheus
	mkdir -p "$dir/data"
	# The shipped rules with only their `for: <N>m` lines changed (the file keeps each on a line of
	# its own for this): nothing else of the test's copy differs from what a node's Prometheus loads.
	sed -E "s/^( +for: )[0-9]+m\$/\\1$FOR/" "$SHIPPED" >"$dir/archy-alerts.yml"
	# The scrape asks node_exporter for its textfile collector alone (collect[]): cheap every 2 s.
	cat >"$dir/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 2s
		  scrape_timeout: 2s
		  evaluation_interval: 2s
		rule_files: [$dir/archy-alerts.yml]
		scrape_configs:
		  - job_name: node
		    params: {'collect[]': [textfile]}
		    static_configs: [{targets: ['127.0.0.1:9100']}]
	EOF
	systemd-run --unit=e2e-prometheus --quiet /usr/bin/prometheus --config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" --web.listen-address=127.0.0.1:9090
	archyctl metrics
	wait_for 60 prom_ready
}

teardown_file() {
	app_runtime_dropin_remove indexer 90-e2e-down.conf
	app_systemctl daemon-reload
	systemctl stop e2e-prometheus.service || true
	systemctl reset-failed || true
	app_systemctl reset-failed || true
	archyctl start indexer >/dev/null 2>&1 || true
	app_systemctl start archy-apps.target
	app_systemctl start archy-reconcile.timer
	settle
}

# Prometheus's answer to an instant query: "VALUE" per series, or with labels named after the
# query, "VALUE LABEL..." (their values, in that order), one series a line, sorted.
promq() {
	local query=$1
	shift
	curl -fsS -m 5 --get --data-urlencode "query=$query" "$PROM/api/v1/query" | python3 -c 'import json, sys
labels = sys.argv[1:]
r = json.load(sys.stdin)["data"]["result"]
for line in sorted(" ".join([s["value"][1]] + [s["metric"].get(l, "") for l in labels]) for s in r):
    print(line)' "$@"
}

# The app's main unit no longer active (inactive or failed) in the manager that runs it.
inactive_or_failed() { ! app_systemctl is-active -q "archy-$1.service"; }

# Series $1 has the single value $2 in Prometheus.
prom_is() { [ "$(promq "$1")" = "$2" ]; }
prom_ready() { prom_is 'up{job="node"}' 1 && [ -n "$(promq 'archy_app_desired_running{app="indexer"}')" ]; }

# The alerts Prometheus holds (GET /api/v1/alerts): "NAME STATE APP SEVERITY", one a line.
alerts() {
	curl -fsS -m 5 "$PROM/api/v1/alerts" | python3 -c 'import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    l = a["labels"]
    print(l["alertname"], a["state"], l.get("app", "-"), l.get("severity", "-"))'
}
alert_is() { alerts | grep -qx "$1"; }
no_alert_for() { ! alerts | grep -q "^$1 [a-z]* $2 " || false; }

# The rules Prometheus loaded (GET /api/v1/rules): "GROUP NAME HEALTH FOR-SECONDS", one a line.
rules() {
	curl -fsS -m 5 "$PROM/api/v1/rules" | python3 -c 'import json, sys
for g in json.load(sys.stdin)["data"]["groups"]:
    for r in g["rules"]:
        print(g["name"], r["name"], r["health"], r.get("duration", 0))'
}

rules_ok() { [ "$(rules | grep -c '^archy Archy[A-Za-z]* ok ')" -eq 10 ]; }

# Renders the node's metrics now (archy-metrics.timer does every 30 s) and waits for a scrape of
# a view gathered after the caller's change. The run's stamp is whole seconds, taken as it starts
# gathering: after a second boundary that follows the change, a stamp of that second or later is
# a view of the node with the change in it (with ">= now - 1" a timer run 0.6 s before the change
# passed: CI of 527519d read a started indexer as not running). Runs take turns (archyctl(8),
# METRICS), so an older view cannot be renamed over it afterwards.
metrics_now() {
	local second
	second=$(date +%s)
	while [ "$(date +%s)" -eq "$second" ]; do sleep 0.05; done
	archyctl metrics
	wait_for 10 prom_is "archy_metrics_last_run_timestamp_seconds >= bool $((second + 1))" 1
}

# A series reaches VALUE in Prometheus, each try with a fresh view (metrics_now): for what changes
# in its own time, as archy-derive.timer's repair of a drift (the CI run of 2026-12-03 read a drift
# counter one scrape too early).
series_reaches() {
	metrics_now && [ "$(promq "$1")" = "$2" ]
}

@test "all | metrics | node_exporter (enabled) serves archy.prom; Prometheus (the test's) scrapes it and has the shipped rules, for: shortened only" {
	[ "$(systemctl is-enabled prometheus-node-exporter.service)" = enabled ]
	[ "$(systemctl is-active prometheus-node-exporter.service)" = active ]
	# the server is the test's only: not enabled on the node
	[ "$(systemctl is-enabled prometheus.service)" != enabled ]
	local copy=$BATS_FILE_TMPDIR/prometheus/archy-alerts.yml
	diff "$SHIPPED" "$copy" | grep '^[<>]' >&2 || true
	[ "$(diff "$SHIPPED" "$copy" | grep -c '^>')" -eq "$(grep -cE '^ +for: [0-9]+m$' "$SHIPPED")" ]
	[ "$(diff "$SHIPPED" "$copy" | grep '^>' | grep -cvE "^> +for: $FOR\$")" -eq 0 ]
	# node_exporter read archy.prom without an error
	prom_is 'node_textfile_scrape_error{job="node"}' 0
	[ -n "$(promq 'node_textfile_mtime_seconds{file=~".*archy.prom"}')" ]
	# the 10 alerts of the shipped group, loaded, evaluated without an error
	wait_for 20 rules_ok
	rules >&2
	[ "$(rules | grep -c ' ok 10$')" -eq "$(grep -cE '^ +for: ' "$SHIPPED")" ]
	# the apps of the manifest: their desired and actual state
	local app
	for app in node wallet indexer; do
		prom_is "archy_app_desired_running{app=\"$app\"}" 1
		prom_is "archy_app_running{app=\"$app\"}" 1
	done
	prom_is 'archy_app_desired_running{app="notes"}' 0
	prom_is 'archy_app_running{app="notes"}' 0
	# nothing down: no ArchyAppDown, not even pending
	alerts >&2
	! alerts | grep -q '^ArchyAppDown ' || false
}

@test "indexer | podman kill, kept down | archy_app_running 0; ArchyAppDown fires (critical, the app named, what to run)" {
	# kept down: systemd would restart it (Restart=always), archy-reconcile too (held)
	printf '[Service]\nRestart=no\n' | app_runtime_dropin indexer 90-e2e-down.conf
	app_systemctl daemon-reload
	app_podman kill archy-indexer
	wait_for 30 inactive_or_failed indexer
	metrics_now
	prom_is 'archy_app_running{app="indexer"}' 0
	prom_is 'archy_container_up{app="indexer",container="main"}' 0
	prom_is 'archy_app_desired_running{app="indexer"}' 1
	# pending first, then firing once its for: (10 s here) held; the running apps stay quiet
	wait_for 40 alert_is 'ArchyAppDown firing indexer critical'
	alerts >&2
	[ "$(alerts | grep -c '^ArchyAppDown ')" -eq 1 ]
	run bash -c "curl -fsS -m 5 $PROM/api/v1/alerts | python3 -c 'import json, sys
for a in json.load(sys.stdin)[\"data\"][\"alerts\"]:
    if a[\"labels\"][\"alertname\"] == \"ArchyAppDown\":
        print(a[\"annotations\"][\"summary\"]); print(a[\"annotations\"][\"description\"])'"
	echo "$output" >&2
	[ "${lines[0]}" = "archy app indexer is down on 127.0.0.1:9100" ]
	# shellcheck disable=SC2016 # backquotes of the annotation's text
	[[ ${lines[1]} == *'`archyctl status indexer`'*'`archyctl doctor`'* ]]
}

@test "indexer | started again | archy_app_running 1; ArchyAppDown no longer firing" {
	app_runtime_dropin_remove indexer 90-e2e-down.conf
	app_systemctl daemon-reload
	app_systemctl start archy-indexer.service
	assert_up indexer 60
	metrics_now
	prom_is 'archy_app_running{app="indexer"}' 1
	wait_for 20 no_alert_for ArchyAppDown indexer
}

@test "indexer | archyctl stop | archy_app_desired_running 0, running 0; no ArchyAppDown, pending or firing, for longer than its for:" {
	archyctl stop indexer >&2
	assert_stopped indexer
	metrics_now
	prom_is 'archy_app_desired_running{app="indexer"}' 0
	prom_is 'archy_app_running{app="indexer"}' 0
	# twice the rule's for: (10 s), with fresh metrics: the killed indexer fired by then (above)
	local end
	end=$(($(date +%s) + 22))
	while [ "$(date +%s)" -lt "$end" ]; do
		archyctl metrics
		no_alert_for ArchyAppDown indexer
		sleep 2
	done
	# and no ALERTS series for it at any evaluation since the stop
	[ -z "$(promq 'max_over_time(ALERTS{alertname="ArchyAppDown",app="indexer"}[20s])')" ]
}

@test "indexer | archyctl start | archy_app_desired_running 1, running 1" {
	archyctl start indexer >&2
	assert_up indexer 60
	metrics_now
	prom_is 'archy_app_desired_running{app="indexer"}' 1
	prom_is 'archy_app_running{app="indexer"}' 1
}

@test "node | derive drift | a derived nginx route changed by hand: archy_derive_drift_found_total and _repaired_total go up by one" {
	local q='archy_derive_drift_repaired_total{app="node",file="'$ROUTE'"}' f before found_before
	f='archy_derive_drift_found_total{app="node",file="'$ROUTE'"}'
	metrics_now
	# no series before the file's first drift: 0
	before=$(promq "$q")
	found_before=$(promq "$f")
	echo "before: repaired ${before:-none} found ${found_before:-none}" >&2
	systemctl stop archy-derive.timer
	echo '# changed by hand' >>"$ROUTE"
	run archy-derive --check
	[ "$status" -ne 0 ]
	systemctl start archy-derive.service
	systemctl start archy-derive.timer
	archy-derive --check
	! grep -q 'changed by hand' "$ROUTE" || false
	wait_for 30 series_reaches "$q" "$((${before:-0} + 1))" || {
		echo "after: repaired $(promq "$q") found $(promq "$f")" >&2
		false
	}
	prom_is "$f" "$((${found_before:-0} + 1))"
}
