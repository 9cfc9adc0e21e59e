# SPDX-License-Identifier: LGPL-2.1-or-later
# After 96-ota-reboot-before.bats and a reboot in the middle of verifying release 1.6.0.
load helpers

@test "web | ota-reboot | after: the boot continued the verification (attempt 2) and rolled back to 1.4.0" {
	wait_for 120 ota_phase_is rolled-back || {
		cat "$OTA_STATE" >&2
		journalctl -b -u archy-verify-ota.service --no-pager >&2
		return 1
	}
	grep -qx 'attempts=2' "$OTA_STATE"
	[ ! -e "$OTA_MARKER" ]
	grep -q 'archipelago 1.4.0' "$WEB_BIN"
	grep -qx 'web ui 1.4.0' "$WEB_UI/index.html"
	wait_for 20 serves 1.4.0
	[ "$(systemctl show -p Result --value archy-verify-ota.service)" = success ]
}
