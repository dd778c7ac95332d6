#!/usr/bin/env bash
# tests/bench/guests.sh - make bench's guests table (issue 16): what a real page walker does
# beside the harness's software accessors, at -smp 4 under QEMU (TCG, -cpu max: AMD SVM with
# nested paging), both on NPT-format tables (format=npt), for the same time.
#   software  age-vs-zap: the accessors (tests/kernel/harness, kernel/mmu/access.c) walk the
#             tables in C and set A (D on a write) with a cmpxchg: walks/s, A and D set/s.
#   walker    svm-race: one guest's loads and stores through QEMU's nested walker (the silicon
#             on AMD hardware) against two lockless agers and dirty logging: guest accesses/s;
#             A set by the walker/s (A found set again after an ager cleared it); D set by the
#             walker/s (each D dirty logging cleared is set again by the next write's walk).
#   harness   age-vs-zap guests=1: the same walker in the harness, racing the writer and the agers
#             on its own root: guest accesses/s, windows, pages its D probe checked/s.
# The walker sets A/D only when it walks: on a miss of its TLB, which under TCG is emptied by
# each VMRUN and #VMEXIT (the logger's kicks), so its A/D rates follow the kicks, not the
# accesses; most accesses hit the TLB and set nothing, as on hardware.
# Figures are what they are on this machine on this day; nothing here passes or fails on speed.
# Run by tools/run-bench.sh (BENCH_QUICK=1: 2 s instead of 5).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
secs=5
[ "${BENCH_QUICK:-0}" = 1 ] && secs=2
make -s all || exit 2

# field NAME: the value of NAME= on the ok line on stdin
field() { grep -m 1 '^ok ' | grep -o "\b$1=[0-9.]*" | head -n 1 | cut -d= -f2; }
# per_s N [MS]: N over the run's time (MS, its own ms= figure, else the seconds asked), or -
per_s() {
	awk -v n="${1:-}" -v ms="${2:-}" -v s="$secs" 'BEGIN {
		if (n == "") { print "-"; exit }
		printf "%.0f", n / (ms != "" && ms > 0 ? ms / 1000 : s) }'
}
run() {	# run CMDLINE: the console of one direct boot at -smp 4
	tools/run-qemu.sh --direct -smp 4 --timeout $((secs * 10 + 60)) --cmdline "$1" 2>/dev/null |
		sed 's/\r//g'
}

echo "== guests: a real page walker (QEMU TCG's nested walker, SVM+NPT) beside the software accessors, -smp 4, ${secs} s each =="
printf '%-9s %14s %12s %12s   %s\n' world "accesses/s" "A set/s" "D set/s" "what"
sw=$(run "test=age-vs-zap seconds=$secs format=npt")
if grep -q '^ok [0-9]* - age-vs-zap' <<< "$sw"; then
	printf '%-9s %14s %12s %12s   %s\n' software "$(field walks_ps <<< "$sw")" \
		"$(per_s "$(field a_set <<< "$sw")" "$(field ms <<< "$sw")")" \
		"$(per_s "$(field d_set <<< "$sw")" "$(field ms <<< "$sw")")" \
		"age-vs-zap format=npt: the accessors' walks, A/D by cmpxchg"
else
	echo "software: no ok line: $(grep -m 1 '^not ok\|^error' <<< "$sw")"
fi
hw=$(run "test=svm-race seconds=$secs")
if grep -q '^ok [0-9]* - svm-race # SKIP' <<< "$hw"; then
	echo "walker: skipped: $(grep -m 1 '^ok [0-9]* - svm-race # SKIP' <<< "$hw")"
elif grep -q '^ok [0-9]* - svm-race' <<< "$hw"; then
	printf '%-9s %14s %12s %12s   %s\n' walker "$(per_s "$(field accesses <<< "$hw")")" \
		"$(per_s "$(field a_again <<< "$hw")")" "$(per_s "$(field d_cleared <<< "$hw")")" \
		"svm-race: guest loads/stores; $(field kicks <<< "$hw") kicks, $(field agers <<< "$hw") agers, d_lost=$(field d_lost <<< "$hw")"
else
	echo "walker: no ok line: $(grep -m 1 '^not ok\|^error' <<< "$hw")"
fi
# the same walker inside the harness (guests=1): the writer's faults and zaps and two agers on
# the guest's own root; nobody counts its A/D sets there, the walker probe checks them
hg=$(run "test=age-vs-zap seconds=$secs format=npt guests=1")
gl=$(grep -m 1 '^  age-vs-zap guests: ' <<< "$hg")
pl=$(grep -m 1 '^  age-vs-zap walker probe: ' <<< "$hg")
gfield() { grep -o "\b$1=[0-9]*" | head -n 1 | cut -d= -f2; }
if grep -q '^ok [0-9]* - age-vs-zap # SKIP' <<< "$hg"; then
	echo "harness: skipped: $(grep -m 1 '^ok [0-9]* - age-vs-zap # SKIP' <<< "$hg")"
elif grep -q '^ok [0-9]* - age-vs-zap' <<< "$hg" && [ -n "$gl" ]; then
	printf '%-9s %14s %12s %12s   %s\n' harness "$(gfield accesses_ps <<< "$gl")" - - \
		"age-vs-zap guests=1: $(gfield windows <<< "$gl") windows, $(per_s "$(gfield d_checked <<< "$pl")") pages probed for D/s, d_lost=$(gfield d_lost <<< "$pl"), $(gfield npf <<< "$gl") NPFs"
else
	echo "harness: no ok line: $(grep -m 1 '^not ok\|^error' <<< "$hg")"
fi
