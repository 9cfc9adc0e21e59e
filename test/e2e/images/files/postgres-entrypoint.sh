#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Entrypoint of the e2e's real PostgreSQL image (Debian 12's postgresql-15), written for archy from
# the documented contract of the official image, docker-library/postgres 15/alpine3.21
# docker-entrypoint.sh and Dockerfile at commit 1075ab7 (15.10-alpine):
#   - PGDATA (default /var/lib/postgresql/data) is initialised with initdb when it holds no
#     PG_VERSION; an initialised one is used as it is, whatever the environment says now
#   - initialising needs POSTGRES_PASSWORD unless POSTGRES_HOST_AUTH_METHOD=trust, else it exits 1
#     with "Error: Database is uninitialized and superuser password is not specified."
#   - POSTGRES_USER (default postgres) is the superuser, POSTGRES_DB (default POSTGRES_USER) is
#     created, POSTGRES_INITDB_ARGS go to initdb, /docker-entrypoint-initdb.d/*.sh|*.sql run once
#   - pg_hba.conf gets `host all all all METHOD`, METHOD = POSTGRES_HOST_AUTH_METHOD or the
#     server's password_encryption (scram-sha-256 on 14 and later); initdb's own lines (local and
#     loopback) stay as initdb writes them
#   - the server listens on every address (listen_addresses = '*'), port 5432, as user postgres
#     (uid 70 in the alpine image); started as root, the script re-runs itself as postgres
#   - a first argument starting with '-' is a server option: `postgres` goes in front
# Not implemented: the *_FILE variants, POSTGRES_INITDB_WALDIR, nss_wrapper for arbitrary uids.
set -Eeo pipefail

note() { echo "$(date -u '+%F %T') UTC [entrypoint] $*"; }

if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi
[ "$1" = postgres ] || exec "$@"
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 00700 "$PGDATA"
	chmod 03775 /var/run/postgresql
	find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres {} +
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:=}"
: "${POSTGRES_HOST_AUTH_METHOD:=}"

initialise() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		cat >&2 <<-'EOF'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser, or POSTGRES_HOST_AUTH_METHOD=trust to allow every
			       connection without a password (not recommended).
			       (contract: docker-library/postgres 15/alpine3.21/docker-entrypoint.sh)
		EOF
		exit 1
	fi
	[ "$POSTGRES_HOST_AUTH_METHOD" != trust ] ||
		note "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every host may connect without a password"
	note "initialising $PGDATA for superuser $POSTGRES_USER"
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as upstream reads it
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		$POSTGRES_INITDB_ARGS -D "$PGDATA"
	sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$PGDATA/postgresql.conf"
	local method=$POSTGRES_HOST_AUTH_METHOD
	[ -n "$method" ] || method=$(postgres -C password_encryption -D "$PGDATA")
	printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"

	# A socket-only server for the set-up SQL, as upstream's docker_temp_server_start.
	PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
	local psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
	if [ "$POSTGRES_DB" != postgres ]; then
		"${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
	fi
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		# shellcheck disable=SC1090 # the init scripts are the user's
		case $f in
		*.sh) note "running $f" && source "$f" ;;
		*.sql) note "running $f" && "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
		*) ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	note "PostgreSQL init process complete; ready for start up."
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	initialise
else
	note "PostgreSQL Database directory appears to contain a database; Skipping initialization"
fi
exec "$@"
