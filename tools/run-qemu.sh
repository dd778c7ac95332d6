#!/usr/bin/env bash
# run-qemu.sh: boots the rmap-harness ISO under QEMU (through GRUB, as a real machine does) and
# turns the kernel's verdict into an exit code. --direct boots the kernel ELF itself instead
# (QEMU -kernel, the PVH entry of boot/pvh.S, the command line by -append): no GRUB, no boot
# medium, the firmware only runs its PVH option ROM; for tests that are not about firmware or
# GRUB, about a second faster a boot. Serial COM1 goes to stdout (and to --log);
# everything run-qemu.sh says itself goes to stderr, each line starting "run-qemu:" ("qemu:"
# for the QEMU version line).
#
# Exit: 0 pass (the kernel exited 0 through isa-debug-exit after "SUMMARY: n passed, 0 failed"),
# 1 fail (the kernel exited 1: violations or a CPU exception), 2 boot or usage error (kernel
# exit 2, a bad flag, QEMU failing to start, a triple fault or reset (QEMU status 0 with
# -no-reboot), a kernel "pass" without SUMMARY, firmware or GRUB stopping: OVMF's "Shell>",
# SeaBIOS's "No bootable device" (on its debug port), GRUB's "Press any key to continue"),
# 124 timeout (QEMU is killed; a SUMMARY line does not turn a timeout into a pass),
# 130/143 interrupted.
# QEMU exits with (code << 1) | 1 for the kernel's isa-debug-exit code: 1, 3, 5 -> 0, 1, 2.
#
# Command line: passed as an SMBIOS OEM string that the generated grub.cfg boots at once with
# no menu delay (tools/gen-grub-cfg.sh); without --cmdline the string is empty, so the kernel
# gets no options. --menu sets no string: GRUB shows its menu and boots the default entry after
# its timeout, as on a real machine. GRUB escapes quotes and backslashes and splits on blanks,
# so --cmdline accepts only [A-Za-z0-9_=,.:+/@%-] and spaces (a run of spaces counts as one).
#
# --accel auto: KVM only when it is proven faster. /dev/kvm opening is no proof: on the
# project's CI machines it is a software KVM, 37 s to boot what TCG boots in 0.6 s (NOTES.md).
# So auto picks TCG when /dev/kvm is not read-writable; otherwise it uses a calibration cached
# in build/accel-auto-<bios|uefi>.txt, keyed by QEMU version, host kernel and CPU model: one
# boot of the default test (seconds=1, -smp 2) under TCG, then under KVM with a time limit of
# 2 x TCG's time + 2 s; KVM wins only if it passed and was faster. Delete the file to
# recalibrate; --accel kvm opts in without asking. The chosen accel and why go to stderr.
# RUN_QEMU_BUILT=1: the caller has just built the kernel and the ISO (tools/run-tests.sh after
# its build step), so no make is run before each boot.
set -uo pipefail

prog=run-qemu
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build
QEMU=${QEMU:-qemu-system-x86_64}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

usage() {
	cat <<EOF
usage: tools/run-qemu.sh [-smp N] [-m MEM] [--uefi] [--usb] [--accel tcg|kvm|auto]
                         [--machine q35|pc] [--timeout S] [--cmdline "OPTIONS"] [--iso PATH]
                         [--log FILE] [--cpu MODEL] [--menu] [--direct [--kernel ELF]] [--com2]
                         [-- QEMU-ARGS...]
  -smp N          CPUs, QEMU's -smp syntax (default 4)
  -m MEM          RAM, QEMU's -m syntax (default 512M)
  --uefi          boot through OVMF (default: SeaBIOS)
  --usb           the ISO as a raw disk on a USB stick behind xHCI (default: a CD)
  --accel A       tcg, kvm or auto (default auto: KVM only if a cached calibration found it faster)
  --machine M     q35, pc or microvm (default q35; versioned names such as pc-q35-7.2 pass
                  through; microvm,pit=off,... too; microvm needs --direct)
  --timeout S     kill QEMU after S seconds and exit 124; 0 = never (default 300)
  --cmdline STR   kernel options, e.g. "test=boot seed=7" (booted without the GRUB menu)
  --iso PATH      boot PATH as is (default: build/rmap-harness.iso, rebuilt by make iso)
  --log FILE      also write the serial console to FILE
  --cpu MODEL     QEMU -cpu (default: max under TCG, host under KVM)
  --menu          pass no command line: GRUB's menu boots its default entry after its timeout
  --direct        boot the kernel ELF with QEMU -kernel (PVH entry) and -append, no ISO/GRUB;
                  SeaBIOS only (not with --uefi, --usb, --menu or --iso)
  --kernel ELF    with --direct: boot ELF as is (default: build/rmap-harness.elf, rebuilt)
  --com2          stdout is COM2 (port 0x2f8), COM1 goes nowhere: for console=com2 and SPCR tests
  -- ARGS         the rest goes to QEMU unchanged (e.g. -- -s -S for gdb)
exit: 0 pass, 1 fail, 2 boot or usage error, 124 timeout
EOF
}
bad() { echo "$prog: $*" >&2; usage >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 2; }
say() { echo "$prog: $*" >&2; }
now_us() { local t=$EPOCHREALTIME; echo $(( ${t/./} )); }
secs() { printf '%d.%02d' $(($1 / 1000000)) $(($1 % 1000000 / 10000)); }
qesc() { printf '%s' "${1//,/,,}"; }	# QEMU option values: a comma is written twice

