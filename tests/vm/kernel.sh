# SPDX-License-Identifier: GPL-2.0
# Sourced by the VM scripts: finds the Debian test kernel and its modules.
# ORDO_KVER overrides the discovery (the newest 6.1 Debian kernel installed).

ordo_find_kernel()
{
	if [ -z "${ORDO_KVER:-}" ]; then
		ORDO_KVER=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null |
			    sed 's|/boot/vmlinuz-||' | sort -V | tail -n 1)
	fi
	if [ -z "$ORDO_KVER" ] || [ ! -r "/boot/vmlinuz-$ORDO_KVER" ]; then
		echo "no Debian 6.1 kernel in /boot (run: make deps)" >&2
		return 1
	fi
	ORDO_VMLINUZ=/boot/vmlinuz-$ORDO_KVER
	ORDO_MODDIR=/lib/modules/$ORDO_KVER
	export ORDO_KVER ORDO_VMLINUZ ORDO_MODDIR
}
