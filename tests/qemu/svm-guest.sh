#!/usr/bin/env bash
# svm-guest.sh pass|skip|broken RUN-QEMU-ARGS...: the svm-guest test (issue 16, item 2: one
# SVM guest on the NPT our MMU builds; tests/kernel/svm_guest.c).
#   pass    (-cpu max, the default): exit 0, the ok line with every count above 0, one NPF
#           per gfn the guest touched (npf = touched), A on every touched leaf and set again
#           after aging (a = a_again = touched), D on exactly the written ones (d = written),
#           an INTR exit, an NMI exit and every NMI taken by the host (nmis_taken = nmis),
#           no VIOLATION;
#   skip    (--cpu qemu64: no NPT; --cpu max,-svm: no SVM): exit 0 and the SKIP line with
#           its reason, never a silent pass;
#   broken  (svm_leaf_ad=set: the fault path creates leaves with A and D set): exit 1, and
#           the D check names a leaf the guest only read: the checks can fail.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: svm-guest.sh pass|skip|broken [run-qemu args]}
shift
run_args "$@"

case $mode in
pass)
	boot --timeout 120 "${args[@]}" --cmdline "test=svm-guest"
	passed svm-guest 'format=npt levels=4k data_pages=[0-9]+ '
	counts_above_zero accesses npf touched intr ipis nmi_exits nmis vmmcalls a d written aged a_again
	touched=$(ok_count touched)
	expect "NPF exits, one per gfn touched" "$touched" "$(ok_count npf)"
	expect "leaves with A after the run" "$touched" "$(ok_count a)"
	expect "leaves with A again after aging and a re-entry" "$touched" "$(ok_count a_again)"
	expect "leaves with D: the written ones" "$(ok_count written)" "$(ok_count d)"
	expect "NMIs the AP's host handler took: every one sent" "$(ok_count nmis)" "$(ok_count nmis_taken)"
	;;
skip)
	boot --timeout 60 "${args[@]}" --cmdline "test=svm-guest"
	skipped svm-guest 'no (SVM|nested paging) \(CPUID .*\)'
	;;
broken)
	boot --timeout 120 "${args[@]}" --cmdline "test=svm-guest svm_leaf_ad=set"
	expect "exit status" 1 "$status"
	has "the setup line says the checks must fail" 'leaf_ad=set \(checks must fail\)'
	has "not ok, the D check named" '^not ok 1 - svm-guest .*error="svm-guest: gfn 0x[0-9a-f]+: only read or fetched, but D is set'
	;;
*)
	echo "svm-guest.sh: unknown mode $mode" >&2; exit 2 ;;
esac
check_console
finish
