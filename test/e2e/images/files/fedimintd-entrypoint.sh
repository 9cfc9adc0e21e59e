#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Entrypoint of the fedimintd stand-in image, written from the contract of fedimint/fedimint
# misc/fedimintd-container-entrypoint.sh (v0.13.0): with arguments, run them; without, FM_DATA_DIR
# must be set (the image sets /data), the directory is created, and fedimintd runs with
# --data-dir "$FM_DATA_DIR/" and every other setting from its FM_* environment.
if [ "$#" -gt 0 ]; then
	exec "$@"
fi
if [ -z "${FM_DATA_DIR:-}" ]; then
	echo "Must provide FM_DATA_DIR environment variable" >&2
	exit 1
fi
mkdir -p "$FM_DATA_DIR"
echo 'Starting fedimintd' >&2
exec fedimintd --data-dir "$FM_DATA_DIR/"
