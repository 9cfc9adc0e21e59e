/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report-out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int report_out(char *out, const char *what) {
        if (!out)
                return log_error_errno(-ENOMEM, "%s: out of memory", what);
        fputs(out, stdout);
        free(out);
        return fflush(stdout) == 0 ? 0 : log_error_errno(-EIO, "%s: cannot write the report: %m", what);
}
