#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The deliberately broken copies of the shipped manifest (issue 13, "Done when" 3), host side and
# cheap: for each test/e2e/broken/NAME.sed, archy-derive --root renders the broken copy's files and
# archy-generator --dry-run its Quadlet files; the stand-in applet of the broken app then runs with
# what the guest's container would get (the Exec= words after the image's ENTRYPOINT, Environment=,
# EnvironmentFile=, volumes mapped to directories here) and must refuse with the message that names
# the contract. The same run on the pristine manifest must not print it (the check can fail).
# The .sed files also work as E2E_NODE_MANIFEST_SED for a whole node layer run.
# Usage: test/e2e/node-broken.sh STANDIN OUTDIR      TAP on stdout; exit 1 if any check fails
# Env:   ARCHY_GENERATOR, ARCHY_DERIVE (default <repo>/build/archy-generator, archy-derive)
# A case file's header lines: "# container: archy-NAME" and "# expect: TEXT" (grep -F).
# shellcheck disable=SC2317  # cleanup, refused, not_refused run through trap and check()
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ $# -ne 2 ] || [ ! -x "$1" ]; then
	echo "usage: $0 STANDIN OUTDIR" >&2
	exit 2
fi
standin=$(realpath "$1")
gen=${ARCHY_GENERATOR:-$repo/build/archy-generator}
derive=${ARCHY_DERIVE:-$repo/build/archy-derive}
out=$2
rm -rf "$out"
# archy-derive refuses a root with a group- or world-writable directory on the way
mkdir -p "$out"
out=$(realpath "$out")
chmod 0755 "$out"

