# SPDX-License-Identifier: LGPL-2.1-or-later
# The UI rows of the shipped node: each UI on its published loopback port, through the node's nginx
# on the app's own HTTPS port, and framed by the dashboard's origin (a real headless Chromium).
load helpers-node
load helpers-browser

# The certificates a browser of the node accepts, and only those: the dashboard's (the iframe
# harness), the node's for the apps' HTTPS ports (nginx-route: /etc/archipelago/tls/node.crt), and
# lightning-terminal's own self-signed one on its published port 8443 (as a user accepts it once).
setup_file() {
	local litd=$BATS_FILE_TMPDIR/litd.crt
	openssl s_client -connect 127.0.0.1:8443 </dev/null 2>/dev/null | openssl x509 >"$litd" || true
	export BROWSER_CHECK_CERT="/etc/nginx/archy-e2e.crt:/etc/archipelago/tls/node.crt:$litd"
}

# APP direct-URL proxy-port, one a line (the manifest's ports and nginx-route ports)
UIS=(
	"bitcoin-knots http://127.0.0.1:8081/ 4431"
	"lnd https://127.0.0.1:8443/ 4432"
	"btcpay-server http://127.0.0.1:23000/ 4433"
	"mempool http://127.0.0.1:4080/ 4434"
	"fedimint http://127.0.0.1:8175/ 4435"
)
ui_of() { local u; for u in "${UIS[@]}"; do [ "${u%% *}" = "$1" ] && echo "$u"; done; }
direct() { ui_of "$1" | awk '{ print $2 }'; }
proxy() { echo "https://127.0.0.1:$(ui_of "$1" | awk '{ print $3 }')/"; }

@test "bitcoin-knots | UI direct port | bitcoin-knots-ui loads with its assets" { ui_loads "$(direct bitcoin-knots)"; }
@test "bitcoin-knots | UI HTTPS proxy | loads on 4431" { ui_loads "$(proxy bitcoin-knots)"; }
@test "bitcoin-knots | UI iframe | the dashboard frames it" { ui_frames "$(proxy bitcoin-knots)"; }

@test "lnd | UI direct port | lnd-ui (litd over TLS) loads with its assets" { ui_loads "$(direct lnd)"; }
@test "lnd | UI HTTPS proxy | loads on 4432" { ui_loads "$(proxy lnd)"; }
@test "lnd | UI iframe | the dashboard frames it" { ui_frames "$(proxy lnd)"; }

@test "btcpay-server | UI direct port | loads with its assets" { ui_loads "$(direct btcpay-server)"; }
@test "btcpay-server | UI direct port | sends X-Frame-Options: DENY itself, as the real one" {
	curl -sS --max-time 5 -D - -o /dev/null "$(direct btcpay-server)" | tee /dev/stderr | grep -qi '^x-frame-options: *deny'
}
@test "btcpay-server | UI HTTPS proxy | loads on 4433" { ui_loads "$(proxy btcpay-server)"; }
@test "btcpay-server | UI iframe | the dashboard frames it (the proxy hides X-Frame-Options)" { ui_frames "$(proxy btcpay-server)"; }

@test "mempool | UI direct port | mempool-ui loads with its assets" { ui_loads "$(direct mempool)"; }
@test "mempool | UI HTTPS proxy | loads on 4434" { ui_loads "$(proxy mempool)"; }
@test "mempool | UI iframe | the dashboard frames it" { ui_frames "$(proxy mempool)"; }

@test "fedimint | UI direct port | the guardian UI loads with its assets" { ui_loads "$(direct fedimint)"; }
@test "fedimint | UI HTTPS proxy | loads on 4435" { ui_loads "$(proxy fedimint)"; }
@test "fedimint | UI iframe | the dashboard frames it" { ui_frames "$(proxy fedimint)"; }
