# SPDX-License-Identifier: LGPL-2.1-or-later
# Uninstall of the shipped node, one leaf app at a time, leaves first (an app only after every app
# that requires it; the last plan step: it leaves no app):
# after each, nothing of the app is left (no archy-APP unit loaded, no container, none of its
# published ports listening, no nginx route file, its nginx port closed), and nginx still serves
# every app that is left.
load helpers-lifecycle

setup_file() {
	rm -rf "$STATE/quadlet-before-uninstall"
	cp -r "$QUADLET" "$STATE/quadlet-before-uninstall"
}

not_listening() { ! listening_on "$1"; }

# uninstall APP: in a copy of the manifest as it is now, applied; then the checks
uninstall() {
	local app=$1 m left port
	m=$(with_states "$MANIFEST" "$app=uninstalled")
	apply "$m"
	no_orphans "$app" "$STATE/quadlet-before-uninstall"
	port=$(route_port_of "$app")
	if [ -n "$port" ] && ! wait_for 60 not_listening "$port"; then
		echo "$app: nginx still listens on its port $port"
		return 1
	fi
	systemctl is-active --quiet nginx.service || {
		echo "nginx is $(systemctl is-active nginx.service) after $app's uninstall"
		return 1
	}
	for left in $(started_apps); do
		[ -z "$(route_port_of "$left")" ] || wait_for 60 nginx_serves "$left" || {
			nginx_serves "$left"
			return 1
		}
	done
}

@test "fedimint | uninstall | no orphans, nginx still serves the others" { uninstall fedimint; }
@test "mempool | uninstall | no orphans, nginx still serves the others" { uninstall mempool; }
@test "btcpay-server | uninstall | no orphans, nginx still serves the others" { uninstall btcpay-server; }
@test "electrumx | uninstall | no orphans, nginx still serves the others" { uninstall electrumx; }
@test "lnd | uninstall | no orphans, nginx still serves the others" { uninstall lnd; }
@test "bitcoin-knots | uninstall | no orphans, nginx still serves the dashboard" {
	uninstall bitcoin-knots
	[ -z "$(podman ps -a --filter label=archy.managed=true --format '{{.Names}}')" ]
	# nginx itself still answers on 443 (whatever the dashboard's upstream says)
	[ "$(curl -ks -m 5 -o /dev/null -w '%{http_code}' https://127.0.0.1/)" != 000 ]
	[ -z "$(ls -A /etc/nginx/archipelago-ports.d)" ]
}
