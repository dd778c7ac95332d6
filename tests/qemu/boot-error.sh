#!/usr/bin/env bash
# boot-error.sh [--uefi]: firmware that finds nothing to boot is a boot error (2), found fast,
# not a timeout: OVMF falls into its UEFI shell and waits for ever at "Shell>", SeaBIOS says
# "No bootable device" and (with -boot reboot-timeout=0) resets. The medium is an empty CD.
. "$(dirname "$0")/lib.sh"
limit=60

empty=$(mktemp --tmpdir rmap-empty.XXXXXX.iso)
trap 'rm -f "$empty"' EXIT
boot --iso "$empty" -smp 1 -m 128M --timeout $limit "$@"
expect "exit status" 2 "$status"
if awk -v e="$elapsed" -v l=$limit 'BEGIN { exit !(e < l / 2) }'; then
	pass "stopped after ${elapsed}s, well before the ${limit}s limit"
else
	fail "stopped after ${elapsed}s: the boot error was not detected, the limit ran out"
fi
if grep -q '^rmap-harness ' <<< "$text"; then fail "a kernel banner: something booted"
else pass "no kernel banner"; fi
finish