smp=4 mem=512M uefi=0 usb=0 accel=auto machine=q35 timeout=300 cmdline= iso= log= cpu=
menu=0 direct=0 kernel= com2=0 extra=()
while [ $# -gt 0 ]; do
	case $1 in
	-smp|-m|--accel|--machine|--timeout|--cmdline|--iso|--log|--cpu|--kernel)
		[ $# -ge 2 ] || bad "$1 needs a value"
		case $1 in
		-smp) smp=$2 ;; -m) mem=$2 ;; --accel) accel=$2 ;; --machine) machine=$2 ;;
		--timeout) timeout=$2 ;; --cmdline) cmdline=$2 ;; --iso) iso=$2 ;;
		--log) log=$2 ;; --cpu) cpu=$2 ;; --kernel) kernel=$2 ;;
		esac
		shift 2 ;;
	--uefi) uefi=1; shift ;;
	--usb) usb=1; shift ;;
	--menu) menu=1; shift ;;
	--direct) direct=1; shift ;;
	--com2) com2=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) bad "unknown argument '$1'" ;;
	esac
done
[[ $accel =~ ^(tcg|kvm|auto)$ ]] || bad "--accel must be tcg, kvm or auto, not '$accel'"
[[ $machine =~ ^(q35|pc|microvm)($|-|,) ]] ||
	bad "--machine must be q35, pc or microvm (or a versioned name, or microvm,OPTIONS), not '$machine'"
