/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl: the node daemon's one control surface (archyctl(8)). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

struct subcommand {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
};

static const struct subcommand subcommands[] = {
        {"apply", cmd_apply, "apply FILE: make FILE the node's desired state, safely, and wait for it"},
        {"install", cmd_install, "install APP --from FILE: APP's block from FILE into the manifest, started"},
        {"uninstall", cmd_uninstall, "uninstall APP [--purge [--yes]]: state uninstalled (--purge: and its data)"},
        {"start", cmd_start, "start APP: state started"},
        {"stop", cmd_stop, "stop APP: state stopped"},
        {"restart", cmd_restart, "restart APP: restart its containers"},
        {"status", cmd_status, "status [APP] [--json|--prometheus]: the node's state in one view"},
        {"probe", cmd_probe, "probe [APP]: run the started apps' probes now, record and print the results"},
        {"doctor", cmd_doctor, "doctor: every check archy knows, a verdict and a suggested command each"},
        {"metrics", cmd_metrics, "metrics [--textfile DIR]: the node's metrics for node_exporter (DIR/archy.prom)"},
};

static void help(void) {
        printf("Usage: archyctl COMMAND [OPTIONS...]\n\nCommands:\n");
        for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
                printf("  %s\n", subcommands[i].summary);
        printf("\n  -h, --help  this text (COMMAND --help: the command's own)   --version  the version\n"
               "See archyctl(8).\n");
}

int main(int argc, char **argv) {
        log_setup("archyctl", LOG_TARGET_STDERR);
        if (argc < 2) {
                help();
                return CTL_EXIT_USAGE;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                help();
                return CTL_EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                puts("archyctl " ARCHY_VERSION);
                return CTL_EXIT_OK;
        }
        for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
                if (strcmp(argv[1], subcommands[i].name) == 0)
                        return subcommands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "archyctl: unknown command \"%s\" (see archyctl --help)\n", argv[1]);
        return CTL_EXIT_USAGE;
}
