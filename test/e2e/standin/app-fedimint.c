/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fedimintd applet: the start-up contract of fedimintd v0.13 (clap's ServerOpts in fedimint/fedimint
 * fedimintd/src/lib.rs, env names in fedimintd-envs 0.13.0 src/lib.rs), its listeners (P2P, the
 * websocket API, the built-in guardian UI on FM_BIND_UI, iroh's UDP ports) and its bitcoind JSON-RPC
 * connection with FM_BITCOIND_USERNAME/FM_BITCOIND_PASSWORD. Stand-in only: GET /status on the UI port
 * says whether bitcoind answers (200 "bitcoind connected ...", else 503 "bitcoind not connected: ...").
 */
#include "app-fedimint.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONTRACT "(contract: fedimint/fedimint v0.13.0 fedimintd/src/lib.rs ServerOpts)"

/* One row per ServerOpts field the stand-in knows: the long flag, its env (clap's `env =`), the value
 * name clap prints, and the default clap applies (fedimintd/src/lib.rs, v0.13.0). */
static const struct fm_arg {
        const char *flag, *env, *value_name, *def;
        size_t off;
} fm_args[] = {
        {"data-dir", "FM_DATA_DIR", "DATA_DIR", NULL, offsetof(struct fm_opts, data_dir)},
        {"bitcoin-network", "FM_BITCOIN_NETWORK", "BITCOIN_NETWORK", "regtest", offsetof(struct fm_opts, network)},
        {"bitcoind-username", "FM_BITCOIND_USERNAME", "BITCOIND_USERNAME", NULL, offsetof(struct fm_opts, user)},
        {"bitcoind-password", "FM_BITCOIND_PASSWORD", "BITCOIND_PASSWORD", NULL, offsetof(struct fm_opts, pass)},
        {"bitcoind-url", "FM_BITCOIND_URL", "BITCOIND_URL", NULL, offsetof(struct fm_opts, url)},
        {"bitcoind-url-password-file", "FM_BITCOIND_URL_PASSWORD_FILE", "BITCOIND_URL_PASSWORD_FILE", NULL,
         offsetof(struct fm_opts, pass_file)},
        {"esplora-url", "FM_ESPLORA_URL", "ESPLORA_URL", NULL, offsetof(struct fm_opts, esplora)},
        {"bind-p2p", "FM_BIND_P2P", "BIND_P2P", "0.0.0.0:8173", offsetof(struct fm_opts, bind_p2p)},
        {"bind-api", "FM_BIND_API", "BIND_API", "0.0.0.0:8174", offsetof(struct fm_opts, bind_api)},
        {"bind-ui", "FM_BIND_UI", "BIND_UI", "127.0.0.1:8175", offsetof(struct fm_opts, bind_ui)},
        {"p2p-url", "FM_P2P_URL", "P2P_URL", NULL, offsetof(struct fm_opts, p2p_url)},
        {"api-url", "FM_API_URL", "API_URL", NULL, offsetof(struct fm_opts, api_url)},
        {"password-ui", "FM_PASSWORD_UI", "PASSWORD_UI", NULL, offsetof(struct fm_opts, password_ui)},
        {"enable-iroh", "FM_ENABLE_IROH", NULL, NULL, offsetof(struct fm_opts, enable_iroh)},
};

/* Names fedimintd read before v0.8 (fedimint-core src/envs.rs, v0.5.1 and v0.7): ignored since. */
static const char *const fm_obsolete[] = {"FM_DEFAULT_BITCOIN_RPC_KIND",  "FM_DEFAULT_BITCOIN_RPC_URL",
                                          "FM_DEFAULT_BITCOIND_RPC_KIND", "FM_DEFAULT_BITCOIND_RPC_URL",
                                          "FM_BITCOIN_RPC_KIND",          "FM_BITCOIN_RPC_URL"};

static const char **fm_slot(struct fm_opts *o, const struct fm_arg *a) {
        return (const char **)(void *)((char *)o + a->off);
}

static const struct fm_arg *fm_find_flag(const char *name, size_t len) {
        for (size_t i = 0; i < sizeof fm_args / sizeof fm_args[0]; i++)
                if (strlen(fm_args[i].flag) == len && strncmp(fm_args[i].flag, name, len) == 0)
                        return &fm_args[i];
        return NULL;
}

static int fm_clap_error(const char *fmt, const char *a, const char *b) {
        fputs("error: ", stderr);
        fprintf(stderr, fmt, a, b);
        fputs("\n\nFor more information, try '--help'.\n", stderr);
        logmsg("refusing to start %s", CONTRACT);
        return 2;
}

/* clap: a flag on the command line wins over its env, which wins over the default. */
static int fm_parse_argv(int argc, char **argv, struct fm_opts *o) {
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];
                if (strncmp(s, "--", 2) != 0)
                        return fm_clap_error("unexpected argument '%s' found%s", s, "");
                const char *eq = strchr(s + 2, '=');
                const struct fm_arg *a = fm_find_flag(s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));
                if (!a)
                        return fm_clap_error("unexpected argument '%s' found%s", s, "");
                if (!a->value_name) {
                        *fm_slot(o, a) = "true";
                        continue;
                }
                if (!eq && i + 1 >= argc)
                        return fm_clap_error("a value is required for '--%s <%s>' but none was supplied", a->flag,
                                             a->value_name);
                *fm_slot(o, a) = eq ? eq + 1 : argv[++i];
        }
        return 0;
}

