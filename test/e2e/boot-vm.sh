#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot GUEST_DIR as a QEMU virtual machine (real kernel, every cgroup controller, podman's stock
# configuration), SHARE over 9p at /ci, until the guest's runner powers it off. A guest reboot
# resets the machine onto the same disk. KVM when /dev/kvm works, otherwise TCG.
# Usage: test/e2e/boot-vm.sh GUEST_DIR SHARE VM_DIR     Env: E2E_VM_TIMEOUT (s, whole run)
set -u
guest=$1
share=$2
vm=$3
mkdir -p "$vm"
cat >"$guest/etc/fstab" <<'EOT'
/dev/vda  /    ext4  rw,errors=remount-ro  0 1
ci        /ci  9p    trans=virtio,version=9p2000.L,msize=262144,nofail,x-systemd.device-timeout=10s  0 0
EOT
mkdir -p "$guest/ci"
cp "$guest"/boot/vmlinuz-* "$vm/vmlinuz"
cp "$guest"/boot/initrd.img-* "$vm/initrd.img"
rm -f "$vm/root.img"
truncate -s 4G "$vm/root.img"
mkfs.ext4 -q -F -L root -d "$guest" "$vm/root.img" || exit 1
# /dev/kvm may exist and still fail once a vCPU runs (nested virtualisation: "failed to set MSR").
# A machine that is still running firmware when the timeout hits (status 124) proves that KVM works.
kvm_works() {
	local status
	[ -w /dev/kvm ] || return 1
	# stderr off inside the substitution: it also silences the shell's own "Aborted".
	status=$(
		exec 2>/dev/null
		timeout 3 qemu-system-x86_64 -accel kvm -cpu host -machine pc -m 64 -display none -nodefaults \
			</dev/null >/dev/null
		echo $?
	)
	[ "$status" = 124 ]
}
accel=(-accel "tcg,thread=multi" -cpu max)
kvm_works && accel=(-accel kvm -cpu host)
echo "vm: ${accel[*]}" >>"$share/out/host.log"
start=$(date +%s)
timeout "${E2E_VM_TIMEOUT:-1800}" qemu-system-x86_64 "${accel[@]}" -m "${E2E_VM_MEM:-2048}" -smp 2 -nographic \
	-kernel "$vm/vmlinuz" -initrd "$vm/initrd.img" -append "root=/dev/vda rw console=ttyS0 panic=-1" \
	-drive "file=$vm/root.img,format=raw,if=virtio,cache=unsafe" \
	-virtfs "local,path=$share,mount_tag=ci,security_model=none,id=ci" \
	-nic none </dev/null >>"$share/out/console.log" 2>&1
rc=$?
echo "vm: qemu exit $rc after $(($(date +%s) - start)) s" >>"$share/out/host.log"
[ -e "$share/out/done" ] || {
	echo "vm: the guest stopped before finishing its plan" >>"$share/out/host.log"
	exit 1
}
