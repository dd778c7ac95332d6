#!/usr/bin/env bash
# screen-phase.sh: a machine that hangs before its banner still says where, on the screen
# (issue 15, item 6). selftest=hang-in-bring-up stops the BSP for good where bring-up starts,
# before the banner and before anything reaches the serial console. The framebuffer must show
# the kernel's boot phase lines up to that point, one text row each, in order: the ACPI tables,
# the TSC calibration, the start of the other CPUs. The test takes screendumps through QEMU's
# monitor until those rows appear (at most 30 s) and reads each row's extent in grey text
# pixels: the rows' lengths in character cells must be the three lines', for one cell width.
# Without the phase lines the screen stays black and the test fails after 30 s.
. "$(dirname "$0")/lib.sh"
BOOT_VIA=iso	# the framebuffer comes from GRUB (a direct boot has none)

want=("rmap-harness: reading the ACPI tables"
      "rmap-harness: calibrating the TSC (HPET, PM timer, PIT or RTC)"
      "rmap-harness: starting the other CPUs (INIT, SIPI)")
lens="${#want[0]} ${#want[1]} ${#want[2]}"
shot=$logdir/$name.ppm
verdict=$logdir/$name.rows
rm -f "$shot" "$verdict" "$console"
# rows PPM: "minx maxx" of each run of pixel rows holding grey (0xaaaaaa) text, top to bottom
rows() {
	local w h
	read -r w h < <(sed -n '2p' "$1")
	tail -c $((w * h * 3)) "$1" | od -An -v -tx1 -w3 | awk -v w="$w" '
		$1 $2 $3 == "aaaaaa" { y = int((NR - 1) / w); x = (NR - 1) % w
			if (!(y in lo) || x < lo[y]) lo[y] = x; if (x > hi[y]) hi[y] = x }
		END { inrow = 0
			for (y = 0; y <= (NR - 1) / w; y++) {
				if (y in lo) { if (!inrow) { a = lo[y]; b = hi[y]; inrow = 1 }
					if (lo[y] < a) a = lo[y]; if (hi[y] > b) b = hi[y] }
				else if (inrow) { print a, b; inrow = 0 } }
			if (inrow) print a, b }'
}
# cells LENS ROWS: the cell width (4..32 px) for which every row spans exactly its line's
# characters (its last lit pixel in the line's last cell), or nothing
cells() {
	awk -v lens="$1" -v rows="$2" 'BEGIN { n = split(lens, L, " "); m = split(rows, R, "\n")
		if (m < n) exit
		for (cw = 4; cw <= 32; cw++) { ok = 1
			for (i = 1; i <= n; i++) { split(R[i], e, " ")
				if (e[1] >= cw || int(e[2] / cw) + 1 != L[i]) ok = 0 }
			if (ok) { print cw; exit } } }'
}
(
	for _ in $(seq 1 30); do
		sleep 1
		rm -f "$shot"
		monitor "screendump $root/$shot" || continue
		[ -s "$shot" ] || continue
		r=$(rows "$shot")
		if [ -n "$(cells "$lens" "$r")" ]; then printf '%s\n' "$r" > "$verdict"; break; fi
		printf '%s\n' "$r" > "$verdict.last"
	done
	monitor quit
) &
helper=$!
boot --timeout 60 -smp 2 -m 256M --cmdline "selftest=hang-in-bring-up" "${monitor_args[@]}"
wait $helper
expect "exit status (hung, then quit from the monitor)" 2 "$status"
if grep -q '^rmap-harness ' <<< "$text"; then fail "a banner on the serial console: the hang came later"
else pass "no banner on the serial console: the hang came before it"; fi
if [ -s "$verdict" ]; then
	r=$(cat "$verdict")
	pass "the three phase lines on screen (text rows, first/last lit pixel: $(tr '\n' ';' <<< "$r"))"
	pass "one character cell width ($(cells "$lens" "$r") px) fits all three rows' lengths ($lens)"
else
	fail "no screendump showed the phase lines within 30 s (last rows: $(tr '\n' ';' < "$verdict.last" 2>/dev/null))"
fi
finish
