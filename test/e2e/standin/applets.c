/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The stand-in's applets: one line per applet, each app's code in its own file (app-<app>.c). */
#include "standin.h"

const struct applet applets[] = {
        {"ui", ui_main, "a web UI with a real UI's path assumptions (base-root, cra, root-path)"},
        {NULL, NULL, NULL},
};
