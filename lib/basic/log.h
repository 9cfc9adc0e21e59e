/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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

/* Structured messages (message-ids.h): journald gets MESSAGE_ID=message_id and, when app is not
 * NULL, ARCHY_APP=app, besides the fields every message has. Either may be NULL. They go to
 * journald's socket with every target; where stderr is not the journal (a terminal, a pipe) the
 * text is printed there too, exactly as log_full_errno prints it: the id is never printed, the
 * journal has it. When journald does not take the entry, the text goes where log_full_errno's
 * would. Returns -abs(err) like log_full_errno. */
int log_struct_errno(enum log_level level, int err, const char *message_id, const char *app, const char *fmt, ...)
        _printf_(5, 6);
#define log_struct(level, id, app, ...) log_struct_errno((level), 0, (id), (app), __VA_ARGS__)

/* ARCHY_MID_NO_SPACE when err is ENOSPC or EDQUOT (either sign), otherwise NULL: a write that
 * failed for lack of space is tagged, any other failure is logged as before. */
const char *log_no_space_id(int err);
/* A state file that could not be written: log_error_errno's message, with MESSAGE_ID=NO_SPACE
 * when the disk is full. */
#define log_write_errno(e, app, ...) log_struct_errno(LOG_LVL_ERR, (e), log_no_space_id(e), (app), __VA_ARGS__)

/* The same entry to journald only, for an event the program also prints in its own form (a
 * progress line, an action on stdout): true when journald took it. A caller whose stdout is the
 * journal (log_fd_is_journal) then leaves its own line out, so the journal holds it once. */
bool log_journal_record(enum log_level level, const char *message_id, const char *app, const char *fmt, ...)
        _printf_(4, 5);
struct journal_field;
/* An entry with fields of the caller's own besides MESSAGE_ID=message_id (when not NULL) and the
 * ones every message has (journal-field.h: a value, and the message, may span lines; a key
 * journald would refuse is left out). Sent to journald only, never printed: true when journald
 * took it, so that a caller whose text goes nowhere else can print it when it did not. */
bool log_journal_fields(enum log_level level, const char *message_id, const struct journal_field *fields,
                        size_t n_fields, const char *fmt, ...) _printf_(5, 6);

/* How long a program waits at exit for journald to read its structured entries, and then for
 * journald to have read the program's cgroup. */
#define LOG_DRAIN_TIMEOUT_MS 500
#define LOG_DRAIN_GRACE_MS 10
/* Waits up to timeout_ms for journald to have read every entry sent on the structured socket so
 * far: an entry journald reads after its sender is gone has no _SYSTEMD_UNIT, and journalctl -u
 * misses it. Runs at exit in every program that sent one (not in the generator, whose target is
 * the journal: PID 1 waits for it). 0, -ETIMEDOUT, or negative errno. */
int log_journal_drain(unsigned timeout_ms);

/* Whether fd is the journal stream systemd connected (JOURNAL_STREAM, systemd.exec(5)). */
bool log_fd_is_journal(int fd);
