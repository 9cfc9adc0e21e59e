/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Manifest text -> manifest_parse (parse + validate) -> every Quadlet unit the generator renders,
 * in memory. Oracles: no crash, no leak (ASan), rendering the same manifest twice gives the
 * same bytes, and what is rendered is valid UTF-8 without control characters (C0 but newline and
 * tab, DEL, C1): validation lets none into a unit file (a tab only inside a HealthCmd= value, where
 * it starts no line; elsewhere newline and tab are written as \n and \t). The same bytes read in pieces
 * (manifest_parse_reader(), as the generator reads the installed manifest) give the same problems and the same units.
 */
#include "fuzz.h"
#include "log.h"
#include "manifest.h"
#include "pieces.h"
#include "quadlet-render.h"
#include "strbuf.h"

static void render_app(const struct manifest *m, const struct app *a, struct strbuf *out) {
        for (size_t c = 0; c < a->n_containers; c++) {
                const struct container *ct = &a->containers[c];
                char *name = NULL;
                FUZZ_ASSERT(render_container_filename(ct, &name) == 0);
                strbuf_printf(out, "== %s\n", name);
                free(name);
                render_container(m, a, ct, out);
                for (size_t v = 0; v < ct->n_mounts; v++) {
                        if (ct->mounts[v].kind != MOUNT_NAMED_VOLUME)
                                continue;
                        FUZZ_ASSERT(render_volume_filename(a, ct->mounts[v].source, &name) == 0);
                        strbuf_printf(out, "== %s\n", name);
                        free(name);
                        render_volume(m, a, ct->mounts[v].source, out);
                }
        }
}

/* What generate_quadlet_files() writes, concatenated. */
static void render_all(const struct manifest *m, struct strbuf *out) {
        size_t containers = 0;
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->skip || a->state == APP_STATE_UNINSTALLED)
                        continue;
                render_app(m, a, out);
                containers += a->n_containers;
        }
        if (containers > 0)
                render_network(m, out);
}

/* Length of the valid UTF-8 sequence at s that is no control character, or 0. */
static size_t clean_char_len(const unsigned char *s, size_t left) {
        if (s[0] == '\n' || s[0] == '\t' || (s[0] >= 0x20 && s[0] < 0x7f))
                return 1;
        size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
                   : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                   : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                                  : 0;
        if (n == 0 || n > left)
                return 0;
        unsigned cp = s[0] & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        static const unsigned min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
                return 0;
        return n;
}

static bool clean_text(const char *text, size_t len) {
        for (size_t i = 0, n; i < len; i += n)
                if ((n = clean_char_len((const unsigned char *)text + i, len - i)) == 0)
                        return false;
        return true;
}

/* The manifest read in pieces of `step` bytes. Read as a file reads (as much as libyaml asks for)
 * it has the same problems; in smaller pieces libyaml decodes less ahead, so of an invalid UTF-8
 * byte and an earlier syntax error it may see the other one first; the verdict, and for a
 * usable manifest the problems and the units, are the same all the same. */
static void check_reader(const uint8_t *data, size_t size, size_t step, const struct manifest *m,
                         const struct diag_list *diags, const struct strbuf *units) {
        struct text_pieces r = {data, size, 0, step};
        struct diag_list again = {0};
        struct manifest *m2 = manifest_parse_reader(read_text_pieces, &r, &(bool){false}, "fuzz.yaml", &again);
        FUZZ_ASSERT(!m == !m2);
        if (m2 || step >= size) {
                FUZZ_ASSERT(again.n == diags->n);
                for (size_t i = 0; i < again.n; i++)
                        FUZZ_ASSERT(strcmp(again.items[i].text, diags->items[i].text) == 0);
        }
        if (m2) {
                struct strbuf out = STRBUF_INIT;
                render_all(m2, &out);
                FUZZ_ASSERT(fuzz_bytes_eq(strbuf_str(&out), out.len, strbuf_str(units), units->len));
                strbuf_free(&out);
        }
        manifest_free(m2);
        diag_list_free(&again);
}

static void check_readers(const uint8_t *data, size_t size, const struct manifest *m, const struct diag_list *diags,
                          const struct strbuf *units) {
        check_reader(data, size, SIZE_MAX, m, diags, units);
        check_reader(data, size, size % 7 + 1, m, diags, units);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        log_set_max_level(LOG_LVL_ERR - 1); /* the parser's messages are not the point */
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, size, "fuzz.yaml", &diags);
        if (m) {
                for (size_t i = 0; i < m->n_apps; i++)
                        for (size_t r = 0; r < m->apps[i].n_requires; r++)
                                (void)manifest_find_app(m, m->apps[i].requires[r]);
                struct strbuf first = STRBUF_INIT, second = STRBUF_INIT;
                render_all(m, &first);
                render_all(m, &second);
                FUZZ_ASSERT(!strbuf_failed(&first) && !strbuf_failed(&second));
                FUZZ_ASSERT(fuzz_bytes_eq(strbuf_str(&first), first.len, strbuf_str(&second), second.len));
                FUZZ_ASSERT(clean_text(strbuf_str(&first), first.len));
                check_readers(data, size, m, &diags, &first);
                strbuf_free(&first);
                strbuf_free(&second);
        } else
                check_readers(data, size, m, &diags, &(struct strbuf)STRBUF_INIT);
        manifest_free(m);
        diag_list_free(&diags);
        free(text);
        return 0;
}
