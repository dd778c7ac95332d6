#!/usr/bin/env bash
# mutations.sh [--qemu MAJOR] [RUN-QEMU-ARGS...]: the mutation matrix (DESIGN §5, issue 5) on
# the CPUs given. Every mutation of the kernel's catalog (build/tools/catalog, the same
# rmap_variants[] the kernel links) runs age-vs-zap for at most MUTATION_SECONDS (default 5)
# with watchdog=2 (the liveness bound, short so a hang ends soon; the kernel multiplies it by
# the measured overcommit, so at -smp 288 on 2 cores a hang would end in the timeout first and
# count as not caught: both liveness mutations are caught by their online checks, not by the
# watchdog). Caught means: exit 1 (fail), and the invariant the mutation names reported by
# the kernel, in a VIOLATION line or in its per-invariant count line ("  age-vs-zap
# violations by invariant: ..."), or as first=. Not "first=" alone:
# a mutation may trip several invariants and which fires first is a race (ager-no-lock: two
# agers overlapping, `mutex`, against the writer changing a chain under one, `chain-stable`);
# the kernel ends a mutated test at the first checkpoint after its named invariant has fired,
# so the table's first= column shows what came first. The seconds column is the t_ms of the
# first VIOLATION line naming the invariant (the kernel's clock from the start of the test),
# or of the first VIOLATION line when only the counts name it. Also checks that mutate=help
# lists exactly the catalog's mutations and exits 0. A mutation not caught fails the test.
# A race is caught with a probability, not for sure (age-plain-rmw at -smp 16 and 5 s: missed
# 1 run in 4 under TCG), so an uncaught mutation gets up to MUTATION_TRIES runs (default 3),
# the later ones twice as long, and the table's tries column says how many it took.
# MUTATION_OPTIONS: more kernel options for every run (e.g. profile=kvm, or widen=off
# irq_hz=1000: the broken steps as narrow as real bugs, found by the machine's scheduling). Under profile=kvm the
# protocol itself can trip `uaf` (upstream's walk of a chain re-read after an elided lock,
# README "Upstream findings", rare in age-vs-zap) and its damage: a run in which that walk
# reported ("kvm re-read: ..." lines) catches nothing, the mutation gets its next try.
# A mutation the catalog marks "(strict only)" or "(kvm only)" runs under that profile; under
# the other one the kernel must refuse it with exit 2 and say why (the table says "refused").
# Likewise "(ept only)" under format=npt (a step only EPT's A/D-disabled SPTEs have).
# MUTATION_ONLY="m1 m2 ...": run only these mutations (each must be in the catalog) and leave
# the mutate=help check to the full matrices; the log and the last line say so (make test's
# -smp 288 line, where a boot costs 12 s: the full 288 matrix is in `make test-slow`).
. "$(dirname "$0")/lib.sh"

secs=${MUTATION_SECONDS:-5}
opts=${MUTATION_OPTIONS:-}
kvm=$([[ " $opts " == *" profile=kvm "* ]] && echo yes || echo no)
npt=$([[ " $opts " == *" format=npt "* ]] && echo yes || echo no)
tries=${MUTATION_TRIES:-3}
only=${MUTATION_ONLY:-}
run_args "$@"
set -- "${args[@]}"
make -s build/tools/catalog || exit 2
catalog=$(build/tools/catalog | awk '$1 == "mutation"')
[ -n "$catalog" ] || { fail "the catalog lists no mutation"; finish; }
all=$(wc -l <<< "$catalog")

base=$console
full=$catalog
if [ -n "$only" ]; then
	for m in $only; do
		awk -v m="$m" '$2 == m { found = 1 } END { exit !found }' <<< "$catalog" ||
			{ fail "MUTATION_ONLY names '$m', which the catalog does not list"; finish; }
	done
	catalog=$(awk -v only=" $only " 'index(only, " " $2 " ")' <<< "$catalog")
	echo "# MUTATION_ONLY: $(wc -l <<< "$catalog") of the catalog's $all mutations; mutate=help is checked by the full matrices"
