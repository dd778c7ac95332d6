/*
 * svm_guest.h - the guest of the svm-guest test (kernel/arch/svm_guest.S): its guest-physical
 * layout and its mailbox, shared by the 32-bit guest code and the host (C and assembly both
 * include this). The host owns the fields marked host->guest, the guest the others; they are
 * read by the other side only while the guest is out (at a VMMCALL or HLT exit), so the
 * #VMEXIT / VMRUN pair orders them (a full serialising world switch on the same CPU).
 */
#ifndef ARCH_SVM_GUEST_H
#define ARCH_SVM_GUEST_H

/* guest-physical layout, one 4 KiB page each: gfn 0 code, 1 stack, 2 mailbox, 3.. data
 * (code, stack and mailbox relative to the guest's CS/SS/DS base: svm_guest.S) */
#define GUEST_CODE_GPA		0x0000
#define GUEST_STACK_TOP		0x2000		/* the stack page is gfn 1, growing down */
#define GUEST_MAILBOX_GPA	0x2000
#define GUEST_DATA_GPA		0x3000
#define GUEST_CODE_GFN		0
#define GUEST_STACK_GFN		1
#define GUEST_MAILBOX_GFN	2
#define GUEST_DATA_GFN		3

/* mailbox fields, 32-bit each, offsets from GUEST_MAILBOX_GPA */
#define MB_SEED		0x00	/* host->guest: the LCG's first state */
#define MB_NPAGES	0x04	/* host->guest: data pages, swept in order */
#define MB_NREAD	0x08	/* host->guest: data pages 0..nread-1 are only read, the rest written */
#define MB_EVERY	0x0c	/* host->guest: accesses between VMMCALLs */
#define MB_STOP		0x10	/* host->guest: nonzero: HLT after this VMMCALL */
#define MB_ACCESSES	0x14	/* guest->host: data accesses so far (at each VMMCALL) */
#define MB_READ_SUM	0x18	/* guest->host: sum of the words read, mod 2^32 */
#define MB_READ_MASK	0x1c	/* host->guest: a written page's access is a read when the
				 * access count ANDed with this is not 0 (0: always a write) */
#define MB_DATA_BASE	0x20	/* host->guest: guest-physical address of data page 0 (ES) */
#define MB_POISON_READS	0x24	/* guest->host: reads that found GUEST_POISON */
#define MB_POISON_GPA	0x28	/* guest->host: the guest-physical address of the latest */

/*
 * The fill of a frame the host took back (its reuse after a zap: svm-zap, the harness's
 * quarantine). It is odd, and the guest stores only even words (its LCG state with bit 0
 * clear), as the hosts fill the frames they hand it (svm_guest_fill_word, the harness's
 * CLEAN_FILL), so a read that finds it went through a translation that outlived the frame's
 * zap.
 */
#define GUEST_POISON	0x5ab0f00d

/* the guest's LCG (Numerical Recipes): x = x * A + C mod 2^32; word = x >> 22 */
#define GUEST_LCG_A	1664525
#define GUEST_LCG_C	1013904223
#define GUEST_WORD_SHIFT 22

#ifndef __ASSEMBLER__
#include <stdint.h>

extern const unsigned char svm_guest_blob[], svm_guest_blob_end[];

/* What the guest stores for LCG state x (svm_guest.S): never GUEST_POISON */
static inline uint32_t guest_stored_word(uint32_t x)
{
	return x & ~1u;
}
#endif

#endif /* ARCH_SVM_GUEST_H */
