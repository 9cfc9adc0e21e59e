/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/* Pure checks for every kind of manifest value that ends up in a unit file, a container name or
 * a path. Each accepts a conservative language; anything else is rejected, not repaired. */

/* ^[a-z][a-z0-9-]{0,47}$ : app, container part and volume names. */
bool name_valid(const char *s);
/* Registry references: [A-Za-z0-9._/:@-], 1..255 characters, not starting with '-'. */
bool image_ref_valid(const char *s);
/* What else is wrong with a reference image_ref_valid() accepted: a short name (no registry in
 * front; podman's short-name resolution is off on the node) or neither a tag nor a digest. */
enum image_problem { IMAGE_OK, IMAGE_SHORT_NAME, IMAGE_NO_TAG };
enum image_problem image_ref_check(const char *s);
/* The reference to write instead: docker.io/ in front of a short name (and library/ for a
 * one-part name, also after a bare docker.io/), ":TAG" after one without a tag or digest. */
const char *image_ref_suggest(const char *s, char *buf, size_t size);
/* Absolute, normalized ("/a/b", no "..", ".", "//" or trailing "/"), characters [A-Za-z0-9._/@+-]. */
bool abs_path_valid(const char *s);
/* [A-Za-z_][A-Za-z0-9_]* */
bool env_name_valid(const char *s);
/* The longest line systemd reads in a unit file: LONG_LINE_MAX (1 MiB, systemd's
 * src/basic/fileio.h) less one; a line of 1048576 bytes fails the unit ("No buffer space
 * available"), measured with systemd-analyze verify. */
#define ARCHY_UNIT_LINE_MAX 1048575u /* 1024 * 1024 - 1 */
/* The longest single manifest value (a command argument, an environment value, a health
 * command...): well within a unit line, and within the kernel's 128 KiB limit on one argument
 * or environment string (MAX_ARG_STRLEN), which podman and the container's execve() meet. */
#define ARCHY_VALUE_MAX 65536u /* 64 KiB */

/* Free text that will be escaped: well-formed UTF-8 (shortest form, no surrogates) without
 * control characters: no C0 (NUL, tab, newline...), no DEL, no C1 (U+0080..U+009F, e.g. NEL).
 * len is the length YAML gave, so an embedded "\0" is caught. */
bool text_valid(const char *s, size_t len);
enum text_problem { TEXT_OK, TEXT_C0_CONTROL, TEXT_C1_CONTROL, TEXT_BAD_UTF8 };
/* What text_valid() refuses first: *ret_at is its byte offset, *ret_char the control character's
 * code point (C0, DEL or C1) or the offending byte (TEXT_BAD_UTF8). */
enum text_problem text_check(const char *s, size_t len, size_t *ret_at, uint32_t *ret_char);

/* "30", "30s", "10m", "10min", "2h": whole seconds, 1..86400. Returns 0 or -EINVAL. */
int duration_parse(const char *s, unsigned *ret_sec);
/* "[IPv4:]HOST:CONTAINER[/tcp|/udp]", ports 1..65535. */
int port_parse(const char *s, struct port *ret);
/* "NAME:/dst[:ro|:rw]" or "/host/path:/dst[:ro|:rw]". */
int mount_parse(const char *s, struct mount *ret);
void port_done(struct port *p);
void mount_done(struct mount *m);

/* A short, printable rendering of an offending value for an error message: control characters
 * (C0, DEL, C1) and bytes of invalid UTF-8 escaped as \xNN, long values cut. Writes into buf (always NUL-terminated).
 */
const char *value_for_message(const char *s, size_t len, char *buf, size_t bufsize);

/* Settings of derived configs (archy-derive(8)). Each is pasted into a config file that has its
 * own syntax, so each accepts only characters that need no quoting there. */
