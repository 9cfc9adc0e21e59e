# SPDX-License-Identifier: LGPL-2.1-or-later
# The boot after 203-archyctl-resume-before.bats: archy-apply-resume.service found the journal of
# the apply killed after "stopped" and finished it (archyctl apply --resume --no-wait, before
# archy-apps.target). The node is in the new desired state, not the old manifest's: wallet and
# indexer uninstalled (data kept), notes started, the node untouched; the journal is gone and
# nothing is left half done. Then the pristine manifest again, through archyctl.
load helpers

TARGET=$ARCHYCTL_DRAFTS/resume-target.yaml

teardown_file() {
	archyctl_apply "$PRISTINE"
	settle
}

@test "all | archyctl resume-at-boot | archy-apply-resume.service resumed the apply at boot: the new manifest installed, journal gone" {
	journalctl -b --no-pager -o cat -u archy-apply-resume.service
	[ "$(systemctl show -p Result --value archy-apply-resume.service)" = success ]
	[ "$(systemctl show -p ExecMainStatus --value archy-apply-resume.service)" = 0 ]
	# it ran in this boot (its condition, the journal, held) and said what it resumed
	[ "$(systemctl show -p ConditionResult --value archy-apply-resume.service)" = yes ]
	journalctl -b --no-pager -o cat -u archy-apply-resume.service | grep -q 'resuming the apply of pid [0-9]* interrupted after "stopped"'
	apply_journal_gone
	cmp "$MANIFEST" "$TARGET"
}

@test "wallet | archyctl resume-at-boot | uninstalled at boot: no unit, no container, port released, data kept" {
	assert_gone wallet
	assert_gone wallet-ui
	assert_data_kept wallet wallet-before-resume
}

@test "indexer | archyctl resume-at-boot | uninstalled at boot: no unit, no container, port released" {
	assert_gone indexer
}

@test "notes | archyctl resume-at-boot | started at boot: up and answers" {
	assert_up notes 180
}

@test "node | archyctl resume-at-boot | back up at boot and answers" {
	assert_up node 180
	assert_up node-ui 60
}

@test "all | archyctl resume-at-boot | no orphaned container, no unit failed or left running without its file" {
	assert_no_orphan
}
