# SPDX-License-Identifier: LGPL-2.1-or-later
# An apply cut short just before a reboot: archyctl apply of a change that uninstalls wallet and
# indexer and starts notes is killed (SIGKILL, ARCHY_APPLY_CRASH_AFTER=stopped) right after it
# persisted "stopped": wallet and indexer are stopped, the old manifest is still installed and the
# journal says how far it got. The runner reboots next; 204-archyctl-resume-after.bats checks that
# archy-apply-resume.service finished the apply at boot, before archy-apps.target.
load helpers

TARGET=$ARCHYCTL_DRAFTS/resume-target.yaml

setup_file() { settle; }

@test "wallet | archyctl resume-at-boot | an apply (uninstall wallet and indexer, start notes) killed after \"stopped\", before a reboot" {
	local m
	app_podman exec archy-wallet sh -c 'echo wallet-before-resume > /data/e2e-uninstall-marker'
	m=$(manifest_with_states wallet=uninstalled indexer=uninstalled notes=started)
	install -d -m755 "$ARCHYCTL_DRAFTS"
	install -m644 "$m" "$TARGET"
	ARCHY_APPLY_CRASH_AFTER=stopped run archyctl_apply "$TARGET"
	echo "$output"
	[ "$status" -eq 137 ]
	grep -qx phase=stopped "$APPLY_STATE/journal"
	cmp "$APPLY_STATE/new.yaml" "$TARGET"
	# half done: the old manifest is still in place, the units it stopped are down
	cmp "$MANIFEST" "$PRISTINE"
	assert_stopped wallet
	assert_stopped indexer
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
	sync
}
