/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* archy's journal message ids: MESSAGE_ID= of the messages a UI or an operator filters on
 * (`journalctl MESSAGE_ID=...`, with ARCHY_APP=<app> where the message concerns one app). Each
 * was generated once (systemd-id128 new) and never changes; catalog/archy.catalog explains each
 * one (`journalctl -x`), and tools/check-catalog.sh (make lint) holds the two files to the same
 * set. A new id: a new line here, an entry there, a line in the JOURNAL section of the man page of
 * the program that logs it. */

/* archyctl apply started an app's unit (install, edit, a stopped app started). ARCHY_APP. */
#define ARCHY_MID_APPLY_UNIT_STARTED "495c84d02a394b6892bab0ac958c4f2b"
/* archyctl apply stopped an app's unit (stop, uninstall, an edit that stops a part). ARCHY_APP. */
#define ARCHY_MID_APPLY_UNIT_STOPPED "0afaba4abadf4457b728e6737582f8ee"
/* archyctl apply restarted an app's unit (its units or image changed). ARCHY_APP. */
#define ARCHY_MID_APPLY_UNIT_RESTARTED "935de3186b6a4401b349389171416f91"
/* archyctl apply converged: every app of the plan running and healthy. */
#define ARCHY_MID_APPLY_CONVERGED "d880817433954163b151af75308832c6"
/* archyctl apply did not converge: an app not running and healthy in time (ARCHY_APP), or a step
 * failed. */
#define ARCHY_MID_APPLY_FAILED "aadb96e0a95b459f9b39a271f5b77bbb"
/* archyctl apply rolled an app's container back to its previous image. ARCHY_APP. */
#define ARCHY_MID_APPLY_ROLLED_BACK "79bead787ec6466a86e75065b8a63989"

/* archy-reconcile stopped an active unit the manifest wants stopped. ARCHY_APP. */
#define ARCHY_MID_RECONCILE_STOP_UNIT "f4d111099dd24ee5b7fcc301fdd1d13b"
/* archy-reconcile stopped and removed a container of a stopped app running outside systemd. */
#define ARCHY_MID_RECONCILE_STOP_CONTAINER "610bb175b58643c1b2cd8cdb7879d856"
/* archy-reconcile removed a container that no app of the manifest produces. */
#define ARCHY_MID_RECONCILE_REMOVE_CONTAINER "2b50b6e2a3a44b5480193d6319b2f6a9"
/* archy-reconcile started again the units of an app systemd had given up on. ARCHY_APP. */
#define ARCHY_MID_RECONCILE_RESTART_APP "1d9d954035754be1a7fba153d73a1208"
/* archy-reconcile waits before the next restart of an app that keeps failing. ARCHY_APP. */
#define ARCHY_MID_RECONCILE_BACKOFF "c26790c1d1de4b4cab2fb167d5f07f15"
/* archy-reconcile found a volume no app of the manifest declares (reported, never removed). */
#define ARCHY_MID_RECONCILE_ORPHAN_VOLUME "5059656adeba47b0bf264794a76a845b"
/* archy-reconcile found a network no app of the manifest uses (reported, never removed). */
#define ARCHY_MID_RECONCILE_ORPHAN_NETWORK "2496c8191168472b91f8271ad939d6de"

/* archy-derive rewrote a derived file that had drifted (FM2), and restarts its consumers. ARCHY_APP. */
#define ARCHY_MID_DERIVE_DRIFT_REPAIRED "825cb0a8d24a4c4797832b91868b11e0"
/* archy-derive found drift in a derived file and could not repair it. ARCHY_APP. */
#define ARCHY_MID_DERIVE_REPAIR_FAILED "5be3bc4c91d3485192175ad30bcece48"
/* archy-derive generated a canonical secret that did not exist (secrets.<name>.generate). */
#define ARCHY_MID_DERIVE_SECRET_CREATED "79333027fa57486483c7ad53943c5754"
/* archy-derive refused to derive a file: a secret it needs is missing, unusable or breaks
 * secrets.<name>.chars, or the entry cannot be rendered; the file is left as it is. ARCHY_APP. */
#define ARCHY_MID_DERIVE_REFUSED "4a660ed5bba34c48b4d238ed6bb1ff40"
/* archy-derive removed the containers.conf drop-in it had written, from a node made rootless: its
 * host_containers_internal_ip would feed the rootless containers' host-gateway (FM4). */
#define ARCHY_MID_DERIVE_STALE_DROPIN_REMOVED "54fee7791aeb4419ac59f9a489fdfec8"

/* archy-podman-repair found podman's state broken (FM6) and it is still broken after the run: a repair
 * that did not help, or a state with nothing safe to do (a person must look). */
#define ARCHY_MID_PODMAN_BROKEN "f08acdb205ce4e85845a9a4c4d1d1cf6"
/* archy-podman-repair repaired podman: it answers again and the app units were started again. */
#define ARCHY_MID_PODMAN_REPAIRED "500f7b00c009414390c5d46de64cf589"
/* archy-podman-repair gave up on podman (repeated failures, or a state it cannot repair safely). */
#define ARCHY_MID_PODMAN_GAVE_UP "45817f0237054ae6a042ea1dcc77c826"

/* archy-verify-ota committed an update: its checks passed. */
#define ARCHY_MID_OTA_COMMITTED "30e07587e8954bc596ba79cb5e367e2f"
/* archy-verify-ota rolled an update back to the previous version (FM5). */
#define ARCHY_MID_OTA_ROLLED_BACK "1d05b4108e60416d9e5ab780dc6f4e34"
/* archy-verify-ota: one attempt's checks failed (a retry or a rollback follows). */
#define ARCHY_MID_OTA_VERIFY_FAILED "e9b60166b4f746358aff7393df3b8634"

/* The manifest in /etc/archipelago is unusable and there is no usable last good copy: no apps
 * (generator), nothing reconciled. */
#define ARCHY_MID_MANIFEST_REFUSED "bd33b18c9d0b464d920d3a0dbab578cf"
/* The manifest in /etc/archipelago is unusable: its last good copy is in use instead. */
#define ARCHY_MID_MANIFEST_LAST_GOOD "e545cc6e876c49afbf5a73ed623baed6"

/* A write of archy's state was refused for lack of space (ENOSPC or EDQUOT): the old file is
 * intact, the new state is not saved until space returns. */
#define ARCHY_MID_NO_SPACE "b9c54c178aab405f898f748cc4a55d03"
