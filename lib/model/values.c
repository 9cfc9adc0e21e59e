/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "values.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-number.h"

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
static bool is_alnum(char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > ARCHY_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

bool image_ref_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 255 || s[0] == '-')
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:@-") == n;
}

/* The registry of a reference is its first component when that has a '.' or ':' or is
 * "localhost" (how podman and docker tell a registry from a repository). */
static size_t image_registry_len(const char *s) {
        size_t first = strcspn(s, "/");
        if (s[first] != '/')
                return 0;
        bool registry =
                memchr(s, '.', first) || memchr(s, ':', first) || (first == 9 && strncmp(s, "localhost", 9) == 0);
        return registry ? first : 0;
}

static bool image_has_tag_or_digest(const char *s) {
        const char *at = strchr(s, '@');
        if (at)
                return at[1] != '\0';
        const char *last = strrchr(s, '/');
        const char *colon = strchr(last ? last : s, ':');
        return colon && colon[1] != '\0';
}

enum image_problem image_ref_check(const char *s) {
        if (image_registry_len(s) == 0)
                return IMAGE_SHORT_NAME;
        return image_has_tag_or_digest(s) ? IMAGE_OK : IMAGE_NO_TAG;
}

const char *image_ref_suggest(const char *s, char *buf, size_t size) {
        size_t reg = image_registry_len(s);
        const char *path = reg ? s + reg + 1 : s;
        bool docker = !reg || (reg == 9 && strncmp(s, "docker.io", 9) == 0);
        const char *library = docker && !strchr(path, '/') ? "library/" : "";
        size_t plen = strlen(path);
        if (plen > 0 && (path[plen - 1] == ':' || path[plen - 1] == '@'))
                plen--; /* an empty tag or digest */
        snprintf(buf, size, "%.*s%s%s%.*s%s", (int)(reg ? reg : 9), reg ? s : "docker.io", "/", library, (int)plen,
                 path, image_has_tag_or_digest(s) ? "" : ":TAG");
        return buf;
}

bool abs_path_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 4095 || s[0] != '/')
                return false;
        if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/@+-") != n)
                return false;
        if (n > 1 && s[n - 1] == '/')
                return false;
        /* Walk the components: none may be empty, "." or "..". */
        for (const char *c = s + 1; *c;) {
                size_t len = strcspn(c, "/");
                if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return n == 1;
                c += len;
                if (*c == '/')
                        c++;
        }
        return true;
}

bool env_name_valid(const char *s) {
        if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (const char *c = s + 1; *c; c++)
                if (!is_alnum(*c) && *c != '_')
                        return false;
        return strlen(s) <= 255;
}

/* The length of the well-formed UTF-8 sequence at s (shortest form, no surrogate, at most
 * U+10FFFF), its code point in *cp; 0 when the bytes there are not one. */
static size_t utf8_sequence(const unsigned char *s, size_t left, uint32_t *cp) {
        static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        size_t n = s[0] < 0x80             ? 1
                   : (s[0] & 0xe0) == 0xc0 ? 2
                   : (s[0] & 0xf0) == 0xe0 ? 3
                   : (s[0] & 0xf8) == 0xf0 ? 4
                                           : 0;
        if (n == 0 || n > left)
                return 0;
        uint32_t v = n == 1 ? s[0] : s[0] & (0x7fu >> n);
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                v = v << 6 | (s[i] & 0x3fu);
        }
        if (v < min_for_len[n] || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
                return 0;
        *cp = v;
        return n;
}

static bool is_control(uint32_t cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

enum text_problem text_check(const char *s, size_t len, size_t *ret_at, uint32_t *ret_char) {
        for (size_t i = 0; i < len;) {
                if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) { /* printable ASCII */
                        i++;
                        continue;
                }
                uint32_t cp = 0;
                size_t n = utf8_sequence((const unsigned char *)s + i, len - i, &cp);
                if (n == 0 || is_control(cp)) {
                        *ret_at = i;
                        *ret_char = n == 0 ? (unsigned char)s[i] : cp;
                        return n == 0 ? TEXT_BAD_UTF8 : cp < 0x80 ? TEXT_C0_CONTROL : TEXT_C1_CONTROL;
                }
                i += n;
        }
        return TEXT_OK;
}

bool text_valid(const char *s, size_t len) {
        size_t at;
        uint32_t ch;
        return text_check(s, len, &at, &ch) == TEXT_OK;
}

