/*
 * kernel/backtrace.c - frame-pointer backtraces with symbol names.
 * The kernel is built with -fno-omit-frame-pointer, so [rbp] is the caller's rbp and
 * [rbp+8] the return address; boot/entry.S starts the chain with rbp = 0. The symbol table
 * (.ksyms) is sorted by address: ksyms_addr[i] and the NUL-terminated name at
 * ksyms_str + ksyms_name[i].
 */
#include "backtrace.h"
#include "console.h"
#include "percpu.h"
#include "arch/x86.h"

#define BACKTRACE_MAX_FRAMES 32

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addr[];
extern const uint32_t ksyms_name[];
extern const char ksyms_str[];
extern char __text_start[], __text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)__text_start || addr >= (uint64_t)__text_end || hi == 0)
		return NULL;
	/* last symbol with ksyms_addr <= addr */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_addr[lo] > addr)
		return NULL;
	*offset = addr - ksyms_addr[lo];
	return ksyms_str + ksyms_name[lo];
}

static void print_frame(unsigned i, uint64_t pc)
{
	uint64_t off = 0;
	const char *name = ksym_lookup(pc, &off);

	if (name)
		kprintf("  #%u 0x%016llx %s+0x%llx\n", i, (unsigned long long)pc, name,
			(unsigned long long)off);
	else
		kprintf("  #%u 0x%016llx ?\n", i, (unsigned long long)pc);
}

void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t stack_lo, uint64_t stack_hi)
{
	unsigned i = 0;

	kprintf("  backtrace (cpu %u):\n", cpu_id());
	print_frame(i++, rip);
	while (i < BACKTRACE_MAX_FRAMES) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret;

		if (rbp == 0)
			break;
		if ((rbp & 7) || rbp < stack_lo || rbp + 16 > stack_hi) {
			kprintf("  (frame pointer 0x%llx outside the stack [0x%llx, 0x%llx))\n",
				(unsigned long long)rbp, (unsigned long long)stack_lo,
				(unsigned long long)stack_hi);
			break;
		}
		ret = frame[1];
		if (ret == 0)
			break;
		/* the call instruction is just before the return address */
		print_frame(i++, ret - 1);
		if (frame[0] <= rbp)	/* stacks grow down: callers' frames lie above */
			break;
		rbp = frame[0];
	}
}

void backtrace_here(void)
{
	struct percpu *p = cpu_this();
	uint64_t lo = p ? p->stack_lo : 0, hi = p ? p->stack_hi : ~0ull;

	backtrace_print((uint64_t)__builtin_return_address(0), read_rbp(), lo, hi);
}
