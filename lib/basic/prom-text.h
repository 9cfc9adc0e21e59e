/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "strbuf.h"

/* Pure: Prometheus's text exposition format (version 0.0.4), as node_exporter's textfile
 * collector and `promtool check metrics` read it. A family is declared, then its samples follow
 * it; its # HELP and # TYPE lines are written before its first sample only, so that a family
 * with no sample leaves no trace. Misuse (a bad metric or label name, a family declared twice, a
 * sample before any family) makes prom_text_finish() fail, as an allocation failure does. */

enum prom_type { PROM_GAUGE, PROM_COUNTER };

struct prom_text {
        struct strbuf out;
        const char *family; /* the family in force, NULL: none yet */
        const char *help;
        enum prom_type type;
        bool header_done; /* its # HELP and # TYPE are written */
        char **declared;  /* every family declared so far (a family once only) */
        size_t n_declared;
        bool bad;
};

#define PROM_TEXT_INIT                                                                                                 \
        { .out = STRBUF_INIT }

/* The family every following sample belongs to. name and help must live until the next call. */
void prom_family(struct prom_text *p, const char *name, enum prom_type type, const char *help);
/* One sample of the family in force: labels are name, value pairs ending with NULL (NULL itself:
 * no labels); label values are escaped (\\, \", \n). */
void prom_sample(struct prom_text *p, const char *const *labels, double value);
/* The text, NULL on OOM or misuse; p is released either way. */
char *prom_text_finish(struct prom_text *p);
void prom_text_done(struct prom_text *p);

/* A value as Prometheus parses it back exactly: integers in plain digits (up to 2^53), any
 * other finite number in the shortest %g form that reads back the same. buf holds 32 bytes.
 * NaN and infinities are written as Prometheus spells them (NaN, +Inf, -Inf). */
const char *prom_format_value(double v, char buf[static 32]);
/* [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no colon). */
bool prom_name_valid(const char *name, bool label);
