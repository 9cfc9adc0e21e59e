#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl probe on the host against real listeners on the loopback: python3 HTTP servers that
# answer 200 and 500, a TCP port that accepts, a port nothing listens on, a server that never
# answers; the record it writes ($ARCHY_PROBES_FILE), its exit statuses (0, 8, 1, 2), and what
# archyctl status shows of the record (against the stand-in systemd, test/ctl/fake-systemd.c).
# The guest's real containers: test/e2e/bats/210-archyctl-status.bats.

CTL=${ARCHY_CTL:-$BATS_TEST_DIRNAME/../../build/archyctl}
load fake-systemd

setup_file() {
	build_fake_systemd
}

# A free port on 127.0.0.1 (bound and released: nothing listens on it afterwards).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# An HTTP server on port $1 that answers every GET with status $2 (0: accepts and never answers).
serve() {
	python3 - "$1" "$2" <<-'PY' &
		import http.server, socketserver, sys, time
		port, code = int(sys.argv[1]), int(sys.argv[2])
		class H(http.server.BaseHTTPRequestHandler):
		    def do_GET(self):
		        if code == 0:
		            time.sleep(30)
		            return
		        self.send_response(code)
		        self.send_header("Content-Length", "0")
		        self.end_headers()
		    def log_message(self, *a):
		        pass
		socketserver.ThreadingTCPServer.allow_reuse_address = True
		socketserver.ThreadingTCPServer.daemon_threads = True
		socketserver.ThreadingTCPServer(("127.0.0.1", port), H).serve_forever()
	PY
	PIDS+=("$!")
	for _ in $(seq 50); do
		python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

setup() {
	T=$(mktemp -d)
	PIDS=()
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	export ARCHY_MANIFEST=$T/manifest.yaml ARCHY_LAST_GOOD=$T/last-good.yaml ARCHY_PROBES_FILE=$T/run/probes \
		ARCHY_PODMAN_HEALTH=$T/podman-health.json ARCHY_OTA_STATE=$T/update-verify.state \
		ARCHY_CID_DIR=$T/run ARCHY_PODMAN_RUNROOT=$T/storage ARCHY_SYSTEMD_BUS=unix:path=$T/no-bus \
		ARCHY_APPLY_STATE_DIR=$T/apply ARCHY_RECONCILE_STATE=$T/reconcile.json
	OK=$(free_port)
	ERR=$(free_port)
	SILENT=$(free_port)
	CLOSED=$(free_port)
	serve "$OK" 200
	serve "$ERR" 500
	serve "$SILENT" 0
	manifest "$OK" "$ERR"
	printf 'archy-web.service loaded active running notify success 0 0 0 0 1795777200000000 0\n' >"$T/units"
}

# The manifest: app web (started) with probes on ports $1 (tcp and http) and $2 (http, expect 200),
# app off (stopped) with a probe that would fail.
manifest() {
	cat >"$T/manifest.yaml" <<-EOF
		version: 1
		apps:
		  web:
		    containers:
		      main: {image: docker.io/library/nginx:1.27}
		    probes:
		      - {name: port, tcp: "127.0.0.1:$1"}
		      - {name: ui, http: "http://127.0.0.1:$1/", expect: 200, timeout: 2s}
		      - {name: api, http: "http://127.0.0.1:$2/api", expect: 200}
		  off:
		    state: stopped
		    containers:
		      main: {image: docker.io/library/nginx:1.27}
		    probes:
		      - {name: port, tcp: "127.0.0.1:$CLOSED"}
	EOF
	chmod 0644 "$T/manifest.yaml"
}

teardown() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	[ -z "${FAKE:-}" ] || kill "$FAKE" 2>/dev/null || true
	[ -z "${DAEMON:-}" ] || kill "$DAEMON" 2>/dev/null || true
	rm -rf "$T"
}

json() { jq -r "$1" "$T/out.json"; }

