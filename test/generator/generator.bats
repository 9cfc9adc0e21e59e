#!/usr/bin/env bats
# The real archy-generator binary, run by hand and the way systemd runs it, on temporary
# directories of this machine. Podman's Quadlet is not installed on Debian 12, so here the
# generator mode is checked up to the hand-over (its "Quadlet missing" error included);
# test/quadlet/quadlet.bats runs the hand-over with the real Quadlet of Debian 13.

setup() {
	GEN=${ARCHY_GENERATOR:-$BATS_TEST_DIRNAME/../../build/archy-generator}
	SHIPPED=$BATS_TEST_DIRNAME/../../manifests/archipelago.yaml
	T=$(mktemp -d /tmp/archy-bats.XXXXXX)
	chmod 755 "$T"
	# the tree is under /tmp (world-writable): trust /tmp and above, check the tree itself
	# (ARCHY_TEST_TRUSTED_DIR, archy-manifest(5) OWNERSHIP AND MODE)
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	mkdir -p "$T/etc" "$T/out/normal" "$T/out/early" "$T/out/late"
	export ARCHY_MANIFEST=$T/etc/manifest.yaml ARCHY_LAST_GOOD=$T/etc/manifest.last-good.yaml
	export ARCHY_STAGING_DIR=$T/run/quadlet ARCHY_QUADLET=$T/no-quadlet
	unset SYSTEMD_SCOPE
}

teardown() { rm -rf "$T"; }

generate() { run "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"; }

@test "--check accepts the shipped manifest" {
	run "$GEN" --check "$SHIPPED"
	[ "$status" -eq 0 ]
	[ "$output" = "$SHIPPED: 7 apps, 0 with problems, 1 uninstalled" ]
}

@test "--check lists every problem and exits 1" {
	printf 'version: 1\napps:\n  lnd:\n    containers:\n      main: {imgae: x}\n' >"$T/bad.yaml"
	run "$GEN" --check "$T/bad.yaml"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/bad.yaml:5:13: apps.lnd.containers.main: missing required key \"image\" (the container image to run)" ]
	[ "${lines[1]}" = "$T/bad.yaml:5:14: apps.lnd.containers.main: unknown key \"imgae\", did you mean \"image\"?" ]
}

@test "--check prints the problems in line order, whichever check found them" {
	# The port clash of app a (line 4) is found by validation, after the parse found the short
	# image of app b (line 6) and the unknown key of app a's other container (line 5).
	printf 'version: 1\napps:\n  a:\n    containers:\n      main: {image: localhost/a:1, ports: ["80:80", "80:81"]}\n      ui: {image: localhost/u:1, environment: {A: b}}\n  b: {containers: {main: {image: postgres}}}\n  c: {state: uninstalled, containers: {main: {image: localhost/c:1}}}\n' >"$T/order.yaml"
	run "$GEN" --check "$T/order.yaml"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "$T/order.yaml:5:53: apps.a.containers.main.ports[1]: host port 80/tcp is also published by ports[0] of this container, expected each host port to be used once" ]
	[ "${lines[1]}" = "$T/order.yaml:6:34: apps.a.containers.ui: unknown key \"environment\": archy calls this env (a mapping NAME: value)" ]
	[ "${lines[2]}" = "$T/order.yaml:7:34: apps.b.containers.main.image: expected a fully qualified image (REGISTRY/NAME:TAG or @DIGEST), got the short name \"postgres\" (podman's short-name resolution is off on the node): write \"docker.io/library/postgres:TAG\"" ]
	[ "${lines[3]}" = "$T/order.yaml: 3 apps, 2 with problems, 1 uninstalled" ]
}

@test "--check of a missing file says so and exits 1" {
	run "$GEN" --check "$T/nope.yaml"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/nope.yaml: no such file" ]
}

@test "wrong arguments exit 2" {
	run "$GEN"
	[ "$status" -eq 2 ]
	run "$GEN" a b
	[ "$status" -eq 2 ]
	run "$GEN" --check --dry-run
	[ "$status" -eq 2 ]
	run "$GEN" --bogus
	[ "$status" -eq 2 ]
}

@test "--help names every mode and environment variable" {
	run "$GEN" --help
	[ "$status" -eq 0 ]
	for word in --check --dry-run --manifest --output --save-last-good ARCHY_MANIFEST ARCHY_LAST_GOOD \
		ARCHY_QUADLET ARCHY_STAGING_DIR ARCHY_LOG_LEVEL ARCHY_TEST_TRUSTED_DIR; do
		[[ "$output" == *"$word"* ]]
	done
}

