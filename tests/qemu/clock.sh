#!/usr/bin/env bash
# clock.sh MACHINE SOURCE: the TSC is calibrated without the legacy timers QEMU's MACHINE lacks
# (issue 15, item 2). Boots test=boot on q35 with its HPET (the reference), then on MACHINE
# (e.g. q35,pit=off,hpet=off: only the ACPI PM timer is left), and expects the tsc: line to
# name SOURCE and a frequency within 2 % of the reference's: the same TSC measured against a
# different clock. A calibration against a clock that is not there (the PIT gate on a
# machine without port 0x61) measures nonsense, or waits for ever.
. "$(dirname "$0")/lib.sh"

machine=${1:?usage: clock.sh MACHINE SOURCE}
source=${2:?usage: clock.sh MACHINE SOURCE}
base=$console
khz() { sed -n 's/^  tsc: \([0-9]*\) kHz against \([a-z0-9 ]*\),.*/\1 \2/p' <<< "$text" | head -n 1; }

console=$base.ref
boot --machine q35 -smp 2 -m 256M --timeout 60 --cmdline test=boot
expect "reference (q35): exit status" 0 "$status"
read -r ref rsrc <<< "$(khz)"
expect "reference (q35): calibrated against" hpet "$rsrc"

console=$base.$machine
boot --machine "$machine" -smp 2 -m 256M --timeout 60 --cmdline test=boot
expect "$machine: exit status" 0 "$status"
read -r got gsrc <<< "$(khz)"
expect "$machine: calibrated against" "$source" "$gsrc"
check_console
if [ -n "$ref" ] && [ -n "$got" ] &&
   awk -v a="$ref" -v b="$got" 'BEGIN { d = (b - a) / a; exit !(d < 0.02 && d > -0.02) }'; then
	pass "$machine: $got kHz, within 2 % of the reference's $ref kHz"
else
	fail "$machine: ${got:-no} kHz against the reference's ${ref:-no} kHz (2 % allowed)"
fi
finish
