/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Run path with argv and envp, wait for it: its exit status, 128 + the signal that ended it, or
 * negative errno when it could not be started. */
int spawn_and_wait(const char *path, char *const argv[], char *const envp[]);