n=0 failed=0
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# The image spec (test/e2e/images/*.image) whose REFS holds $1, sourced into this shell.
load_spec() {
	local f
	for f in "$here"/images/*.image; do
		REFS=() ENTRYPOINT='' CMD='' ENV=()
		# shellcheck disable=SC1090
		source "$f"
		[[ " ${REFS[*]} " == *" $1 "* ]] && return 0
	done
	echo "no image spec lists $1" >&2
	return 1
}

json_words() { tr -d '[]"' <<<"$1" | tr ',' ' '; }

# map WORD: a container path (a volume's target, alone, as a prefix, or after "=") as a host path
declare -a map_from map_to
map() {
	local w=$1 i t h
	for i in "${!map_from[@]}"; do
		t=${map_from[$i]} h=${map_to[$i]}
		if [ "$w" = "$t" ] || [[ $w == "$t"/* ]]; then
			w=$h${w#"$t"}
		elif [[ $w == *=* ]]; then
			local k=${w%%=*} v=${w#*=}
			if [ "$v" = "$t" ] || [[ $v == "$t"/* ]]; then w=$k=$h${v#"$t"}; fi
		fi
	done
	printf '%s\n' "$w"
}

# run_case MANIFEST CONTAINER DIR: runs the container's stand-in applet; its output in DIR/log
run_case() {
	local manifest=$1 c=$2 dir=$3 q img src tgt words=() env=() argv=() w
	mkdir -p "$dir/etc/archipelago" "$dir/bin" "$dir/home" "$dir/vol"
	chmod 0755 "$dir" "$dir/etc" "$dir/etc/archipelago"
	cp "$manifest" "$dir/etc/archipelago/manifest.yaml"
	"$derive" --root "$dir" >"$dir/derive.log" 2>&1
	"$gen" --dry-run --manifest "$dir/etc/archipelago/manifest.yaml" --output "$dir/gen" >/dev/null
	q=$dir/gen/quadlet/$c.container
	img=$(sed -n 's/^Image=//p' "$q")
	load_spec "$img"
	map_from=() map_to=()
	while IFS=: read -r src tgt _; do
		if [[ $src == /* ]]; then h=$dir$src; else h=$dir/vol/${src%.volume}; fi
		mkdir -p "$h"
		map_from+=("$tgt") map_to+=("$h")
	done < <(sed -n 's/^Volume=//p' "$q")
	# the ENTRYPOINT when it is an applet (a script of ours, /entrypoint.sh, is what the case emulates)
	for w in $(json_words "$ENTRYPOINT"); do [[ $w == /* ]] || words+=("$w"); done
	if grep -q '^Exec=' "$q"; then
		read -ra e <<<"$(sed -n 's/^Exec=//p' "$q")"
		words+=("${e[@]}")
	else
		read -ra e <<<"$(json_words "$CMD")"
		words+=("${e[@]}")
	fi
	for w in "${words[@]}"; do argv+=("$(map "$w")"); done
	for w in "${ENV[@]}"; do env+=("$(map "$w")"); done
	while IFS= read -r w; do env+=("$(map "$w")"); done < <(sed -n 's/^Environment=//p' "$q")
	while IFS= read -r src; do
		while IFS= read -r w; do [[ $w == \#* || -z $w ]] || env+=("$w"); done <"$dir$src"
	done < <(sed -n 's/^EnvironmentFile=//p' "$q")
	ln -sf "$standin" "$dir/bin/${argv[0]}"
	# what the bitcoin images' entrypoint writes when the command starts with bitcoind
	# (btcpayserver/dockerfile-deps BitcoinKnots/29.3.knots20260508/docker-entrypoint.sh, as in 28.1)
	if [ "${argv[0]}" = bitcoind ]; then
		local d
		for d in "$dir"/vol/*; do printf 'mainnet=1\n[main]\nprinttoconsole=1\n' >"$d/bitcoin.conf"; done
	fi
	printf '%q ' "${env[@]}" "$dir/bin/${argv[0]}" "${argv[@]:1}" >"$dir/command"
	(cd "$dir" && exec env -i PATH="$dir/bin:/usr/bin:/bin" HOME="$dir/home" "${env[@]}" \
		"$dir/bin/${argv[0]}" "${argv[@]:1}") >"$dir/log" 2>&1 &
	local p=$! i rc=0
	pids+=("$p")
	for ((i = 0; i < 30; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
		echo running >"$dir/rc"
		return 0
	fi
	wait "$p" || rc=$?
	echo "$rc" >"$dir/rc"
}

check() {
	n=$((n + 1))
	if "${@:2}"; then
		echo "ok $n - $1"
	else
		failed=1
		echo "not ok $n - $1"
	fi
}

refused() { # DIR EXPECT: exited non-zero, naming the contract
	local rc
	rc=$(cat "$1/rc")
	if [ "$rc" != running ] && [ "$rc" != 0 ] && grep -qF -- "$2" "$1/log" && grep -qF '(contract: ' "$1/log"; then
		return 0
	fi
	echo "# expected a refusal with: $2"
	echo "# got (exit $rc): $(head -c 600 "$1/log")"
	echo "# command: $(cat "$1/command")"
	return 1
}

not_refused() { # DIR EXPECT: the pristine manifest does not trip that contract
	grep -qF -- "$2" "$1/log" || return 0
	echo "# the pristine manifest trips it too: $(head -c 600 "$1/log")"
	return 1
}

for sed_file in "$here"/broken/*.sed; do
	name=$(basename "$sed_file" .sed)
	c=$(sed -n 's/^# container: //p' "$sed_file")
	expect=$(sed -n 's/^# expect: //p' "$sed_file")
	if [ -z "$c" ] || [ -z "$expect" ]; then
		echo "$sed_file: no '# container:' or '# expect:' line" >&2
		exit 2
	fi
	sed -f "$sed_file" "$repo/manifests/archipelago.yaml" >"$out/$name.yaml"
	if cmp -s "$out/$name.yaml" "$repo/manifests/archipelago.yaml"; then
		check "$name: the sed changes the shipped manifest" false
		continue
	fi
	"$gen" --check "$out/$name.yaml" >/dev/null 2>&1 || {
		check "$name: the broken copy is still a valid manifest" false
		continue
	}
	run_case "$out/$name.yaml" "$c" "$out/$name"
	check "$name: $c refuses, naming the contract" refused "$out/$name" "$expect"
	run_case "$repo/manifests/archipelago.yaml" "$c" "$out/$name.pristine"
	check "$name: $c on the shipped manifest does not" not_refused "$out/$name.pristine" "$expect"
done
echo "1..$n"
exit $failed