static void fm_fill_env_and_defaults(struct fm_opts *o) {
        for (size_t i = 0; i < sizeof fm_args / sizeof fm_args[0]; i++) {
                const char **slot = fm_slot(o, &fm_args[i]);
                const char *env = getenv(fm_args[i].env);
                if (!*slot && env)
                        *slot = env;
                if (!*slot)
                        *slot = fm_args[i].def;
        }
}

/* clap's FalseyValueParser for a SetTrue flag read from its env. */
static bool fm_truthy(const char *v) {
        static const char *const falsey[] = {"", "n", "no", "f", "false", "off", "0"};
        if (!v)
                return false;
        for (size_t i = 0; i < sizeof falsey / sizeof falsey[0]; i++)
                if (strcasecmp(v, falsey[i]) == 0)
                        return false;
        return true;
}

static void fm_hint_obsolete(void) {
        for (size_t i = 0; i < sizeof fm_obsolete / sizeof fm_obsolete[0]; i++)
                if (getenv(fm_obsolete[i]))
                        logmsg("%s is set: fedimintd read it up to v0.7 and ignores it since v0.8, which reads "
                               "FM_BITCOIND_URL, FM_BITCOIND_USERNAME and FM_BITCOIND_PASSWORD "
                               "(contract: fedimint/fedimint v0.13.0 fedimintd/src/lib.rs)",
                               fm_obsolete[i]);
}

static void fm_append(char *buf, size_t cap, const char *s) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s", s);
}

/* The required arguments and argument groups of ServerOpts: data_dir (no default), the group
 * "bitcoin_rpc" (required: bitcoind_url or esplora_url), the group "bitcoind_auth" (bitcoind_url
 * requires bitcoind_username and one of bitcoind_password / bitcoind_url_password_file). */
static int fm_check_required(const struct fm_opts *o) {
        char missing[512] = "";
        if (!o->data_dir)
                fm_append(missing, sizeof missing, "\n  --data-dir <DATA_DIR>");
        if (!o->url && !o->esplora)
                fm_append(missing, sizeof missing, "\n  <--bitcoind-url <BITCOIND_URL>|--esplora-url <ESPLORA_URL>>");
        if (o->url && !o->user)
                fm_append(missing, sizeof missing, "\n  --bitcoind-username <BITCOIND_USERNAME>");
        if (o->url && !o->pass && !o->pass_file)
                fm_append(missing, sizeof missing,
                          "\n  <--bitcoind-password <BITCOIND_PASSWORD>|--bitcoind-url-password-file "
                          "<BITCOIND_URL_PASSWORD_FILE>>");
        if (!*missing && o->pass && o->pass_file)
                return fm_clap_error("the argument '--bitcoind-password <BITCOIND_PASSWORD>' cannot be used with "
                                     "'--bitcoind-url-password-file <BITCOIND_URL_PASSWORD_FILE>'%s%s",
                                     "", "");
        if (!*missing)
                return 0;
        fm_hint_obsolete();
        return fm_clap_error("the following required arguments were not provided:%s%s", missing, "");
}

