/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse-number.h"
#include "strbuf.h"
#include "values.h"

static bool in_set(char ch, const char *extra) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               (ch && strchr(extra, ch));
}

static bool all_in_set(const char *s, size_t n, const char *extra) {
        for (size_t i = 0; i < n; i++)
                if (!in_set(s[i], extra))
                        return false;
        return true;
}

bool rpc_user_valid(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= 64 && all_in_set(s, n, "_.-");
}

/* At most 10 digits (a UID). */
static int decimal_parse(const char *s, size_t n, unsigned long max, unsigned long *ret) {
        unsigned long long v;
        if (n > 10 || parse_decimal(s, n, max, &v) < 0)
                return -EINVAL;
        *ret = (unsigned long)v;
        return 0;
}

bool host_port_valid(const char *s) {
        const char *colon = strrchr(s, ':');
        unsigned long port;
        if (!colon || colon == s || colon - s > 253)
                return false;
        for (const char *p = s; p < colon; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
                        return false;
        return decimal_parse(colon + 1, strlen(colon + 1), 65535, &port) == 0 && port > 0;
}

bool url_path_valid(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= 255 && s[0] == '/' && all_in_set(s, n, "._/-");
}

int owner_parse(const char *s, unsigned *ret_uid, unsigned *ret_gid) {
        const char *colon = strchr(s, ':');
        unsigned long uid, gid;
        /* (uid_t)-1 means "unchanged" to chown(2): never a real owner. */
        if (!colon || decimal_parse(s, (size_t)(colon - s), UINT_MAX - 1, &uid) < 0 ||
            decimal_parse(colon + 1, strlen(colon + 1), UINT_MAX - 1, &gid) < 0)
                return -EINVAL;
        *ret_uid = (unsigned)uid;
        *ret_gid = (unsigned)gid;
        return 0;
}

int mode_parse(const char *s, unsigned *ret_mode) {
        size_t n = strlen(s);
        if (n < 3 || n > 4)
                return -EINVAL;
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '7')
                        return -EINVAL;
                v = v * 8 + (unsigned)(s[i] - '0');
        }
        /* The owner must be able to read it back; no setuid, setgid or sticky bits. */
        if (v < 0400 || v > 0777)
                return -EINVAL;
        *ret_mode = v;
        return 0;
}

bool part_list_valid(const char *s) {
        char part[64];
        for (const char *p = s;;) {
                size_t n = strcspn(p, " ");
                if (n == 0 || n >= sizeof(part))
                        return false;
                memcpy(part, p, n);
                part[n] = 0;
                if (!name_valid(part))
                        return false;
                if (!p[n])
                        return true;
                p += n + 1;
        }
}

const char *secret_ref_next_form(const char *s, char name[SECRET_REF_NAME_MAX], enum secret_form *form,
                                 const char **after) {
        static const char prefix[] = "${secret:";
        const char *p = strstr(s, "${");
        /* ${app:...} is another kind of reference (app-ref.h checks and resolves it) */
        while (p && strncmp(p, "${app:", 6) == 0 && strchr(p, '}'))
                p = strstr(strchr(p, '}') + 1, "${");
        *after = NULL;
        *form = SECRET_FORM_PLAIN;
        if (!p || strncmp(p, prefix, sizeof(prefix) - 1) != 0)
                return p;
        const char *start = p + sizeof(prefix) - 1, *end = strchr(start, '}');
        if (!end)
                return p;
        /* ${secret:NAME:FORM}: the only FORM is "url" */
        const char *colon = memchr(start, ':', (size_t)(end - start));
        const char *name_end = colon ?: end;
        if ((size_t)(name_end - start) >= SECRET_REF_NAME_MAX)
                return p;
        if (colon && !(end - colon - 1 == 3 && strncmp(colon + 1, "url", 3) == 0))
                return p;
        memcpy(name, start, (size_t)(name_end - start));
        name[name_end - start] = 0;
        if (name_valid(name)) {
                *after = end + 1;
                *form = colon ? SECRET_FORM_URL : SECRET_FORM_PLAIN;
        }
        return p;
}

const char *secret_ref_next(const char *s, char name[SECRET_REF_NAME_MAX], const char **after) {
        enum secret_form form;
        return secret_ref_next_form(s, name, &form, after);
}