@test "--dry-run renders the shipped node and explains where Quadlet is missing" {
	run "$GEN" --dry-run --manifest "$SHIPPED" --output "$T/dry"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "6 apps, 13 containers, 10 volumes rendered into $T/dry/quadlet (0 apps skipped)" ]]
	[[ "$output" == *"podman's Quadlet is not installed here"* ]]
	[ -f "$T/dry/quadlet/archy-bitcoin-knots.container" ]
	[ ! -e "$T/dry/quadlet/archy-bitcoin-core.container" ]
	# a second run gives the same bytes
	sum1=$(cat "$T"/dry/quadlet/* | sha256sum)
	run "$GEN" --dry-run --manifest "$SHIPPED" --output "$T/dry"
	[ "$(cat "$T"/dry/quadlet/* | sha256sum)" = "$sum1" ]
}

@test "generator mode without Quadlet: clear error naming podman >= 4.4, exit 1" {
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	generate
	[ "$status" -eq 1 ]
	[[ "$output" == *"podman's Quadlet was not found at $T/no-quadlet: archy needs podman >= 4.4 with Quadlet"* ]]
	[ -f "$T/run/quadlet/archy-lnd.container" ]
}

@test "no manifest at all: no app units, exit 0" {
	# a Quadlet stand-in that only records its call: Quadlet itself is not on this machine
	printf '#!/bin/sh\necho "$QUADLET_UNIT_DIRS $*" >"%s/quadlet-called"\n' "$T" >"$T/fake-quadlet"
	chmod +x "$T/fake-quadlet"
	ARCHY_QUADLET=$T/fake-quadlet generate
	[ "$status" -eq 0 ]
	[[ "$output" == *"no manifest at $ARCHY_MANIFEST: no apps"* ]]
	[ -z "$(ls "$T/run/quadlet")" ]
	[ "$(cat "$T/quadlet-called")" = "$T/run/quadlet $T/out/normal $T/out/early $T/out/late" ]
}

@test "a manifest writable by others is refused and the last good copy is used" {
	# a stand-in for Quadlet, which is not on this machine: it makes no units
	printf '#!/bin/sh\nexit 0\n' >"$T/fake-quadlet" && chmod +x "$T/fake-quadlet"
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	run "$GEN" --save-last-good
	[ "$status" -eq 0 ]
	cmp "$SHIPPED" "$ARCHY_LAST_GOOD"
	printf 'version: 1\napps: {}\n' >"$ARCHY_MANIFEST"
	chmod 666 "$ARCHY_MANIFEST"
	ARCHY_QUADLET=$T/fake-quadlet generate
	# (the stand-in makes no units, which the generator reports: exit 1)
	[[ "$output" == *"the manifest is writable by group or others (mode 0666)"* ]]
	[[ "$output" == *"using the last good copy $ARCHY_LAST_GOOD instead"* ]]
	[ -f "$T/run/quadlet/archy-bitcoin-knots.container" ]
}

@test "a YAML syntax error falls back to the last good copy; a fixed manifest is used again" {
	printf '#!/bin/sh\nexit 0\n' >"$T/fake-quadlet" && chmod +x "$T/fake-quadlet"
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	"$GEN" --save-last-good
	printf 'version: 1\napps:\n  lnd: [\n' >"$ARCHY_MANIFEST"
	run "$GEN" --save-last-good
	[ "$status" -eq 1 ]
	[[ "$output" == *"$ARCHY_MANIFEST is unusable: archy-generator uses the last good copy $ARCHY_LAST_GOOD until it is fixed"* ]]
	cmp "$SHIPPED" "$ARCHY_LAST_GOOD"
	ARCHY_QUADLET=$T/fake-quadlet generate
	[[ "$output" == *"$ARCHY_MANIFEST:4:1: YAML syntax error"* ]]
	[ -f "$T/run/quadlet/archy-mempool-ui.container" ]
	printf 'version: 1\napps:\n  web: {containers: {main: {image: localhost/busybox:test}}}\n' >"$ARCHY_MANIFEST"
	ARCHY_QUADLET=$T/fake-quadlet generate
	[[ "$output" == *"podman's Quadlet made no archy-web.service"* ]]
	[ "$(ls "$T/run/quadlet")" = "$(printf 'archipelago.network\narchy-web.container')" ]
}

@test "run by systemd (SYSTEMD_SCOPE set) it logs to /dev/kmsg, not stderr" {
	[ -w /dev/kmsg ] || skip "no writable /dev/kmsg here"
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	SYSTEMD_SCOPE=system run "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "--save-last-good on an unusable manifest with no last good copy says that no app units are made" {
	printf 'version: 1\napps: [\n' >"$ARCHY_MANIFEST"
	run "$GEN" --save-last-good
	[ "$status" -eq 1 ]
	[[ "$output" == *"is unusable and there is no last good copy $ARCHY_LAST_GOOD: archy-generator generates no app units"* ]]
	[ ! -e "$ARCHY_LAST_GOOD" ]
}

@test "a manifest with a bad app: --save-last-good keeps the old copy and says the app is skipped" {
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	"$GEN" --save-last-good
	sed 's|image: docker.io/lukechilds/electrumx:v1.18.0|image: "bad image"|' "$SHIPPED" >"$ARCHY_MANIFEST"
	run "$GEN" --save-last-good
	[ "$status" -eq 1 ]
	[[ "$output" == *"apps.electrumx.containers.main.image"* ]]
	[[ "$output" == *"has problems (apps with problems are skipped): keeping the last good copy"* ]]
	cmp "$SHIPPED" "$ARCHY_LAST_GOOD"
}

@test "run by systemd with journald listening, it sends native journal entries" {
	command -v python3 >/dev/null || skip "python3 is needed to stand in for journald's socket"
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	# journald does not run on this machine: a datagram socket in a private mount of /run takes
	# its place, and a stand-in for Quadlet (not installed here) makes no units.
	printf '#!/bin/sh\nexit 0\n' >"$T/fake-quadlet" && chmod +x "$T/fake-quadlet"
	run unshare -m --propagation private sh -c '
		mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal &&
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(\"/run/systemd/journal/socket\"); s.settimeout(5)
sys.stdout.write(s.recv(65536).decode()); sys.stdout.flush()" &
		while [ ! -S /run/systemd/journal/socket ]; do sleep 0.05; done
		SYSTEMD_SCOPE=system ARCHY_QUADLET='"$T/fake-quadlet"' ARCHY_STAGING_DIR='"$T/run/quadlet"' \
			"$0" "$1/normal" "$1/early" "$1/late" 2>/dev/null; wait' "$GEN" "$T/out"
	echo "$output"
	[[ "$output" == *"SYSLOG_IDENTIFIER=archy-generator"* ]]
	[[ "$output" == *"PRIORITY="* ]]
	[[ "$output" == *"MESSAGE="* ]]
}

@test "--manifest and --output belong to --dry-run only" {
	run "$GEN" --check --output "$T/x"
	[ "$status" -eq 2 ]
	run "$GEN" --manifest "$SHIPPED" "$T/out/normal"
	[ "$status" -eq 2 ]
	[ ! -e "$T/x" ]
}

# A stand-in for podman's Quadlet (not installed on this machine) that makes the service of
# every .container, .volume and .network it is given, as the real one does: the generator then
# counts no missing unit.
fake_quadlet() {
	cat >"$T/fake-quadlet" <<'EOS'
#!/bin/sh
[ "$1" = -no-kmsg-log ] && shift
for f in "$QUADLET_UNIT_DIRS"/*; do
	n=${f##*/}
	case $n in
	*.container) u=${n%.container}.service ;;
	*.volume) u=${n%.volume}-volume.service ;;
	*.network) u=${n%.network}-network.service ;;
	*) continue ;;
	esac
	printf '[Service]\n' >"$1/$u"