/* bitcoin 0.32 Network::from_str (src/network.rs): the names are rust-bitcoin's, "mainnet" is not one. */
static int fm_check_network(const char *net) {
        static const char *const ok[] = {"bitcoin", "testnet", "testnet4", "signet", "regtest"};
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
                if (strcmp(net, ok[i]) == 0)
                        return 0;
        fprintf(stderr,
                "error: invalid value '%s' for '--bitcoin-network <BITCOIN_NETWORK>': failed to parse %s as "
                "network\n\nFor more information, try '--help'.\n",
                net, net);
        logmsg("refusing to start %s", CONTRACT);
        return 2;
}

/* std::net::SocketAddr's FromStr; the stand-in takes IPv4 only (fedimintd also takes [v6]:port). */
int fm_parse_sockaddr(const char *s, struct sockaddr_in *sa) {
        const char *colon = s ? strrchr(s, ':') : NULL;
        char ip[INET_ADDRSTRLEN];
        unsigned long port;
        if (!colon || (size_t)(colon - s) >= sizeof ip || !parse_ulong(colon + 1, 0, 65535, &port))
                return -1;
        memcpy(ip, s, (size_t)(colon - s));
        ip[colon - s] = '\0';
        *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static int fm_check_binds(const struct fm_opts *o) {
        const char *vals[] = {o->bind_p2p, o->bind_api, o->bind_ui};
        const char *names[] = {"--bind-p2p <BIND_P2P>", "--bind-api <BIND_API>", "--bind-ui <BIND_UI>"};
        for (size_t i = 0; i < 3; i++) {
                struct sockaddr_in sa;
                if (fm_parse_sockaddr(vals[i], &sa) < 0) {
                        fprintf(stderr,
                                "error: invalid value '%s' for '%s': invalid socket address syntax\n\n"
                                "For more information, try '--help'.\n",
                                vals[i], names[i]);
                        logmsg("refusing to start %s", CONTRACT);
                        return 2;
                }
        }
        return 0;
}

/* SafeUrl is url::Url: an absolute URL; the bitcoind client speaks plain http to the node. */
static int fm_check_url(const char *url) {
        if (!url || strstr(url, "://"))
                return 0;
        fprintf(stderr,
                "error: invalid value '%s' for '--bitcoind-url <BITCOIND_URL>': relative URL without a base\n\n"
                "For more information, try '--help'.\n",
                url);
        logmsg("refusing to start %s", CONTRACT);
        return 2;
}

int fm_load_opts(int argc, char **argv, struct fm_opts *o) {
        *o = (struct fm_opts){0};
        int r = fm_parse_argv(argc, argv, o);
        if (r)
                return r;
        fm_fill_env_and_defaults(o);
        o->iroh = fm_truthy(o->enable_iroh);
        if ((r = fm_check_required(o)) || (r = fm_check_network(o->network)) || (r = fm_check_binds(o)) ||
            (r = fm_check_url(o->url)))
                return r;
        return 0;
}

static bool fm_is_help(int argc, char **argv) {
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                        return true;
        return false;
}

static void fm_help(void) {
        puts("fedimintd stand-in (archy e2e) for fedimintd v0.13.0\n\nOptions (flag, env, default):");
        for (size_t i = 0; i < sizeof fm_args / sizeof fm_args[0]; i++)
                printf("  --%-28s %-30s %s\n", fm_args[i].flag, fm_args[i].env, fm_args[i].def ? fm_args[i].def : "");
        puts("\nStand-in only: GET /status on the UI port answers 200 \"bitcoind connected ...\" or 503.");
}

int fedimintd_main(int argc, char **argv) {
        if (fm_is_help(argc, argv)) {
                fm_help();
                return 0;
        }
        if (argc == 2 && strcmp(argv[1], "--version") == 0) {
                puts("fedimintd 0.13.0");
                return 0;
        }
        struct fm_opts o;
        int r = fm_load_opts(argc, argv, &o);
        if (r)
                return r;
        return fm_run(&o);
}
