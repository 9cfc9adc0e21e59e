#!/bin/sh
# Install the Debian packages a make target needs, only those missing. Usage: tools/deps.sh build|test|e2e
# Root installs directly; others through sudo when it exists.
set -eu
build="gcc make pkg-config libyaml-dev libssl-dev libsystemd-dev libcurl4-openssl-dev"
# libclang-rt-dev: the sanitizer and libFuzzer runtimes of the default clang (make fuzz, check-fuzz).
# prometheus: promtool checks and unit-tests the shipped alert rules (make check-rules).
# dbus-daemon, jq, strace: test/ctl (archyctl status against a stand-in systemd on a bus of its own).
test="$build check libsystemd-dev libssl-dev libcurl4-openssl-dev bats valgrind cppcheck clang libclang-rt-dev clang-tidy clang-format shellcheck debootstrap nginx python3 dbus-daemon jq strace prometheus"
# The end-to-end suite: guests under systemd-nspawn and QEMU, stand-in images from busybox-static;
# the host's mariadb client goes into the mempool backend's image, postgresql-15 serves the BTCPay
# stand-ins' self-test.
e2e="$build debootstrap systemd-container qemu-system-x86 busybox-static libssl-dev openssl curl util-linux e2fsprogs mariadb-client postgresql-15"
case "${1:-}" in
build) want=$build ;;
test) want="$test $e2e" ;;
e2e) want=$e2e ;;
*) echo "usage: $0 build|test|e2e" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
