/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* archyctl's subcommands: each gets argv from its own name on (argv[0] is the subcommand) and
 * returns the process exit status (archyctl(8), EXIT STATUS). */

/* Exit statuses shared by every subcommand. */
enum ctl_exit {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILED = 1,        /* an error: nothing or not everything was done (run again) */
        CTL_EXIT_USAGE = 2,         /* bad command line */
        CTL_EXIT_INVALID = 3,       /* apply: the new manifest has problems, nothing was done */
        CTL_EXIT_NOT_CONVERGED = 4, /* apply: carried out, but an app is not running and healthy in time */
        CTL_EXIT_ATTENTION = 5,     /* status, doctor: something needs a person */
        CTL_EXIT_PULL_FAILED = 6,   /* apply: an image is missing and could not be pulled, nothing was done */
        CTL_EXIT_ROLLED_BACK = 7,   /* apply: an image update did not get healthy, its previous image is back */
        CTL_EXIT_PROBE_FAILED = 8,  /* probe: a probe of a started app failed */
};

int cmd_apply(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
