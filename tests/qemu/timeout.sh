#!/usr/bin/env bash
# timeout.sh: a run that never exits is a timeout (124), even after a SUMMARY line: with
# on_finish=halt the kernel prints its verdict and halts, as on a real machine, and
# tools/run-qemu.sh must kill QEMU at --timeout and say 124, not pass on the SUMMARY.
# The boot takes about 2 s under TCG; a 6 s limit leaves room on a slow CI machine.
. "$(dirname "$0")/lib.sh"
limit=6

boot -smp 2 -m 256M --cmdline "test=boot on_finish=halt" --timeout $limit
expect "exit status" 124 "$status"
has "the kernel finished its run before the limit" '^SUMMARY: 1 passed, 0 failed'
if awk -v e="$elapsed" -v l=$limit 'BEGIN { exit !(e >= l && e < l + 5) }'; then
	pass "killed after ${elapsed}s, at the ${limit}s limit"
else
	fail "killed after ${elapsed}s, expected ${limit}..$((limit + 5))s"
fi
# run-qemu.sh's private directory (named in the QEMU command line it prints) must be gone,
# and no process may still name it or the console log (QEMU, tee, the watcher's sleep).
work=$(grep -o '/[^ ]*rmap-run-qemu\.[A-Za-z0-9]*' <<< "$said" | head -n 1)
if [ -z "$work" ]; then fail "run-qemu.sh printed no QEMU command line naming its directory"
elif [ -e "$work" ]; then fail "$work is left behind"
elif pgrep -f "$work|$console" > /dev/null; then fail "a process of the run is still alive"
else pass "$work removed, no process of the run left"; fi
check_console
finish
