/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bitcoind's settings model, shared by the bitcoind and bitcoin-cli applets (app-bitcoin.h). */
#include "app-bitcoin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Registered ArgsManager::NETWORK_ONLY in bitcoin/bitcoin v28.1 src/init.cpp (and bitcoin-cli.cpp
 * for rpcport): at the top level of bitcoin.conf they apply to mainnet only. */
static const char *const network_only[] = {"addnode", "bind",   "connect",   "port", "rpcbind",
                                           "rpcport", "wallet", "whitebind", NULL};

static bool in_list(const char *const *list, const char *name) {
        for (; *list; list++)
                if (strcmp(*list, name) == 0)
                        return true;
        return false;
}

static int add_setting(struct btc_args *a, const char *name, size_t name_len, const char *value, const char *section,
                       enum btc_origin origin) {
        struct btc_setting *grown = realloc(a->v, (a->n + 1) * sizeof *grown);
        if (!grown)
                return -1;
        a->v = grown;
        struct btc_setting *s = &a->v[a->n];
        *s = (struct btc_setting){.name = strndup(name, name_len),
                                  .value = strdup(value),
                                  .section = section ? strdup(section) : NULL,
                                  .origin = origin};
        if (!s->name || !s->value || (section && !s->section)) {
                free(s->name);
                free(s->value);
                free(s->section);
                return -1;
        }
        a->n++;
        return 0;
}

void btc_args_free(struct btc_args *a) {
        for (size_t i = 0; i < a->n; i++) {
                free(a->v[i].name);
                free(a->v[i].value);
                free(a->v[i].section);
        }
        free(a->v);
        a->v = NULL;
        a->n = 0;
}

/* ArgsManager::ParseParameters: "--x" is "-x", "-nox" is x=0, the first non-dash argument ends
 * the options; an option the program does not register is "Invalid parameter -x". */
int btc_parse_cmdline(struct btc_args *a, int argc, char **argv, const char *const *known, int *first_positional,
                      char *err, size_t cap) {
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *opt = argv[i] + 1 + (argv[i][1] == '-');
                const char *eq = strchr(opt, '=');
                size_t len = eq ? (size_t)(eq - opt) : strlen(opt);
                const char *value = eq ? eq + 1 : "";
                char name[128];
                snprintf(name, sizeof name, "%.*s", (int)len, opt);
                bool negated = false;
                if (!in_list(known, name) && strncmp(name, "no", 2) == 0 && in_list(known, name + 2)) {
                        memmove(name, name + 2, strlen(name + 2) + 1);
                        negated = true;
                }
                if (!in_list(known, name)) {
                        snprintf(err, cap, "Invalid parameter %s", argv[i]);
                        return -1;
                }
                if (negated)
                        value = *value == '0' && !value[1] ? "1" : "0";
                if (add_setting(a, name, strlen(name), value, NULL, BTC_CMDLINE) < 0) {
                        snprintf(err, cap, "out of memory");
                        return -1;
                }
        }
        *first_positional = i;
        return 0;
}

static char *trim(char *s) {
        s += strspn(s, " \t\r\n");
        size_t len = strlen(s);
        while (len > 0 && strchr(" \t\r\n", s[len - 1]))
                s[--len] = '\0';
        return s;
}

static bool conf_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n'; /* never the NUL byte: it is content */
}

/* ArgsManager::ReadConfigStream (src/common/config.cpp GetConfigOptions, the same from v28.1 to the
 * 29.x pins and later): a line is its bytes up to '\n' (a NUL byte is an ordinary one); '#' starts a
 * comment, then " \t\r\n" is trimmed; [name] is a section, a leading '-' or a line without '=' is a
 * parse error, and so is a '#' on the line of an option whose name (with its section) holds
 * "rpcpassword"; "net.key=value" is key in section net. Unknown keys are kept and ignored later
 * (bitcoind passes ignore_invalid_keys=true); the key conf is refused (IsConfSupported). */
