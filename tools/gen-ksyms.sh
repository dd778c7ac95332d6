#!/bin/sh
# tools/gen-ksyms.sh NM ELF > ksyms.S - the kernel's symbol table for backtraces.
# Takes the text symbols (t/T) of a linked kernel, sorted by address, and emits the .ksyms
# section kernel/backtrace.c reads: ksyms_count, ksyms_addr[] (sorted), ksyms_name[] (offsets
# into ksyms_str). With ELF "-" it emits an empty table, for the first link pass.
set -eu
nm=$1
elf=$2
{
	if [ "$elf" != - ]; then
		"$nm" -n --defined-only "$elf" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\.L/ { print $1, $3 }'
	fi
} | awk 'BEGIN { n = 0 }
{ addr[n] = $1; name[n] = $2; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_count, ksyms_addr, ksyms_name, ksyms_str"
	printf "ksyms_count:\n\t.quad %d\n", n
	print "ksyms_addr:"
	for (i = 0; i < n; i++) printf "\t.quad 0x%s\n", addr[i]
	print "ksyms_name:"
	off = 0
	for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
	print "ksyms_str:"
	for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
	if (n == 0) print "\t.byte 0"
}'