bool secret_ref_form_unknown(const char *ref, char form[SECRET_REF_NAME_MAX]) {
        static const char prefix[] = "${secret:";
        if (strncmp(ref, prefix, sizeof(prefix) - 1) != 0)
                return false;
        const char *start = ref + sizeof(prefix) - 1, *end = strchr(start, '}');
        const char *colon = end ? memchr(start, ':', (size_t)(end - start)) : NULL;
        char name[SECRET_REF_NAME_MAX];
        if (!colon || (size_t)(colon - start) >= sizeof(name) || (size_t)(end - colon - 1) >= SECRET_REF_NAME_MAX)
                return false;
        memcpy(name, start, (size_t)(colon - start));
        name[colon - start] = 0;
        if (!name_valid(name))
                return false;
        memcpy(form, colon + 1, (size_t)(end - colon - 1));
        form[end - colon - 1] = 0;
        return strcmp(form, "url") != 0;
}

void secret_url_encode(const char *secret, struct strbuf *out) {
        static const char hex[] = "0123456789ABCDEF";
        for (const unsigned char *c = (const unsigned char *)secret; *c; c++)
                if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                    strchr("-._~", *c))
                        strbuf_putc(out, (char)*c);
                else
                        strbuf_printf(out, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
}

bool secret_refs_valid(const char *s, size_t *bad_at) {
        char name[SECRET_REF_NAME_MAX];
        const char *after;
        for (const char *p = secret_ref_next(s, name, &after); p; p = secret_ref_next(after, name, &after)) {
                *bad_at = (size_t)(p - s);
                if (!after)
                        return false;
        }
        return true;
}

enum content_piece content_next(const char *s, size_t *ret_len, char name[SECRET_REF_NAME_MAX]) {
        if (s[0] == '$' && s[1] == '$') {
                *ret_len = 2;
                return CONTENT_DOLLAR;
        }
        if (strncmp(s, "${app:", 6) == 0 && strchr(s, '}')) {
                *ret_len = (size_t)(strchr(s, '}') - s) + 1;
                return CONTENT_APP;
        }
        if (s[0] == '$' && s[1] == '{') {
                const char *after;
                secret_ref_next(s, name, &after);
                *ret_len = after ? (size_t)(after - s) : strcspn(s, "}") + (strchr(s, '}') ? 1 : 0);
                return after ? CONTENT_SECRET : CONTENT_BAD;
        }
        size_t n = 0;
        while (s[n] && !(s[n] == '$' && (s[n + 1] == '$' || s[n + 1] == '{')))
                n++;
        *ret_len = n;
        return CONTENT_TEXT;
}

bool content_refs_valid(const char *s, size_t *bad_at, size_t *bad_len) {
        char name[SECRET_REF_NAME_MAX];
        for (size_t at = 0, n; s[at]; at += n)
                if (content_next(s + at, &n, name) == CONTENT_BAD) {
                        *bad_at = at;
                        *bad_len = n;
                        return false;
                }
        return true;
}

enum text_problem content_text_check(const char *s, size_t len, size_t *ret_at, uint32_t *ret_char) {
        for (size_t start = 0; start < len;) {
                size_t n = start;
                while (n < len && s[n] != '\n' && s[n] != '\t')
                        n++;
                enum text_problem p = text_check(s + start, n - start, ret_at, ret_char);
                if (p != TEXT_OK) {
                        *ret_at += start;
                        return p;
                }
                start = n + 1;
        }
        return TEXT_OK;
}

bool bitcoin_option_name_valid(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= 64 && s[0] >= 'a' && s[0] <= 'z' &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

bool bitcoin_option_value_valid(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= 255 && all_in_set(s, n, "._:/,@+-");
}

int nginx_port_parse(const char *s, unsigned *ret) {
        unsigned long port;
        if (decimal_parse(s, strlen(s), 65535, &port) < 0 || port == 0 || port == 80 || port == 443)
                return -EINVAL;
        *ret = (unsigned)port;
        return 0;
}

bool base_path_valid(const char *s) {
        size_t n = strlen(s);
        if (n < 3 || !url_path_valid(s) || s[n - 1] != '/' || strstr(s, "//"))
                return false;
        /* Segments "." and ".." would be resolved by the browser before nginx matches the prefix. */
        for (const char *seg = s + 1; *seg; seg += strcspn(seg, "/") + 1) {
                size_t len = strcspn(seg, "/");
                if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
                        return false;
        }
        return true;
}
