/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "manifest.h"
#include "strbuf.h"

/* Wiring between apps (archy-manifest(5), WIRING BETWEEN APPS): a container's env value, a
 * derived env file's value or a derived file's content names another app's host and ports instead
 * of hard-coding them.
 *   ${app:APP.host}, ${app:APP.PART.host}         the container's name on the archipelago
 *                                                 network: archy-APP, archy-APP-PART (naming.h)
 *   ${app:APP.ports.NAME}, ${app:APP.PART.ports.NAME}  the in-container port its expose names
 * APP is the referring app itself or an app it requires. Pure. */

enum app_ref_problem {
        APP_REF_OK,
        APP_REF_SYNTAX,
        APP_REF_UNKNOWN_APP,
        APP_REF_UNINSTALLED,
        APP_REF_NOT_REQUIRED,
        APP_REF_UNKNOWN_PART,
        APP_REF_UNKNOWN_PORT,
};

struct app_ref_error {
        enum app_ref_problem problem;
        size_t at, len; /* the reference "${app:...}" in the text */
};

/* Copies text into out with every ${app:...} replaced by what it names; everything else as it
 * is (${secret:NAME} too, and with dollar_escape "$$" pairs, so that "$${app:" stays literal).
 * 0; -EINVAL with *err saying which reference and why; -ENOMEM. */
int app_refs_expand(const struct manifest *m, const struct app *a, const char *text, bool dollar_escape,
                    struct strbuf *out, struct app_ref_error *err);

/* "${app:...}: what is wrong, what was expected" for err of text. */
void app_ref_error_message(const struct manifest *m, const struct app *a, const char *text,
                           const struct app_ref_error *err, struct strbuf *out);

/* Every container env value, derived env value and file content of every app with units
 * resolves; a problem is reported at the value's position with its key and skips the app. */
void manifest_check_app_refs(struct manifest *m, struct diag_list *diags);
