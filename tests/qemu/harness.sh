#!/usr/bin/env bash
# harness.sh TEST|default [--qemu MAJOR] [RUN-QEMU-ARGS...]: one harness scenario (issue 5)
# without a mutation, for HARNESS_SECONDS (default 2) seconds; `default` boots without test=,
# so the kernel runs its first catalog test (age-vs-zap). Proves that the correct protocol
# passes every online and checkpoint check on this many CPUs: exit 0 with the test's ok line
# for the -smp given (QEMU's topology syntax too), no VIOLATION line, every CPU in a role
# (idle=0), work done (faults, rmaps aged, checkpoints all above 0, so a run that did nothing
# cannot pass), the setup, roles and writer information lines before the ok line, an ok line
# under 400 characters, and a console that obeys the grammar. --qemu MAJOR skips (exit 77) on
# an older QEMU (x2APIC and more than 255 CPUs under TCG need 9+). A later --timeout replaces
# the default of 180 s. HARNESS_OPTIONS: more kernel options (e.g. nap=off), checked to be on
# the banner's command line; the setup line must name the SPTE format they ask for (format=,
# default ept), and under format=npt no A/D-disabled root (TDP NPT always has A/D enabled).
# With guests=N in HARNESS_OPTIONS (issue 16): N guests ran (guests=N on the roles line, no
# software accessor), did work (VMRUNs, accesses, windows the walker probe checked), none
# failed, and their checks found nothing (d_lost, a_lost, clean_lost, stale, poison_reads all 0).
# HARNESS_EXPECT=skip instead: the test is skipped with the reason (no SVM on this CPU).
. "$(dirname "$0")/lib.sh"

test=${1:?usage: harness.sh TEST|default [--qemu MAJOR] [run-qemu args]}
shift
secs=${HARNESS_SECONDS:-2}
run_args "$@"
cpus=$(smp_cpus "$smp")
if [ "$test" = default ]; then
	make -s build/tools/catalog || exit 2
	test=$(build/tools/catalog | awk '$1 == "test" { print $2; exit }')
	cmdline="seconds=$secs"
else
	cmdline="test=$test seconds=$secs"
fi
cmdline+=${HARNESS_OPTIONS:+ $HARNESS_OPTIONS}

boot --timeout 180 "${args[@]}" --cmdline "$cmdline"
# HARNESS_EXPECT=skip: the test must be skipped with its reason (guests= without SVM)
if [ "${HARNESS_EXPECT:-pass}" = skip ]; then
	skipped "$test" 'no (SVM|nested paging) \(CPUID .*\)'
	check_console
	finish
fi
expect "exit status" 0 "$status"
[ -z "${HARNESS_OPTIONS:-}" ] || expect "the banner's command line" "$cmdline" "$(banner_field cmdline)"
has "the ok line of $test on $cpus CPUs" "^ok 1 - $test cpus=$cpus "
if grep -q '^VIOLATION' <<< "$text"; then
	fail "VIOLATION lines: $(grep -c '^VIOLATION' <<< "$text"), first: $(grep -m 1 '^VIOLATION' <<< "$text")"
else
	pass "no VIOLATION line"
fi
okline=$(grep -m 1 "^ok 1 - $test " <<< "$text")
for key in faults rmaps_aged checkpoints; do
	v=$(sed -n "s/.* $key=\([0-9]*\).*/\1/p" <<< "$okline")
	if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]; then pass "$key=$v"
	else fail "$key: expected a count above 0, got '$v'"; fi
done
[ ${#okline} -lt 400 ] && pass "ok line of ${#okline} characters" ||
	fail "ok line of ${#okline} characters, expected under 400"
has "the setup line" "^  $test: cpus=$cpus gfns=[0-9]+ roots=[0-9]+ levels="
format=$(sed -n 's/.*\(^\| \)format=\([a-z]*\).*/\2/p' <<< " ${HARNESS_OPTIONS:-}")
format=${format:-ept}
has "the setup line names format=$format" "^  $test: .* format=$format "
[ "$format" != npt ] || has "no A/D-disabled root under npt" "^  $test: .* ad_disabled_roots=0 "
has "the roles line, every CPU in a role" "^  $test roles: writer=1 agers=[0-9]+ accessors=[0-9]+ .* idle=0 "
has "the writer's counts" "^  $test writer: bursts=[0-9]+ "
guests=$(sed -n 's/.*\(^\| \)guests=\([0-9]*\).*/\2/p' <<< " ${HARNESS_OPTIONS:-}")
if [ -n "$guests" ] && [ "$guests" -gt 0 ]; then
	has "guests=$guests on the roles line, no software accessor" \
		"^  $test roles: writer=1 agers=[0-9]+ accessors=0 .* guests=$guests "
	gline=$(grep -m 1 "^  $test guests: " <<< "$text")
	pline=$(grep -m 1 "^  $test walker probe: " <<< "$text")
	for key in vmruns accesses windows; do
		v=$(sed -n "s/.* $key=\([0-9]*\).*/\1/p" <<< "$gline")
		if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]; then pass "guests: $key=$v"
		else fail "guests: $key: expected a count above 0, got '$v' ($gline)"; fi
	done
	v=$(sed -n 's/.* d_checked=\([0-9]*\).*/\1/p' <<< "$pline")
	if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ]; then pass "walker probe: d_checked=$v"
	else fail "walker probe: d_checked: expected a count above 0, got '$v' ($pline)"; fi
	for key in d_lost a_lost clean_lost stale poison_reads; do
		expect "walker probe: $key" 0 "$(sed -n "s/.* $key=\([0-9]*\).*/\1/p" <<< "$pline")"
	done
	expect "guests failed" 0 "$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<< "$gline")"
fi
has "a histogram line" "^  $test mmu_lock hold cycles: "
has "the verdict block repeats the ok line after the tables" "^  verdict: ok 1 - $test\$"
grep "^  $test " <<< "$text" | sed 's/^/# /'
check_console
finish
