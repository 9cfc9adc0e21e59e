# SPDX-License-Identifier: LGPL-2.1-or-later
# Before a reboot of the guest: leave data in every named volume and note what runs. The runner
# reboots next; 71-reboot-after.bats checks what came back.
load helpers

@test "all | reboot | before: every started app is up, data written into its named volume" {
	local app
	for app in node wallet indexer; do
		assert_up "$app"
		app_podman exec "archy-$app" sh -c "echo written-before-reboot > /data/e2e-marker"
	done
	record_ids "$STATE/ids-before-reboot"
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
}
