# SPDX-License-Identifier: LGPL-2.1-or-later
# A container's runtime and hardening keys (archy-manifest(5)) with real systemd 257, podman 5.4
# and Quadlet: the user, host name, working directory, read-only root, tmpfs, dropped
# capabilities, no_new_privileges, ulimits and a command string reach the process; and a container
# over its mem_limit is OOM-killed and restarted by systemd while the other apps keep their
# containers (where the kernel has a memory controller: the QEMU VM; nspawn guests here have none).
# In both modes (app_systemctl, app_podman). Rootless, a limit needs the controller delegated to the
# apps user's manager (user@.service's Delegate=): where it is not, podman does not drop the limit and
# the OCI runtime refuses to start the container, which the unit's journal says: the hog row checks
# that the app is refused, said why, and nothing else is touched, rather than run with no limit.
# Where the controller is missing (both modes in nspawn), archyctl doctor's limits check names the
# unit before anything starts.
load helpers

IMAGE=localhost/archy-standin:1

# Extra apps, stopped (nothing starts them at boot): each test starts what it looks at. The
# command string runs in /bin/sh and writes what the process sees into the tmpfs.
extra_apps() {
	cat <<YAML

  limits:
    state: stopped
    containers:
      main:
        image: $IMAGE
        command: 'echo "\$(id -u):\$(id -g) \$(hostname) \$(pwd) \$(ulimit -n) \$(ulimit -Hn)" >/scratch/facts && exec sleep 1000000'
        user: "1234:2345"
        hostname: limits-host
        working_dir: /www
        read_only: true
        tmpfs: ["/scratch:size=8m,mode=1777"]
        cap_drop: [ALL]
        no_new_privileges: true
        stop_signal: SIGINT
        ulimits: {nofile: {soft: 1111, hard: 2222}}
  hog:
    state: stopped
    containers:
      main:
        image: $IMAGE
        command: [sh, -c, "sleep 3; exec archy-standin hog --mb 96"]
        mem_limit: 48m
        cpus: 0.5
YAML
}

setup_file() {
	add_extra_apps
	app_systemctl start archy-limits.service
	# Few podman calls (each takes seconds in a TCG guest): what the command wrote, what root
	# in the container can do (errors included), and podman's view.
	wait_for 60 save_facts
	# shellcheck disable=SC2016 # run by the container's shell
	app_podman exec --user 0 archy-limits sh -c 'echo x >/probe; echo "write=$?"; chown 0:0 /scratch/facts; \
		echo "chown=$?"; grep -e ^CapEff -e ^NoNewPrivs /proc/self/status; stat -c "mode=%a" /scratch; \
		grep " /scratch " /proc/mounts' >"$BATS_FILE_TMPDIR/root" 2>&1
	app_podman inspect --format '{{join .Config.Cmd "|"}}
{{.Config.StopSignal}}' archy-limits >"$BATS_FILE_TMPDIR/inspect"
}

teardown_file() { drop_extra_apps; }

save_facts() { app_podman exec archy-limits cat /scratch/facts >"$BATS_FILE_TMPDIR/facts" && [ -s "$BATS_FILE_TMPDIR/facts" ]; }
fact() { cut -d' ' -f"$1" "$BATS_FILE_TMPDIR/facts"; }
root_saw() { grep -qF -- "$1" "$BATS_FILE_TMPDIR/root" || { cat "$BATS_FILE_TMPDIR/root"; false; }; }
nrestarts() { app_systemctl show -p NRestarts --value archy-hog.service; }
restarts_at_least() { [ "$(nrestarts)" -ge "$1" ]; }

@test "limits | user | the command runs as UID:GID 1234:2345" {
	[ "$(fact 1)" = 1234:2345 ]
}

@test "limits | hostname-working_dir | the container's host name and start directory are the manifest's" {
	[ "$(fact 2)" = limits-host ]
	[ "$(fact 3)" = /www ]
}

@test "limits | command-string | the string ran in /bin/sh: its \$(...) were expanded there" {
	# shellcheck disable=SC2016 # the $ are the manifest's, not this shell's
	! grep -qF '$(' "$BATS_FILE_TMPDIR/facts" || false
	# shellcheck disable=SC2016
	[ "$(sed -n 1p "$BATS_FILE_TMPDIR/inspect")" = \
		'/bin/sh|-c|echo "$(id -u):$(id -g) $(hostname) $(pwd) $(ulimit -n) $(ulimit -Hn)" >/scratch/facts && exec sleep 1000000' ]
}

@test "limits | read_only | even root cannot write to the root filesystem" {
	root_saw "Read-only file system"
	! root_saw "write=0" || false
}

@test "limits | tmpfs | /scratch is a tmpfs of 8 MiB, mode 1777, that the user wrote to" {
	root_saw "tmpfs /scratch tmpfs rw,"
	root_saw "size=8192k"
	# (the kernel shows no mode= for tmpfs's default 1777)
	root_saw "mode=1777"
	[ -s "$BATS_FILE_TMPDIR/facts" ]
}

