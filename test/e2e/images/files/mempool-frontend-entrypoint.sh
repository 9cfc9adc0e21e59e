#!/bin/sh
# Stand-in for mempool/mempool docker/frontend/entrypoint.sh (v3.3.1): the real one writes
# BACKEND_MAINNET_HTTP_HOST/PORT and FRONTEND_HTTP_PORT into the nginx config and execs the CMD
# (nginx -g "daemon off;"); here the CMD's nginx is the mempool-frontend applet.
if [ "$1" = nginx ]; then
	shift
	exec mempool-frontend "$@"
fi
exec "$@"
