#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/soak.sh (`make soak`), run by the e2e runner in the booted Debian 13 guest
# after 100-node-install.bats installed the shipped node. For SOAK_MINUTES, with archy's timers at
# their shipped periods (the e2e guest's 20 s podman-repair override removed):
#   every SOAK_PROBE_EVERY s  probes every app (its units active, its UI on the direct port and
#                             through nginx, electrumx's TCP port), archyctl status --json, the
#                             metrics (archyctl status --prometheus, the textfile collector's
#                             archy.prom, node_exporter's /metrics: each only where it exists), and
#                             samples processes, zombies, fds and RSS of the long-lived processes;
#   every SOAK_RELOAD_EVERY s times a daemon-reload and one archy-generator run as systemd runs it
#                             (scratch output dirs);
#   every 2-4 min             injects one fault archy promises to heal (RANDOM seeded with
#                             SOAK_SEED: the same seed picks the same faults) and times the heal.
# At the end it checks the data (secrets, derived files, marker files in every volume) and writes
# what it recorded to /ci/out/soak; soak-report.py turns that into the report and the verdict.
# Config: /ci/bench/soak.env (bench/soak.sh writes it). Exit 0 passed, 1 failed.
# No set -e or -u: a probe that errs is recorded as down, and must not end a 30-minute run.
set -o pipefail
bench=/ci/bench
# shellcheck disable=SC1091
[ -r "$bench/soak.env" ] && . "$bench/soak.env"
# shellcheck disable=SC1091
. /ci/bats/helpers-node.bash
MINUTES=${SOAK_MINUTES:-30}
SEED=${SOAK_SEED:-1}
PROBE_EVERY=${SOAK_PROBE_EVERY:-10}
RELOAD_EVERY=${SOAK_RELOAD_EVERY:-120}
FAULT_MIN=${SOAK_FAULT_MIN:-120}
FAULT_MAX=${SOAK_FAULT_MAX:-240}
# kind:weight; SOAK_FAULT_ORDER=cycle takes each kind in turn instead (a short run sees them all).
# podman-db and bitcoin-conf-garbage were left out until archy healed them (the soaks of 2026-12-03
# found both: mariadb's volume left root's after podman's database was lost; a garbage bitcoin.conf
# kept as the user's lines); both heal since (SOAK_FAULTS="bitcoin-conf-garbage:1 podman-db:1"
# SOAK_FAULT_ORDER=cycle, seed 7, 9 min: 3 and 2 healed).
FAULTS=${SOAK_FAULTS:-app-kill:3 bitcoin-conf:2 bitcoin-conf-garbage:1 nginx-route:2 derived-delete:1 daemon-restart:1 daemon-kill:1 stray-container:1 podman-db:1}
out=/ci/out/soak
work=/run/archy-soak
timer=$bench/timer
rm -rf "$out" "$work"
mkdir -p "$out" "$work/base" "$work/faults"
RANDOM=$SEED

now() { date +%s; }
log() { printf '%s soak: %s\n' "$(date -u +%T)" "$*" | tee -a "$out/events.log"; }

# --- what the node runs ------------------------------------------------------------------------
# APP direct-URL proxy-port (110-node-ui.bats); electrumx has no UI: its TCP port.
UIS=(
	"bitcoin-knots http://127.0.0.1:8081/ 4431"
	"lnd https://127.0.0.1:8443/ 4432"
	"btcpay-server http://127.0.0.1:23000/ 4433"
	"mempool http://127.0.0.1:4080/ 4434"
	"fedimint http://127.0.0.1:8175/ 4435"
)
declare -A UNITS_OF DIRECT_OF PROXY_OF
for app in "${NODE_APPS[@]}"; do
	UNITS_OF[$app]=$(containers_of "$app" | sed 's/$/.service/' | tr '\n' ' ')
done
for u in "${UIS[@]}"; do
	read -r app url port <<<"$u"
	DIRECT_OF[$app]=$url
	PROXY_OF[$app]=https://127.0.0.1:$port/