@test "limits | cap_drop | with every capability dropped, root in the container cannot chown" {
	root_saw "Operation not permitted"
	! root_saw "chown=0" || false
	root_saw "CapEff:	0000000000000000"
}

@test "limits | no_new_privileges-stop_signal | NoNewPrivs is set and podman stops it with SIGINT" {
	root_saw "NoNewPrivs:	1"
	[ "$(sed -n 2p "$BATS_FILE_TMPDIR/inspect")" = SIGINT ]
}

@test "limits | ulimits | nofile is soft 1111 and hard 2222 in the container" {
	[ "$(fact 4)" = 1111 ]
	[ "$(fact 5)" = 2222 ]
}

# The controllers the manager that runs the apps may hand out: the root cgroup's (rootful), what
# the apps user's manager was delegated (rootless).
apps_controllers() {
	if rootless; then
		cat "/sys/fs/cgroup/user.slice/user-$APPS_UID.slice/user@$APPS_UID.service/cgroup.controllers"
	else
		cat /sys/fs/cgroup/cgroup.controllers
	fi
}
hog_failed() { [ "$(app_systemctl show -p ActiveState --value archy-hog.service)" = failed ] || [ "$(nrestarts)" -ge 1 ]; }

@test "hog | mem_limit | over its memory limit it is OOM-killed and restarted (no memory controller: refused, said why); other apps keep their containers" {
	local controllers
	controllers=$(apps_controllers)
	echo "# $ARCHY_MODE: controllers of the apps' manager: ${controllers:-none}" >&3
	if ! grep -qw memory <<<"$controllers"; then
		doctor_names_hog
		rootless || skip "this kernel delegates no memory controller to the guest (/sys/fs/cgroup/cgroup.controllers: ${controllers:-none}); the QEMU VM layer runs this test"
		hog_refused
		return
	fi
	record_ids "$BATS_TEST_TMPDIR/ids"
	since=$(date '+%Y-%m-%d %H:%M:%S')
	app_systemctl start archy-hog.service
	wait_for 60 running hog
	first=$(cid hog)
	[ "$(app_podman inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}}' archy-hog)" = \
		"50331648 50331648 500000000" ]
	# the hog goes past 48 MiB 3 s after its start: the kernel kills it, systemd starts a new container
	wait_for 120 restarts_at_least 1
	wait_for 60 restarted_since hog "$first"
	journalctl -k --since "$since" | grep -E 'Memory cgroup out of memory: Killed process [0-9]+ \(archy-standin\)'
	for app in "${STARTED[@]}"; do assert_same_container "$app" "$BATS_TEST_TMPDIR/ids"; done
}

# archyctl doctor says why the hog cannot start: its limits check is attention, naming the unit.
doctor_names_hog() {
	local rc=0
	archyctl doctor --json >"$BATS_TEST_TMPDIR/doctor.json" 2>"$BATS_TEST_TMPDIR/doctor.err" || rc=$?
	python3 -c 'import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "limits"][0]
print("# doctor: %s: %s (%s)" % (c["verdict"], c["detail"], c["suggestion"]))
ok = c["verdict"] == "attention" and "archy-hog.service: mem_limit needs the memory controller" in c["findings"]
sys.exit(0 if ok else 1)' "$BATS_TEST_TMPDIR/doctor.json" >&3 || {
		cat "$BATS_TEST_TMPDIR/doctor.json" "$BATS_TEST_TMPDIR/doctor.err" >&2
		return 1
	}
	[ "$rc" -eq 5 ]
}

# A rootless node whose apps user was not delegated the memory controller: the app with a
# mem_limit does not run unlimited; its start fails and its journal names the limit it could not
# set; the other apps keep their containers.
hog_refused() {
	local since journal rc=0
	record_ids "$BATS_TEST_TMPDIR/ids"
	since=$(date '+%Y-%m-%d %H:%M:%S')
	app_systemctl start archy-hog.service || rc=$?
	wait_for 60 hog_failed || true
	journal=$(app_journalctl -u archy-hog.service --since "$since" --no-pager -o cat)
	echo "$journal" | grep -iE 'memory|cpu|cgroup' | sed 's/^/# hog: /' | head -5 >&3
	app_systemctl stop archy-hog.service || true
	app_systemctl reset-failed archy-hog.service || true
	[ "$rc" -ne 0 ] || {
		echo "the hog started although its memory limit cannot be enforced:" >&2
		echo "$journal" >&2
		return 1
	}
	# crun 1.21: "opening file `memory.max` for writing: No such file or directory"
	grep -qE '(memory|cpu)\.max|controller .(memory|cpu). is not available' <<<"$journal" || {
		echo "$journal" >&2
		return 1
	}
	no_container hog
	for app in "${STARTED[@]}"; do assert_same_container "$app" "$BATS_TEST_TMPDIR/ids"; done
}
