#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make lint: lib/basic/message-ids.h and catalog/archy.catalog hold the same message ids, each
# once; every catalog entry has Subject:, Defined-By: archy, a Documentation: man: page and a body;
# and systemd's own parser (journalctl --update-catalog into a scratch root) reads the file and
# lists exactly those ids. Usage: tools/check-catalog.sh [message-ids.h] [archy.catalog]
set -eu
ids_h=${1:-lib/basic/message-ids.h}
catalog=${2:-catalog/archy.catalog}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^#define ARCHY_MID_[A-Z0-9_]* "\([^"]*\)".*/\1/p' "$ids_h" >"$tmp/header"
if grep -c '^#define ARCHY_MID_' "$ids_h" | grep -qx "$(wc -l <"$tmp/header")"; then :; else
	echo "$ids_h: a #define ARCHY_MID_ line is not NAME \"id\"" >&2
	exit 1
fi

# The entries' own format, checked here because journalctl skips what it cannot parse.
awk -v file="$catalog" '
function fail(msg) { printf "%s:%d: %s\n", file, FNR, msg > "/dev/stderr"; bad = 1 }
function close_entry() {
	if (!id) return
	if (!subject) { printf "%s: entry %s: no Subject:\n", file, id > "/dev/stderr"; bad = 1 }
	if (!defined) { printf "%s: entry %s: no \"Defined-By: archy\"\n", file, id > "/dev/stderr"; bad = 1 }
	if (!doc) { printf "%s: entry %s: no \"Documentation: man:...\"\n", file, id > "/dev/stderr"; bad = 1 }
	if (!body) { printf "%s: entry %s: no body after the headers\n", file, id > "/dev/stderr"; bad = 1 }
}
/^-- / {
	close_entry()
	id = $2; subject = defined = doc = body = 0; inhead = 1
	if (length(id) != 32 || id ~ /[^0-9a-f]/ || NF != 2) fail("expected \"-- \" and 32 lowercase hex digits, got \"" $0 "\"")
	if (id in seen) fail("id " id " twice")
	seen[id] = 1; print id > ids
	next
}
!id { if ($0 != "" && $0 !~ /^#/) fail("text before the first entry"); next }
inhead && $0 == "" { inhead = 0; next }
inhead {
	if ($0 ~ /^Subject: ./) subject = 1
	else if ($0 == "Defined-By: archy") defined = 1
	else if ($0 ~ /^Documentation: man:[a-z-]+\([0-9]\)( man:[a-z-]+\([0-9]\))*$/) doc = 1
	else fail("expected a header (Subject:, Defined-By:, Documentation:) or an empty line, got \"" $0 "\"")
	next
}
$0 != "" { body = 1 }
END { close_entry(); exit bad }
' ids="$tmp/catalog" "$catalog"

sort "$tmp/header" >"$tmp/header.sorted"
sort "$tmp/catalog" >"$tmp/catalog.sorted"
if [ -n "$(sort "$tmp/header" | uniq -d)" ]; then
	echo "$ids_h: an id is defined twice: $(sort "$tmp/header" | uniq -d | tr '\n' ' ')" >&2
	exit 1
fi
if ! cmp -s "$tmp/header.sorted" "$tmp/catalog.sorted"; then
	echo "message ids: < only in $ids_h, > only in $catalog" >&2
	diff "$tmp/header.sorted" "$tmp/catalog.sorted" | grep '^[<>]' >&2
	exit 1
fi

# systemd's parser, where there is one: it must compile the file and list every id.
if command -v journalctl >/dev/null 2>&1; then
	mkdir -p "$tmp/root/usr/lib/systemd/catalog"
	cp "$catalog" "$tmp/root/usr/lib/systemd/catalog/archy.catalog"
	journalctl --root="$tmp/root" --update-catalog 2>"$tmp/err" || {
		cat "$tmp/err" >&2
		echo "$catalog: journalctl --update-catalog failed" >&2
		exit 1
	}
	if [ -s "$tmp/err" ]; then
		cat "$tmp/err" >&2
		echo "$catalog: journalctl --update-catalog complained" >&2
		exit 1
	fi
	journalctl --root="$tmp/root" --list-catalog | cut -d' ' -f1 | sort >"$tmp/parsed"
	if ! cmp -s "$tmp/parsed" "$tmp/catalog.sorted"; then
		echo "$catalog: journalctl lists other ids than the file has:" >&2
		diff "$tmp/catalog.sorted" "$tmp/parsed" >&2 || true
		exit 1
	fi
fi
echo "catalog: $(wc -l <"$tmp/header") message ids, each in $ids_h and $catalog"