/* [A-Za-z0-9_.-], 1..64: an RPC user name (bitcoind splits rpcauth at ':'). */
bool rpc_user_valid(const char *s);
/* host:port with host [a-z0-9.-] (a container name or an IPv4 address), port 1..65535. */
bool host_port_valid(const char *s);
/* An nginx location: "/" then [A-Za-z0-9._/-], at most 255 characters. */
bool url_path_valid(const char *s);
/* nginx-route's port: the HTTPS port nginx listens on for one app, decimal 1..65535, not 80 or
 * 443 (the node's own HTTP server and dashboard). Returns 0 or -EINVAL. */
int nginx_port_parse(const char *s, unsigned *ret);
/* nginx-route's base_path: a url_path_valid() path that ends with "/", is not "/" and has no empty,
 * "." or ".." segment, e.g. "/btcpay/". */
bool base_path_valid(const char *s);
/* "UID:GID", decimal, each at most 4294967294. */
int owner_parse(const char *s, unsigned *ret_uid, unsigned *ret_gid);
/* An octal file mode from 0400 to 0777 ("0640" or "640"). */
int mode_parse(const char *s, unsigned *ret_mode);
/* Container parts separated by single spaces, each a valid name. */
bool part_list_valid(const char *s);
#define SECRET_REF_NAME_MAX 64
/* The next "${" in s that does not start an ${app:...} reference (app-ref.h), or NULL. When it
 * starts a well-formed ${secret:NAME} with a valid NAME, name holds NAME and *after points past
 * the '}'; otherwise *after is NULL. */
const char *secret_ref_next(const char *s, char name[SECRET_REF_NAME_MAX], const char **after);
/* A reference's form: ${secret:NAME} puts the secret in as it is, ${secret:NAME:url}
 * percent-encodes it for a URL (secret_url_encode()). */
enum secret_form { SECRET_FORM_PLAIN, SECRET_FORM_URL };
/* secret_ref_next() that also says the form; a ${secret:NAME:FORM} with another FORM is not
 * well-formed (*after NULL). */
const char *secret_ref_next_form(const char *s, char name[SECRET_REF_NAME_MAX], enum secret_form *form,
                                 const char **after);
/* ref starts "${secret:NAME:FORM}" with a valid NAME and a FORM other than "url": form holds FORM
 * (for the message). */
bool secret_ref_form_unknown(const char *ref, char form[SECRET_REF_NAME_MAX]);
struct strbuf;
/* Every byte but RFC 3986's unreserved [A-Za-z0-9._~-] as %XX (upper-case hex), so that a URL's
 * userinfo, path or query carries the secret as it is after percent-decoding. */
void secret_url_encode(const char *secret, struct strbuf *out);
/* A vars value: every "${" starts a "${secret:NAME}" reference with a valid NAME or an
 * ${app:...} reference. Sets
 * *bad_at to the offending offset when it returns false. */
bool secret_refs_valid(const char *s, size_t *bad_at);
/* The content of a derived file (kind file): "$$" is a literal "$", every "${" starts a
 * ${secret:NAME} or an ${app:...} reference (app-ref.h checks its inside), any other "$" is
 * literal. content_next() names the piece at s (not at its end) and its length; a CONTENT_BAD
 * piece runs to its '}' (or the end), a CONTENT_APP piece to its '}'. */
enum content_piece { CONTENT_TEXT, CONTENT_DOLLAR, CONTENT_SECRET, CONTENT_BAD, CONTENT_APP };
enum content_piece content_next(const char *s, size_t *ret_len, char name[SECRET_REF_NAME_MAX]);
/* No CONTENT_BAD piece; else *bad_at and *bad_len say where. */
bool content_refs_valid(const char *s, size_t *bad_at, size_t *bad_len);
/* A line of kind bitcoin-conf's options: a name of [a-z][a-z0-9]{0,63}, a value of 1..255
 * characters of [A-Za-z0-9._:/,@+-] (no blank, '#' or newline: nothing bitcoind's config parser
 * would read differently). */
bool bitcoin_option_name_valid(const char *s);
bool bitcoin_option_value_valid(const char *s);
/* text_check() for multi-line text: newline and tab are allowed, nothing else of C0. */
enum text_problem content_text_check(const char *s, size_t len, size_t *ret_at, uint32_t *ret_char);
