#!/usr/bin/env bash
# run-bench.sh [--quick] [SECTION...]: `make bench`. Benchmarks print figures; they pass or fail
# nothing on speed (a timed test flakes on a busy machine). Sections, all by default:
#   boot   boot-to-banner and boot-to-all-CPUs-online at -smp 16, 64, 255, 288 (issue 7): host
#          wall time from starting QEMU to GRUB's "Loading" line, to the banner (printed once
#          every AP is online) and to QEMU's exit, plus the kernel's own bring-up time (first
#          INIT to last AP online). 255 and 288 need QEMU 9+ (x2APIC under TCG), else skipped.
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

# boot_row CPUS MEM: one boot with test=boot, the row of the boot table
boot_row() {
	local cpus=$1 mem=$2 log t0 status loading banner bringup end
	log=$(mktemp)
	t0=$EPOCHREALTIME
	tools/run-qemu.sh --accel tcg -smp "$cpus" -m "$mem" --timeout 300 --cmdline "test=boot" \
		2> /dev/null | sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g' | stamp "$t0" > "$log"
	status=${PIPESTATUS[0]}
	end=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	loading=$(awk '/Loading \/boot\/rmap-harness/ { print $1; exit }' "$log")
	banner=$(awk '$2 == "rmap-harness" { print $1; exit }' "$log")
	bringup=$(sed -n 's/.*CPUs online, [a-z0-9]*, bring-up \([0-9]*\) us.*/\1/p' "$log" | head -n 1)
	online=$(sed -n 's/.* cpus=\([0-9]*\/[0-9]*\) .*/\1/p' "$log" | head -n 1)
	printf '%6s %8s %10s %10s %12s %9s %6s\n' "$cpus" "${online:-?}" "${loading:--}" \
		"${banner:--}" "$(awk -v u="${bringup:-0}" 'BEGIN { printf "%.1f", u / 1000 }')" "$end" \
		"$status"
	rm -f "$log"
}

section_boot() {
	echo
	echo "== boot: seconds from QEMU start (SeaBIOS, q35, -cpu max, test=boot) =="
	printf '%6s %8s %10s %10s %12s %9s %6s\n' -smp online grub_load banner bringup_ms exit status
	local n
	for n in 16 64 255 288; do
		if [ "$n" -gt 16 ] && [ "${qemu_major:-0}" -lt 9 ]; then
			printf '%6s  skipped: needs QEMU >= 9 (x2APIC under TCG), have %s\n' "$n" "$qemu_major"
			continue
		fi
		[ $quick = 1 ] && [ "$n" -gt 64 ] && { printf '%6s  skipped: --quick\n' "$n"; continue; }
		boot_row "$n" "$([ "$n" -gt 64 ] && echo 1G || echo 512M)"
	done
	echo "banner = all CPUs online (the kernel prints it after AP start-up); bringup_ms = the"
	echo "kernel's TSC from the first INIT to the last AP online; status = run-qemu.sh's exit."
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
