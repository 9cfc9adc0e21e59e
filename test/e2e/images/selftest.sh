#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host-side TAP self-test of the e2e's real database images (test/e2e/images/build.sh): each image
# tar is unpacked and its ENTRYPOINT + CMD run as the image says (ENV from its .changes), in a
# chroot inside fresh mount, PID and network namespaces (no podman needed on the host). The
# network namespace has 10.99.0.2 on lo: a client connecting to it is not a loopback client, as a
# container on the app network is not. Proves the docker-library contracts the images claim.
# Usage: test/e2e/images/selftest.sh IMAGES_DIR       (needs root; IMAGES_DIR as build.sh wrote it)
# The scripts given to in_image run in the namespaces: their $ expand there.
# shellcheck disable=SC2016
set -uo pipefail
dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		sort "$tmp/log" | uniq -c | sort -rn | head -n 30 | sed "s/^/# /"
	fi
}

# Words of a JSON array of plain strings (what the spec files use): ["a", "b"] -> a b
json_words() { sed -e 's/^\[//' -e 's/\]$//' -e 's/", *"/\n/g' -e 's/"//g' <<<"$1"; }

# unpack SLUG: a fresh tree of the image at $tmp/SLUG, its env in $tmp/SLUG.env, its argv in $tmp/SLUG.argv
unpack() {
	local slug=$1 line
	rm -rf "${tmp:?}/$slug"
	mkdir -p "$tmp/$slug"
	tar -xf "$dir/$slug.tar" -C "$tmp/$slug"
	# what a container runtime gives every container
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$tmp/$slug/etc/hosts"
	: >"$tmp/$slug.env"
	: >"$tmp/$slug.argv"
	while read -r line; do
		case $line in
		ENV\ *) echo "${line#ENV }" >>"$tmp/$slug.env" ;;
		ENTRYPOINT\ * | CMD\ *) json_words "${line#* }" >>"$tmp/$slug.argv" ;;
		esac
	done <"$dir/$slug.changes"
}

# in_image SLUG SCRIPT [VAR=VALUE...]: runs SCRIPT (bash, on the host side of the chroot) in new
# namespaces; "$start" in it is the image's own command line under the image's env plus VARs, and
# "$run" runs any command in the image.
in_image() {
	local slug=$1 script=$2
	shift 2
	local envs=() e
	while read -r e; do envs+=("$e"); done <"$tmp/$slug.env"
	envs+=("$@")
	local root=$tmp/$slug
	unshare -m -n -p -f --mount-proc bash -c '
		root=$1 script=$2; shift 2
		ip link set lo up && ip addr add 10.99.0.2/32 dev lo
		mount --bind "$root" "$root" && mount -t proc proc "$root/proc"
		mount -t tmpfs tmpfs "$root/run" && mount -t tmpfs tmpfs "$root/tmp"
		mkdir -p "$root/dev" && mount --rbind /dev "$root/dev"
		envs=("$@")
		run() { chroot "$root" env -i "${envs[@]}" "$@"; }
		mapfile -t argv <"$root.argv"
		start() { run "${argv[@]}"; }
		eval "$script"' _ "$root" "$script" "${envs[@]}" >"$tmp/log" 2>&1
}

wait_for() { # wait_for SECONDS CMD...: in a script given to in_image
	cat <<'EOF'
wait_for() { local end=$(($(date +%s) + $1)); shift; until "$@"; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.5; done; }
EOF
}