/* At most 9 digits. */
static int parse_uint(const char *s, size_t len, unsigned max, unsigned *ret) {
        unsigned long long v;
        if (len > 9 || parse_decimal(s, len, max, &v) < 0)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int duration_parse(const char *s, unsigned *ret_sec) {
        static const struct {
                const char *suffix;
                unsigned factor;
        } units[] = {{"", 1}, {"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}};
        size_t digits = strspn(s, "0123456789");

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (strcmp(s + digits, units[i].suffix) != 0)
                        continue;
                unsigned v;
                if (parse_uint(s, digits, 86400, &v) < 0)
                        return -EINVAL;
                unsigned long long sec = (unsigned long long)v * units[i].factor;
                if (sec < 1 || sec > 86400)
                        return -EINVAL;
                *ret_sec = (unsigned)sec;
                return 0;
        }
        return -EINVAL;
}

void port_done(struct port *p) {
        free(p->host_ip);
        p->host_ip = NULL;
}

int port_parse(const char *s, struct port *ret) {
        struct port p = {.proto = "tcp"};
        const char *slash = strchr(s, '/');
        size_t spec_len = slash ? (size_t)(slash - s) : strlen(s);

        if (slash) {
                if (strcmp(slash + 1, "tcp") == 0)
                        p.proto = "tcp";
                else if (strcmp(slash + 1, "udp") == 0)
                        p.proto = "udp";
                else
                        return -EINVAL;
        }
        /* Split "a:b:c" from the right: the last field is the container port. */
        const char *last = memrchr(s, ':', spec_len);
        if (!last)
                return -EINVAL;
        const char *mid = memrchr(s, ':', (size_t)(last - s));
        const char *host_start = mid ? mid + 1 : s;
        if (parse_uint(last + 1, spec_len - (size_t)(last + 1 - s), 65535, &p.container_port) < 0 ||
            parse_uint(host_start, (size_t)(last - host_start), 65535, &p.host_port) < 0 || p.container_port == 0 ||
            p.host_port == 0)
                return -EINVAL;
        if (mid) {
                size_t ip_len = (size_t)(mid - s);
                char ip[INET_ADDRSTRLEN];
                struct in_addr addr;
                if (ip_len == 0 || ip_len >= sizeof(ip))
                        return -EINVAL;
                memcpy(ip, s, ip_len);
                ip[ip_len] = '\0';
                if (inet_pton(AF_INET, ip, &addr) != 1)
                        return -EINVAL;
                p.host_ip = strdup(ip);
                if (!p.host_ip)
                        return -ENOMEM;
        }
        *ret = p;
        return 0;
}

void mount_done(struct mount *m) {
        free(m->source);
        free(m->target);
        m->source = m->target = NULL;
}

int mount_parse(const char *s, struct mount *ret) {
        const char *c1 = strchr(s, ':');
        if (!c1)
                return -EINVAL;
        const char *c2 = strchr(c1 + 1, ':');
        struct mount m = {0};

        if (c2) {
                if (strcmp(c2 + 1, "ro") == 0)
                        m.read_only = true;
                else if (strcmp(c2 + 1, "rw") != 0)
                        return -EINVAL;
        }
        m.source = strndup(s, (size_t)(c1 - s));
        m.target = c2 ? strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : strdup(c1 + 1);
        if (!m.source || !m.target) {
                mount_done(&m);
                return -ENOMEM;
        }
        if (m.source[0] == '/')
                m.kind = MOUNT_HOST_PATH;
        else
                m.kind = MOUNT_NAMED_VOLUME;
        if ((m.kind == MOUNT_HOST_PATH ? !abs_path_valid(m.source) : !name_valid(m.source)) ||
            !abs_path_valid(m.target) || strcmp(m.target, "/") == 0 || strcmp(m.source, "/") == 0) {
                mount_done(&m);
                return -EINVAL;
        }
        *ret = m;
        return 0;
}

const char *value_for_message(const char *s, size_t len, char *buf, size_t bufsize) {
        size_t o = 0;
        for (size_t i = 0; i < len && o + 8 < bufsize;) {
                unsigned char c = (unsigned char)s[i];
                uint32_t cp = 0;
                size_t n = utf8_sequence((const unsigned char *)s + i, len - i, &cp);
                if (c == '\n')
                        o += (size_t)snprintf(buf + o, bufsize - o, "\\n");
                else if (c == '"' || c == '\\')
                        o += (size_t)snprintf(buf + o, bufsize - o, "\\%c", c);
                else if (n == 0 || is_control(cp))
                        /* one byte at a time: a C1 control or a broken sequence is shown as its bytes */
                        n = 1, o += (size_t)snprintf(buf + o, bufsize - o, "\\x%02x", c);
                else if (o + n + 8 < bufsize)
                        memcpy(buf + o, s + i, n), o += n;
                else
                        break;
                i += n ? n : 1;
                if (o + 8 >= bufsize && i < len) {
                        o += (size_t)snprintf(buf + o, bufsize - o, "...");
                        break;
                }
        }
        buf[o] = '\0';
        return buf;
}
