#!/usr/bin/env bash
# no-clock.sh: a machine with no clock to calibrate the TSC against (QEMU's microvm without its
# PIT and RTC: ACPI hardware-reduced has no PM timer, microvm has no HPET, and TCG enumerates
# no CPUID 0x15) must end as a platform error, exit 2, naming what it looked for; never run
# tests on a guessed time base. (kernel/tsc.c; issues 14 and 15.)
. "$(dirname "$0")/lib.sh"

boot --machine microvm,pit=off,rtc=off -smp 2 -m 256M --timeout 120 --cmdline test=boot
expect "exit status" 2 "$status"
has "the reason named" '^error: no clock to calibrate the TSC against \(CPUID 0x15, HPET, ACPI PM timer, PIT or RTC\)'
if grep -q '^SUMMARY:' <<< "$text"; then fail "no test may run: a SUMMARY line was printed"
else pass "no SUMMARY line (no test ran)"; fi
check_console
finish
