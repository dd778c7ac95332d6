#!/usr/bin/env bash
# power.sh reboot|poweroff [RUN-QEMU-ARGS...]: on_finish=reboot and on_finish=poweroff, the
# ways a real machine ends a run unattended, through ACPI (kernel/power.c). Proves the kernel
# prints its verdict, says what it is about to do, and that QEMU then goes away on its own well
# before the time limit: -no-reboot makes QEMU exit on a reset, and it exits on an ACPI
# poweroff, both as QEMU status 0, which tools/run-qemu.sh reports as exit 2 "reset or powered
# off" (a run that ends this way is never a pass under QEMU). A reset method or \_S5 that did
# not work shows as the kernel's "... halting" line and then a timeout (124).
. "$(dirname "$0")/lib.sh"
BOOT_VIA=iso	# ACPI reboot and poweroff as the firmware a user boots sets them up

how=${1:?usage: power.sh reboot|poweroff [run-qemu args]}
shift
case $how in
reboot) said_kernel='rebooting \(exit code 0\)' failed_kernel='^reboot: no reset method worked' ;;
poweroff) said_kernel='powering off \(exit code 0\)' failed_kernel='^poweroff' ;;
*) echo "power.sh: reboot or poweroff, not '$how'" >&2; exit 2 ;;
esac

boot -smp 2 -m 256M --timeout 60 "$@" --cmdline "test=boot on_finish=$how"
expect "exit status (QEMU status 0: reset or powered off)" 2 "$status"
has "the verdict first" '^SUMMARY: 1 passed, 0 failed'
has "the kernel saying it ends the run with on_finish=$how" "^$said_kernel"
if grep -qE "$failed_kernel|^halted: " <<< "$text"; then
	fail "the kernel fell back to halting: $(grep -E "$failed_kernel|^halted: " <<< "$text" | head -n 1)"
else
	pass "no fallback to halting"
fi
grep -q 'powered off' <<< "$said" && pass "run-qemu.sh names the way out" ||
	fail "run-qemu.sh did not say 'reset or powered off': $(tail -n 1 <<< "$said")"
check_console
finish
