#!/usr/bin/env bash
# seed-effect.sh [RUN-QEMU-ARGS...]: the seed-effect benchmark (issue 13) passes its own checks,
# not a speed threshold. A short run (SEED_SECONDS, default 2, a mode) must exit 0 with its ok
# line, one row per mode (writer-alone with no ager, lockless and locked with the same count,
# faults in each, aging passes in both aging modes), the lockless/locked ratio line and a
# console that obeys the grammar. Then the same with a broken variant whose damage only the
# end-of-mode audit sees with hot-path checks off (pt-free-referenced: a table freed while an
# entry still points to it) must fail with `audit` named: the benchmark's checks can fire.
. "$(dirname "$0")/lib.sh"

secs=${SEED_SECONDS:-2}
run_args "$@"
base=$console

boot --timeout 180 "${args[@]}" --cmdline "test=seed-effect seconds=$secs"
expect "exit status" 0 "$status"
has "the ok line" "^ok 1 - seed-effect modes=3 agers=[1-9][0-9]* locked_agers=[1-9][0-9]* "
for mode in writer-alone lockless locked; do
	row=$(grep -m 1 "^  seed-effect $mode " <<< "$text")
	[ -n "$row" ] || { fail "no $mode row"; continue; }
	faults=$(sed -n 's/.* faults_ps=\([0-9]*\).*/\1/p' <<< "$row")
	passes=$(sed -n 's/.* passes=\([0-9]*\).*/\1/p' <<< "$row")
	agers=$(sed -n 's/.* agers=\([0-9]*\).*/\1/p' <<< "$row")
	[ "${faults:-0}" -gt 0 ] && pass "$mode: faults_ps=$faults" || fail "$mode: no faults ($row)"
	if [ $mode = writer-alone ]; then
		expect "$mode: agers" 0 "$agers"
	else
		[ "${passes:-0}" -gt 0 ] && pass "$mode: $passes passes with $agers agers" ||
			fail "$mode: no aging pass ($row)"
	fi
done
expect "lockless and locked ager counts" \
	"$(sed -n 's/^  seed-effect lockless .* agers=\([0-9]*\) .*/\1/p' <<< "$text")" \
	"$(sed -n 's/^  seed-effect locked .* agers=\([0-9]*\) .*/\1/p' <<< "$text")"
has "the ratio line" "^  seed-effect lockless/locked faults_ps=[0-9.]+ "
grep "^  seed-effect" <<< "$text" | sed 's/^/# /'
check_console

console=$base.mutated
boot --timeout 180 "${args[@]}" --cmdline "test=seed-effect seconds=$secs mutate=pt-free-referenced"
expect "pt-free-referenced: exit status" 1 "$status"
has "pt-free-referenced: audit reported" "^VIOLATION inv=audit test=seed-effect "
has "pt-free-referenced: the not ok line" "^not ok 1 - seed-effect violations=[0-9]+ first=audit"
check_console
finish
