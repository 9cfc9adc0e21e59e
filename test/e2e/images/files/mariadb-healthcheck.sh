#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# healthcheck.sh of the e2e's real MariaDB image, written for archy from the contract of the
# official image's MariaDB/mariadb-docker 10.11/healthcheck.sh at commit 38dfbc5 (10.11.10):
#   healthcheck.sh [--connect] [--innodb_initialized] ...   every test given must pass (exit 0)
#   --connect             the server answers over TCP on localhost (an access-denied answer
#                         still counts as connected, as upstream's)
#   --innodb_initialized  InnoDB is available (information_schema.ENGINES support YES/DEFAULT)
# It logs in with /var/lib/mysql/.my-healthcheck.cnf (written by the entrypoint) when it exists.
# Only these two tests are implemented; any other option is refused.
set -uo pipefail
datadir=/var/lib/mysql
client=(mariadb --no-defaults)
[ -f "$datadir/.my-healthcheck.cnf" ] && client=(mariadb "--defaults-extra-file=$datadir/.my-healthcheck.cnf")
[ $# -gt 0 ] || set -- --connect

connect() {
	local s
	s=$("${client[@]}" -h localhost --protocol tcp --skip-column-names --batch -e 'select @@skip_networking' 2>&1)
	case $s in
	0 | ERROR\ 1[0-9][0-9][0-9]\ \(28000\):*) return 0 ;;
	*) echo "healthcheck connect failed: $s" >&2 && return 1 ;;
	esac
}

innodb_initialized() {
	local s
	s=$("${client[@]}" --skip-column-names --batch -e \
		"select 1 from information_schema.ENGINES where engine='innodb' and support in ('YES', 'DEFAULT', 'ENABLED')" 2>&1)
	[ "$s" = 1 ] || { echo "healthcheck innodb_initialized failed: $s" >&2 && return 1; }
}

for arg; do
	case $arg in
	--connect) connect || exit 1 ;;
	--innodb_initialized) innodb_initialized || exit 1 ;;
	*) echo "healthcheck.sh: unsupported option $arg (this image implements --connect, --innodb_initialized)" >&2 && exit 1 ;;
	esac
done
