#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Print the end-to-end results as a table, event x app -> ok / FAIL / -, from the TAP files the
# guest wrote. Tests are named "APP | EVENT | what is checked". A planned bats file without a
# complete TAP stream (the guest died, bats timed out) counts as a failure of its own. Each layer's
# rows say the mode its node ran in (rootful or rootless: SHARE_DIR/mode, written by run.sh).
# Usage: test/e2e/matrix.sh LAYER SHARE_DIR      exit 0 when every planned test passed
set -u
layer=$1
share=$2
mode=$(cat "$share/mode" 2>/dev/null || echo rootful)
missing=0
while read -r step; do
	tap=$share/out/${step%.bats}.tap
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" 2>/dev/null | head -n1)
	got=$(grep -cE '^(not )?ok ' "$tap" 2>/dev/null)
	if [ -z "$planned" ] || [ "${got:-0}" != "$planned" ]; then
		echo "$layer ($mode): $step did not complete: ${got:-0} of ${planned:-?} results (see $share/out)"
		missing=$((missing + 1))
	fi
done < <(sed -e 's/#.*//' "$share/plan" | grep '\.bats$')
cat "$share"/out/*.tap 2>/dev/null | awk -v layer="$layer" -v mode="$mode" -v missing="$missing" '
	function trim(s) { gsub(/^ +| +$/, "", s); return s }
	/^# / && indiag { fails[failed] = fails[failed] "\n      " $0; next }
	/^(not )?ok [0-9]+ / {
		pass = ($1 == "ok")
		indiag = !pass
		line = $0
		sub(/^(not )?ok [0-9]+ /, "", line)
		n = split(line, f, "\\|")
		if (n < 3) { app = "(other)"; ev = "(other)" } else { app = trim(f[1]); ev = trim(f[2]) }
		if (!(app in seen_app)) { seen_app[app] = 1; apps[++napps] = app }
		if (!(ev in seen_ev)) { seen_ev[ev] = 1; evs[++nevs] = ev }
		k = app SUBSEP ev
		if (pass && line ~ / # skip/) { if (!(k in cell)) cell[k] = "skip"; skipped++; total++; next }
		if (!(k in cell) || cell[k] == "skip") cell[k] = "ok"
		if (!pass) { cell[k] = "FAIL"; failed++; fails[failed] = $0 }
		total++
	}
	END {
		printf "\n== end-to-end matrix: %s, %s (%d tests, %d failed, %d skipped; ok = every test of that cell passed)\n", layer, mode, total, failed, skipped
		head = "event (" mode ")"
		w = length(head) + 2
		for (j = 1; j <= nevs; j++) if (length(evs[j]) + 2 > w) w = length(evs[j]) + 2
		printf "%-" w "s", head
		for (i = 1; i <= napps; i++) printf " %-" (length(apps[i]) > 4 ? length(apps[i]) : 4) "s", apps[i]
		printf "\n"
		for (j = 1; j <= nevs; j++) {
			printf "%-" w "s", evs[j]
			for (i = 1; i <= napps; i++) {
				k = apps[i] SUBSEP evs[j]
				printf " %-" (length(apps[i]) > 4 ? length(apps[i]) : 4) "s", (k in cell) ? cell[k] : "-"
			}
			printf "\n"
		}
		for (i = 1; i <= failed; i++) print "  " mode ": " fails[i]
		exit (failed > 0 || missing > 0 || total == 0) ? 1 : 0
	}'
