#!/usr/bin/env bash
# boot-matrix.sh RUN-QEMU-ARGS...: one boot path of the matrix (BIOS/UEFI, CD/USB, q35/pc).
# Proves that GRUB reaches the kernel on that path and that the kernel reads its boot
# information right: the banner must say boot=bios or boot=uefi as the firmware was, cpus=N/N
# for -smp N (every CPU present and brought online), mem= within MEM_SLACK MiB below -m, and
# the --cmdline given, word for word (the SMBIOS string through GRUB, tools/gen-grub-cfg.sh);
# then the run must pass with a SUMMARY line and a console that obeys the grammar. With
# --direct (issue 14) the path is QEMU -kernel and the PVH entry instead of GRUB: the same
# expectations (boot=bios: the firmware is SeaBIOS all the same), and the kernel's boot: line
# must name the entry it came through.
# The expectations come from the same arguments that make the boot: the suite line is the case.
#
# MEM_SLACK: mem= is usable RAM in MiB (memory-map type 1). Measured at -m 128M..4G: SeaBIOS
# keeps -m minus 1 MiB (the 640K-1M hole, its tables at the top), OVMF -m minus 7 MiB (runtime
# code and data, ACPI NVS, reserved pages), whatever the size. 16 MiB leaves twice OVMF's loss
# and still fails a kernel that loses a range (the 2 GiB above 4G at -m 4G) or a unit.
. "$(dirname "$0")/lib.sh"
BOOT_VIA=iso	# firmware, medium and GRUB are what this test is about
MEM_SLACK=16

fw=bios smp=4 mem=512M cmdline= menu=0 direct=0 args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--uefi) fw=uefi ;;
	--menu) menu=1 ;;
	--direct) direct=1 ;;
	-smp) smp=$2; shift ;;
	-m) mem=$2; shift ;;
	--cmdline) cmdline=$(tr -s ' ' <<< "$2"); cmdline=${cmdline# }; cmdline=${cmdline% } ;;
	esac
	shift
done

cpus=$(smp_cpus "$smp")
case $mem in
*G) mib=$(( ${mem%G} * 1024 )) ;;
*M) mib=${mem%M} ;;
*) mib=$mem ;;
esac

boot "${args[@]}"
expect "exit status" 0 "$status"
has "a SUMMARY line" '^SUMMARY: [0-9]+ passed, 0 failed'
has "a banner line" '^rmap-harness [^ ]+ boot='
if [ $direct = 1 ]; then has "the entry named: PVH" '^  boot: direct \(PVH entry'
else has "the entry named: multiboot2 by GRUB" '^  boot: multiboot2 \(GRUB'; fi
expect "boot mode" "$fw" "$(banner_field boot)"
expect "cpus online/present" "$cpus/$cpus" "$(banner_field cpus)"
got=$(banner_field mem)
if [[ $got =~ ^[0-9]+$ ]] && [ "$got" -le "$mib" ] && [ "$got" -ge $((mib - MEM_SLACK)) ]; then
	pass "mem=$got MiB for -m $mem (within $MEM_SLACK MiB below)"
else
	fail "mem: expected $((mib - MEM_SLACK))..$mib MiB for -m $mem, got '$got'"
fi
expect "cmdline" "$cmdline" "$(banner_field cmdline)"
[ $menu = 1 ] && has "GRUB booted its default menu entry" "Booting .Default: "
check_console
finish
