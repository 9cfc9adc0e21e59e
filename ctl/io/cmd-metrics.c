/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl metrics [--textfile DIR]: the node's metrics written for node_exporter's textfile
 * collector (archyctl(8), METRICS), run by archy-metrics.timer every 30 s. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"
#include "log.h"
#include "manifest-source.h"
#include "macro.h"
#include "metrics-render.h"
#include "probe-run.h"
#include "status-gather.h"
#include "status.h"

#define TEXTFILE_DIR_DEFAULT "/var/lib/prometheus/node-exporter"
#define TEXTFILE_NAME "archy.prom"

static void help(void) {
        printf("Usage: archyctl metrics [--textfile DIR]\n\n"
               "Write the node's metrics in Prometheus's text format (archyctl(8), METRICS) to\n"
               "DIR/" TEXTFILE_NAME ", atomically (a temporary file in DIR, fsync, rename; mode 0644), for\n"
               "node_exporter's textfile collector. Run by archy-metrics.timer every 30 s. Runs take\n"
               "turns (DIR is locked from gathering to the rename): the file is never replaced by an\n"
               "older view of the node.\n\n"
               "  --textfile DIR  default $ARCHY_TEXTFILE_DIR or " TEXTFILE_DIR_DEFAULT "; when DIR does\n"
               "                  not exist (node_exporter is not installed), nothing is written\n"
               "  -h, --help      this text\n\n"
               "Exit status: 0 written (or DIR missing), 1 error (systemd could not be asked, or the file\n"
               "could not be written: the previous one stays whole), 2 bad command line.\n");
}

static int parse_args(int argc, char **argv, const char **dir) {
        static const struct option options[] = {
                {"textfile", required_argument, NULL, 't'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *env = getenv("ARCHY_TEXTFILE_DIR");
        *dir = env && *env ? env : TEXTFILE_DIR_DEFAULT;
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 't': *dir = optarg; break;
                case 'h': help(); return 0;
                default: fprintf(stderr, "archyctl metrics: see archyctl metrics --help\n"); return -CTL_EXIT_USAGE;
                }
        if (optind < argc || !**dir) {
                fprintf(stderr, "archyctl metrics: unexpected argument (see archyctl metrics --help)\n");
                return -CTL_EXIT_USAGE;
        }
        return 1;
}

static int write_textfile(const char *dir, const char *text) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/" TEXTFILE_NAME, dir) < 0)
                return log_error_errno(-ENOMEM, "metrics: out of memory");
        int r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return log_error_errno(r, "metrics: cannot write %s (%m): the previous metrics stay as they were",
                                       path);
        return 0;
}

/* Runs take turns, from gathering to the rename: a run that gathered first also writes first, so
 * the timer's run never renames an older view of the node over a newer one (e2e 260 read a started
 * app as not running so). The lock is DIR's own (flock on the directory): nothing is created in
 * node_exporter's directory, and no write access is needed to lock. Held until exit. */
static int lock_textfile_dir(const char *dir) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
        return fd;
}

/* The manifest's probes, run with their short timeouts and recorded in the probe record
 * (/run/archipelago/probes: tmpfs, so this works with /var full) before the status is gathered:
 * the metrics report them, and so does archyctl status until the next run. A manifest that cannot
 * be used has no probes to run; status reports why. */
static void run_probes(void) {
        const char *env = getenv("ARCHY_MANIFEST"), *path = env && *env ? env : ARCHY_MANIFEST_PATH;
        struct manifest_source src;
        (void)manifest_source_load(path, manifest_last_good_path(), &src);
        if (src.manifest)
                (void)probes_run_and_record(src.manifest, probes_record_path());
        manifest_source_done(&src);
}

int cmd_metrics(int argc, char **argv) {
        const char *dir;
        int r = parse_args(argc, argv, &dir);
        if (r <= 0)
                return -r;
        struct stat st;
        if (stat(dir, &st) < 0 && errno == ENOENT) {
                log_debug("metrics: %s does not exist (node_exporter's textfile collector is not installed): "
                          "nothing written",
                          dir);
                return CTL_EXIT_OK;
        }

        _cleanup_close_ int lock = lock_textfile_dir(dir);
        if (lock < 0)
                log_warning_errno(lock, "metrics: cannot lock %s (%m): this run does not wait for another", dir);
        run_probes();
        struct status_paths paths;
        status_paths_default(&paths);
        struct status s = {0};
        bool no_app = false;
        r = status_gather(&s, &paths, NULL, true, &no_app);
        _cleanup_free_ char *text = r >= 0 ? metrics_render(&s) : NULL;
        if (text)
                r = write_textfile(dir, text);
        else if (r >= 0)
                r = log_error_errno(-ENOMEM, "metrics: out of memory");
        status_free(&s);
        return r < 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}
