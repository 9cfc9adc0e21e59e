# shellcheck shell=bash
# The UI rows of the matrix ("UI direct port", "UI through the HTTPS proxy", "UI in an iframe"):
# a real headless Chromium loads the UI with its assets (browser-check, installed by prepare-guest.sh
# into /usr/local/bin; test/e2e/guest/browser-check --help). Load with `load helpers-browser`.
#
#   ui_loads URL [--ready JS] [--timeout SEC]
#       The page answers 2xx, every sub-resource it asks for answers 2xx, no JS error is thrown, and
#       the page sets its readiness marker (the stand-in UIs set <html data-archy-ready="ok"> once
#       their stylesheet, script and config all loaded). Direct port: ui_loads http://127.0.0.1:4080/
#       Through the proxy: ui_loads "https://127.0.0.1:$port/" (the app's own HTTPS port).
#   ui_frames URL [--timeout SEC]
#       The dashboard's harness (https://127.0.0.1/ui/archy-frame.html) frames URL, and the framed
#       page posts its ready message: the framing headers let the dashboard embed it.
#   ui_frame_blocked URL
#       The negative: the browser refused to frame URL (X-Frame-Options or frame-ancestors).
#   ui_broken URL
#       The negative: the check fails (exit 1, not a browser crash) - assets missing, marker unset.
#
# Each prints browser-check's report (one line per resource, error and verdict), which bats shows
# when the test fails. One check takes about 1-2 s (a failing one about 3 s: it waits for the page to
# go idle). Only the node's self-signed certificate is accepted: $BROWSER_CHECK_CERT, by default the
# front end's /etc/nginx/archy-e2e.crt (prepare-guest.sh); any other certificate error fails.

if [ -z "${BROWSER_CHECK_CERT:-}" ] && [ -r /etc/nginx/archy-e2e.crt ]; then
	export BROWSER_CHECK_CERT=/etc/nginx/archy-e2e.crt
fi

ui_check() {
	local out rc=0
	out=$(browser-check "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	# The verdict line (with the time the check took) in the journal, for the run's record.
	logger -t browser-check -- "${out##*$'\n'}" 2>/dev/null || true
	return "$rc"
}

ui_loads() { ui_check "$@"; }

ui_frames() { ui_check --iframe "$@"; }

ui_frame_blocked() {
	local out rc=0
	out=$(browser-check --iframe "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 1 ] && grep -q '^browser-check: framing blocked: ' <<<"$out"
}

ui_broken() {
	local rc=0
	ui_check "$@" || rc=$?
	[ "$rc" = 1 ]
}