done
EOS
	chmod +x "$T/fake-quadlet"
	export ARCHY_QUADLET=$T/fake-quadlet
}

@test "a key written twice (copy-paste of ports:) at boot: no crash, the last good copy's units, exit 0" {
	fake_quadlet
	cp "$SHIPPED" "$ARCHY_MANIFEST"
	run "$GEN" --save-last-good
	[ "$status" -eq 0 ]
	# every key the issue found crashing or leaking, repeated in its mapping
	sed -e 's|^\(      *\)\(ports: .*\)$|\1\2\n\1\2|' -e 's|^\(      *\)\(volumes: .*\)$|\1\2\n\1\2|' \
		-e 's|^\(    \)\(requires: .*\)$|\1\2\n\1\2|' "$SHIPPED" >"$ARCHY_MANIFEST"
	! cmp -s "$SHIPPED" "$ARCHY_MANIFEST" || false
	generate
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$ARCHY_MANIFEST:"*": apps.bitcoin-knots.containers.main: duplicate key \"ports\" (first at line "* ]]
	[[ "$output" == *": duplicate key \"requires\" (first at line "* ]]
	[[ "$output" == *"using the last good copy $ARCHY_LAST_GOOD instead"* ]]
	[[ "$output" == *"6 apps, 13 containers, 10 volumes from $ARCHY_LAST_GOOD; 0 apps skipped"* ]]
	[ -f "$T/out/normal/archy-bitcoin-knots.service" ]
	[ -f "$T/run/quadlet/archy-mempool-ui.container" ]
}

