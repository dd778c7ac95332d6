#!/usr/bin/env bash
# smp.sh [--apic xapic|x2apic] [--qemu MAJOR] RUN-QEMU-ARGS...: SMP bring-up on one topology.
# Proves that every CPU QEMU emulates was started and took part: the banner says cpus=N/N for
# the -smp given (topology syntax included), the kernel's "smp: apic ids" lines list N distinct
# APIC ids (sparse ids, as a topology with gaps has, are fine; duplicates are not), the APIC
# mode is the one expected, and smp-smoke passes: every CPU did its locked adds (the total is
# CPUs x adds) and crossed the barrier. --qemu MAJOR skips (exit 77) on an older QEMU: x2APIC
# and more than 255 CPUs under TCG need QEMU 9+.
. "$(dirname "$0")/lib.sh"

apic= rest=()
while [ $# -gt 0 ]; do
	case $1 in
	--apic) apic=$2; shift ;;
	*) rest+=("$1") ;;
	esac
	shift
done
run_args "${rest[@]}"
cpus=$(smp_cpus "$smp")

boot "${args[@]}" --cmdline "test=smp-smoke"
expect "exit status" 0 "$status"
expect "cpus online/present" "$cpus/$cpus" "$(banner_field cpus)"
# "  smp: apic ids 0-5 8-13": expand the ranges, count the distinct ids
ids=$(grep '^  smp: apic ids' <<< "$text" | sed 's/^  smp: apic ids//' | tr ' ' '\n' |
	awk -F- 'NF == 1 && $1 != "" { print $1 } NF == 2 { for (i = $1; i <= $2; i++) print i }')
expect "APIC ids listed" "$cpus" "$(grep -c . <<< "$ids")"
expect "distinct APIC ids" "$cpus" "$(sort -un <<< "$ids" | grep -c .)"
[ -n "$apic" ] && has "APIC mode $apic" "^  smp: $cpus/$cpus CPUs online, $apic,"
has "smp-smoke passed on every CPU" "^ok [0-9]+ - smp-smoke cpus=$cpus "
check_console
finish
