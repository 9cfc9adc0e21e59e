#!/bin/sh
# Stand-in for mempool/mempool docker/backend/start.sh (v3.3.1): the real script puts each variable
# into mempool-config.json with sed and runs node; the applet reads the same variables, with the same
# defaults, and sees each value as that sed would leave it (see test/e2e/standin/app-mempool.c).
exec mempool-backend
