/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Manifest text -> manifest_parse -> every derived config archy-derive renders for it, with every
 * secret it names present. Oracles: no crash, no leak, and the rendered file is a fixed point:
 * rendering again with it as the current file gives the same bytes. */
#include <errno.h>

#include "fuzz.h"
#include "log.h"
#include "manifest.h"
#include "config-render.h"

static const char fixed_salt[] = "00112233445566778899aabbccddeeff";
static const char other_salt[] = "ffeeddccbbaa99887766554433221100";

#define MAX_NAMES 64

/* derived_for_each_secret() passes names in its own buffer: keep copies. */
struct names {
        struct secret_value items[MAX_NAMES];
        char text[MAX_NAMES][SECRET_NAME_BUF];
        size_t n;
};

static int add_name(const char *name, void *userdata) {
        struct names *s = userdata;
        if (s->n == MAX_NAMES)
                return 0;
        snprintf(s->text[s->n], SECRET_NAME_BUF, "%s", name);
        s->items[s->n] = (struct secret_value){.name = s->text[s->n], .value = "fuzz-secret-value"};
        s->n++;
        return 0;
}

static void render_derived(const struct manifest *m, const char *app, const struct derived *d) {
        struct names names = {.n = 0};
        char missing[SECRET_NAME_BUF] = "";
        FUZZ_ASSERT(derived_for_each_secret(d, add_name, &names) >= 0);
        struct secret_set secrets = {.items = names.items, .n = names.n};
        struct render_input in = {.d = d, .app = app, .secrets = &secrets, .new_salt = fixed_salt, .m = m};
        char *first = NULL, *second = NULL;
        int r = derived_render(&in, &first, missing);
        if (r == -EINVAL && names.n == MAX_NAMES)
                return; /* more secrets than this harness holds */
        FUZZ_ASSERT(r == 0 && first);
        in.current = first;
        in.current_len = strlen(first);
        in.new_salt = other_salt; /* must not be used: the block's rpcauth line validates */
        FUZZ_ASSERT(derived_render(&in, &second, missing) == 0 && second);
        FUZZ_ASSERT(strcmp(first, second) == 0);
        free(first);
        free(second);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        log_set_max_level(LOG_LVL_ERR - 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, size, "fuzz.yaml", &diags);
        for (size_t i = 0; m && i < m->n_apps; i++)
                for (size_t k = 0; !m->apps[i].skip && k < m->apps[i].n_derived; k++)
                        render_derived(m, m->apps[i].name, &m->apps[i].derived[k]);
        manifest_free(m);
        diag_list_free(&diags);
        free(text);
        return 0;
}
