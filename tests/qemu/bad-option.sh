#!/usr/bin/env bash
# bad-option.sh: an unknown boot option ends the run as a usage error, never as a test run:
# exit 2 (not a pass, not a fail), the offending option named, and the valid set printed so
# that someone at a real machine's screen can correct the GRUB line (DESIGN §6). Also a known
# option with a malformed value (seconds=ten), which must be refused the same way.
. "$(dirname "$0")/lib.sh"

boot -smp 2 -m 256M --cmdline "bogus=1"
expect "exit status for bogus=1" 2 "$status"
has "the unknown option named" 'bogus'
has "the valid set lists test=" '(^|[^a-z_])test='
has "the valid set lists seconds=" '(^|[^a-z_])seconds='
has "the valid set lists on_finish=" '(^|[^a-z_])on_finish='
if grep -q '^SUMMARY:' <<< "$text"; then fail "no test may run: a SUMMARY line was printed"
else pass "no SUMMARY line (no test ran)"; fi
check_console

boot -smp 2 -m 256M --cmdline "seconds=ten"
expect "exit status for seconds=ten" 2 "$status"
has "the malformed value named" 'seconds'
check_console

# issue 11's options: a profile that does not exist, a delay that is not a number
boot -smp 2 -m 256M --cmdline "profile=linux"
expect "exit status for profile=linux" 2 "$status"
has "profile=linux: the valid profiles listed" 'strict.*kvm'
check_console
boot -smp 2 -m 256M --cmdline "window_us=-5"
expect "exit status for window_us=-5" 2 "$status"
has "window_us=-5: the option named" 'window_us'
check_console
finish
