/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "manifest.h"

/* Pure: the text edits behind archyctl install, uninstall, start and stop (archyctl(8)). Each is
 * a splice of the installed manifest's bytes at the positions the loader gives (yaml-node.h), so
 * that the user's comments and layout survive; everything outside the edited lines stays byte for
 * byte. The result is loaded again with the real parser and checked (every other app there with
 * its state, the app in the wanted state) before it is returned; nothing is returned otherwise.
 *
 * Refused (-EINVAL, *ret_error says why and "edit by hand"): a manifest with CR line ends, an
 * apps mapping or an app written in flow style ({...}), an app that is not a mapping, a state
 * value that is not a plain or quoted word.
 *
 * Returns 0 and *ret (malloc'ed, *ret_len bytes) on an edit; 1 when the app already is in that
 * state (nothing to edit, *ret NULL); -ENOENT when the manifest has no such app (*ret_error names
 * it and the nearest name); -EINVAL refused; -ENOMEM. *ret_error is malloc'ed or NULL. */

/* apps.APP.state becomes want: the scalar is replaced in place, or, when the app has no state
 * key, a line "state: WANT" is inserted at the indentation of its first key. */
int medit_set_state(const char *text, size_t len, const char *app, enum app_state want, char **ret, size_t *ret_len,
                    char **ret_error);

/* APP's block from `file` (a manifest naming APP: its key line, the lines under it, and the
 * comment lines directly above it), re-indented to the installed manifest's app indentation,
 * replaces APP's block in `installed` or is appended after its last app. Each secret that
 * `file` declares, that the block names (a word of the block's text), and that `installed` lacks
 * is copied the same way (a secrets mapping is added above apps when there is none). The app
 * then is `state: started` (install means run it), whatever `file` says. 1: the result would be
 * the installed text as it is. -ENOENT: `file` has no app APP. */
int medit_install(const char *installed, size_t installed_len, const char *file, size_t file_len, const char *app,
                  char **ret, size_t *ret_len, char **ret_error);

/* apps.APP.containers.PART.image becomes image (a rollback to the image it had): the scalar is
 * replaced in place, in the style it was written in (plain, 'x' or "x"), a flow-style container
 * too. 1: it is that image already. -ENOENT: no app APP; -EINVAL (refused): no such container or
 * image key, a value written otherwise, an invalid image reference. The result is checked: every
 * app in its state, the container on image. */
int medit_set_image(const char *text, size_t len, const char *app, const char *part, const char *image, char **ret,
                    size_t *ret_len, char **ret_error);

/* The check both run on their result, exported for tests: new parses as a manifest, names the
 * apps of old (and app), in the same states except app, which is in state want. 0, or -EINVAL
 * with *ret_error. */
int medit_verify(const char *old_text, size_t old_len, const char *new_text, size_t new_len, const char *app,
                 enum app_state want, char **ret_error);
