# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the stand-in's host self-tests (selftest.sh, selftest-btcpay.sh, browser-selftest.sh):
# TAP output and free ports. The sourcing script sets $tmp; a failed check shows the last lines of
# each $tmp/*.log, or what the script's own on_fail function prints when it defines one.
# shellcheck disable=SC2034 # failed: read by the sourcing script
n=0 failed=0
# shellcheck disable=SC2154 # tmp: set by the sourcing script
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
		return 0
	fi
	failed=1
	echo "not ok $n - $desc"
	if declare -F on_fail >/dev/null; then
		on_fail
	else
		local f
		for f in "$tmp"/*.log; do [ -s "$f" ] && tail -n 8 "$f" | sed "s|^|# $(basename "$f"): |"; done
	fi
	return 0
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
	local p=$1
	while ! port_free "$p"; do p=$((p + 1)); done
	echo "$p"
}
