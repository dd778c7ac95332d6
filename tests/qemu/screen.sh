#!/usr/bin/env bash
# screen.sh [RUN-QEMU-ARGS...]: what a person at a machine without a serial port sees. Boots
# test=boot with on_finish=halt (as on real hardware), waits for SUMMARY on the serial console,
# then takes a screendump of the emulated display through QEMU's monitor (TCP on loopback,
# bash's /dev/tcp) and counts pixels by colour. Proves that the framebuffer console carries
# the run: text is drawn (light grey, 0xaaaaaa), the ok lines are green (0x55ff55) and the
# SUMMARY line is white (0xffffff), on the mode GRUB set up from the multiboot2 header.
# The halted kernel never exits; the test then quits QEMU through the monitor, which
# run-qemu.sh reports as 2 (QEMU ended without the kernel's exit code): that is expected.
. "$(dirname "$0")/lib.sh"
BOOT_VIA=iso	# the framebuffer comes from GRUB (a direct boot has none)

shot=$logdir/$name.ppm
rm -f "$shot" "$console"	# a stale console would trigger the screendump early
(
	for _ in $(seq 1 120); do
		grep -q '^SUMMARY:' "$console" 2> /dev/null && break
		sleep 0.5
	done
	monitor "screendump $root/$shot" 2
	monitor quit 2
) &
helper=$!
boot --timeout 60 -smp 2 -m 256M --cmdline "test=boot on_finish=halt" "$@" "${monitor_args[@]}"
wait $helper
expect "exit status (halted, then quit from the monitor)" 2 "$status"
has "a SUMMARY line on the serial console" '^SUMMARY: 1 passed, 0 failed'
has "the halt message" '^halted: the run ended with exit code 0'
if [ ! -s "$shot" ]; then
	fail "no screendump at $shot"
	finish
fi
# P6 header: "P6\n<w> <h>\n255\n"; then count the pixels of each colour of interest
read -r w h < <(sed -n '2p' "$shot")
counts=$(tail -c $((w * h * 3)) "$shot" | od -An -v -tx1 -w3 |
	awk '{ c[$1 $2 $3]++ } END { printf "%d %d %d %d", c["aaaaaa"], c["55ff55"], c["ffffff"], NR }')
read -r grey green white total <<< "$counts"
expect "screendump size" "$((w * h))" "$total"
[ "$grey" -gt 500 ] && pass "grey text drawn ($grey pixels)" || fail "grey text: $grey pixels"
[ "$green" -gt 100 ] && pass "a green ok line drawn ($green pixels)" || fail "green: $green pixels"
[ "$white" -gt 50 ] && pass "a white SUMMARY line drawn ($white pixels)" || fail "white: $white pixels"
finish