[[ $timeout =~ ^[0-9]+$ ]] || bad "--timeout must be whole seconds, not '$timeout'"
[[ $smp =~ ^[0-9a-z=,]+$ ]] || bad "-smp '$smp' is not QEMU -smp syntax"
[[ $mem =~ ^[0-9]+[KMGT]?$ ]] || bad "-m '$mem' is not a size such as 512M or 2G"
cmdline=$(printf '%s' "$cmdline" | tr -s ' ')
cmdline=${cmdline# } cmdline=${cmdline% }
[[ $cmdline =~ ^[A-Za-z0-9_=,.:+/@%\ -]*$ ]] ||
	bad "--cmdline '$cmdline': only [A-Za-z0-9_=,.:+/@%-] and spaces pass through GRUB unchanged"
[ $menu = 1 ] && [ -n "$cmdline" ] && bad "--menu and --cmdline exclude each other"
[[ $machine =~ ^microvm ]] && [ $direct = 0 ] &&
	bad "--machine microvm boots only with --direct: it has no disk controller for the ISO"
if [ $direct = 1 ]; then
	[ $uefi = 0 ] && [ $usb = 0 ] && [ $menu = 0 ] && [ -z "$iso" ] ||
		bad "--direct boots the ELF under SeaBIOS: not with --uefi, --usb, --menu or --iso"
else
	[ -z "$kernel" ] || bad "--kernel needs --direct"
fi

command -v "$QEMU" >/dev/null || die "$QEMU not found: install the Debian package qemu-system-x86"
qemu_version=$("$QEMU" --version 2>/dev/null | head -n 1)
[ -n "$qemu_version" ] || die "$QEMU --version printed nothing"
echo "qemu: $qemu_version" >&2

if [ $direct = 1 ]; then
	if [ -z "$kernel" ]; then
		kernel=$build/rmap-harness.elf
		mkdir -p "$build"		# the lock: runs started together build it once
		[ "${RUN_QEMU_BUILT:-}" = 1 ] ||
			flock "$build/.iso.lock" make -C "$root" -s all >&2 || die "make all failed"
	fi
	[ -r "$kernel" ] || die "cannot read the kernel $kernel"
elif [ -z "$iso" ]; then
	iso=$build/rmap-harness.iso
	mkdir -p "$build"			# the lock: runs started together build it once
	[ "${RUN_QEMU_BUILT:-}" = 1 ] ||
		flock "$build/.iso.lock" make -C "$root" -s iso >&2 || die "make iso failed"
fi
[ $direct = 1 ] || [ -r "$iso" ] || die "cannot read the ISO $iso"
fw=bios
if [ $uefi = 1 ]; then
	fw=uefi
	[ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ] ||
		die "no $OVMF_CODE or $OVMF_VARS: install the Debian package ovmf"
fi

# calibrate_accel: sets accel and why for --accel auto (rule in the header).
calibrate_accel() {
	local cache=$build/accel-auto-$fw.txt key first cl t0 t_tcg t_kvm st bound kvm_res choice
	key="$qemu_version|$(uname -r)|$(grep -m 1 '^model name' /proc/cpuinfo 2>/dev/null)"
	if [ -r "$cache" ] && [ "$(sed -n 's/^key=//p' "$cache")" = "$key" ]; then
		accel=$(sed -n 's/^choice=//p' "$cache")
		why="auto: calibration of $(sed -n 's/^date=//p' "$cache"):"
		why+=" $(sed -n 's/^result=//p' "$cache") ($cache)"
		[[ $accel =~ ^(tcg|kvm)$ ]] && return
	fi
	first=$(sed -n 's/^test \([^ ]*\) .*/\1/p' "$build/catalog.txt" 2>/dev/null | head -n 1)
	cl=${first:+test=$first seconds=1}
	say "accel auto: calibrating: one boot under TCG, then one under KVM (once per machine)"
	local run=("$BASH" "${BASH_SOURCE[0]}" -smp 2 -m 256M --cmdline "$cl")
	if [ $direct = 1 ]; then run+=(--direct --kernel "$kernel"); else run+=(--iso "$iso"); fi
	[ $uefi = 1 ] && run+=(--uefi)
	t0=$(now_us); "${run[@]}" --accel tcg --timeout 120 >/dev/null 2>&1; st=$?
	t_tcg=$(( $(now_us) - t0 ))
	if [ $st != 0 ]; then
		accel=tcg why="auto: the calibration boot failed under TCG (exit $st), KVM not tried"
		return
	fi
	bound=$(( t_tcg * 2 / 1000000 + 2 ))
	t0=$(now_us); "${run[@]}" --accel kvm --timeout $bound >/dev/null 2>&1; st=$?
	t_kvm=$(( $(now_us) - t0 ))
	if [ $st = 0 ]; then kvm_res="kvm $(secs $t_kvm)s"
	elif [ $st = 124 ]; then kvm_res="kvm timed out after ${bound}s"
	else kvm_res="kvm failed (exit $st)"; fi
	choice=tcg
	[ $st = 0 ] && [ $t_kvm -lt $t_tcg ] && choice=kvm
	accel=$choice why="auto: calibrated now: tcg $(secs $t_tcg)s, $kvm_res ($cache)"
	mkdir -p "$build"
	printf 'key=%s\nchoice=%s\nresult=tcg %ss, %s\ndate=%s\n' "$key" "$choice" \
		"$(secs $t_tcg)" "$kvm_res" "$(date '+%Y-%m-%d %H:%M')" > "$cache"
}

kvm_ok() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }
case $accel in
tcg) why="asked for" ;;
kvm) kvm_ok || die "--accel kvm: /dev/kvm is missing or not read-writable"; why="asked for" ;;
auto)
	if ! kvm_ok; then accel=tcg why="auto: /dev/kvm is missing or not read-writable"
	else calibrate_accel; fi ;;
esac
[ -n "$cpu" ] || { [ $accel = kvm ] && cpu=host || cpu=max; }
say "accel=$accel ($why)"

work=$(mktemp -d --tmpdir rmap-run-qemu.XXXXXX) || die "mktemp failed"
qpid= wpid= tpid=
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	[ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM HUP

args=(-machine "$machine" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
	-display none -monitor none -parallel none -nic none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-chardev "file,id=fwlog,path=$(qesc "$work/firmware.log")"
	-device isa-debugcon,iobase=0x402,chardev=fwlog
	-boot reboot-timeout=0)	# SeaBIOS: nothing to boot -> reset -> QEMU exits (-no-reboot)
if [ $com2 = 1 ]; then args+=(-serial null -serial stdio); else args+=(-serial stdio); fi
if [ $uefi = 1 ]; then
	cp "$OVMF_VARS" "$work/ovmf-vars.fd" || die "cannot copy $OVMF_VARS"
	args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$(qesc "$OVMF_CODE")"
		-drive "if=pflash,format=raw,unit=1,file=$(qesc "$work/ovmf-vars.fd")")
