/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolve: what a container's resolver answers for a name, as the e2e tests see it from inside. */
#include "standin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

int resolve_main(int argc, char **argv) {
        if (argc != 2 || argv[1][0] == '-') {
                usage(stderr);
                return 2;
        }
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(argv[1], NULL, &hints, &res);
        if (g != 0) {
                logmsg("%s: %s", argv[1], g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
                return 2;
        }
        for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                char ip[INET_ADDRSTRLEN];
                if (inet_ntop(AF_INET, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof ip))
                        printf("%s\n", ip);
        }
        freeaddrinfo(res);
        return fflush(stdout) == 0 ? 0 : 1;
}
