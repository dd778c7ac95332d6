#!/usr/bin/env bash
# run-bench.sh [--quick] [SECTION...]: `make bench`. Benchmarks print figures; they pass or fail
# nothing on speed (a timed test flakes on a busy machine). Sections, all by default:
#   boot   boot to all CPUs online at -smp 16, 64, 255, 288 (issues 7, 14): host wall time
#          from starting QEMU to the banner (printed once every AP is online) through GRUB and
#          by direct boot, beside kvm-unit-tests' smptest when KUT_DIR names a built tree, and
#          the kernel's own phases (memory, ACPI, TSC calibration, bring-up). 255 and 288 need
#          QEMU 9+ (x2APIC under TCG), else skipped.
#   smp    smp-bench at -smp 4 and 16: barrier crossing and stop-the-world latency in cycles.
#   seed   the protocol's effect (issue 13, tests/bench/seed.sh): the writer alone, with
#          lockless agers, with agers under mmu_lock; kernel at -smp 2-4, hosted at 2..nproc+1.
#   tables (the other tests/bench/*.sh): further sections, e.g. the harness rates.
# Every run is TCG (tools/run-qemu.sh --accel tcg): see NOTES.md on KVM here. Compare figures
# side by side from one run, never with a figure from another day or machine.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
quick=0 sections=()
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	boot|smp|seed|tables) sections+=("$a") ;;
	*) echo "run-bench: unknown argument '$a' (sections: boot smp seed tables; --quick)" >&2; exit 2 ;;
	esac