fi
if [ $direct = 1 ]; then
	args+=(-kernel "$kernel" -append "$cmdline")
elif [ $usb = 1 ]; then
	args+=(-device qemu-xhci,id=xhci
		-drive "if=none,id=stick,format=raw,readonly=on,file=$(qesc "$iso")"
		-device usb-storage,bus=xhci.0,drive=stick,bootindex=0)
else
	args+=(-drive "if=none,id=cd,format=raw,media=cdrom,readonly=on,file=$(qesc "$iso")"
		-device ide-cd,drive=cd,bootindex=0)
fi
[ $menu = 0 ] && [ $direct = 0 ] &&
	args+=(-smbios "type=11,value=rmap-harness-cmdline:$(qesc "$cmdline")")
args+=("${extra[@]}")
say "$(printf '%q ' "$QEMU" "${args[@]}")"

console=${log:-$work/console.log}
: > "$console" || die "cannot write $console"
mkfifo "$work/serial" || die "mkfifo failed"
tee -p -- "$console" < "$work/serial" & tpid=$!
t0=$(now_us)
"$QEMU" "${args[@]}" < /dev/null > "$work/serial" & qpid=$!

# watch: kills QEMU on a timeout, or when firmware or GRUB stopped before the kernel's banner
# (they would wait for a key for ever), leaving the reason in $work/reason.
stops=('Shell> |OVMF dropped to its UEFI shell: no bootable device found'
	'Press any key to continue|GRUB stopped at an error')
watch() {
	local banner=0 s
	while sleep 0.1 </dev/null >/dev/null 2>&1; do
		if [ $timeout -gt 0 ] && [ $(( $(now_us) - t0 )) -ge $(( timeout * 1000000 )) ]; then
			echo "timeout|no exit within ${timeout}s" > "$work/reason"; break
		fi
		[ $banner = 1 ] && continue
		grep -aq 'rmap-harness [^ ]* boot=' "$console" && { banner=1; continue; }
		for s in "${stops[@]}"; do
			grep -aqF -- "${s%%|*}" "$console" || continue
			echo "boot|${s#*|}" > "$work/reason"; break 2
		done
	done
	kill -TERM "$qpid" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do		# 1 s to go, then SIGKILL
		sleep 0.1 </dev/null >/dev/null 2>&1; kill -0 "$qpid" 2>/dev/null || return
	done
	kill -KILL "$qpid" 2>/dev/null
}
watch & wpid=$!

wait "$qpid"; qst=$?
t=$(( $(now_us) - t0 ))
qpid=
# KILL: the watcher's bash would take a TERM only once its sleep 0.1 ends
kill -KILL "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; wpid=
for _ in $(seq 20); do			# tee ends at QEMU's EOF; a child of QEMU could hold it
	kill -0 "$tpid" 2>/dev/null || break
	sleep 0.1
done
kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null; tpid=

# the console as check-console reads it: no escape sequences, no carriage returns
console_text() { sed 's/\x1b\[[0-9;=?]*[a-zA-Z]//g; s/\r//g' "$console"; }
reason=$(cat "$work/reason" 2>/dev/null)
if [ "${reason%%|*}" = timeout ]; then rc=124 verdict="timeout: ${reason#*|}"
elif [ "${reason%%|*}" = boot ]; then rc=2 verdict="boot error: ${reason#*|}"
else
	case $qst in
	1)	summary=$(console_text | grep '^SUMMARY: ' | tail -n 1)
		if [[ $summary =~ ^SUMMARY:\ [0-9]+\ passed,\ 0\ failed ]]; then rc=0 verdict="pass"
		elif [ -n "$summary" ]; then rc=2 verdict="error: kernel exit 0 after '$summary'"
		else rc=2 verdict="error: QEMU status 1 (kernel exit 0, or QEMU failed to start)"
			verdict+=" without a SUMMARY line"; fi ;;
	3)	rc=1 verdict="fail: kernel exit code 1" ;;
	5)	rc=2 verdict="boot or usage error: kernel exit code 2" ;;
	0)	rc=2 verdict="error: QEMU status 0: the guest reset (triple fault?) or powered off"
		grep -aq 'No bootable device' "$work/firmware.log" 2>/dev/null &&
			verdict="boot error: SeaBIOS found no bootable device" ;;
	*)	rc=2 verdict="error: QEMU status $qst" ;;
	esac
fi
say "$verdict (exit $rc) after $(secs $t)s${log:+, console in $log}"
exit $rc
