#!/usr/bin/env bash
# grub-cfg.sh: tools/gen-grub-cfg.sh makes a grub.cfg that GRUB can parse (grub-script-check)
# with exactly one menu entry per catalog entry plus the default and mutate=help entries,
# for catalogs of any length (zero mutations included), that quotes descriptions safely, and
# that refuses a catalog it does not understand. Then the same for the ISO's real grub.cfg
# against the kernel's real catalog. Each row: catalog lines (\n-separated) | entries wanted
# (-1: the generator must refuse it) | what.
. "$(dirname "$0")/lib.sh"
command -v grub-script-check > /dev/null ||
	skip "grub-script-check not found (Debian package grub-common)"

gen=tools/gen-grub-cfg.sh
cases='
test boot - self check|3|one test, no mutations
test boot - a\ntest age-vs-zap - b\nbench smp-bench - c|5|tests and a benchmark, no mutations
test a - x\nmutation m1 inv=mutex - y\nmutation m2 inv=uaf - z\nmutation m3 inv=audit - w|6|three mutations
test boot - it'"'"'s "quoted" $HOME \\ and ; } { chars|3|quotes, $, backslash, braces in a description
mutation m1 inv=mutex - no test|-1|no test at all
test boot - a\nwhatever else|-1|a line of an unknown kind
test bad name - x|-1|a name with a space
|-1|an empty catalog'
while IFS='|' read -r lines want what; do
	[ -z "$what" ] && continue
	printf '%b\n' "$lines" > "$console.catalog"
	if ! $gen "$console.catalog" > "$console.cfg" 2> "$console.err"; then
		if [ "$want" = -1 ]; then pass "$what: refused ($(head -n 1 "$console.err"))"
		else fail "$what: refused: $(cat "$console.err")"; fi
		continue
	fi
	[ "$want" = -1 ] && { fail "$what: accepted, should be refused"; continue; }
	if ! out=$(grub-script-check "$console.cfg" 2>&1); then
		fail "$what: grub-script-check: $out"; continue
	fi
	# the QEMU entry is conditional; the menu proper is the rest
	got=$(grep -c '^menuentry ' "$console.cfg")
	expect "$what: menu entries" "$want" "$got"
	for n in $(awk '$1 == "test" || $1 == "bench" { print $2 }' "$console.catalog"); do
		grep -q "multiboot2 /boot/rmap-harness.elf test=$n\$" "$console.cfg" ||
			fail "$what: no entry boots test=$n"
	done
	for n in $(awk '$1 == "mutation" { print $2 }' "$console.catalog"); do
		grep -q "multiboot2 /boot/rmap-harness.elf mutate=$n\$" "$console.cfg" ||
			fail "$what: no entry boots mutate=$n"
	done
	grep -q 'multiboot2 /boot/rmap-harness.elf mutate=help$' "$console.cfg" ||
		fail "$what: no mutate=help entry"
	grep -q -- "--id default {" "$console.cfg" || fail "$what: no default entry"
done <<< "$cases"

# The ISO's own grub.cfg, from the kernel's own catalog.
cfg=build/iso-root/boot/grub/grub.cfg
if make -s iso > "$console.err" 2>&1 && [ -r build/catalog.txt ]; then
	want=$(( $(grep -c . build/catalog.txt) + 2 ))
	expect "the ISO's grub.cfg: menu entries" "$want" "$(grep -c '^menuentry ' "$cfg")"
	if out=$(grub-script-check "$cfg" 2>&1); then pass "the ISO's grub.cfg parses"
	else fail "the ISO's grub.cfg: $out"; fi
	has_smbios=$(grep -c 'smbios --type 11' "$cfg")
	expect "the ISO's grub.cfg reads the SMBIOS command line" 1 "$has_smbios"
else
	fail "make iso: $(tail -n 3 "$console.err")"
fi
finish
