#!/usr/bin/env bash
# machine-check.sh: a machine check is reported, not a silent reset (issue 15, item 4). The
# kernel sets CR4.MCE on every CPU and enables every MCA bank; QEMU's monitor injects an
# uncorrected error into bank 1 of CPU 1 while the default scenario runs (HMP `mce`: cpu,
# bank, MCi_STATUS VAL|UC|EN|MISCV|ADDRV|PCC, MCG_STATUS RIPV|MCIP, address, misc). The run
# must end in exit 1 with a fault (vector 18) named and the bank's status and address printed.
# Without CR4.MCE QEMU would shut the machine down (a triple fault: exit 2, no report); with
# the banks left disabled it would drop the error (the run would pass).
. "$(dirname "$0")/lib.sh"

rm -f "$console"
status_bits=0xbe00000000000175	# VAL UC EN MISCV ADDRV PCC, a memory-read MCA code
(
	for _ in $(seq 1 120); do
		grep -q '^rmap-harness ' "$console" 2> /dev/null && break
		sleep 0.5
	done
	sleep 1
	monitor "mce 1 1 $status_bits 0x5 0x12345000 0x86" 2
) &
helper=$!
boot --timeout 120 -smp 4 -m 256M --cmdline "seconds=30" "${monitor_args[@]}"
wait $helper
expect "exit status" 1 "$status"
has "the fault named: vector 18" '^VIOLATION inv=fault .*vector=18 .*#MC machine check'
has "MCG_STATUS printed" '^  machine check on cpu 1: MCG_STATUS=0x5 \(RIPV 1 EIPV 0 MCIP 1\)'
has "the bank's status and address" '^  machine check bank 1: status=0xbe00000000000175 uncorrected enabled context-corrupt addr=0x12345000 misc=0x86'
check_console
finish