postgres_tests() {
	local slug=postgres w
	w=$(wait_for)
	unpack $slug
	in_image $slug 'start; echo "exit $?"; ' POSTGRES_USER=btc
	grep -qx 'Error: Database is uninitialized and superuser password is not specified.' "$tmp/log" &&
		grep -qx 'exit 1' "$tmp/log"
	ok $? "postgres: no POSTGRES_PASSWORD and no trust: refuses with upstream's message, exit 1"

	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		wait_for 60 run pg_isready -q -h 10.99.0.2 -U btc || { cat "$root/tmp/server.log"; exit 1; }
		run pg_isready -U postgres || exit 1
		run env PGPASSWORD=s3cret psql -h 10.99.0.2 -U btc -d shop -Atc "select current_user, current_database()" | grep -x "btc|shop" || exit 1
		run env PGPASSWORD=wrong psql -h 10.99.0.2 -U btc -d shop -c "select 1" 2>&1 | grep "password authentication failed for user \"btc\"" || exit 1
		grep -E "^host +all +all +all +scram-sha-256$" "$root/var/lib/postgresql/data/pg_hba.conf" || exit 1
		! grep -E "^host +all +all +all +trust" "$root/var/lib/postgresql/data/pg_hba.conf" || exit 1
		ps -o uid=,comm= -C postgres | grep -m1 "^ *70 postgres" || { ps -eo uid,comm; exit 1; }
		echo PASS' POSTGRES_PASSWORD=s3cret POSTGRES_USER=btc POSTGRES_DB=shop
	grep -qx PASS "$tmp/log"
	ok $? "postgres: POSTGRES_PASSWORD/USER/DB: the password logs in from another host, a wrong one is refused, scram-sha-256 and no trust in pg_hba, runs as uid 70, pg_isready on PATH"

	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		wait_for 60 run pg_isready -q -h 10.99.0.2 || { cat "$root/tmp/server.log"; exit 1; }
		run env PGPASSWORD=s3cret psql -h 10.99.0.2 -U btc -d shop -Atc "select 1" | grep -x 1 && echo PASS' POSTGRES_USER=unused
	grep -qx PASS "$tmp/log"
	ok $? "postgres: an initialised PGDATA starts without POSTGRES_PASSWORD and keeps its users"

	unpack $slug
	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		wait_for 60 run pg_isready -q -h 10.99.0.2 || { cat "$root/tmp/server.log"; exit 1; }
		run env PGPASSWORD=anything psql -h 10.99.0.2 -U postgres -Atc "select 1" | grep -x 1 || exit 1
		grep -E "^host +all +all +all +trust$" "$root/var/lib/postgresql/data/pg_hba.conf" && echo PASS' POSTGRES_HOST_AUTH_METHOD=trust
	grep -qx PASS "$tmp/log"
	ok $? "postgres: POSTGRES_HOST_AUTH_METHOD=trust (only when asked) lets any password in"
}

mariadb_tests() {
	local slug=mariadb w
	w=$(wait_for)
	unpack $slug
	in_image $slug 'start; echo "exit $?"' MYSQL_DATABASE=mempool
	grep -q '\[ERROR\] \[Entrypoint\]: Database is uninitialized and password option is not specified' "$tmp/log" &&
		grep -qx 'exit 1' "$tmp/log"
	ok $? "mariadb: none of ROOT_PASSWORD / ALLOW_EMPTY_ROOT_PASSWORD / RANDOM_ROOT_PASSWORD: refuses with upstream's message, exit 1"

	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		wait_for 90 run healthcheck.sh --connect --innodb_initialized || { cat "$root/tmp/server.log"; exit 1; }
		grep "GENERATED ROOT PASSWORD: " "$root/tmp/server.log" >/dev/null || exit 1
		run mariadb -h 10.99.0.2 -umempool -ps3cret mempool -Nse "select current_user()" | grep -x "mempool@%" || exit 1
		run mariadb -h 10.99.0.2 -umempool -pwrong mempool -e "select 1" 2>&1 | grep "Access denied for user" || exit 1
		! run mariadb -h 10.99.0.2 -uroot -e "select 1" 2>/dev/null || exit 1
		ps -o uid=,comm= -C mariadbd | grep -m1 "^ *999 mariadbd" || { ps -eo uid,comm; exit 1; }
		echo PASS' MYSQL_DATABASE=mempool MYSQL_USER=mempool MYSQL_PASSWORD=s3cret MYSQL_RANDOM_ROOT_PASSWORD=yes
	grep -qx PASS "$tmp/log"
	ok $? "mariadb: MYSQL_* names: random root password, the user logs in to its database from another host, a wrong password is refused, healthcheck.sh --connect --innodb_initialized, runs as uid 999"

	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		wait_for 90 run healthcheck.sh --connect --innodb_initialized || { cat "$root/tmp/server.log"; exit 1; }
		run mariadb -h 10.99.0.2 -umempool -ps3cret mempool -Nse "select 1" | grep -x 1 && echo PASS'
	grep -qx PASS "$tmp/log"
	ok $? "mariadb: an initialised datadir starts with no password variable and keeps its users"

	unpack $slug
	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		! run healthcheck.sh --connect 2>/dev/null || exit 1
		wait_for 90 run healthcheck.sh --connect || { cat "$root/tmp/server.log"; exit 1; }
		run mariadb -h 10.99.0.2 -uroot -pr00t -Nse "select 1" | grep -x 1 || exit 1
		run mariadb -h 10.99.0.2 -uroot -pnope -e "select 1" 2>&1 | grep "Access denied" || exit 1
		! run healthcheck.sh --bogus 2>/dev/null || exit 1
		echo PASS' MARIADB_ROOT_PASSWORD=r00t
	grep -qx PASS "$tmp/log"
	ok $? "mariadb: MARIADB_ROOT_PASSWORD: root logs in from another host with it only; healthcheck.sh fails before the server is up and on an unknown test"
}

