#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot GUEST_DIR as a QEMU virtual machine (real kernel, every cgroup controller, podman's stock
# configuration), SHARE over 9p at /ci, until the guest's runner powers it off. A guest reboot
# resets the machine onto the same disk.
#
# Accelerator: KVM when the KVM device is there and writable, else TCG. /dev/kvm may be present and
# still broken (nested virtualisation): QEMU aborts at once ("failed to set MSR"), or the guest runs
# for a while and then hits "KVM internal error" (the host logs "kvm-pvm: INTERNAL_ERROR in batch
# emul") and hangs while QEMU dumps registers. So a KVM run is watched: a KVM internal error on the
# console, no progress for E2E_VM_STALL seconds (neither the console nor the heartbeat the guest's
# runner writes to SHARE/out/progress grows), or an end without the guest finishing its plan, kills
# QEMU and the layer runs again from a fresh disk under TCG. host.log says which accelerator ran
# and why; the failed KVM attempt's console and output are kept under VM_DIR/kvm-attempt.
#
# Usage: test/e2e/boot-vm.sh GUEST_DIR SHARE VM_DIR
# Env:   E2E_VM_TIMEOUT    s, one attempt's whole run (default 1800)
#        E2E_VM_STALL      s without progress that abandons a KVM attempt (default 90); under TCG
#                          E2E_VM_STALL_TCG (default 600) fails the run instead of waiting it out
#        E2E_VM_ACCEL      auto (default) | kvm (no fallback) | tcg
#        E2E_KVM_DEVICE    the device whose presence means "try KVM" (default /dev/kvm; QEMU itself
#                          always opens /dev/kvm): E2E_KVM_DEVICE=/nonexistent simulates a host
#                          without KVM
#        E2E_KVM_CPU       -cpu under KVM (default host). On the nested hosts this was written on,
#                          -cpu host aborts at once and E2E_KVM_CPU=qemu64 boots the firmware, then
#                          hits a real KVM internal error in the guest kernel
#        E2E_QEMU          the QEMU binary (default qemu-system-x86_64): a wrapper can simulate a
#                          KVM that hangs without a word
#        E2E_VM_MEM        MiB of guest memory (default 2048)
set -u
guest=$1
share=$2
vm=$3
qemu=${E2E_QEMU:-qemu-system-x86_64}
kvm_device=${E2E_KVM_DEVICE:-/dev/kvm}
mkdir -p "$vm"
log() { echo "vm: $*" >>"$share/out/host.log"; }

cat >"$guest/etc/fstab" <<'EOT'
/dev/vda  /    ext4  rw,errors=remount-ro  0 1
ci        /ci  9p    trans=virtio,version=9p2000.L,msize=262144,nofail,x-systemd.device-timeout=10s  0 0
EOT
mkdir -p "$guest/ci"
cp "$guest"/boot/vmlinuz-* "$vm/vmlinuz"
cp "$guest"/boot/initrd.img-* "$vm/initrd.img"

# A fresh disk for every attempt: a KVM attempt that died may have left the runner half-way.
make_disk() {
	rm -f "$vm/root.img"
	truncate -s 4G "$vm/root.img"
	mkfs.ext4 -q -F -L root -d "$guest" "$vm/root.img"
}

# Bytes of console output plus the guest's last heartbeat: changes while the guest makes progress.
progress_mark() {
	echo "$(stat -c %s "$share/out/console.log" 2>/dev/null) $(cat "$share/out/progress" 2>/dev/null)"
}

# Usage: attempt ACCEL STALL_SECONDS; prints why it stopped (done, exit N, kvm-internal-error,
# stall, timeout) on stdout.
attempt() {
	local accel=$1 stall=$2 args pid mark last_mark last_change now start
	case $accel in
	kvm) args=(-accel kvm -cpu "${E2E_KVM_CPU:-host}") ;;
	tcg) args=(-accel "tcg,thread=multi" -cpu max) ;;
	esac
	: >"$share/out/console.log"
	"$qemu" "${args[@]}" -m "${E2E_VM_MEM:-2048}" -smp 2 -nographic \
		-kernel "$vm/vmlinuz" -initrd "$vm/initrd.img" -append "root=/dev/vda rw console=ttyS0 panic=-1" \
		-drive "file=$vm/root.img,format=raw,if=virtio,cache=unsafe" \
		-virtfs "local,path=$share,mount_tag=ci,security_model=none,id=ci" \
		-nic none </dev/null >>"$share/out/console.log" 2>&1 &
	pid=$!
	start=$(date +%s)
	last_change=$start
	last_mark=$(progress_mark)
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		if grep -qE 'KVM internal error|INTERNAL_ERROR' "$share/out/console.log"; then
			kill "$pid" && wait "$pid"
			echo kvm-internal-error
			return
		fi
		mark=$(progress_mark)
		[ "$mark" = "$last_mark" ] || { last_mark=$mark && last_change=$now; }
		if [ $((now - last_change)) -ge "$stall" ]; then
			kill "$pid" && wait "$pid"
			echo "stall (no console output or guest heartbeat for $stall s)"
			return
		fi
		if [ $((now - start)) -ge "${E2E_VM_TIMEOUT:-1800}" ]; then
			kill "$pid" && wait "$pid"
			echo "timeout (${E2E_VM_TIMEOUT:-1800} s)"
			return
		fi
	done
	wait "$pid"
	echo "exit $?"
}

# Usage: run ACCEL STALL_SECONDS; true once the guest finished its plan. Leaves why it stopped in
# $stopped.
run() {
	local start
	make_disk || exit 1
	start=$(date +%s)
	log "$1: booting"
	stopped=$(attempt "$1" "$2")
	log "$1: qemu stopped after $(($(date +%s) - start)) s: $stopped"
	[ -e "$share/out/done" ]
}

# Sets the output of an abandoned attempt aside, keeps host.log, so that the next starts clean.
set_aside() {
	rm -rf "$vm/kvm-attempt"
	mkdir -p "$vm/kvm-attempt"
	find "$share/out" -mindepth 1 -maxdepth 1 ! -name host.log -exec mv -t "$vm/kvm-attempt" {} +
}

accel=${E2E_VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
	if [ -w "$kvm_device" ]; then
		accel=kvm
		log "accelerator: trying KVM ($kvm_device is there), TCG if it breaks"
	else
		accel=tcg
		log "accelerator: TCG ($kvm_device missing or not writable)"
	fi
	fallback=yes
else
	log "accelerator: $accel (E2E_VM_ACCEL)"
	fallback=no
fi
if [ "$accel" = kvm ]; then
	run kvm "${E2E_VM_STALL:-90}" && {
		log "accelerator used: KVM"
		exit 0
	}
	[ $fallback = yes ] || {
		log "the guest stopped before finishing its plan"
		exit 1
	}
	set_aside
	# QEMU's first complaint, without the terminal escapes the guest's firmware prints.
	log "KVM is broken on this host ($stopped): $(grep -m1 -aE 'KVM internal error|error|Assertion' \
		"$vm/kvm-attempt/console.log" | sed 's/\x1b[^A-Za-z]*[A-Za-z]//g' | tr -d '\r' | cut -c1-160)"
	log "running the layer again under TCG (the KVM attempt's console: $vm/kvm-attempt/console.log)"
fi
run tcg "${E2E_VM_STALL_TCG:-600}" && {
	log "accelerator used: TCG"
	exit 0
}
log "the guest stopped before finishing its plan"
exit 1
