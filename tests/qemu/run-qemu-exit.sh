#!/usr/bin/env bash
# run-qemu-exit.sh: tools/run-qemu.sh turns every way a run can end into the right exit code.
# QEMU is replaced by fake-qemu.sh, which prints a console and exits with a chosen status, so
# each row below is one ending: the kernel's three isa-debug-exit codes ((code << 1) | 1), a
# "pass" without SUMMARY or with failures counted (an error, never a pass), a reset (QEMU status 0), a hang (124, even
# after SUMMARY), firmware or GRUB stuck waiting for a key (2, found fast), and bad flags (2).
# Real QEMU is not needed; these are the paths a real boot rarely takes on purpose.
. "$(dirname "$0")/lib.sh"

ban='rmap-harness v0 boot=bios cpus=1/1 mem=1 cmdline=""\r\n'
sum='SUMMARY: 1 passed, 0 failed\r\n'
# want | status | sleep | console | run-qemu flags | what
cases="
0   | 1 | 0  | ${ban}ok 1 - t\r\n${sum}            |              | kernel exit 0 with SUMMARY: pass
2   | 1 | 0  | ${ban}ok 1 - t\r\n                  |              | kernel exit 0 without SUMMARY: error
2   | 1 | 0  | ${ban}SUMMARY: 0 passed, 1 failed\r\n | |  kernel exit 0 after a SUMMARY with failures: error
2   | 1 | 0  | qemu: could not load PC BIOS\n      |              | QEMU failing to start (status 1): error
1   | 3 | 0  | ${ban}not ok 1 - t violations=1\r\n |              | kernel exit 1: fail
2   | 5 | 0  | ${ban}error: unknown option\r\n     |              | kernel exit 2: boot or usage error
2   | 0 | 0  | ${ban}                              |              | QEMU status 0 (reset, triple fault): error
2   | 7 | 0  | ${ban}                              |              | an unknown QEMU status: error
124 | 1 | 30 | ${ban}                              | --timeout 2  | a hang: timeout
124 | 1 | 30 | ${ban}ok 1 - t\r\n${sum}            | --timeout 2  | a hang after SUMMARY: still a timeout
2   | 1 | 30 | Shell> \r\n                         | --timeout 20 | OVMF's Shell> prompt: boot error, fast
2   | 1 | 30 | error: file not found.\r\nPress any key to continue...| --timeout 20 | GRUB stopped at an error: boot error, fast
2   | 1 | 0  |                                     | --bogus      | an unknown flag: usage error
2   | 1 | 0  |                                     | --accel xyz  | a bad --accel: usage error
2   | 1 | 0  |                                     | --cmdline 'a\"b' | a quote in --cmdline: usage error
"
empty=$(mktemp --tmpdir rmap-fake.XXXXXX.iso)
trap 'rm -f "$empty"' EXIT
while IFS='|' read -r want st sl out flags what; do
	[ -z "${want// }" ] && continue
	read -r want <<< "$want"; read -r st <<< "$st"; read -r sl <<< "$sl"
	out=$(sed 's/^ *//; s/ *$//' <<< "$out")
	what=$(sed 's/^ *//' <<< "$what")
	eval "fl=($flags)"	# the table's own words, quoted as in a shell
	t0=$EPOCHREALTIME
	QEMU=$root/tests/qemu/fake-qemu.sh FAKE_OUT=$out FAKE_STATUS=$st FAKE_SLEEP=$sl \
		tools/run-qemu.sh --iso "$empty" --accel tcg "${fl[@]}" > /dev/null 2> "$console.stderr"
	got=$?
	t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	why=$(tail -n 1 "$console.stderr")
	if [ "$got" = "$want" ] && awk -v t="$t" 'BEGIN { exit !(t < 8) }'; then
		pass "$what: exit $got (${t}s)"
	else
		fail "$what: expected exit $want within 8s, got $got after ${t}s ($why)"
	fi
done <<< "$cases"
finish