done

http_ok() {
	local code
	code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null)
	[[ $code == [23]?? ]]
}
tcp_ok() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# probe_app APP: prints "up" or what is down (units not active, UIs not answering).
probe_app() {
	local app=$1 u st bad=""
	for u in ${UNITS_OF[$app]}; do
		st=$(systemctl is-active "$u" 2>/dev/null)
		[ "$st" = active ] || bad+="$u=$st,"
	done
	if [ "$app" = electrumx ]; then
		tcp_ok 50001 || bad+="tcp:50001,"
	else
		http_ok "${DIRECT_OF[$app]}" || bad+="direct:${DIRECT_OF[$app]},"
		http_ok "${PROXY_OF[$app]}" || bad+="proxy:${PROXY_OF[$app]},"
	fi
	echo "${bad:-up}"
}
all_up() {
	local app
	for app in "${NODE_APPS[@]}"; do [ "$(probe_app "$app")" = up ] || return 1; done
}

# --- metrics sources -------------------------------------------------------------------------
PROM_FILE=/var/lib/prometheus/node-exporter/archy.prom
has_prom_cli=0
archyctl status --prometheus 2>/dev/null | grep -q '^archy_' && has_prom_cli=1
has_exporter=0
[ "$(systemctl is-active prometheus-node-exporter.service 2>/dev/null)" = active ] && has_exporter=1

