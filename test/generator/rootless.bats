#!/usr/bin/env bats
# A rootless node (archy-manifest(5) NODE) on this machine's generator binary: the system generator
# renders no app units and orders the apps user's manager after archy-derive; the same binary run
# as the apps user's user generator (SYSTEMD_SCOPE=user, as systemd runs it) renders them for that
# user's Quadlet (-user) and enables archy's user units for it alone. The apps user here is
# "nobody" (every Debian machine has it); Quadlet is a recording stand-in (Debian 12 has none; the
# e2e rootless layer runs the real one).

setup() {
	GEN=${ARCHY_GENERATOR:-$BATS_TEST_DIRNAME/../../build/archy-generator}
	T=$(mktemp -d /tmp/archy-bats.XXXXXX)
	chmod 755 "$T"
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	mkdir -p "$T/etc" "$T/out/normal" "$T/out/early" "$T/out/late" "$T/user-run"
	chown -R nobody "$T/out" "$T/user-run"
	export ARCHY_MANIFEST=$T/etc/manifest.yaml ARCHY_LAST_GOOD=$T/etc/manifest.last-good.yaml
	export ARCHY_QUADLET=$T/quadlet ARCHY_SUBUID_FILE=$T/etc/subuid ARCHY_SUBGID_FILE=$T/etc/subgid
	printf 'nobody:524288:65536\n' >"$T/etc/subuid"
	cp "$T/etc/subuid" "$T/etc/subgid"
	# records how it was called and what it was handed
	cat >"$T/quadlet" <<-QUADLET
		#!/bin/sh
		echo "\$@" >"$T/quadlet.args"
		ls "\$QUADLET_UNIT_DIRS" >"$T/quadlet.files"
		[ "\$1" = -user ] && shift
		for f in "\$QUADLET_UNIT_DIRS"/*; do
			b=\$(basename "\$f")
			case \$b in
			*.container) n=\${b%.container} ;;
			*.network) n=\${b%.network}-network ;;
			*) n=\${b%.volume}-volume ;;
			esac
			printf '[Unit]\n[Service]\nExecStart=/bin/true\n' >"\$1/\$n.service"
		done
	QUADLET
	chmod 755 "$T/quadlet"
	touch "$T/quadlet.args" "$T/quadlet.files"
	chmod 666 "$T/quadlet.args" "$T/quadlet.files"
	unset SYSTEMD_SCOPE ARCHY_STAGING_DIR
}

teardown() { rm -rf "$T"; }

manifest() {
	printf 'version: 1\n%bapps:\n  web:\n    containers:\n      main:\n        image: localhost/x:1\n        volumes: ["/srv/web:/data"]\n    volumes: {}\n  dep:\n    requires: [web]\n    containers:\n      main: {image: localhost/x:1}\n' "$1" >"$ARCHY_MANIFEST"
	sed -i 's|        volumes: \["/srv/web:/data"\]|        volumes: [{source: /srv/web, target: /data, create: {owner: "1000:1000"}}]|; /^    volumes: {}$/d' "$ARCHY_MANIFEST"
}

as_user_generator() {
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env SYSTEMD_SCOPE=user XDG_RUNTIME_DIR="$T/user-run" \
		ARCHY_MANIFEST="$ARCHY_MANIFEST" ARCHY_LAST_GOOD="$ARCHY_LAST_GOOD" ARCHY_QUADLET="$ARCHY_QUADLET" \
		ARCHY_TEST_TRUSTED_DIR="$ARCHY_TEST_TRUSTED_DIR" "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
}

@test "rootless: the apps user's user generator renders the apps for its own Quadlet (-user)" {
	manifest 'node: {mode: rootless, user: nobody}\n'
	as_user_generator
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/quadlet.args")" = "-user $T/out/normal $T/out/early $T/out/late" ]
	grep -qx archy-web.container "$T/quadlet.files"
	local unit=$T/user-run/archy/quadlet/archy-web.container
	grep -qx 'AddHost=host.archipelago:host-gateway' "$unit"
	# a stop of the app's main part stops its dependents in the same (user) manager
	grep -q "ExecStopPost=-/bin/sh -c 'systemctl --user list-jobs .* exec systemctl --user stop --no-block" "$T/user-run/archy/quadlet/archy-web.container"
	# the user cannot chown to its subordinate ids: archy-derive (root) creates bind sources
	run grep -c 'ExecStartPre=.*--bind-source' "$unit"
	[ "$output" = 0 ]
	[ "$(readlink "$T/out/normal/default.target.wants/archy-apps.target")" = /usr/lib/systemd/user/archy-apps.target ]
	[ "$(readlink "$T/out/normal/timers.target.wants/archy-podman-repair.timer")" = /usr/lib/systemd/user/archy-podman-repair.timer ]
	[ "$(readlink "$T/out/normal/timers.target.wants/archy-reconcile.timer")" = /usr/lib/systemd/user/archy-reconcile.timer ]
}

@test "rootless: another user's user generator renders nothing and enables nothing" {
	manifest 'node: {mode: rootless, user: archipelago}\n'
	as_user_generator
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/quadlet.args" ]
	[ -z "$(ls -A "$T/out/normal")" ]
}

# A broken manifest: an unclosed flow sequence in its second line.
break_manifest() {
	cp "$ARCHY_MANIFEST" "$ARCHY_LAST_GOOD"
	sed -i '2s/^node: {/node: [{/' "$ARCHY_MANIFEST"
}

@test "rootless: a broken manifest: the apps user's user generator keeps the last good units and says why" {
	manifest 'node: {mode: rootless, user: nobody}\n'
	break_manifest
	as_user_generator
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ "$ARCHY_MANIFEST":[0-9]+:[0-9]+:\ YAML\ syntax\ error ]]
	[[ $output == *"the manifest $ARCHY_MANIFEST is unusable (see above): using the last good copy $ARCHY_LAST_GOOD instead"* ]]
	[ "$(cat "$T/quadlet.args")" = "-user $T/out/normal $T/out/early $T/out/late" ]
	[ -s "$T/out/normal/archy-web.service" ]
	[ -s "$T/out/normal/archy-dep.service" ]
	[ -L "$T/out/normal/default.target.wants/archy-apps.target" ]
}

@test "rootless: a broken manifest: another user's user generator says nothing and makes nothing" {
	manifest 'node: {mode: rootless, user: archipelago}\n'
	break_manifest
	as_user_generator
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/quadlet.args" ]
	[ -z "$(ls -A "$T/out/normal")" ]
}

@test "rootless: no usable manifest nor last good copy: a user generator says nothing and makes nothing" {
	manifest 'node: {mode: rootless, user: nobody}\n'
	break_manifest
	rm "$ARCHY_LAST_GOOD"
	as_user_generator
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ ! -s "$T/quadlet.args" ]
	[ -z "$(ls -A "$T/out/normal")" ]
}

@test "rootful: a user generator renders nothing" {
	manifest ''
	as_user_generator
	[ "$status" -eq 0 ]
	[ ! -s "$T/quadlet.args" ]
	[ -z "$(ls -A "$T/out/normal")" ]
}

@test "rootless: the system generator renders no app units, orders the apps user's manager after archy-derive, masks the system's reconcile timer" {
	manifest 'node: {mode: rootless, user: nobody}\n'
	mkdir -p "$T/run/quadlet"
	touch "$T/run/quadlet/archy-old.container" # a rootful run's leftovers
	ARCHY_STAGING_DIR=$T/run/quadlet run "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -s "$T/quadlet.args" ]
	[ -z "$(ls -A "$T/run/quadlet")" ]
	local dropin
	dropin=$T/out/normal/user@$(id -u nobody).service.d/50-archy.conf
	grep -qx 'After=archy-derive.service' "$dropin"
	grep -qx 'Wants=archy-derive.service' "$dropin"
	# the system's reconcile timer masked (the user manager's runs the node's reconcile)
	[ "$(readlink "$T/out/early/archy-reconcile.timer")" = /dev/null ]
}

@test "rootless: no apps user in the password database is a clear error at boot" {
	manifest 'node: {mode: rootless, user: archy-no-such-user}\n'
	ARCHY_STAGING_DIR=$T/run/quadlet run "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"rootless node: no user archy-no-such-user (node.user): create it with archy-setup-rootless archy-no-such-user"* ]]
}

@test "rootful: the system generator renders the apps as before, with host.archipelago from host-gateway" {
	manifest ''
	ARCHY_STAGING_DIR=$T/run/quadlet run "$GEN" "$T/out/normal" "$T/out/early" "$T/out/late"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/quadlet.args")" = "$T/out/normal $T/out/early $T/out/late" ]
	grep -qx 'AddHost=host.archipelago:host-gateway' "$T/run/quadlet/archy-web.container"
	grep -q 'ExecStartPre=.*--bind-source /srv/web --owner 1000:1000' "$T/run/quadlet/archy-web.container"
	[ ! -e "$T/out/early/archy-reconcile.timer" ] && [ ! -L "$T/out/early/archy-reconcile.timer" ]
}
