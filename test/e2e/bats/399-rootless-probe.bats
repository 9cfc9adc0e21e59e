# throwaway (harness16): what the apps user's manager and podman look like at boot
load helpers

@test "probe | rootless | user manager and podman" {
	echo "mode=$ARCHY_MODE user=$APPS_USER uid=$APPS_UID home=$APPS_HOME" >&3
	ls -la /var/lib/systemd/linger >&3
	loginctl list-users --no-legend >&3 2>&1 || true
	systemctl status --no-pager "user@$APPS_UID.service" >&3 2>&1 || true
	app_systemctl is-system-running >&3 2>&1 || true
	app_systemctl list-units --no-pager 'archy*' 'archipelago*' >&3 2>&1 || true
	app_podman images >&3 2>&1
	app_podman info --format '{{.Host.NetworkBackend}} {{.Host.CgroupManager}} {{.Store.GraphDriverName}} {{.Host.Pasta.Executable}}' >&3 2>&1
	run app_podman run --rm localhost/archy-standin:1 archy-standin resolve host.containers.internal
	echo "run: $status $output" >&3
	run app_podman run --rm --add-host host.archipelago:host-gateway localhost/archy-standin:1 archy-standin resolve host.archipelago
	echo "host-gateway: $status $output" >&3
	ip -br addr >&3
}