@test "--check of a manifest with duplicate keys: every one with its place, and a summary line" {
	printf 'version: 1\napps:\n  web:\n    containers:\n      main:\n        image: localhost/x:1\n        ports: ["1:1"]\n        ports: ["2:2"]\n    containers: {}\n' >"$T/dup.yaml"
	run "$GEN" --check "$T/dup.yaml"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$T/dup.yaml:8:9: apps.web.containers.main: duplicate key \"ports\" (first at line 7)" ]
	[ "${lines[1]}" = "$T/dup.yaml:9:5: apps.web: duplicate key \"containers\" (first at line 4)" ]
	[ "${lines[2]}" = "$T/dup.yaml: the manifest is unusable as a whole: 2 problems (archy-generator falls back to the last good copy)" ]
}

@test "--check of an entry with a bad app name counts it: 1 apps, 1 with problems, 0 uninstalled" {
	printf 'version: 1\napps:\n  Bad: {containers: {main: {image: localhost/x:1}}}\n' >"$T/bad.yaml"
	run "$GEN" --check "$T/bad.yaml"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/bad.yaml:3:3: apps: expected an app name matching [a-z][a-z0-9-]{0,47}, got \"Bad\"" ]
	[ "${lines[1]}" = "$T/bad.yaml: 1 apps, 1 with problems, 0 uninstalled" ]
}

@test "an empty path is a usage error that says so (exit 2)" {
	run "$GEN" --check ''
	[ "$status" -eq 2 ]
	[ "$output" = "archy-generator: --check: the manifest path is empty, expected a file name; see --help" ]
	run "$GEN" --dry-run --manifest '' --output "$T/dry"
	[ "$status" -eq 2 ]
	[ "$output" = "archy-generator: --manifest: the path is empty, expected a file name; see --help" ]
	run "$GEN" --dry-run --output ''
	[ "$status" -eq 2 ]
	[ "$output" = "archy-generator: --output: the path is empty, expected a directory name; see --help" ]
	[ ! -e "$T/dry" ]
}

@test "an alias bomb is refused where its first anchor is, and nothing is rendered" {
	# one app with 1000 arguments, its alias 200 times: 200 apps of 1000 arguments each
	{
		printf 'version: 1\napps:\n  a0: &a {containers: {main: {image: localhost/x:1, command: [x'
		for _ in $(seq 999); do printf ', x'; done
		printf ']}}}\n'
		for i in $(seq 200); do printf '  a%s: *a\n' "$i"; done
	} >"$T/bomb.yaml"
	run timeout 10 "$GEN" --dry-run --manifest "$T/bomb.yaml" --output "$T/dry"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/bomb.yaml:3:7: YAML anchor \"&a\": anchors and aliases are not allowed, write the value out in full" ]
	[ "${lines[1]}" = "0 apps, 0 containers, 0 volumes rendered into $T/dry/quadlet (0 apps skipped)" ]
	[ -z "$(ls "$T/dry/quadlet")" ]
}

@test "a 16 MiB nesting bomb is refused at the 65th level within a second" {
	python3 -c 'import sys; n = (8 << 20) - 16; sys.stdout.write("version: 1\napps: " + "[" * n + "]" * n + "\n")' >"$T/deep.yaml"
	SECONDS=0
	run timeout 10 "$GEN" --check "$T/deep.yaml"
	[ "$SECONDS" -le 1 ]
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/deep.yaml:2:70: lists and mappings nested deeper than 64 levels, expected at most 64" ]
}