static int parse_conf_line(struct btc_args *a, char *line, size_t n, unsigned lineno, char section[64], char *err,
                           size_t cap) {
        char *hash = memchr(line, '#', n);
        if (hash)
                n = (size_t)(hash - line);
        char *s = line;
        while (n > 0 && conf_blank(*s))
                s++, n--;
        while (n > 0 && conf_blank(s[n - 1]))
                n--;
        if (n == 0)
                return 0;
        if (s[0] == '[' && s[n - 1] == ']') {
                snprintf(section, 64, "%.*s", (int)(n - 2), s + 1);
                return 0;
        }
        char *eq = memchr(s, '=', n);
        if (s[0] == '-' || !eq) {
                bool no = !eq && n >= 2 && strncmp(s, "no", 2) == 0;
                snprintf(err, cap, "parse error on line %u: %.*s%s%.*s%s", lineno, (int)n, s,
                         s[0] == '-' ? ", options in configuration file must be specified without leading -"
                         : no        ? ", if you intended to specify a negated option, use "
                                     : "",
                         no ? (int)n : 0, s, no ? "=1 instead" : "");
                return -1;
        }
        if (hash && (strstr(section, "rpcpassword") || memmem(s, (size_t)(eq - s), "rpcpassword", 11))) {
                snprintf(err, cap,
                         "parse error on line %u, using # in rpcpassword can be ambiguous and should be avoided",
                         lineno);
                return -1;
        }
        s[n] = '\0';
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        char *dot = strchr(key, '.');
        char prefix[64] = "";
        if (dot) {
                snprintf(prefix, sizeof prefix, "%.*s", (int)(dot - key), key);
                key = dot + 1;
        }
        const char *sec = dot ? prefix : (section[0] ? section : NULL);
        /* src/common/config.cpp IsConfSupported: conf= in a config file is an error. InterpretKey
         * splits "section.key" at its first dot and strips a leading "no": in a section, a dot in
         * the section or the key leaves one in what follows, which is then never conf. */
        const char *bare = strncmp(key, "no", 2) == 0 ? key + 2 : key;
        if ((!section[0] || (!dot && !strchr(section, '.'))) && strcmp(bare, "conf") == 0) {
                snprintf(err, cap,
                         "conf cannot be set in the configuration file; use includeconf= if you want to include "
                         "additional config files");
                return -1;
        }
        return add_setting(a, key, strlen(key), value, sec, sec ? BTC_CONF_SECTION : BTC_CONF_TOP);
}

static int read_conf(struct btc_args *a, bool explicit_conf, char *err, size_t cap) {
        FILE *f = fopen(a->conf_path, "re");
        if (!f) {
                /* v28.1 src/common/config.cpp ReadConfigFiles: a -conf that cannot be opened is fatal,
                 * the default bitcoin.conf may be absent. */
                if (!explicit_conf)
                        return 0;
                a->err_where = "src/common/config.cpp";
                snprintf(err, cap,
                         "Error reading configuration file: specified config file \"%s\" could not be opened.",
                         a->conf_path);
                return -1;
        }
        char *line = NULL, section[64] = "";
        size_t lcap = 0;
        int r = 0;
        char e[BTC_ERR_MAX];
        ssize_t n;
        for (unsigned lineno = 1; r == 0 && (n = getline(&line, &lcap, f)) >= 0; lineno++)
                if ((r = parse_conf_line(a, line, (size_t)n, lineno, section, e, sizeof e)) < 0 &&
                    (a->err_where = "src/common/config.cpp"))
                        snprintf(err, cap, "Error reading configuration file: %s", e);
        free(line);
        fclose(f);
        return r;
}

static const char *raw_get(const struct btc_args *a, const char *name, enum btc_origin origin, const char *section) {
        const char *found = NULL;
        for (size_t i = 0; i < a->n; i++) {
                const struct btc_setting *s = &a->v[i];
                if (s->origin != origin || strcmp(s->name, name) != 0)
                        continue;
                if (origin == BTC_CONF_SECTION && (!section || strcmp(s->section, section) != 0))
                        continue;
                if (origin != BTC_CMDLINE)
                        return s->value; /* the config file's first value wins */
                found = s->value;        /* the command line's last */
        }
        return found;
}

const char *btc_get(const struct btc_args *a, const char *name) {
        const char *v = raw_get(a, name, BTC_CMDLINE, NULL);
        if (!v && a->chain)
                v = raw_get(a, name, BTC_CONF_SECTION, a->chain);
        if (!v && (!a->chain || strcmp(a->chain, "main") == 0 || !in_list(network_only, name)))
                v = raw_get(a, name, BTC_CONF_TOP, NULL);
        return v;
}

bool btc_get_bool(const struct btc_args *a, const char *name, bool def) {
        const char *v = btc_get(a, name);
        return v ? (!*v || atoi(v) != 0) : def;
}

size_t btc_get_all(const struct btc_args *a, const char *name, const char **out, size_t cap) {
        size_t n = 0;
        bool top_ok = !a->chain || strcmp(a->chain, "main") == 0 || !in_list(network_only, name);
        for (int pass = 0; pass < 3; pass++)
                for (size_t i = 0; i < a->n && n < cap; i++) {
                        const struct btc_setting *s = &a->v[i];
                        if ((int)s->origin != pass || strcmp(s->name, name) != 0)
                                continue;
                        if (pass == BTC_CONF_SECTION && (!a->chain || strcmp(s->section, a->chain) != 0))
                                continue;
                        if (pass == BTC_CONF_TOP && !top_ok)
                                continue;
                        out[n++] = s->value;
                }
        return n;
}

