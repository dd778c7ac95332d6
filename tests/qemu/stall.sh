#!/usr/bin/env bash
# stall.sh [RUN-QEMU-ARGS...]: boots with selftest=stall-ap watchdog=2: CPU 1 stops making
# progress without declaring any wait. Proves the `liveness` check: the watchdog names CPU 1
# within its bound (not the BSP, which waits for it legitimately), prints CPU 1's backtrace
# taken by NMI (the stalled function, symbolized) and ends the run as a failure (exit 1),
# neither a pass nor a hang.
. "$(dirname "$0")/lib.sh"

boot -smp 4 -m 256M --timeout 60 --cmdline "selftest=stall-ap watchdog=2" "$@"
expect "exit status" 1 "$status"
has "a liveness VIOLATION naming cpu 1" '^VIOLATION inv=liveness .* stuck_cpu=1 '
if grep -qE '^VIOLATION inv=liveness .* stuck_cpu=0 ' <<< "$text"; then
	fail "the waiting BSP was reported stuck too"
else
	pass "the waiting BSP was not reported"
fi
has "cpu 1's backtrace by NMI" 'backtrace \(cpu 1\)'
has "the stalled function, symbolized" '#0 0x[0-9a-f]+ selftest_stall_work\+0x'
has "a not ok result" '^not ok [0-9]+ - .* first=liveness'
check_console
finish
