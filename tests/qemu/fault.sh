#!/usr/bin/env bash
# fault.sh KIND [RUN-QEMU-ARGS...]: boots with selftest=fault-KIND, which makes the kernel take
# that CPU exception on purpose. Proves the exception path a real bug would take: the run fails
# (exit 1, never a pass or a hang), the fault is reported as a VIOLATION inv=fault naming the
# vector, with a register dump (RIP, RSP) and a backtrace whose frames are symbolized kernel
# functions (the selftest function, called from kmain), and the console stays grammatical.
. "$(dirname "$0")/lib.sh"

# kind  vector  mnemonic
faults='
ud 6 #UD
pf 14 #PF
gp 13 #GP'
kind=${1:?usage: fault.sh ud|pf|gp [run-qemu args]}
shift
row=$(awk -v k="$kind" '$1 == k' <<< "$faults")
[ -n "$row" ] || { echo "fault.sh: unknown kind '$kind'"; exit 2; }
read -r _ vector mnemonic <<< "$row"

boot -smp 2 -m 256M --cmdline "selftest=fault-$kind" "$@"
expect "exit status" 1 "$status"
has "a VIOLATION inv=fault line for vector $vector" "^VIOLATION inv=fault .*vector=$vector( |$)"
has "the mnemonic $mnemonic" "$mnemonic"
has "a register dump with RIP" 'RIP=[0-9a-f]{16}'
has "a register dump with RSP" 'RSP=[0-9a-f]{16}'
has "a backtrace section" 'backtrace'
has "a symbolized frame in the selftest" '#[0-9]+ 0x[0-9a-f]+ selftest_[a-z_]+\+0x[0-9a-f]+'
has "a symbolized frame in kmain" '#[0-9]+ 0x[0-9a-f]+ kmain\+0x[0-9a-f]+'
has "a not ok result" '^not ok [0-9]+ - .* first=fault'
check_console
finish
