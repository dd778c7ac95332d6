#!/usr/bin/env bash
# console.sh: the serial console goes where it is told or where the firmware says (issue 15,
# item 3). QEMU gives stdout to COM2 (port 0x2f8) and COM1 to nothing (run-qemu.sh --com2):
# - console=com2 and console=io:0x2f8,57600 must carry the whole run (banner to SUMMARY) to
#   COM2, and the serial: line must say where and why;
# - with no console= an ACPI SPCR table (QEMU -acpitable, the body written here) naming the
#   I/O UART at 0x2f8 must do the same, "(ACPI SPCR)";
# - with neither, the kernel stays on COM1 and nothing reaches stdout: run-qemu.sh finds no
#   SUMMARY (exit 2), which proves that the first two really moved the console;
# - through GRUB (the ISO) with console=com2: GRUB's menu terminal reaches COM2 too (its
#   "Loading ..." line there), so the person who types console=com2 sees the menu where the
#   kernel will print.
. "$(dirname "$0")/lib.sh"

base=$console
for cb in "console=com2 115200" "console=io:0x2f8,57600 57600"; do
	c=${cb% *} baud=${cb#* }
	console=$base.${c//[:=,]/_}
	boot --com2 -smp 2 -m 256M --timeout 60 --cmdline "test=boot $c"
	expect "$c: exit status" 0 "$status"
	has "$c: the banner on COM2" '^rmap-harness [^ ]+ boot='
	has "$c: the serial line" "^  serial: io:0x2f8,$baud \\(console=\\)"
	check_console
done
console=$base.grub
BOOT_VIA=iso boot --com2 -smp 2 -m 256M --timeout 60 --cmdline "test=boot console=com2"
expect "GRUB: exit status" 0 "$status"
has "GRUB: its Loading line on COM2" '^Loading /boot/rmap-harness\.elf test=boot console=com2$'
has "GRUB: then the banner on COM2" '^rmap-harness [^ ]+ boot='
check_console
# the SPCR body after the 36-byte header (QEMU writes the header and checksum): interface 0
# (16550), reserved, GAS { I/O, 8 bits, 0, byte access, 0x2f8 }, interrupt type and IRQ, GSI,
# baud code 7 (115200), no parity, 1 stop bit, no flow control, terminal 0, reserved, no PCI
spcr=$logdir/$name.spcr.bin
printf '\x00\x00\x00\x00\x01\x08\x00\x01\xf8\x02\x00\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x07\x00\x01\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$spcr"
console=$base.spcr
boot --com2 -smp 2 -m 256M --timeout 60 --cmdline test=boot -- -acpitable "sig=SPCR,rev=2,data=$spcr"
expect "SPCR: exit status" 0 "$status"
has "SPCR: the serial line" '^  serial: io:0x2f8,115200 \(ACPI SPCR\)'
check_console
console=$base.com1
boot --com2 -smp 2 -m 256M --timeout 60 --cmdline test=boot
expect "neither: exit status (COM1 goes nowhere, no SUMMARY on stdout)" 2 "$status"
if grep -q '^SUMMARY' <<< "$text"; then fail "neither: a SUMMARY reached COM2"
else pass "neither: nothing reached COM2"; fi
# and the kernel ran to its end (exit 0 through isa-debug-exit) rather than crash or reset:
# run-qemu.sh then says "without a SUMMARY line", which a fault (exit 1) or reset never gives
if grep -q 'without a SUMMARY line' <<< "$said"; then pass "neither: the kernel ended cleanly"
else fail "neither: not a clean end: $(tail -n 1 <<< "$said")"; fi
finish