else
	console=$base.help
	boot "$@" --timeout 60 --cmdline "mutate=help${opts:+ $opts}"
	expect "mutate=help exit status" 0 "$status"
	expect "mutate=help lists the catalog's mutations" "$full" "$(grep '^mutation ' <<< "$text")"
	check_console
fi

rows=() missed=0
while read -r _ m inv rest; do
	inv=${inv#inv=}
	# a mutation of one profile's (or format's) step or contract: the other refuses it (exit 2)
	if [[ $rest == *"(kvm only)"* && $kvm = no ]] || [[ $rest == *"(strict only)"* && $kvm = yes ]] ||
	   [[ $rest == *"(ept only)"* && $npt = yes ]]; then
		console=$base.$m.refused
		boot "$@" --timeout 60 --cmdline "test=age-vs-zap seconds=1 mutate=$m${opts:+ $opts}"
		expect "$m: refused under this profile or format, exit status" 2 "$status"
		if grep -Eq "^error: mutate=$m breaks a step or a contract only (profile|format)=" <<< "$text"; then
			pass "$m is refused with the reason"
		else
			fail "$m: no 'error: mutate=$m breaks a step or a contract only profile=/format=' line"
		fi
		rows+=("$(printf '%-20s %-16s %-6s %-16s %-7s %s' "$m" "$inv" "refused" "-" "-" 1)")
		check_console
		continue
	fi
	for ((try = 1; try <= tries; try++)); do
		console=$base.$m.$try
		run_secs=$([ $try = 1 ] && echo "$secs" || echo $((secs * 2)))
		boot "$@" --timeout 120 --cmdline "test=age-vs-zap seconds=$run_secs watchdog=2 mutate=$m seed=$try${opts:+ $opts}"
		first=$(sed -n 's/^not ok [0-9]* - .* first=\([^ ]*\).*/\1/p' <<< "$text" | head -n 1)
		counts=$(sed -n 's/^  age-vs-zap violations by invariant:\([^;]*\).*/\1/p' <<< "$text")
		named=$(grep -m 1 "^VIOLATION inv=$inv " <<< "$text")
		any=$(grep -m 1 '^VIOLATION ' <<< "$text")
		caught=no
		if [ $kvm = yes ] && grep -q '^VIOLATION .* detail="kvm re-read: ' <<< "$text"; then
			echo "# $m: try $try of $tries met upstream's re-read bug, not counted"
			continue
		fi
		if [ "$status" = 1 ] && { [ -n "$named" ] || [[ " $counts " == *" $inv="* ]] ||
		   [ "$first" = "$inv" ]; }; then
			caught=yes
			break
		fi
		echo "# $m: try $try of $tries not caught (exit $status, first=${first:-none})"
	done
	[ $try -gt $tries ] && try=$tries
	expect "$m: exit status" 1 "$status"
	if [ $caught = yes ]; then
		pass "$m is caught by $inv"
	else
		caught=NO
		missed=$((missed + 1))
		fail "$m: $inv not reported (first=${first:-none}, counts:${counts:- none})"
	fi
	t=$(sed -n 's/.* t_ms=\([0-9]*\).*/\1/p' <<< "${named:-$any}")
	secs_to=$([ -n "$t" ] && awk -v t="$t" 'BEGIN { printf "%.3f", t / 1000 }' || echo "-")
	rows+=("$(printf '%-20s %-16s %-6s %-16s %-7s %s' "$m" "$inv" "$caught" "${first:-none}" "$secs_to" "$try")")
	check_console
done <<< "$catalog"
console=$base

echo "# mutation matrix, -smp $smp, age-vs-zap, seconds=$secs watchdog=2${opts:+ $opts}"
printf '# %-20s %-16s %-6s %-16s %-7s %s\n' mutation invariant caught first= seconds tries
for r in "${rows[@]}"; do echo "# $r"; done
n=$(wc -l <<< "$catalog")
[ $missed = 0 ] && pass "every mutation caught ($n$([ "$n" = "$all" ] || echo " of the catalog's $all"))" ||
	fail "$missed mutation(s) not caught"
finish
