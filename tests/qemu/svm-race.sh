#!/usr/bin/env bash
# svm-race.sh [zap-]pass|[zap-]caught|[zap-]skip RUN-QEMU-ARGS...: the svm-race test (issue 16,
# guests racing, first part: an SVM guest's writes, the CPU's nested walker setting A/D,
# lockless agers and dirty logging's D clears with kicks; tests/kernel/svm_race.c), and with
# zap- the svm-zap test (issue 16, item 3 with a real guest: the writer zaps the running
# guest's data gfns, the zap's flush kicks it out of guest mode, then the frames are
# poisoned; tests/kernel/svm_zap.c).
#   pass    (-cpu max): exit 0, the ok line with every count above 0 (accesses, kicks, INTR
#           exits, D clears, checks, A cleared by the agers and set again by the walker),
#           d_lost=0, D on every data leaf at the end, no VIOLATION;
#   caught  (mutate=age-plain-rmw: the ager clears A by a plain read-modify-write): exit 1
#           and the ad-conservation VIOLATION "walker D lost". A race, caught with a
#           probability: measured under TCG at -smp 4 on 2 host cores, 10 runs of 10 within
#           4 s, at t_ms 232 to 2706 (5 of 6 within 2 s); so up to SVM_RACE_TRIES runs (default 3) of SVM_RACE_SECONDS
#           (default 4); the log says the try and the catch time;
#   skip    (--cpu max,-svm, or -smp 2: fewer than 3 CPUs): exit 0 and the SKIP line.
#   zap-pass   exit 0, the ok line with every count above 0 (accesses, zaps, flushes, kicks,
#              INTR exits, refaults, frames checked), stale=0, no VIOLATION;
#   zap-caught (mutate=zap-no-flush: the commit skips the flush, so no kick): exit 1 and the
#              uaf VIOLATION "stale-tlb:" (the guest wrote a poisoned frame through its nested
#              TLB). Measured under TCG at -smp 4 on 2 host cores: 10 runs of 10, at t_ms 14
#              to 21 (the first VMMCALL exit after a zap); still up to SVM_ZAP_TRIES runs (default 2);
#   zap-caught-reads: the same run, and the VIOLATION of the guest's reads of the poison
#              (half its pages are only read: the check on reads, svm_guest.S, must fire too);
#   zap-skip   (--cpu max,-svm, or -smp 1): exit 0 and the SKIP line.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: svm-race.sh [zap-]pass|[zap-]caught|zap-caught-reads|[zap-]skip [run-qemu args]}
shift
run_args "$@"
test=svm-race
[[ $mode == zap-* ]] && test=svm-zap && mode=${mode#zap-}
tries=${SVM_RACE_TRIES:-3}
secs=${SVM_RACE_SECONDS:-4}

case $test-$mode in
svm-race-pass)
	boot --timeout 120 "${args[@]}" --cmdline "test=svm-race"
	passed svm-race 'format=npt levels=4k data_pages=[0-9]+ .* mutate=none '
	counts_above_zero accesses kicks intr clears d_cleared checks agers a_cleared a_again
	expect "D lost" 0 "$(ok_count d_lost)"
	expect "data leaves with D at the end" 24 "$(ok_count d_end)"
	;;
svm-zap-pass)
	boot --timeout 120 "${args[@]}" --cmdline "test=svm-zap"
	passed svm-zap 'format=npt levels=4k data_pages=[0-9]+ .* mutate=none '
	counts_above_zero accesses zaps flushes kicks intr refaults checked
	expect "stale-tlb reports" 0 "$(ok_count stale)"
	;;
svm-race-caught)
	caught svm-race ad-conservation 'walker D lost: ' "$tries" \
		"test=svm-race mutate=age-plain-rmw seconds=$secs" --timeout 120 "${args[@]}"
	;;
svm-zap-caught)
	caught svm-zap uaf 'stale-tlb: ' "${SVM_ZAP_TRIES:-2}" "test=svm-zap mutate=zap-no-flush" \
		--timeout 120 "${args[@]}"
	;;
svm-zap-caught-reads)
	caught svm-zap uaf 'stale-tlb: the guest read the poison ' "${SVM_ZAP_TRIES:-2}" \
		"test=svm-zap mutate=zap-no-flush" --timeout 120 "${args[@]}"
	;;
*-skip)
	boot --timeout 60 "${args[@]}" --cmdline "test=$test"
	skipped $test 'no (SVM|nested paging) \(CPUID .*\)|needs [23] CPUs: .*'
	;;
*)
	echo "svm-race.sh: unknown mode $mode" >&2; exit 2 ;;
esac
check_console
finish