@test "--help says what probe does, its options and its exit statuses" {
	run "$CTL" probe --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: archyctl probe [OPTIONS...] [APP]"* ]]
	[[ "$output" == *"--json"* ]]
	[[ "$output" == *"8 a probe failed"* ]]
	run "$CTL" --help
	[[ "$output" == *"probe [APP]"* ]]
}

@test "usage errors exit 2: an unknown option, two apps, an app the manifest does not have" {
	run "$CTL" probe --frobnicate
	[ "$status" -eq 2 ]
	run "$CTL" probe web off
	[ "$status" -eq 2 ]
	[[ "$output" == *"at most one APP"* ]]
	run "$CTL" probe nosuchapp
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no app \"nosuchapp\""* ]]
	[ ! -e "$T/run/probes" ]
}

@test "one probe fails (HTTP 500): exit 8, every result with its detail, recorded on disk; the stopped app is not probed" {
	run "$CTL" probe --json
	[ "$status" -eq 8 ]
	printf '%s\n' "$output" >"$T/out.json"
	[ "$(json .ok)" = false ]
	[ "$(json '[.probes[] | .app + "/" + .name] | join(",")')" = web/port,web/ui,web/api ]
	[ "$(json '.probes[] | select(.name == "port") | .ok')" = true ]
	[ "$(json '.probes[] | select(.name == "port") | .detail')" = connected ]
	[ "$(json '.probes[] | select(.name == "ui") | .detail')" = "HTTP 200" ]
	[ "$(json '.probes[] | select(.name == "api") | .ok')" = false ]
	[ "$(json '.probes[] | select(.name == "api") | .detail')" = "HTTP 500, expected 200" ]
	[ "$(json '.probes[] | select(.name == "api") | .kind + " " + .target')" = "http http://127.0.0.1:$ERR/api" ]
	now=$(date +%s)
	at=$(json '.probes[0].checked_at')
	[ "$at" -le "$now" ] && [ "$at" -ge $((now - 10)) ]
	# the record: the same results, the parent directory made
	[ "$(jq -r '[.probes[] | .name + "=" + (.ok | tostring)] | join(",")' "$T/run/probes")" = port=true,ui=true,api=false ]
	[ "$(jq -r '.archy_probes' "$T/run/probes")" = 1 ]
	# the text form says the same
	run "$CTL" probe
	[ "$status" -eq 8 ]
	[[ "$output" == *"web/api"*"FAIL"*"HTTP 500, expected 200"* ]]
	[[ "$output" == *"web/port"*"ok"*"connected"* ]]
}

@test "every probe passes: exit 0" {
	manifest "$OK" "$OK"
	run "$CTL" probe
	[ "$status" -eq 0 ]
	[[ "$output" != *FAIL* ]]
}

@test "a closed port: connection refused, for tcp and http; a silent server: the timeout, within about its time" {
	cat >"$T/manifest.yaml" <<-EOF
		version: 1
		apps:
		  web:
		    containers:
		      main: {image: docker.io/library/nginx:1.27}
		    probes:
		      - {name: port, tcp: "127.0.0.1:$CLOSED"}
		      - {name: ui, http: "http://127.0.0.1:$CLOSED/"}
		      - {name: slow, http: "http://127.0.0.1:$SILENT/", timeout: 1s}
		      - {name: slow2, http: "http://127.0.0.1:$SILENT/2", timeout: 1s}
		      - {name: slow3, http: "http://127.0.0.1:$SILENT/3", timeout: 1s}
	EOF
	start=$(date +%s%N)
	run "$CTL" probe --json
	took=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 8 ]
	printf '%s\n' "$output" >"$T/out.json"
	[ "$(json '.probes[] | select(.name == "port") | .detail')" = "connection refused" ]
	[[ "$(json '.probes[] | select(.name == "ui") | .detail')" == *"Couldn't connect to server"* ]]
	[[ "$(json '.probes[] | select(.name == "slow") | .detail')" == *"imed out"* ]]
	[ "$(json '.probes[] | select(.name == "slow") | .duration_ms')" -ge 900 ]
	# three 1 s timeouts at once take about 1 s, not 3
	echo "took $took ms" >&2
	[ "$took" -lt 2500 ]
}

