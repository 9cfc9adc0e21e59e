/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Where messages go. A generator run by systemd has no useful stderr. LOG_TARGET_SYSTEM sends to
 * journald's native socket when journald listens (daemon-reload), otherwise to /dev/kmsg (early
 * boot: journald reads it later), otherwise (a container at boot, a chroot) to stderr. */
enum log_target { LOG_TARGET_STDERR, LOG_TARGET_SYSTEM };

#define LOG_JOURNAL_SOCKET "/run/systemd/journal/socket"

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARNING = 4, LOG_LVL_NOTICE = 5, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

void log_setup(const char *ident, enum log_target target);
/* LOG_TARGET_SYSTEM with another journal socket (tests). Returns 0 or negative errno when it is
 * not there, in which case kmsg or stderr is used. */
int log_setup_system(const char *ident, const char *journal_socket);
void log_close(void);
void log_set_max_level(enum log_level level);
enum log_level log_get_max_level(void);

/* Returns -abs(err) (or 0 for err == 0), so callers can write `return log_error_errno(r, ...)`. */
int log_full_errno(enum log_level level, int err, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_full_errno(LOG_LVL_ERR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LVL_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_LVL_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_LVL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_LVL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_LVL_ERR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_LVL_WARNING, (e), __VA_ARGS__)
