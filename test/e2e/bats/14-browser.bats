# SPDX-License-Identifier: LGPL-2.1-or-later
# The browser-driven UI checks work in the guest (helpers-browser.bash): headless Chromium from the
# rootfs loads a stand-in UI on its port, through the node's nginx on an HTTPS port of its own, and
# framed by the dashboard's harness on https://127.0.0.1/; and it fails where real UIs would break:
# a prefix-stripping sub-path, an X-Frame-Options: DENY with no frame-ancestors.
# The per-app rows call the same helpers on the shipped manifest's apps.
# shellcheck disable=SC2016  # nginx's $host
load helpers
load helpers-browser

CONF=/etc/nginx/sites-enabled/archy-e2e-browser

setup_file() {
	archy-standin ui --port 18091 --shape cra >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/pids"
	archy-standin ui --port 18092 --shape base-root --header 'X-Frame-Options: DENY' >/dev/null 2>&1 3>&- &
	echo $! >>"$BATS_FILE_TMPDIR/pids"
	archy-standin ui --port 18093 --shape guardian >/dev/null 2>&1 3>&- &
	echo $! >>"$BATS_FILE_TMPDIR/pids"
	local site='ssl_certificate /etc/nginx/archy-e2e.crt; ssl_certificate_key /etc/nginx/archy-e2e.key;'
	local frame="proxy_hide_header X-Frame-Options; add_header Content-Security-Policy \"frame-ancestors 'self' https://\$host\" always;"
	cat >"$CONF" <<EOC
server { listen 18443 ssl; $site location / { proxy_pass http://127.0.0.1:18091; $frame } }
server { listen 18444 ssl; $site location / { proxy_pass http://127.0.0.1:18092; } }
server { listen 18445 ssl; $site location /apps/cra/ { proxy_pass http://127.0.0.1:18091/; } }
server { listen 18446 ssl; $site location /apps/fedimint/ { proxy_pass http://127.0.0.1:18093/; } }
EOC
	systemctl reload nginx
	local i
	for ((i = 0; i < 50; i++)); do curl -sfk -o /dev/null https://127.0.0.1:18443/ && return 0; sleep 0.1; done
	return 1
}

teardown_file() {
	local pid
	while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$BATS_FILE_TMPDIR/pids"
	rm -f "$CONF"
	systemctl reload nginx
}

@test "all | browser-check | a UI loads with its assets on its direct port" {
	ui_loads http://127.0.0.1:18091/
}

@test "all | browser-check | a UI loads through its own HTTPS port on nginx" {
	ui_loads https://127.0.0.1:18443/
}

@test "all | browser-check | the dashboard frames it (frame-ancestors names the dashboard)" {
	ui_frames https://127.0.0.1:18443/
}

@test "all | browser-check | a prefix-stripping sub-path breaks a create-react-app UI" {
	run ui_broken https://127.0.0.1:18445/apps/cra/
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'resource FAILED 404 Script https://127.0.0.1:18445/static/js/main.js' <<<"$output"
}

@test "all | browser-check | a prefix-stripping sub-path breaks fedimintd's guardian UI (root /assets/)" {
	run ui_broken https://127.0.0.1:18446/apps/fedimint/
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'resource FAILED 404 Script https://127.0.0.1:18446/assets/htmx.org-2.0.4.min.js' <<<"$output"
}

@test "all | browser-check | X-Frame-Options: DENY passed through is reported blocked" {
	run ui_frame_blocked https://127.0.0.1:18444/
	echo "$output"
	[ "$status" -eq 0 ]
}
