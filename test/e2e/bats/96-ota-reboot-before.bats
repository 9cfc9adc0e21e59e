# SPDX-License-Identifier: LGPL-2.1-or-later
# FM5 across a reboot: a release that answers 500 is applied, verification starts, and the node
# reboots in the middle of it. 97-ota-reboot-after.bats checks that the boot's
# archy-verify-ota.service continued it (the interrupted attempt counted) and rolled back.
load helpers

@test "web | ota-reboot | before: a bad release applied, its verification running when the node reboots" {
	wait_for 30 serves 1.4.0
	apply_update 1.6.0 500 20
	systemctl start --no-block archy-verify-ota.service
	wait_for 30 ota_phase_is verifying
	grep -qx 'attempts=1' "$OTA_STATE"
}
