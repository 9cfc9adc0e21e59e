#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Entrypoint of the e2e's real MariaDB image (Debian 12's mariadb-server 10.11), written for archy
# from the documented contract of the official image, MariaDB/mariadb-docker 10.11/Dockerfile and
# docker-entrypoint.sh at commit 38dfbc5 (10.11.10):
#   - /var/lib/mysql is initialised when it holds no mysql/ directory; an initialised one is used
#     as it is, whatever the environment says now
#   - every MARIADB_X may be given as MYSQL_X (MYSQL_ALLOW_EMPTY_PASSWORD for
#     MARIADB_ALLOW_EMPTY_ROOT_PASSWORD); MARIADB_X wins
#   - initialising needs one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD,
#     MARIADB_RANDOM_ROOT_PASSWORD, else it exits 1 with "Database is uninitialized and password
#     option is not specified"; a random root password is printed as "GENERATED ROOT PASSWORD: ..."
#   - root@'%' (MARIADB_ROOT_HOST, default %) and root@localhost get the root password;
#     MARIADB_DATABASE is created; MARIADB_USER with MARIADB_PASSWORD is created @'%' and granted
#     ALL on MARIADB_DATABASE; anonymous users and the test database are removed
#   - health check users healthcheck@127.0.0.1, ::1 and localhost (USAGE, random password) and
#     /var/lib/mysql/.my-healthcheck.cnf for healthcheck.sh (10.11/healthcheck.sh reads it)
#   - the server listens on every address, port 3306, as user mysql (uid 999); started as root,
#     the script re-runs itself as mysql; a first argument starting with '-' is a server option
# Not implemented: the *_FILE and *_HASH variants, replication, MARIADB_AUTO_UPGRADE, initdb archives.
set -Eeo pipefail

note() { echo "$(date -u '+%F %T') 0 [Note] [Entrypoint]: $*"; }
error() {
	echo "$(date -u '+%F %T') 0 [ERROR] [Entrypoint]: $*" >&2
	exit 1
}

if [ "${1:0:1}" = - ]; then set -- mariadbd "$@"; fi
case $1 in mariadbd | mysqld) ;; *) exec "$@" ;; esac
datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$datadir" /run/mysqld
	find "$datadir" /run/mysqld \! -user mysql -exec chown mysql:mysql {} +
	exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

for v in ROOT_PASSWORD RANDOM_ROOT_PASSWORD ROOT_HOST DATABASE USER PASSWORD; do
	m=MARIADB_$v y=MYSQL_$v
	[ -n "${!m:-}" ] || printf -v "$m" '%s' "${!y:-}"
done
: "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:=${MYSQL_ALLOW_EMPTY_PASSWORD:-}}"
: "${MARIADB_ROOT_HOST:=%}"

sql_string() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
# shellcheck disable=SC2016 # backquotes are the SQL name quotes
sql_name() { printf '`%s`' "${1//\`/\`\`}"; }
random_password() { head -c 48 /dev/urandom | base64 -w0 | tr -d '/+=' | cut -c1-32; }

setup_sql() {
	local root_pw=$MARIADB_ROOT_PASSWORD hc_pw h
	if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
		root_pw=$(random_password)
		note "GENERATED ROOT PASSWORD: $root_pw" >&2
	fi
	echo "DELETE FROM mysql.global_priv WHERE user = '' OR (user = 'root' AND host NOT IN ('localhost'));"
	echo "SET PASSWORD FOR root@localhost = PASSWORD($(sql_string "$root_pw"));"
	if [ "$MARIADB_ROOT_HOST" != localhost ]; then
		echo "CREATE USER root@$(sql_string "$MARIADB_ROOT_HOST") IDENTIFIED BY $(sql_string "$root_pw");"
		echo "GRANT ALL ON *.* TO root@$(sql_string "$MARIADB_ROOT_HOST") WITH GRANT OPTION;"
	fi
	hc_pw=$(random_password)
	for h in 127.0.0.1 ::1 localhost; do
		echo "CREATE USER healthcheck@'$h' IDENTIFIED BY '$hc_pw'; GRANT USAGE ON *.* TO healthcheck@'$h';"
	done
	(umask 077 && printf '[mariadb-client]\nport=3306\nsocket=%s\nuser=healthcheck\npassword=%s\n' \
		"$socket" "$hc_pw" >"$datadir/.my-healthcheck.cnf")
	echo "DROP DATABASE IF EXISTS test;"
	if [ -n "$MARIADB_DATABASE" ]; then
		note "Creating database $MARIADB_DATABASE" >&2
		echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$MARIADB_DATABASE");"
	fi
	if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
		note "Creating user $MARIADB_USER" >&2
		echo "CREATE USER $(sql_string "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_string "$MARIADB_PASSWORD");"
		[ -z "$MARIADB_DATABASE" ] ||
			echo "GRANT ALL ON $(sql_name "$MARIADB_DATABASE").* TO $(sql_string "$MARIADB_USER")@'%';"
	fi
	echo "FLUSH PRIVILEGES;"
}

initialise() {
	if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] &&
		[ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
		error $'Database is uninitialized and password option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD (contract: MariaDB/mariadb-docker 10.11/docker-entrypoint.sh)'
	fi
	note "Initializing database files"
	mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve >/dev/null
	note "Starting temporary server"
	mariadbd --skip-networking --socket="$socket" --datadir="$datadir" &
	local pid=$!
	for _ in $(seq 60); do
		mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || error "the temporary server exited while starting"
		sleep 0.5
	done
	setup_sql | mariadb --protocol=socket --socket="$socket" -uroot
	note "Stopping temporary server"
	kill "$pid"
	wait "$pid" || true
	note "MariaDB init process done. Ready for start up."
}

[ -d "$datadir/mysql" ] || initialise
exec "$@"
