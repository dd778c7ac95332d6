#!/usr/bin/env bash
# finding.sh [RUN-QEMU-ARGS...]: README's "Upstream findings", reproduced (issue 11). Boots
# elided-refill under profile=kvm with FINDING_OPTIONS (default irq_hz=1000 window_us=20; README
# "Upstream findings" has the command and its measured rates) for at most
# FINDING_SECONDS (default 10) and expects upstream's re-read after an elided lock to be
# caught: exit 1, a VIOLATION of uaf, spte-owner or chain-stable whose detail is the walk of a
# re-read chain ("kvm re-read: ..." with the interleaving: when the lock was elided, when the
# head was re-read, when the stale pointer was met, who freed it in which step). What may follow
# it is the same bug's damage: an Accessed clear that met a table page freed between its
# validation and its store breaks that page's poison (uaf, found in quarantine) and counts a
# clear of a bit nobody set (ad-conservation, or audit); a violation of any other invariant
# (mutex, unlock-readonly, liveness, fault) fails the test. The same settings under profile=strict must pass: that
# is tests/qemu/suite's harness-elided-refill-* lines (harness.sh with the same options).
. "$(dirname "$0")/lib.sh"

secs=${FINDING_SECONDS:-10}
opts=${FINDING_OPTIONS:-irq_hz=1000 window_us=20}
run_args "$@"
boot --timeout 180 "${args[@]}" --cmdline "test=elided-refill seconds=$secs profile=kvm $opts"
expect "exit status (the finding is a failing test)" 1 "$status"
first=$(grep -m 1 '^VIOLATION' <<< "$text")
if [[ $first =~ ^VIOLATION\ inv=(uaf|spte-owner|chain-stable)\ .*detail=\"kvm\ re-read:\ lock\ of\ rmap ]]; then
	pass "caught: ${first:0:400}"
else
	fail "first violation is not the re-read walk: ${first:-none}"
fi
has "the interleaving names the step that freed it" '^VIOLATION .*kvm re-read: .* by [+-][0-9]+us (desc|sptep) .*(freed by cpu [0-9]+ in (pte_list_remove|zap_all_rmap_sptes|mmu_commit_zap)|no free of it is in quarantine)'
others=$(grep '^VIOLATION' <<< "$text" |
	grep -Ev '^VIOLATION inv=(uaf|spte-owner|chain-stable|ad-conservation|audit) ' | head -n 3)
[ -z "$others" ] && pass "no invariant but the walk's and its damage's" ||
	fail "other violations: $others"
has "the agers' re-read walks are counted" '^  elided-refill agers, elided locks: elided=[0-9]+ reread_walks=[1-9][0-9]* '
grep -E '^  elided-refill (agers|violations)' <<< "$text" | sed 's/^/# /'
check_console
finish
