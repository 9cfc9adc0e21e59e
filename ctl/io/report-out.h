/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A rendered report (status, doctor) written to standard output and freed: 0, or -ENOMEM when
 * out is NULL (the rendering ran out of memory), -EIO when it cannot be written; said once, as
 * "WHAT: ...". */
int report_out(char *out, const char *what);