/* ArgsManager::GetChainType (v28.1 src/common/args.cpp): at most one of -regtest, -signet,
 * -testnet, -testnet4 and -chain, from the command line or the config file's top level. */
static int select_chain(struct btc_args *a, char *err, size_t cap) {
        static const struct {
                const char *flag, *chain;
        } flags[] = {{"regtest", "regtest"}, {"signet", "signet"}, {"testnet", "test"}, {"testnet4", "testnet4"}};
        static const char *const chains[] = {"main", "test", "testnet4", "signet", "regtest", NULL};
        const char *chosen = NULL;
        int count = 0;
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
                if (btc_get_bool(a, flags[i].flag, false)) {
                        chosen = flags[i].chain;
                        count++;
                }
        const char *chain = btc_get(a, "chain");
        if (chain) {
                count++;
                chosen = chain;
        }
        a->err_where = "src/common/args.cpp";
        if (count > 1) {
                snprintf(err, cap,
                         "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at "
                         "most one.");
                return -1;
        }
        for (size_t i = 0; chosen && chains[i]; i++)
                if (strcmp(chains[i], chosen) == 0) {
                        a->chain = chains[i];
                        return 0;
                }
        if (chosen) {
                snprintf(err, cap, "Unknown chain %s.", chosen);
                return -1;
        }
        a->chain = "main";
        return 0;
}

/* GetDataDirNet: mainnet's is the datadir itself, the others a subdirectory. */
static const char *chain_subdir(const char *chain) {
        if (strcmp(chain, "test") == 0)
                return "testnet3";
        return strcmp(chain, "main") == 0 ? "" : chain;
}

int btc_load(struct btc_args *a, char *err, size_t cap) {
        const char *datadir = raw_get(a, "datadir", BTC_CMDLINE, NULL);
        const char *home = getenv("HOME");
        struct stat st;
        a->err_where = "src/common/init.cpp";
        if (datadir) {
                /* v28.1 src/common/init.cpp InitConfig, src/bitcoin-cli.cpp: CheckDataDirOption */
                if (stat(datadir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                        snprintf(err, cap, "Specified data directory \"%s\" does not exist.", datadir);
                        return -1;
                }
                snprintf(a->datadir, sizeof a->datadir, "%s", datadir);
        } else
                snprintf(a->datadir, sizeof a->datadir, "%s/.bitcoin", home ? home : "");
        const char *conf = raw_get(a, "conf", BTC_CMDLINE, NULL);
        const char *c = conf ? conf : "bitcoin.conf";
        /* AbsPathForConfigVal: a relative -conf is relative to the datadir */
        int n = c[0] == '/' ? snprintf(a->conf_path, sizeof a->conf_path, "%s", c)
                            : snprintf(a->conf_path, sizeof a->conf_path, "%s/%s", a->datadir, c);
        if (n < 0 || (size_t)n >= sizeof a->conf_path) {
                snprintf(err, cap, "-conf path too long");
                return -1;
        }
        if (read_conf(a, conf != NULL, err, cap) < 0 || select_chain(a, err, cap) < 0)
                return -1;
        const char *sub = chain_subdir(a->chain);
        n = snprintf(a->datadir_net, sizeof a->datadir_net, "%s%s%s", a->datadir, *sub ? "/" : "", sub);
        return n >= 0 && (size_t)n < sizeof a->datadir_net ? 0 : -1;
}

unsigned btc_default_rpc_port(const char *chain) {
        /* v28.1 src/chainparamsbase.cpp CreateBaseChainParams */
        if (strcmp(chain, "test") == 0)
                return 18332;
        if (strcmp(chain, "testnet4") == 0)
                return 48332;
        if (strcmp(chain, "signet") == 0)
                return 38332;
        return strcmp(chain, "regtest") == 0 ? 18443 : 8332;
}

unsigned btc_default_p2p_port(const char *chain) {
        /* v28.1 src/kernel/chainparams.cpp nDefaultPort */
        if (strcmp(chain, "test") == 0)
                return 18333;
        if (strcmp(chain, "testnet4") == 0)
                return 48333;
        if (strcmp(chain, "signet") == 0)
                return 38333;
        return strcmp(chain, "regtest") == 0 ? 18444 : 8333;
}