# probe_metrics T FAULT: one line per source to metrics.tsv: T SOURCE OK DETAIL
probe_metrics() {
	local t=$1 rc txt verdict age
	txt=$(archyctl status --json 2>/dev/null)
	rc=$?
	verdict=$(grep -o '"verdict": *"[a-z]*"' <<<"$txt" | head -1 | sed 's/.*"\([a-z]*\)"$/\1/')
	if { [ "$rc" = 0 ] || [ "$rc" = 5 ]; } && python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$txt" 2>/dev/null; then
		printf '%s\tstatus-json\t1\trc=%s verdict=%s\n' "$t" "$rc" "${verdict:-?}"
	else
		printf '%s\tstatus-json\t0\trc=%s verdict=%s\n' "$t" "$rc" "${verdict:-?}"
	fi
	if [ "$has_prom_cli" = 1 ]; then
		txt=$(archyctl status --prometheus 2>/dev/null)
		rc=$?
		if grep -q '^archy_app_running{' <<<"$txt"; then
			printf '%s\tstatus-prometheus\t1\trc=%s series=%s\n' "$t" "$rc" "$(grep -vc '^#' <<<"$txt")"
		else
			printf '%s\tstatus-prometheus\t0\trc=%s no archy_app_running series\n' "$t" "$rc"
		fi
	fi
	if [ -e "$PROM_FILE" ]; then
		age=$(($(now) - $(stat -c %Y "$PROM_FILE")))
		# written every 30 s by archy-metrics.timer: older than 3 periods is stale
		if [ "$age" -le 90 ] && grep -q '^archy_metrics_last_run_timestamp_seconds' "$PROM_FILE"; then
			printf '%s\ttextfile\t1\tage=%ss\n' "$t" "$age"
		else
			printf '%s\ttextfile\t0\tage=%ss\n' "$t" "$age"
		fi
	fi
	if [ "$has_exporter" = 1 ]; then
		txt=$(curl -s --max-time 3 http://127.0.0.1:9100/metrics 2>/dev/null)
		if grep -q '^node_' <<<"$txt"; then
			printf '%s\tnode-exporter\t1\tarchy_series=%s\n' "$t" "$(grep -c '^archy_' <<<"$txt")"
		else
			printf '%s\tnode-exporter\t0\tno answer\n' "$t"
		fi
	fi
}

# --- resources -----------------------------------------------------------------------------------
slice_dir=/sys/fs/cgroup$(systemctl show -p ControlGroup --value archipelago-apps.slice 2>/dev/null)
fds_of() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
proc_line() { [ -n "$3" ] && [ "$3" != 0 ] && [ -d "/proc/$3" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(fds_of "$3")" "$(rss_of "$3")"; }

# sample T [podman-db]: resources.tsv (processes in the apps' slice, archy-* processes alive for more than
# 5 min, zombies) and procs.tsv (fds and RSS of each long-lived process).
sample() {
	local t=$1 procs old zombies name pid
	procs=$(find "$slice_dir" -name cgroup.procs -exec cat {} + 2>/dev/null | wc -l)
	# archy's own processes (not the apps' processes in the slice, whatever their names)
	old=$(ps -eo pid=,etimes=,comm= | awk '$3 ~ /^archy-/ && $2 > 300 { print $1, $3 }' | while read -r pid name; do
		grep -q archipelago "/proc/$pid/cgroup" 2>/dev/null || printf '%s(%s) ' "$pid" "$name"
	done)
	zombies=$(ps -eo stat=,pid=,ppid=,comm= | awk '$1 ~ /^Z/ { printf "%s%s(%s<-%s)", sep, $2, $4, $3; sep = "," }')
	printf '%s\t%s\t%s\t%s\n' "$t" "$procs" "${old:--}" "${zombies:--}" >>"$out/resources.tsv"
	{
		proc_line "$t" pid1 1
		proc_line "$t" daemon "$(systemctl show -p MainPID --value archipelago.service)"
		for name in dbus-broker dbus-daemon; do
			for pid in $(pgrep -x "$name"); do proc_line "$t" "$name" "$pid"; done
		done
		# not while podman's database is deleted: a podman command would make a new one before the
		# repair sees it (the apps' health checks may anyway)
		[ "${2:-}" = podman-db ] ||
			podman ps --format '{{.ID}}' | xargs -r podman container inspect --format '{{.Name}} {{.State.ConmonPid}}' 2>/dev/null |
			while read -r name pid; do proc_line "$t" "conmon:$name" "$pid"; done
	} >>"$out/procs.tsv"
}

# --- generator and daemon-reload -----------------------------------------------------------------
GENERATOR=/usr/lib/systemd/system-generators/archy-generator
gen_times() {
	local t=$1 reload gen g0 g1 d=$work/gen
	reload=$("$timer" /usr/bin/systemctl daemon-reload | cut -d' ' -f1)
	g0=$(systemctl show -p GeneratorsStartTimestampMonotonic --value)
	g1=$(systemctl show -p GeneratorsFinishTimestampMonotonic --value)
	rm -rf "$d" && mkdir -p "$d/stage" "$d/out"
	gen=$(ARCHY_STAGING_DIR=$d/stage ARCHY_LOG_LEVEL=err "$timer" -o "$d/log" "$GENERATOR" "$d/out" "$d/out" "$d/out")
	# reload wall ns; generator wall ns, peak RSS KB, exit, CPU ns; all generators at the last reload (us)
	printf '%s\t%s\t%s\t%s\n' "$t" "$reload" "$gen" "$((g1 - g0))" | tr ' ' '\t' >>"$out/generator.tsv"
}

# --- data: secrets, derived files, volume markers --------------------------------------------------
derived_paths() {
	grep -oE 'path: /[^,} ]+' "$MANIFEST" | sed 's/^path: //' | sort -u | while read -r p; do
		[ -f "$p" ] && echo "$p"
	done
}
volume_dirs() {
	local v
	for v in $(podman volume ls --format '{{.Name}}'); do
		echo "$v $(podman volume inspect --format '{{.Mountpoint}}' "$v")"
	done
}
write_baseline() {
	local v dir
	sha256sum /var/lib/archipelago/secrets/* >"$work/base/secrets.sum"
	derived_paths >"$work/base/derived.list"
	# bitcoin.conf is checked by what it must do, not by its bytes: a rewrite from scratch (after a
	# garbage or truncated file) gives rpcauth a new salt (bitcoin_conf_ok below)
	grep -vx "$BITCOIN_CONF" "$work/base/derived.list" | xargs -r sha256sum >"$work/base/derived.sum"
	: >"$work/base/markers.sum"
	volume_dirs >"$work/base/volumes.list"
	while read -r v dir; do
		printf 'archy soak %s seed %s %s\n' "$v" "$SEED" "$(head -c 12 /dev/urandom | base64)" >"$dir/.archy-soak-marker"
		sha256sum "$dir/.archy-soak-marker" >>"$work/base/markers.sum"
	done <"$work/base/volumes.list"
	local seed
	seed=$(podman volume inspect --format '{{.Mountpoint}}' archy-lnd-lnd-data 2>/dev/null)/archy-wallet-seed
	[ -f "$seed" ] && sha256sum "$seed" >>"$work/base/markers.sum"
	cp "$work/base/"* "$out/"
}
# bitcoin.conf is as it must be when its one rpcauth line for the manifest's rpc user verifies
# against the canonical secret (bitcoind's rpcauth: HMAC-SHA256 keyed by the salt over the
# password, share/rpcauth/rpcauth.py) and archy-derive finds nothing to repair in it.
BITCOIN_CONF=/var/lib/archipelago/bitcoin/bitcoin.conf
bitcoin_conf_ok() {
	[ -f "$BITCOIN_CONF" ] || return 0
	python3 - "$BITCOIN_CONF" /var/lib/archipelago/secrets/bitcoin-rpc-password <<'PY' || return 1
import hashlib, hmac, re, sys
conf = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
password = open(sys.argv[2], "rb").read().strip()
lines = [m for m in re.findall(r"^rpcauth=archipelago:([0-9a-f]+)\$([0-9a-f]{64})$", conf, re.M)]
ok = len(lines) == 1 and hmac.compare_digest(
    hmac.new(lines[0][0].encode(), password, hashlib.sha256).hexdigest(), lines[0][1])
sys.exit(0 if ok else 1)
PY
	archy-derive --check --app bitcoin-knots >/dev/null 2>&1
}
# data_lost: prints each file that differs from its baseline (nothing when all are intact).
data_lost() {
	local f
	for f in secrets derived markers; do
		sha256sum --quiet -c "$work/base/$f.sum" 2>/dev/null | sed "s/^/$f: /"
	done
	bitcoin_conf_ok || echo "derived: $BITCOIN_CONF: its rpcauth does not verify against the secret, or archy-derive --check finds drift"
}
derived_in_sync() { sha256sum --quiet -c "$work/base/derived.sum" >/dev/null 2>&1 && bitcoin_conf_ok; }

nrestarts() {
	local app u
	for app in "${NODE_APPS[@]}"; do
		for u in ${UNITS_OF[$app]}; do
			printf '%s\t%s\t%s\n' "$app" "$u" "$(systemctl show -p NRestarts --value "$u")"
		done
	done
}

# --- faults --------------------------------------------------------------------------------------
# Kinds and what heals them (archy's promise):
#   app-kill         kill -9 the main process of a random app container    systemd Restart= (Quadlet)
#   bitcoin-conf     bitcoin.conf truncated, or its rpcauth garbled (chaos 5)  archy-derive.timer
#   nginx-route      an app's nginx route snippet deleted (chaos 9)        archy-derive.timer
#   derived-delete   another derived file deleted (env file, lnd.conf...)  archy-derive.timer
#   daemon-restart   systemctl restart of the management daemon (chaos 3)  apps untouched (FM3)
#   daemon-kill      kill -9 the management daemon (chaos 1)               Restart=on-failure, apps untouched
#   podman-db        podman's state database deleted (chaos 2)             archy-podman-repair.timer (3 min)
#   bitcoin-conf-garbage  bitcoin.conf overwritten with base64 garbage (chaos 5) archy-derive.timer
#   stray-container  an archy-labelled container no app produces           archy-reconcile.timer (orphan)
declare -a KINDS=()
for kw in $FAULTS; do
	for ((i = 0; i < ${kw##*:}; i++)); do KINDS+=("${kw%%:*}"); done
done
cycle=0
pick_kind() {
	if [ "${SOAK_FAULT_ORDER:-random}" = cycle ]; then
		local -a uniq
		read -r -a uniq <<<"$(printf '%s\n' "$FAULTS" | tr ' ' '\n' | sed 's/:.*//' | tr '\n' ' ')"
		KIND=${uniq[$((cycle % ${#uniq[@]}))]}
		cycle=$((cycle + 1))
	else
		KIND=${KINDS[$((RANDOM % ${#KINDS[@]}))]}
	fi
}
pick() { # pick WORD...: one of them, from the seeded RNG, into PICKED (empty when none)
	local -a a=("$@")
	PICKED=""
	[ ${#a[@]} -gt 0 ] || return 0
	PICKED=${a[$((RANDOM % ${#a[@]}))]}
}
heal_timeout() { case $1 in podman-db) echo 600 ;; *) echo 300 ;; esac; }

# healed KIND TARGET T0 OLD: the fault's own condition, then every app up and the derived files
# as they must be.
healed() {
	local kind=$1 target=$2 t0=$3 old=$4
	case $kind in
	app-kill)
		local pid
		pid=$(podman container inspect --format '{{.State.Pid}}' "$target" 2>/dev/null)
		[ -n "$pid" ] && [ "$pid" != 0 ] && [ "$pid" != "$old" ] || return 1 ;;
	daemon-restart | daemon-kill)
		[ "$(systemctl is-active archipelago.service)" = active ] || return 1
		[ "$(systemctl show -p MainPID --value archipelago.service)" != "$old" ] || return 1 ;;
	podman-db)
		journalctl --since "@$t0" --no-pager -o cat ARCHY_REPAIR_RESULT=repaired 2>/dev/null | grep -q . || return 1
		podman info >/dev/null 2>&1 || return 1 ;;
	stray-container)
		! podman container exists "$target" || return 1 ;;
	esac
	derived_in_sync && all_up
}

# watch_heal ID KIND TARGET T0MS OLD: in the background, until healed or its timeout; then one line to
# faults.tsv and the done file the main loop waits for.
watch_heal() {
	local id=$1 kind=$2 target=$3 t0ms=$4 old=$5 t0 limit t lost result detail="" app st
	t0=$((t0ms / 1000))
	limit=$((t0ms + $(heal_timeout "$kind") * 1000))
	result=timeout
	while [ "$(($(date +%s%N) / 1000000))" -lt "$limit" ]; do
		if healed "$kind" "$target" "$t0" "$old"; then
			result=healed
			break
		fi
		sleep 1
	done
	t=$(date +%s%N)
	lost=$(data_lost | tr '\n' ' ')
	[ -z "$lost" ] || detail="data lost: $lost"
	if [ "$result" = timeout ]; then
		for app in "${NODE_APPS[@]}"; do
			st=$(probe_app "$app")
			[ "$st" = up ] || detail+=" $app: $st"
		done
		derived_in_sync || detail+=" derived files not as they must be"
	fi
	[ "$kind" = podman-db ] && detail+=" steps=$(journalctl --since "@$t0" --no-pager -o verbose ARCHY_REPAIR_RESULT=repaired 2>/dev/null | sed -n 's/^ *ARCHY_REPAIR_STEPS=//p' | tail -1)"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$kind" "$target" "$t0ms" "$((t / 1000000))" "$result" "${detail# }" >>"$out/faults.tsv"
	echo "$result" >"$work/faults/$id.done"
}

# skip ID TARGET WHY: a fault that could not be injected (recorded, not healed, not failed).
skip() {
	local t
	t=$(($(date +%s%N) / 1000000))
	log "fault $1: $KIND $2: $3; skipped"
	printf '%s\t%s\t%s\t%s\t%s\tskipped\t%s\n' "$1" "$KIND" "$2" "$t" "$t" "$3" >>"$out/faults.tsv"
	echo skipped >"$work/faults/$1.done"
}

# inject ID: picks a kind and a target, breaks it, starts its watcher.
inject() {
	local id=$1 target="" old="" t0 f
	pick_kind
	case $KIND in
	app-kill)
		local -a cs=()
		pick "${NODE_APPS[@]}"
		for f in $(containers_of "$PICKED"); do one_shot "$f" || cs+=("$f"); done
		pick "${cs[@]}"
		target=$PICKED
		[ -n "$target" ] || { skip "$id" "-" "no long-running container" && return; }
		old=$(podman container inspect --format '{{.State.Pid}}' "$target" 2>/dev/null)
		# (kill -9 0 would be the soak's own process group)
		[ "${old:-0}" -gt 1 ] 2>/dev/null || { skip "$id" "$target" "not running (pid '${old}')" && return; }
		t0=$(date +%s%N)
		kill -9 "$old" ;;
	bitcoin-conf)
		# truncated to nothing (a write cut short), or archy's rpcauth line garbled (55-derive.bats)
		target=/var/lib/archipelago/bitcoin/bitcoin.conf
		pick truncated rpcauth
		t0=$(date +%s%N)
		if [ "$PICKED" = truncated ]; then
			: >"$target"
		else
			f=$(sha256sum <"$target")
			sed -i -E 's/^(rpcauth=[^:]*:[0-9a-f]{32}\$)[0-9a-f]{64}$/\1'"$(printf '0%.0s' $(seq 64))"'/' "$target"
			# no rpcauth line of that form: truncated instead
			[ "$(sha256sum <"$target")" != "$f" ] || { : >"$target" && PICKED=truncated; }
		fi
		target="$target($PICKED)" ;;
	bitcoin-conf-garbage)
		target=/var/lib/archipelago/bitcoin/bitcoin.conf
		t0=$(date +%s%N)
		head -c 512 /dev/urandom | base64 >"$target" ;;
	nginx-route)
		mapfile -t fs < <(grep '^/etc/nginx/' "$work/base/derived.list")
		pick "${fs[@]}"
		target=$PICKED
		[ -n "$target" ] || { skip "$id" "-" "no such derived file" && return; }
		t0=$(date +%s%N)
		rm -f "$target" ;;
	derived-delete)
		mapfile -t fs < <(grep -v -e '^/etc/nginx/' -e '/bitcoin.conf$' "$work/base/derived.list")
		pick "${fs[@]}"
		target=$PICKED
		[ -n "$target" ] || { skip "$id" "-" "no such derived file" && return; }
		t0=$(date +%s%N)
		rm -f "$target" ;;
	daemon-restart)
		target=archipelago.service
		old=$(systemctl show -p MainPID --value archipelago.service)
		t0=$(date +%s%N)
		systemctl restart archipelago.service ;;
	daemon-kill)
		target=archipelago.service
		old=$(systemctl show -p MainPID --value archipelago.service)
		[ "${old:-0}" -gt 1 ] 2>/dev/null || { skip "$id" "$target" "not running (MainPID '${old}')" && return; }
		t0=$(date +%s%N)
		kill -9 "$old" ;;
	podman-db)
		target=/var/lib/containers/storage/db.sql
		t0=$(date +%s%N)
		rm -f "$target" "$target-wal" "$target-shm" ;;
	stray-container)
		target=archy-soak-stray-$id
		t0=$(date +%s%N)
		podman run -d --name "$target" --label archy.managed=true --label archy.app=soak-stray \
			--entrypoint /bin/sleep "$(image_of archy-btcpay-server-postgres)" 3600 >"$work/faults/$id.log" 2>&1 || {
			skip "$id" "$target" "podman run failed: $(tail -1 "$work/faults/$id.log")"
			return
		} ;;
	esac
	log "fault $id: $KIND $target"
	# the heal is timed from the fault (ms), not from the second the watcher sees
	echo "$((t0 / 1000000))" >"$work/faults/$id.t0"
	echo "$KIND" >"$work/faults/$id.kind"
	watch_heal "$id" "$KIND" "$target" "$((t0 / 1000000))" "$old" &
}

# --- the run -------------------------------------------------------------------------------------
log "seed $SEED, $MINUTES min, probe every $PROBE_EVERY s, faults every $FAULT_MIN-$FAULT_MAX s: $FAULTS"
# The shipped timer periods: the e2e guest runs archy-podman-repair every 20 s (prepare-guest.sh).
rm -rf /etc/systemd/system/archy-podman-repair.timer.d
systemctl daemon-reload
systemctl restart archy-podman-repair.timer
mapfile -t TIMERS < <(systemctl list-units --all --plain --no-legend 'archy-*.timer' | awk '{ print $1 }')
# Each helper run's peak RSS: systemd has no memory controller in this nspawn guest (MemoryPeak is
# unset), so each timer's service runs its command under GNU time (one more exec, ~1 ms), which
# appends "wall-s maxrss-KB user-s sys-s exit" per run; its CPU time and duration are systemd's own
# record (CPUUsageNSec, ExecMain*Timestamp), read after each run (helper_runs).
mkdir -p "$work/runs"
HELPERS=()
for t in "${TIMERS[@]}"; do
	svc=$(systemctl show -p Unit --value "$t")
	argv=$(systemctl show -p ExecStart --value "$svc" | sed -n 's/.*argv\[\]=\([^;]*\) ;.*/\1/p' | head -1)
	[ -n "$svc" ] && HELPERS+=("$svc")
	if [ -z "$argv" ] || [ ! -x /usr/bin/time ]; then continue; fi
	mkdir -p "/etc/systemd/system/$svc.d"
	printf '[Service]\nExecStart=\nExecStart=/usr/bin/time -a -o %s/runs/%%n.tsv -f "%%%%e %%%%M %%%%U %%%%S %%%%x" %s\n' \
		"$work" "$argv" >"/etc/systemd/system/$svc.d/90-soak-time.conf"
done
systemctl daemon-reload
declare -A LAST_INVOCATION
# helper_runs T: one line to helpers.tsv per helper run that ended since the last call: T UNIT
# INVOCATION CPU-NS DURATION-US RESULT (a run that starts and ends between two calls is missed).
helper_runs() {
	local u k v inv cpu t0 t1 state result
	for u in "${HELPERS[@]}"; do
		inv="" cpu="" t0=0 t1=0 state="" result=""
		while IFS='=' read -r k v; do
			case $k in
			InvocationID) inv=$v ;;
			CPUUsageNSec) cpu=$v ;;
			ExecMainStartTimestampMonotonic) t0=$v ;;
			ExecMainExitTimestampMonotonic) t1=$v ;;
			ActiveState) state=$v ;;
			Result) result=$v ;;
			esac
		done < <(systemctl show -p InvocationID -p CPUUsageNSec -p ExecMainStartTimestampMonotonic \
			-p ExecMainExitTimestampMonotonic -p ActiveState -p Result "$u")
		if [ "$state" != inactive ] && [ "$state" != failed ]; then continue; fi
		if [ -z "$inv" ] || [ "$inv" = "${LAST_INVOCATION[$u]:-}" ]; then continue; fi
		LAST_INVOCATION[$u]=$inv
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$u" "$inv" "$cpu" "$((t1 - t0))" "$result" >>"$out/helpers.tsv"
	done
}
{
	echo "seed=$SEED"
	echo "minutes=$MINUTES"
	echo "probe_every=$PROBE_EVERY"
	echo "faults=$FAULTS"
	echo "fault_every=$FAULT_MIN-$FAULT_MAX"
	echo "has_prom_cli=$has_prom_cli"
	echo "has_textfile=$([ -d "${PROM_FILE%/*}" ] && echo 1 || echo 0)"
	echo "has_exporter=$has_exporter"
	echo "apps=${NODE_APPS[*]}"
	for t in "${TIMERS[@]}"; do
		echo "timer=$t $(systemctl show -p Unit --value "$t") $(systemctl show -p TimersMonotonic --value "$t" | grep -o 'OnUnitActiveUSec=[^ ;]*')"
	done
} >"$out/meta.env"
log "timers: $(grep '^timer=' "$out/meta.env" | sed 's/^timer=//' | tr '\n' ';')"

settle_end=$(($(now) + 300))
until all_up; do
	[ "$(now)" -lt "$settle_end" ] || {
		for app in "${NODE_APPS[@]}"; do log "not up before the soak: $app: $(probe_app "$app")"; done
		break
	}
	sleep 2
done
write_baseline
nrestarts >"$work/restarts.start"
t_start=$(now)
echo "start=$t_start" >>"$out/meta.env"
end=$((t_start + MINUTES * 60))
rand_interval() { NEXT_IN=$((FAULT_MIN + RANDOM % (FAULT_MAX - FAULT_MIN + 1))); }
rand_interval
next_fault=$((t_start + NEXT_IN))
next_reload=$t_start
fault_id=0
active=""
printf 't\tapp\tup\tfault\treason\n' >"$out/apps.tsv"
log "soak started; first fault in $NEXT_IN s"
while [ "$(now)" -lt "$end" ] || [ -n "$active" ]; do
	tick=$(now)
	if [ -n "$active" ] && [ -e "$work/faults/$active.done" ]; then
		log "fault $active: $(awk -F'\t' -v id="$active" '$1 == id { printf "%s after %.1f s %s", $6, ($5 - $4) / 1000, $7 }' "$out/faults.tsv")"
		active=""
		rand_interval
		next_fault=$((tick + NEXT_IN))
	fi
	for app in "${NODE_APPS[@]}"; do
		st=$(probe_app "$app")
		printf '%s\t%s\t%s\t%s\t%s\n' "$tick" "$app" "$([ "$st" = up ] && echo 1 || echo 0)" "${active:--}" "$st" >>"$out/apps.tsv"
	done
	probe_metrics "$tick" >>"$out/metrics.tsv"
	helper_runs "$tick"
	sample "$tick" "$([ -n "$active" ] && cat "$work/faults/$active.kind" 2>/dev/null)"
	if [ "$tick" -ge "$next_reload" ]; then
		gen_times "$tick"
		next_reload=$((tick + RELOAD_EVERY))
	fi
	# no new fault in the last 90 s: each fault gets its heal watched inside the run
	if [ -z "$active" ] && [ "$tick" -ge "$next_fault" ] && [ "$tick" -lt $((end - 90)) ]; then
		fault_id=$((fault_id + 1))
		inject "$fault_id"
		active=$fault_id
	fi
	sleep "$((PROBE_EVERY - ($(now) - tick) > 0 ? PROBE_EVERY - ($(now) - tick) : 1))"
done
t_end=$(now)
echo "end=$t_end" >>"$out/meta.env"
wait
log "soak ended after $((t_end - t_start)) s; checking the data"

nrestarts >"$work/restarts.end"
join -t $'\t' -j 1 <(awk -F'\t' '{ print $1 ":" $2 "\t" $3 }' "$work/restarts.start" | sort) \
	<(awk -F'\t' '{ print $1 ":" $2 "\t" $3 }' "$work/restarts.end" | sort) | tr ':' '\t' >"$out/restarts.tsv"
data_lost >"$out/data-lost.txt"
# leaked conmon: more conmon processes than running containers
printf 'conmon=%s containers=%s\n' "$(pgrep -cx conmon)" "$(podman ps -q | wc -l)" >"$out/conmon.txt"
for u in "${HELPERS[@]}"; do
	[ -f "$work/runs/$u.tsv" ] && cp "$work/runs/$u.tsv" "$out/runs-$u.tsv"
	rm -f "/etc/systemd/system/$u.d/90-soak-time.conf"
done
systemctl daemon-reload
journalctl -o short-iso --no-pager --since "@$t_start" -u 'archy-*' >"$out/archy-journal.txt" 2>/dev/null
# the report's thresholds (SOAK_MIN_AVAILABILITY, ...) from soak.env
export "${!SOAK_@}"
python3 "$bench/soak-report.py" "$out"
