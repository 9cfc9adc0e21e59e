/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "prom-text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool prom_name_valid(const char *name, bool label) {
        if (!name || !*name || (*name >= '0' && *name <= '9'))
                return false;
        for (const char *c = name; *c; c++) {
                bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                          *c == '_' || (!label && *c == ':');
                if (!ok)
                        return false;
        }
        return true;
}

const char *prom_format_value(double v, char buf[static 32]) {
        if (isnan(v))
                return "NaN";
        if (isinf(v))
                return v > 0 ? "+Inf" : "-Inf";
        /* (no libm: the range check first, so the cast is defined) */
        if (v >= -9007199254740992.0 && v <= 9007199254740992.0 && v == (double)(long long)v) {
                snprintf(buf, 32, "%.0f", v);
                return strcmp(buf, "-0") == 0 ? "0" : buf;
        }
        for (int precision = 1; precision <= 17; precision++) {
                snprintf(buf, 32, "%.*g", precision, v);
                if (strtod(buf, NULL) == v)
                        break;
        }
        return buf;
}

static void escaped(struct strbuf *b, const char *s, bool quote) {
        for (; *s; s++)
                if (*s == '\\')
                        strbuf_puts(b, "\\\\");
                else if (*s == '\n')
                        strbuf_puts(b, "\\n");
                else if (*s == '"' && quote)
                        strbuf_puts(b, "\\\"");
                else
                        strbuf_putc(b, *s);
}

void prom_family(struct prom_text *p, const char *name, enum prom_type type, const char *help) {
        bool dup = false;
        for (size_t i = 0; i < p->n_declared && !dup; i++)
                dup = strcmp(p->declared[i], name) == 0;
        char **d = dup ? NULL : realloc(p->declared, (p->n_declared + 1) * sizeof *d);
        char *copy = d ? strdup(name) : NULL;
        if (d)
                p->declared = d;
        if (copy)
                p->declared[p->n_declared++] = copy;
        p->out.oom |= !dup && !copy;
        p->bad |= dup || !prom_name_valid(name, false) || !help;
        *p = (struct prom_text){.out = p->out,
                                .family = name,
                                .help = help,
                                .type = type,
                                .declared = p->declared,
                                .n_declared = p->n_declared,
                                .bad = p->bad};
}

static void header(struct prom_text *p) {
        if (p->header_done)
                return;
        strbuf_printf(&p->out, "# HELP %s ", p->family);
        escaped(&p->out, p->help, false);
        strbuf_printf(&p->out, "\n# TYPE %s %s\n", p->family, p->type == PROM_COUNTER ? "counter" : "gauge");
        p->header_done = true;
}

void prom_sample(struct prom_text *p, const char *const *labels, double value) {
        if (!p->family || p->bad) {
                p->bad = true;
                return;
        }
        header(p);
        strbuf_puts(&p->out, p->family);
        for (size_t i = 0; labels && labels[i]; i += 2) {
                if (!labels[i + 1] || !prom_name_valid(labels[i], true) || strncmp(labels[i], "__", 2) == 0) {
                        p->bad = true;
                        return;
                }
                strbuf_printf(&p->out, "%s%s=\"", i ? "," : "{", labels[i]);
                escaped(&p->out, labels[i + 1], true);
                strbuf_putc(&p->out, '"');
        }
        char buf[32];
        strbuf_printf(&p->out, "%s %s\n", labels && labels[0] ? "}" : "", prom_format_value(value, buf));
}

void prom_text_done(struct prom_text *p) {
        for (size_t i = 0; i < p->n_declared; i++)
                free(p->declared[i]);
        free(p->declared);
        strbuf_free(&p->out);
        *p = (struct prom_text)PROM_TEXT_INIT;
}

char *prom_text_finish(struct prom_text *p) {
        char *text = p->bad || strbuf_failed(&p->out) ? NULL : strbuf_steal(&p->out);
        prom_text_done(p);
        return text;
}