@test "a FIFO at the manifest path or the last good path is refused at once, with what it is" {
	fake_quadlet
	cp "$SHIPPED" "$ARCHY_LAST_GOOD"
	mkfifo "$ARCHY_MANIFEST"
	run timeout 5 "$GEN" --check
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$ARCHY_MANIFEST: cannot read the manifest: it is a FIFO, expected a regular file" ]
	run timeout 5 "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"using the last good copy $ARCHY_LAST_GOOD instead"* ]]
	[ -f "$T/out/normal/archy-bitcoin-knots.service" ]
	rm "$ARCHY_MANIFEST" "$ARCHY_LAST_GOOD"
	printf 'version: 1\napps: [\n' >"$ARCHY_MANIFEST"
	mkfifo "$ARCHY_LAST_GOOD"
	run timeout 5 "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$ARCHY_LAST_GOOD: cannot read the manifest: it is a FIFO, expected a regular file"* ]]
	[[ "$output" == *"there is no usable last good copy"* ]]
	run timeout 5 "$GEN" --save-last-good
	[ "$status" -eq 1 ]
	[ -p "$ARCHY_LAST_GOOD" ]
}

@test "a manifest path with a newline is refused (exit 2), nothing is rendered; a '%' is kept as it is" {
	printf '#!/bin/sh\nexit 0\n' >"$T/fake-quadlet" && chmod +x "$T/fake-quadlet"
	# a file of that name exists: without the check its name would become a directive
	local bad="$T/etc/m
ExecStartPre=touch pwned
#"
	cp "$SHIPPED" "$bad"
	ARCHY_MANIFEST=$bad ARCHY_QUADLET=$T/fake-quadlet generate
	[ "$status" -eq 2 ]
	[ "$output" = "archy-generator: ARCHY_MANIFEST: the path \"$T/etc/m\\nExecStartPre=touch pwned\\n#\" has a control character or invalid UTF-8 and cannot be written into a unit file safely; refusing it, no units were made" ]
	[ ! -e "$T/run/quadlet" ]
	run "$GEN" --dry-run --manifest "$bad" --output "$T/dry"
	[ "$status" -eq 2 ]
	[[ "$output" == "archy-generator: the manifest: the path \"$T/etc/m\\nExecStartPre"* ]]
	[ ! -e "$T/dry" ]
	ARCHY_LAST_GOOD=$bad ARCHY_QUADLET=$T/fake-quadlet generate
	[ "$status" -eq 2 ]
	[[ "$output" == "archy-generator: ARCHY_LAST_GOOD: the path \"$T/etc/m\\nExecStartPre"* ]]
	# a C1 control (NEL) is refused too
	ARCHY_STAGING_DIR=$T/run/q$'\xc2\x85'x ARCHY_QUADLET=$T/fake-quadlet generate
	[ "$status" -eq 2 ]
	[ "$output" = "archy-generator: ARCHY_STAGING_DIR: the path \"$T/run/q\\xc2\\x85x\" has a control character or invalid UTF-8 and cannot be written into a unit file safely; refusing it, no units were made" ]

	mkdir "$T/etc/50%done"
	cp "$SHIPPED" "$T/etc/50%done/manifest.yaml"
	ARCHY_MANIFEST="$T/etc/50%done/manifest.yaml" ARCHY_QUADLET=$T/fake-quadlet generate
	echo "$output"
	[ "$(head -2 "$T/run/quadlet/archy-lnd.container")" = "# Automatically generated by archy-generator from $T/etc/50%done/manifest.yaml
# (app lnd, container main, state started). Do not edit: edit the manifest and run systemctl daemon-reload." ]
	[ "$(sed -n 3p "$T/run/quadlet/archy-lnd.container")" = "[Unit]" ]
}

@test "--dry-run: an app whose files cannot be written is skipped and the run exits 1" {
	mkdir -p "$T/dry/quadlet/archy-lnd.container"
	run "$GEN" --dry-run --manifest "$SHIPPED" --output "$T/dry"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "archy-generator: app lnd: cannot write $T/dry/quadlet/archy-lnd.container: File exists" ]
	[ "${lines[1]}" = "5 apps, 10 containers, 8 volumes rendered into $T/dry/quadlet (1 apps skipped)" ]
	# nothing of lnd but the directory in the way
	[ "$(cd "$T/dry/quadlet" && echo *lnd*)" = "archy-lnd.container" ]
	[ -d "$T/dry/quadlet/archy-lnd.container" ]
}

