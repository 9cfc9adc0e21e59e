/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "values-container.h"

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "parse-number.h"
#include "values.h"

int user_parse(const char *s, unsigned *ret_uid, unsigned *ret_gid, bool *ret_has_gid) {
        const char *colon = strchr(s, ':');
        size_t uid_len = colon ? (size_t)(colon - s) : strlen(s);
        unsigned long long uid, gid = 0;
        if (parse_decimal(s, uid_len, ARCHY_ID_MAX, &uid) < 0 ||
            (colon && parse_unsigned(colon + 1, ARCHY_ID_MAX, &gid) < 0))
                return -EINVAL;
        *ret_uid = (unsigned)uid;
        *ret_gid = (unsigned)gid;
        *ret_has_gid = colon != NULL;
        return 0;
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool hostname_valid(const char *s) {
        return host_labels_valid(s, 64);
}

bool host_labels_valid(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max)
                return false;
        for (const char *label = s;;) {
                size_t len = strcspn(label, ".");
                if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
                        return false;
                for (size_t i = 0; i < len; i++)
                        if (!is_alnum(label[i]) && label[i] != '-')
                                return false;
                if (label[len] == '\0')
                        return true;
                label += len + 1;
        }
}

bool network_alias_valid(const char *s) {
        return hostname_valid(s) && strncmp(s, "archy-", 6) != 0;
}

/* Index = signal number (x86-64, arm64: the generic numbering). */
static const char *const signals[] = {
        NULL,        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

const char *signal_canonical(const char *s) {
        unsigned long long nr;
        if (parse_unsigned(s, ELEMENTSOF(signals) - 1, &nr) == 0)
                return nr > 0 ? signals[nr] : NULL;
        const char *name = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 1; i < ELEMENTSOF(signals); i++)
                if (strcmp(signals[i] + 3, name) == 0)
                        return signals[i];
        return NULL;
}

unsigned signal_number(const char *canonical) {
        for (size_t i = 1; i < ELEMENTSOF(signals); i++)
                if (strcmp(signals[i], canonical) == 0)
                        return (unsigned)i;
        return 0;
}

/* capabilities(7), Linux 6.12: every capability up to CAP_CHECKPOINT_RESTORE (40). */
static const char *const capabilities[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};

const char *capability_canonical(const char *s, bool allow_all) {
        if (allow_all && strcmp(s, "ALL") == 0)
                return "ALL";
        const char *name = strncmp(s, "CAP_", 4) == 0 ? s + 4 : s;
        for (size_t i = 0; i < ELEMENTSOF(capabilities); i++)
                if (strcmp(capabilities[i] + 4, name) == 0)
                        return capabilities[i];
        return NULL;
}

static bool number_option(const char *value, unsigned long long max) {
        unsigned long long v;
        return parse_unsigned(value, max, &v) == 0;
}

static bool tmpfs_option_valid(const char *opt, size_t len) {
        static const char *const flags[] = {"ro",     "rw",   "nosuid",      "suid",      "nodev", "dev",
                                            "noexec", "exec", "notmpcopyup", "tmpcopyup", NULL};
        char buf[64];
        if (len == 0 || len >= sizeof(buf))
                return false;
        memcpy(buf, opt, len);
        buf[len] = '\0';
        for (const char *const *f = flags; *f; f++)
                if (strcmp(buf, *f) == 0)
                        return true;
        char *eq = strchr(buf, '=');
        if (!eq)
                return false;
        *eq = '\0';
        const char *value = eq + 1;
        unsigned long long v;
        if (strcmp(buf, "size") == 0) {
                /* the kernel's memparse(): digits and one of k, m, g */
                size_t d = strspn(value, "0123456789");
                bool unit = value[d] != '\0' && strchr("kKmMgG", value[d]) && value[d + 1] == '\0';
                return d > 0 && d <= 12 && (value[d] == '\0' || unit) && parse_decimal(value, d, 1ULL << 40, &v) == 0 &&
                       v > 0;
        }
        if (strcmp(buf, "mode") == 0)
                return strlen(value) >= 1 && strlen(value) <= 4 && strspn(value, "01234567") == strlen(value);
        if (strcmp(buf, "uid") == 0 || strcmp(buf, "gid") == 0)
                return number_option(value, ARCHY_ID_MAX);
        if (strcmp(buf, "nr_inodes") == 0)
                return number_option(value, 1ULL << 40);
        return false;
}

bool tmpfs_valid(const char *s) {
        const char *colon = strchr(s, ':');
        size_t path_len = colon ? (size_t)(colon - s) : strlen(s);
        char path[4096];
        if (path_len >= sizeof(path))
                return false;
        memcpy(path, s, path_len);
        path[path_len] = '\0';
        if (!abs_path_valid(path) || strcmp(path, "/") == 0)
                return false;
        if (!colon)
                return true;
        for (const char *opt = colon + 1;;) {
                size_t len = strcspn(opt, ",");
                if (!tmpfs_option_valid(opt, len))
                        return false;
                if (opt[len] == '\0')
                        return true;
                opt += len + 1;
        }
}

bool ulimit_name_valid(const char *s) {
        static const char *const names[] = {"as",      "core",     "cpu",        "data",   "fsize", "locks",
                                            "memlock", "msgqueue", "nice",       "nofile", "nproc", "rss",
                                            "rtprio",  "rttime",   "sigpending", "stack",  NULL};
        for (const char *const *n = names; *n; n++)
                if (strcmp(s, *n) == 0)
                        return true;
        return false;
}

bool entrypoint_arg_valid(const char *s) {
        size_t n = strlen(s);
        return n > 0 && n <= 255 &&
               strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:@+=,-") == n;
}
