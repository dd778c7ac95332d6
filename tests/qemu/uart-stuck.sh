#!/usr/bin/env bash
# uart-stuck.sh: a UART that stops draining ends nothing but its own output (issue 15, item 3).
# The console goes to COM2 (console=com2), which QEMU connects to a pipe whose reader shrinks
# it to one page and never reads: once 4 KiB are in it QEMU's 16550 keeps its FIFO full and
# LSR.THRE clear, as a BMC's UART nobody reads does. The kernel must drop the UART after one
# bounded wait and finish its run: a mutated run (mutate=lock-plain-store, which prints more
# than 4 KiB of violations) must end with its own verdict, exit 1, long before the timeout.
# Waiting on THRE for ever, or for a bound per character, is a timeout (124). The pipe must
# hold the start of the console (the banner) and not its end (no SUMMARY): the UART stalled.
. "$(dirname "$0")/lib.sh"

work=$(mktemp -d) || exit 2
trap 'exec 7>&- 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/p.in" "$work/p.out" "$work/ctl" || exit 2
python3 - "$work" < "$work/ctl" > "$work/reader" 2>&1 <<'PY' &
import fcntl, os, sys
d = sys.argv[1]
keep = os.open(d + '/p.in', os.O_RDWR)		# QEMU's input side: open, never written
out = os.open(d + '/p.out', os.O_RDONLY | os.O_NONBLOCK)
fcntl.fcntl(out, 1031, 4096)			# F_SETPIPE_SZ: one page
ctl = open(d + '/ctl')
print('ready', flush=True)
ctl.readline()					# QEMU has exited
data = b''
while True:
	try:
		b = os.read(out, 65536)
	except BlockingIOError:
		break
	if not b:
		break
	data += b
sys.stdout.buffer.write(data)
PY
exec 7> "$work/ctl"
for _ in $(seq 50); do grep -q ready "$work/reader" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/reader" || { fail "the pipe's reader did not start"; finish; }

boot -smp 4 -m 256M --timeout 30 --cmdline "console=com2 test=age-vs-zap seconds=2 mutate=lock-plain-store" \
	-- -chardev "pipe,id=stuck,path=$work/p" -serial chardev:stuck
echo go >&7
exec 7>&-
wait
got=$(tail -c +7 "$work/reader" | tr -d '\r')
expect "exit status (the run's own verdict, not a timeout)" 1 "$status"
if [[ $said == *"fail: kernel exit code 1"* ]]; then pass "run-qemu saw the kernel's exit code 1"
else fail "run-qemu did not see the kernel's exit code 1: $(tail -n 1 <<< "$said")"; fi
n=$(printf '%s' "$got" | wc -c)
[ "$n" -ge 3000 ] && pass "COM2 took $n bytes before it stalled" || fail "COM2 took only $n bytes"
[[ $got == "rmap-harness "* ]] && pass "COM2 holds the banner" || fail "COM2 does not start with the banner"
grep -q '^SUMMARY: ' <<< "$got" && fail "COM2 holds SUMMARY: it never stalled" ||
	pass "COM2 stalled before SUMMARY"
finish