# A stand-in for podman's Quadlet that fails the way it does on a full /run: it writes some units
# whole, leaves others empty (0 bytes) or cut short, and links each into archy-apps.target.wants.
# A stand-in, because a full /run cannot be made safely on a host that runs other things, and
# Quadlet is not on this machine anyway (test/quadlet runs the real one).
full_run_quadlet() {
	cat >"$T/full-quadlet" <<'EOS'
#!/bin/sh
[ "$1" = -no-kmsg-log ] && shift
out=$1
mkdir -p "$out/archy-apps.target.wants"
for f in "$QUADLET_UNIT_DIRS"/*; do
	b=${f##*/}
	case $b in
	*.container) u=${b%.container}.service ;;
	*.volume) u=${b%.volume}-volume.service ;;
	*.network) u=${b%.network}-network.service ;;
	esac
	case $u in
	archy-web.service) : >"$out/$u" ;;
	archy-web-ui.service) printf '[Unit]\nDescription=cut\n[Serv' >"$out/$u" ;;
	*) printf '[Unit]\nDescription=%s\n\n[Service]\nExecStart=/bin/true\n' "$u" >"$out/$u" ;;
	esac
	ln -s "../$u" "$out/archy-apps.target.wants/$u"
done
exit "${QUADLET_STATUS:-0}"
EOS
	chmod +x "$T/full-quadlet"
	cat >"$ARCHY_MANIFEST" <<'EOM'
version: 1
apps:
  web:
    containers:
      main: {image: localhost/busybox:test, volumes: ["data:/data"]}
      ui: {image: localhost/busybox:test}
  db:
    containers:
      main: {image: localhost/busybox:test}
EOM
}

@test "Quadlet on a full /run (stand-in): empty and cut-short units are removed with their links, reported, exit 1" {
	full_run_quadlet
	ARCHY_QUADLET=$T/full-quadlet generate
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "archy-generator: app web: podman's Quadlet left $T/out/normal/archy-web.service that is empty (0 bytes; is /run full?): removed it so that systemd loads no broken unit, this unit will not run" ]
	[ "${lines[2]}" = "archy-generator: app web: podman's Quadlet left $T/out/normal/archy-web-ui.service that is cut short (no final newline) (28 bytes; is /run full?): removed it so that systemd loads no broken unit, this unit will not run" ]
	[ "${#lines[@]}" -eq 3 ]
	[ ! -e "$T/out/normal/archy-web.service" ] && [ ! -L "$T/out/normal/archy-apps.target.wants/archy-web.service" ]
	[ ! -e "$T/out/normal/archy-web-ui.service" ] && [ ! -L "$T/out/normal/archy-apps.target.wants/archy-web-ui.service" ]
	# the whole ones stay, links and all
	[ -s "$T/out/normal/archy-db.service" ] && [ -L "$T/out/normal/archy-apps.target.wants/archy-db.service" ]
	[ -s "$T/out/normal/archy-web-data-volume.service" ] && [ -s "$T/out/normal/archipelago-network.service" ]
}

@test "Quadlet failing after leaving empty units (stand-in): they are removed too" {
	full_run_quadlet
	QUADLET_STATUS=1 ARCHY_QUADLET=$T/full-quadlet generate
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"podman's Quadlet $T/full-quadlet failed with status 1"* ]]
	[[ "$output" == *"left $T/out/normal/archy-web.service that is empty"* ]]
	[ ! -e "$T/out/normal/archy-web.service" ]
	[ -s "$T/out/normal/archy-db.service" ]
}

@test "--dry-run with Quadlet on a full /run (stand-in): broken units removed from DIR/units, exit 1" {
	full_run_quadlet
	ARCHY_QUADLET=$T/full-quadlet run "$GEN" --dry-run --manifest "$ARCHY_MANIFEST" --output "$T/dry"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"app web: podman's Quadlet left $T/dry/units/archy-web.service that is empty (0 bytes"* ]]
	[ ! -e "$T/dry/units/archy-web.service" ] && [ ! -e "$T/dry/units/archy-web-ui.service" ]
	[ -s "$T/dry/units/archy-db.service" ]
}