done
[ ${#sections[@]} -gt 0 ] || sections=(boot smp seed tables)
make -s iso || exit 2
qemu_line=$(qemu-system-x86_64 --version | head -n 1)
qemu_major=$(sed -n 's/.*version \([0-9]*\)\..*/\1/p' <<< "$qemu_line")
echo "bench: $qemu_line; host $(nproc) cores, $(uname -r); kernel $(git describe --always --dirty)"

# stamp: prefix each console line with seconds since the run started
stamp() {
	local t0=$1 line
	while IFS= read -r line; do
		line=${line//$'\r'/}
		printf '%s %s\n' "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')" "$line"
	done
}

# first_at LOG ERE: the stamp of the first line matching ERE, or -
first_at() { awk -v re="$2" '{ line = $0; sub(/^[^ ]* /, "", line) } line ~ re { print $1; found = 1; exit }
	END { if (!found) print "-" }' "$1"; }

# boot_log LOG -- COMMAND...: run COMMAND (a QEMU boot), its stamped console in LOG; prints
# the seconds to QEMU's exit, then the exit status
boot_log() {
	local log=$1 t0 status
	shift 2
	t0=$EPOCHREALTIME
	"$@" 2> /dev/null | sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g' | stamp "$t0" > "$log"
	status=${PIPESTATUS[0]}
	echo "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') $status"
}

# qemu_raw CPUS MEM ARGS...: QEMU itself, the same machine for the direct boot and smptest
# (no run-qemu.sh around it: its checks and make would be counted); exit status as run-qemu's
# (the kernel's isa-debug-exit code, shifted back)
qemu_raw() {
	local cpus=$1 mem=$2 st
	shift 2
	timeout 300 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp "$cpus" -m "$mem" \
		-display none -monitor none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x4 "$@" < /dev/null
	st=$?
	return $(( st & 1 ? st >> 1 : 2 ))
}

# boot_row CPUS MEM: the row of the boot table: test=boot through GRUB (the ISO) and direct
# (QEMU -kernel), and kvm-unit-tests' smptest (-kernel, multiboot) when KUT_DIR is given
boot_row() {
	local cpus=$1 mem=$2 iso direct kut log end_i st_i end_d st_d ban_i ban_d found ratio phases
	iso=$(mktemp) direct=$(mktemp) kut=$(mktemp)
	read -r end_i st_i < <(boot_log "$iso" -- tools/run-qemu.sh --accel tcg -smp "$cpus" \
		-m "$mem" --timeout 300 --cmdline "test=boot")
	read -r end_d st_d < <(boot_log "$direct" -- qemu_raw "$cpus" "$mem" \
		-kernel build/rmap-harness.elf -append "test=boot")
	ban_i=$(first_at "$iso" '^rmap-harness ')
	ban_d=$(first_at "$direct" '^rmap-harness ')
	found=- ratio=-
	if [ -n "${KUT_DIR:-}" ]; then
		boot_log "$kut" -- qemu_raw "$cpus" "$mem" -kernel "$KUT_DIR/x86/smptest.flat" > /dev/null
		found=$(first_at "$kut" '^found [0-9]+ cpus')
		ratio=$(awk -v a="$ban_d" -v b="$found" 'BEGIN {
			if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }')
	fi
	phases=$(sed -n 's/.*boot phases us: \(.*\) (from kmain)/\1/p' "$direct" | head -n 1)
	printf '%6s %8s %9s %9s %9s %9s %8s  %s\n' "$cpus" \
		"$(sed -n 's/.* cpus=\([0-9]*\/[0-9]*\) .*/\1/p' "$direct" | head -n 1)" \
		"$ban_i" "$ban_d" "$found" "$ratio" "$st_i/$st_d" "${phases:--}"
	rm -f "$iso" "$direct" "$kut"
}

section_boot() {
	echo
	echo "== boot: seconds from QEMU start to all CPUs online (q35, -cpu max, TCG, test=boot) =="
	echo "   iso = SeaBIOS + GRUB (the ISO, no menu delay, through tools/run-qemu.sh); direct = QEMU"
	echo "   -kernel, the PVH entry, and smptest, both by the same bare QEMU command line;"
	echo "   smptest = kvm-unit-tests' x86/smptest.flat to its 'found N cpus' line (KUT_DIR=${KUT_DIR:-unset})"
	make -s all || return
	printf '%6s %8s %9s %9s %9s %9s %8s  %s\n' -smp online iso direct smptest dir/smpt status \
		"kernel phases of the direct boot, us (mem acpi tsc smp; banner = kmain to banner)"
	local n
	for n in 16 64 255 288; do
		if [ "$n" -gt 16 ] && [ "${qemu_major:-0}" -lt 9 ]; then
			printf '%6s  skipped: needs QEMU >= 9 (x2APIC under TCG), have %s\n' "$n" "$qemu_major"
			continue
		fi
		[ $quick = 1 ] && [ "$n" -gt 64 ] && { printf '%6s  skipped: --quick\n' "$n"; continue; }
		boot_row "$n" "$([ "$n" -gt 64 ] && echo 1G || echo 512M)"
	done
	echo "online = the kernel's cpus= (direct boot); status = run-qemu.sh's exit, iso/direct;"
	echo "the kernel prints its banner once every AP is online. Build kvm-unit-tests (./configure"
	echo "&& make x86/smptest.flat) and give its tree as KUT_DIR for the smptest column."
}

section_smp() {
	echo
	echo "== smp: smp-bench (cycles at the TSC rate shown) =="
	local n
	for n in 4 16; do
		tools/run-qemu.sh --accel tcg -smp "$n" --timeout 120 --cmdline "test=smp-bench" 2> /dev/null |
			sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g' | grep -E '^(ok|not ok) [0-9]+ - smp-bench' ||
			echo "smp-bench at -smp $n: no result line"
	done
}

section_seed() {
	echo
	BENCH_QUICK=$quick bash tests/bench/seed.sh
}

section_tables() {
	local f
	for f in tests/bench/*.sh; do
		[ "$f" = tests/bench/seed.sh ] && continue	# its own section
		[ -e "$f" ] || { echo; echo "== tables: none yet (tests/bench/*.sh) =="; return; }
		echo
		BENCH_QUICK=$quick bash "$f"
	done
}

for s in "${sections[@]}"; do "section_$s"; done