# The shipped manifest's mempool db command (manifests/archipelago.yaml), run as podman would:
# the image's entrypoint with /bin/sh -c COMMAND (archy-manifest(5) command, string form).
mariadb_rotation_tests() {
	local slug=mariadb w cmd
	w=$(wait_for)
	cmd=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["apps"]["mempool"]["containers"]["db"]["command"])' \
		"$(dirname "${BASH_SOURCE[0]}")/../../../manifests/archipelago.yaml") || { ok 1 "mariadb: the manifest's db command"; return; }
	unpack $slug
	printf '%s' "$cmd" >"$tmp/$slug/archy-db-command"
	local start_cmd='
		run docker-entrypoint.sh /bin/sh -c "$(cat "$root/archy-db-command")" >"$root/tmp/server.log" 2>&1 &
		wait_for 90 run healthcheck.sh --connect --innodb_initialized || { cat "$root/tmp/server.log"; exit 1; }'
	local vars=(MYSQL_DATABASE=mempool MYSQL_USER=mempool MYSQL_RANDOM_ROOT_PASSWORD=yes)
	in_image $slug "$w$start_cmd"'
		run mariadb -h 10.99.0.2 -umempool -pPassA1 mempool -Nse "select 1" | grep -x 1 && echo PASS' "${vars[@]}" MYSQL_PASSWORD=PassA1
	grep -qx PASS "$tmp/log"
	ok $? "mariadb: the manifest's db command, first start: the entrypoint initialises with MYSQL_PASSWORD (A)"

	in_image $slug "$w$start_cmd"'
		run mariadb -h 10.99.0.2 -umempool -pPassB2 mempool -Nse "select current_user()" | grep -x "mempool@%" || exit 1
		run mariadb -h 10.99.0.2 -umempool -pPassA1 mempool -e "select 1" 2>&1 | grep "Access denied for user" || exit 1
		! grep -q "ERROR" "$root/tmp/server.log" || { cat "$root/tmp/server.log"; exit 1; }
		echo PASS' "${vars[@]}" MYSQL_PASSWORD=PassB2
	grep -qx PASS "$tmp/log"
	ok $? "mariadb: the manifest's db command, restart with a rotated MYSQL_PASSWORD (B): B logs in, A is refused"

	in_image $slug "$w"'
		start >"$root/tmp/server.log" 2>&1 &
		wait_for 90 run healthcheck.sh --connect --innodb_initialized || { cat "$root/tmp/server.log"; exit 1; }
		run mariadb -h 10.99.0.2 -umempool -pPassC3 mempool -e "select 1" 2>&1 | grep "Access denied for user" || exit 1
		run mariadb -h 10.99.0.2 -umempool -pPassB2 mempool -Nse "select 1" | grep -x 1 && echo PASS' "${vars[@]}" MYSQL_PASSWORD=PassC3
	grep -qx PASS "$tmp/log"
	ok $? "mariadb: the image's own start (no command) ignores a rotated MYSQL_PASSWORD (C refused, B still in): the defect the command fixes"

	in_image $slug "$w"'
		mv "$root/usr/bin/mariadb" "$root/usr/bin/mariadb.off"
		run docker-entrypoint.sh /bin/sh -c "$(cat "$root/archy-db-command")"; echo "exit $?"
		mv "$root/usr/bin/mariadb.off" "$root/usr/bin/mariadb"' "${vars[@]}" MYSQL_PASSWORD=PassD4
	grep -qx "exit 1" "$tmp/log" && grep -q "archy: could not re-apply MYSQL_PASSWORD for mempool" "$tmp/log"
	ok $? "mariadb: the manifest's db command exits 1 (and never starts the server) when the password cannot be re-applied"
}

[ -s "$dir/postgres.tar" ] && [[ " ${ONLY:-postgres} " == *" postgres "* ]] && postgres_tests
[ -s "$dir/mariadb.tar" ] && [[ " ${ONLY:-mariadb} " == *" mariadb "* ]] && mariadb_tests
[ -s "$dir/mariadb.tar" ] && [[ " ${ONLY:-mariadb-rotation} " == *" mariadb-rotation "* ]] && mariadb_rotation_tests
echo "1..$n"
[ "$n" -gt 0 ] && [ "$failed" = 0 ]