@test "APP: only its probes run; the other apps' results are kept; a stopped APP runs none" {
	run "$CTL" probe
	[ "$status" -eq 8 ]
	before=$(jq -c '.probes' "$T/run/probes")
	run "$CTL" probe off
	[ "$status" -eq 0 ]
	[[ "$output" == *"off is stopped: its probes run only while it is desired started"* ]]
	[ "$(jq -c '.probes' "$T/run/probes")" = "$before" ]
	kill "${PIDS[1]}" # the 500 server goes away
	run "$CTL" probe --json web
	[ "$status" -eq 8 ]
	printf '%s\n' "$output" >"$T/out.json"
	[ "$(json '.probes[] | select(.name == "api") | .detail')" != "HTTP 500, expected 200" ]
}

@test "the record cannot be written: the results are still printed, exit 1 and why" {
	# its directory is a file (root writes anywhere else)
	echo x >"$T/file"
	export ARCHY_PROBES_FILE=$T/file/probes
	run "$CTL" probe
	[ "$status" -eq 1 ]
	[[ "$output" == *"web/port"* ]]
	[[ "$output" == *"cannot write the results to $T/file/probes: Not a directory"* ]]
}

@test "the record is a file, not a link, read back; written into a directory that does not exist yet" {
	export ARCHY_PROBES_FILE=$T/a/b/probes
	run "$CTL" probe
	[ "$status" -eq 8 ]
	[ -f "$T/a/b/probes" ]
	[ ! -L "$T/a/b/probes" ]
	[ "$(find "$T/a/b" -name 'probes.tmp.*' | wc -l)" -eq 0 ]
}

@test "status shows the last recorded results without probing; a failing probe makes the started app degraded" {
	fake_systemd
	run "$CTL" status --json
	printf '%s\n' "$output" >"$T/out.json"
	[ "$status" -eq 0 ]
	# nothing recorded yet: declared, not probed
	[ "$(json '.apps[] | select(.name == "web") | [.probes[].name] | join(",")')" = port,ui,api ]
	[ "$(json '.apps[] | select(.name == "web") | .probes[0].ok')" = null ]
	[ "$(json '.apps[] | select(.name == "off") | .probes | length')" = 0 ]
	[ "$(json .verdict)" = ok ]
	run "$CTL" probe
	[ "$status" -eq 8 ]
	kill "${PIDS[0]}" # status must not probe: the results stay as recorded
	run "$CTL" status --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/out.json"
	[ "$(json .verdict)" = degraded ]
	[ "$(json '.apps[] | select(.name == "web") | .level')" = degraded ]
	[ "$(json '.apps[] | select(.name == "web") | .probes[] | select(.name == "port") | .ok')" = true ]
	[ "$(json '.apps[] | select(.name == "web") | .probes[] | select(.name == "api") | .detail')" = "HTTP 500, expected 200" ]
	[ "$(json '.apps[] | select(.name == "web") | .probes[] | select(.name == "api") | .kind')" = http ]
	[ "$(json '.apps[] | select(.name == "web") | .probes[0].checked_at_unix')" = "$(jq -r '.probes[0].checked_at' "$T/run/probes")" ]
	[[ "$(json '.problems[0].text')" == "probe api of web (http http://127.0.0.1:$ERR/api) failed at "*": HTTP 500, expected 200" ]]
	run "$CTL" status
	[[ "$output" == *"probe api"*"FAIL HTTP 500, expected 200"* ]]
	# a damaged record: the node is degraded, the results unknown
	echo '{"archy_probes": 1, "probes": 7}' >"$T/run/probes"
	run "$CTL" status --json
	printf '%s\n' "$output" >"$T/out.json"
	[ "$(json .verdict)" = degraded ]
	[ "$(json '.problems[0].text')" = 'the probe results are unknown: the probe record is damaged: "probes" is not a list' ]
}
