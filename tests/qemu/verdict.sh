#!/usr/bin/env bash
# verdict.sh [RUN-QEMU-ARGS...]: boots with selftest=hang-after-violation watchdog=60: CPU 1
# reports a violation, then spins for ever on a lock, as a CPU does on an rmap a broken
# protocol left locked. The watchdog's liveness bound (60 s times the overcommit) is for runs
# without a violation; a found bug must end within REPORT_VERDICT_MS (2 s) of the violation
# that decides it (issue 12): exit 1 (not 124), the CPU that did not reach the end named with
# its role and wait, its backtrace, and no liveness violation (the deadline ended it).
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
boot -smp 4 -m 256M --timeout 60 --cmdline "selftest=hang-after-violation watchdog=60" "$@"
secs=$(( $(date +%s) - start ))
expect "exit status" 1 "$status"
has "the violation" '^VIOLATION inv=mutex .* detail="selftest: '
has "the deadline, stated" '^  watchdog: test selftest has no verdict 2000 ms after the violation that decides it'
has "cpu 1 named with its role and its wait" '^  watchdog: cpu 1 \(selftest\) spinning on selftest lock'
has "cpu 1's backtrace by NMI" '#0 0x[0-9a-f]+ selftest_hang_work\+0x'
has "a not ok result" '^not ok [0-9]+ - selftest .*first=mutex'
has "the verdict block: the test's line" '^  verdict: not ok [0-9]+ - selftest violations=[0-9]+ first=mutex'
has "the verdict block: the first VIOLATION" '^  verdict: first VIOLATION inv=mutex test=selftest cpu='
if grep -q '^VIOLATION inv=liveness' <<< "$text"; then fail "the liveness bound fired, not the verdict deadline"
else pass "no liveness violation: the deadline ended the run"; fi
[ "$secs" -lt 30 ] && pass "ended in $secs s (boot included)" || fail "took $secs s"
check_console
finish
