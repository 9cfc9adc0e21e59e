# SPDX-License-Identifier: LGPL-2.1-or-later
# Volumes and wiring between apps (archy-manifest(5): VOLUMES, WIRING BETWEEN APPS) with real
# systemd 257, podman 5.4 and Quadlet: a named volume with an owner, a host bind source archy
# creates with owner and mode, an env var that names another app's host and port and really
# connects, and another app's volume mounted read-only (read works, write fails). In both modes:
# rootless, the owners on the host are the ids that hold them in the apps user's namespace
# (host_owner), and the system's archy-derive creates the bind source at its runs (a rootless
# unit has no ExecStartPre: archy-derive(8), ROOTLESS NODE).
load helpers

IMAGE=localhost/archy-standin:1
BINDS=/srv/archy-e2e-binds
CONF=/run/archipelago/vconf/peer.conf

# Extra apps, stopped (nothing starts them at boot): each test starts what it looks at.
extra_apps() {
	cat <<YAML

  vsrv:
    state: stopped
    volumes:
      vdata: {owner: "1000:1001"}
    containers:
      main:
        image: $IMAGE
        command: [sh, -c, "mkdir -p /www && echo served-by-vsrv >/www/index.html && echo hello-vsrv >/vdata/marker && exec httpd -f -p 8080 -h /www"]
        volumes: ["vdata:/vdata"]
        expose: {web: 8080}
  vbind:
    state: stopped
    requires: [vsrv]
    containers:
      main:
        image: $IMAGE
        command: [sleep, "1000000"]
        env:
          PEER: "\${app:vsrv.host}:\${app:vsrv.ports.web}"
        volumes:
          - {source: $BINDS/vbind, target: /bind, create: {owner: "1000:1001", mode: "0750"}}
          - {app: vsrv, volume: vdata, target: /peer, read_only: true}
  vconf:
    state: stopped
    requires: [vsrv]
    containers:
      main: {image: $IMAGE, command: [sleep, "1000000"]}
    derived:
      - kind: file
        path: $CONF
        mode: "0644"
        content: |
          peer = \${app:vsrv.host}:\${app:vsrv.ports.web}
  vmissing:
    state: stopped
    containers:
      main:
        image: $IMAGE
        command: [sleep, "1000000"]
        volumes:
          - {source: $BINDS/not-created, target: /bind}
YAML
}

setup_file() {
	rm -rf "$BINDS"
	add_extra_apps
}

drop_extra_data() {
	app_podman volume rm -f archy-vsrv-vdata >/dev/null 2>&1 || true
	rm -rf "$BINDS" "$(dirname "$CONF")"
}
teardown_file() { drop_extra_apps; }

@test "vsrv | volume-owner | a named volume with owner 1000:1001 is owned so, on the host and inside" {
	app_systemctl start archy-vsrv.service
	wait_for 60 running vsrv
	[ "$(app_podman exec archy-vsrv stat -c %u:%g /vdata)" = 1000:1001 ]
	local dir
	dir=$(app_podman volume inspect --format '{{.Mountpoint}}' archy-vsrv-vdata)
	echo "# volume at $dir: $(stat -c '%u:%g %a' "$dir") ($ARCHY_MODE; 1000:1001 is $(host_owner 1000:1001) on the host)" >&3
	[ "$(stat -c %u:%g "$dir")" = "$(host_owner 1000:1001)" ]
}

@test "vbind | bind-source-create | archy-derive creates the missing bind source with its owner and mode" {
	local by=archy-vbind.service
	if rootless; then
		# archy-derive.timer's next run (30 s) creates it; the unit would fail without it
		by=archy-derive.service
		wait_for 70 test -d "$BINDS/vbind"
	else
		[ ! -e "$BINDS/vbind" ]
	fi
	app_systemctl start archy-vbind.service
	wait_for 60 running vbind
	[ "$(stat -c '%u:%g %a' "$BINDS/vbind")" = "$(host_owner 1000:1001) 750" ]
	[ "$(stat -c '%u:%g %a' "$BINDS")" = "0:0 755" ] # a missing parent: root's 0755
	[ "$(app_podman exec archy-vbind stat -c '%u:%g %a' /bind)" = "1000:1001 750" ]
	journalctl -u "$by" --no-pager | grep -q "bind source $BINDS/vbind created (owner $(host_owner 1000:1001), mode 0750)"
}

@test "vbind | wiring | PEER names vsrv's host and exposed port, and a request to it is answered" {
	# shellcheck disable=SC2016 # expanded inside the container
	[ "$(app_podman exec archy-vbind sh -c 'echo "$PEER"')" = archy-vsrv:8080 ]
	# shellcheck disable=SC2016
	wait_for 30 app_podman exec archy-vbind sh -c 'wget -qO- "http://$PEER/" | grep -qx served-by-vsrv'
}

@test "vconf | wiring-file | archy-derive writes a file with vsrv's host and port put in" {
	archy-derive --app vconf
	[ "$(cat "$CONF")" = "peer = archy-vsrv:8080" ]
}

@test "vbind | app-volume-ro | vsrv's volume is readable in vbind, and a write to it fails" {
	[ "$(app_podman exec archy-vbind cat /peer/marker)" = hello-vsrv ]
	run app_podman exec archy-vbind sh -c 'echo x >/peer/written'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$(app_podman volume inspect --format '{{.Mountpoint}}' archy-vsrv-vdata)/written" ]
	# the bind source next to it is writable: the refusal is the read-only mount's
	app_podman exec archy-vbind sh -c 'echo x >/bind/written'
}

@test "vmissing | bind-source-missing | without create, podman refuses a missing bind source: the unit fails" {
	run app_systemctl start archy-vmissing.service
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e "$BINDS/not-created" ]
	no_container vmissing
	app_systemctl stop archy-vmissing.service || true
	app_systemctl reset-failed archy-vmissing.service || true
}
