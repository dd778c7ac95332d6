#!/usr/bin/env bash
# ap-no-start.sh: a CPU that fails to start leaves no hole (issue 15, item 1). With
# selftest=ap-no-start the first AP in the MADT parks before it comes online, as a dead core
# would; the kernel must name it, number the CPUs that run densely (0..online-1, the APs
# after it moved down), and run smp-smoke (every CPU's adds and a barrier: a hole would hang
# it) and the default scenario (the watchdog watching a CPU that never runs would report
# `liveness`) on the three that do.
. "$(dirname "$0")/lib.sh"

boot -smp 4 -m 256M --timeout 120 --cmdline "test=smp-smoke selftest=ap-no-start"
expect "smp-smoke: exit status" 0 "$status"
has "the missing CPU named" '^smp: cpu 1 \(APIC id 0x1\) did not come online; left out, the CPUs after it renumbered'
has "3 of 4 online" '^  smp: 3/4 CPUs online'
has "the ones that run, by APIC id" '^  smp: apic ids 0 2-3$'
has "smp-smoke on 3 CPUs" '^ok 1 - smp-smoke cpus=3 '
check_console
console=$console.harness
boot -smp 4 -m 256M --timeout 120 --cmdline "seconds=3 selftest=ap-no-start"
expect "age-vs-zap: exit status" 0 "$status"
has "age-vs-zap on 3 CPUs" '^ok 1 - age-vs-zap cpus=3 '
if grep -q '^VIOLATION' <<< "$text"; then fail "a violation: $(grep -m 1 '^VIOLATION' <<< "$text")"
else pass "no violation (no liveness for the CPU that never ran)"; fi
check_console
finish
