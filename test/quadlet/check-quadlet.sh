#!/bin/bash
# Run test/quadlet/quadlet.bats against the real Quadlet of a cached Debian 13 root filesystem.
# Usage: test/quadlet/check-quadlet.sh [path/to/archy-generator]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOTFS=$("$here/../e2e/rootfs.sh")
export ROOTFS
if [ -n "${1:-}" ]; then
	ARCHY_GENERATOR=$(realpath "$1")
	export ARCHY_GENERATOR
fi
exec bats "$here/quadlet.bats"
