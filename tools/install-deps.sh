#!/usr/bin/env bash
# install-deps.sh: installs the Debian/Ubuntu packages rmap-harness needs to build the kernel,
# make the ISO, boot it under QEMU (SeaBIOS and OVMF) and run `make test`. Installs only what
# is missing; as root directly, else through sudo; with neither, prints the exact command and
# exits 1. The README's commands and .ci/run both call it.
# QEMU >= 9 (x2APIC and more than 255 CPUs under TCG): Debian 13 and newer have it stock; on
# Debian 12 it comes from bookworm-backports, which this script enables (one deb822 file in
# /etc/apt/sources.list.d) when the installed QEMU is older. Elsewhere an old QEMU stays, and
# the tests that need x2APIC under TCG report themselves skipped.
set -euo pipefail

pkgs=(
	gcc make binutils libc6-dev	# kernel, host tests (sanitizer runtimes come with gcc)
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools	# make iso (grub-mkrescue)
	qemu-system-x86 ovmf		# tools/run-qemu.sh: SeaBIOS comes with QEMU, OVMF for UEFI
	console-setup-linux		# the PSF font (/usr/share/consolefonts) of the framebuffer
)

if ! command -v dpkg-query > /dev/null || ! command -v apt-get > /dev/null; then
	echo "install-deps: not a Debian/Ubuntu system: install the equivalents of: ${pkgs[*]}" >&2
	exit 1
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
qemu_major() {
	qemu-system-x86_64 --version 2> /dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p'
}
codename=$(. /etc/os-release 2> /dev/null && echo "${VERSION_CODENAME:-}")
qv=$(qemu_major || true)
backports=
if [ "$codename" = bookworm ] && { [ -z "$qv" ] || [ "$qv" -lt 9 ]; }; then
	backports=yes
fi
if [ ${#missing[@]} = 0 ] && [ -z "$backports" ]; then
	echo "install-deps: all ${#pkgs[@]} packages are installed (QEMU $(qemu_major)); nothing to do"
	exit 0
fi

bp_file=/etc/apt/sources.list.d/rmap-harness-bookworm-backports.sources
bp_text='Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
bp_cmd="printf '$bp_text' > $bp_file && apt-get update && apt-get install -y -t bookworm-backports qemu-system-x86"
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
[ -n "$backports" ] && cmd="$cmd && $bp_cmd"
if [ "$(id -u)" = 0 ]; then
	sudo=
elif command -v sudo > /dev/null && { sudo -n true 2> /dev/null || [ -t 0 ]; }; then
	sudo=sudo
else
	echo "install-deps: missing ${missing[*]}; not root and no sudo. As root, run:" >&2
	echo "  $cmd" >&2
	exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	$sudo apt-get update
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
if [ -n "$backports" ]; then
	echo "install-deps: QEMU $(qemu_major || echo none) < 9: installing qemu-system-x86 from bookworm-backports"
	if ! grep -rqs '^Suites:.*bookworm-backports\|^deb .* bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d; then
		printf "$bp_text" | $sudo tee "$bp_file" > /dev/null
	fi
	$sudo apt-get update
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -t bookworm-backports qemu-system-x86
fi
echo "install-deps: QEMU $(qemu_major) installed"
