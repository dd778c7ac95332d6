/*
 * svm_guest.S - the guest of the svm-guest test: 32-bit protected-mode code with paging off,
 * copied by the host into the guest frame of gfn 0 and entered at its first byte. It is data
 * to the host (in .rodata, never executed there) and position-independent: it names only its
 * own labels (relative jumps) and the fixed guest-physical layout of svm_guest.h.
 *
 * The loop: step the LCG, pick the next data page in order (a sweep, so every page is touched
 * once per npages accesses) and a word in it from the LCG; read it into a sum if the page is
 * one of the first nread (counting a read of GUEST_POISON: a frame the host took back), else
 * write the LCG value with bit 0 clear (or read it, when the access count ANDed
 * with read_mask is not 0: svm-race's pages are then often read first after a flush, so that
 * the walker sets A alone and D on a later walk). Every `every` accesses: publish the count
 * and the sum in the mailbox, touch the stack (push/pop), VMMCALL so the host can look; HLT
 * when the host has set stop. Registers: ebx LCG state, ecx accesses left before the next
 * VMMCALL, esi accesses, edi page index, ebp read sum (the host swaps them across exits); edx
 * (and eax) scratch.
 *
 * Segments: code, stack and mailbox are CS-, SS- and DS-relative (offsets of the layout in
 * svm_guest.h), the data pages ES-relative from the mailbox's data_base. The svm tests run
 * every base at 0; the harness's guests (tests/kernel/harness/guest.c) share one memslot, so
 * each gets its own code, stack and mailbox pages by its CS/SS/DS base, and all of them the
 * same data pages (ES base 0).
 */
#include "arch/svm_guest.h"

	.section .rodata
	.code32
	.globl svm_guest_blob, svm_guest_blob_end
svm_guest_blob:
	mov GUEST_MAILBOX_GPA + MB_SEED, %ebx
	xor %esi, %esi
	xor %edi, %edi
	xor %ebp, %ebp
	mov GUEST_MAILBOX_GPA + MB_EVERY, %ecx
1:	imul $GUEST_LCG_A, %ebx, %ebx
	add $GUEST_LCG_C, %ebx
	mov %ebx, %eax
	shr $GUEST_WORD_SHIFT, %eax	/* word 0..1023 */
	shl $2, %eax
	mov %edi, %edx
	shl $12, %edx
	lea (%eax,%edx), %eax
	add GUEST_MAILBOX_GPA + MB_DATA_BASE, %eax	/* a guest-physical address */
	cmp GUEST_MAILBOX_GPA + MB_NREAD, %edi
	jb 2f				/* a read-only page */
	test GUEST_MAILBOX_GPA + MB_READ_MASK, %esi
	jnz 2f				/* a written page, read this time (read_mask) */
	mov %ebx, %edx
	and $~1, %edx			/* stored words are even: never GUEST_POISON */
	mov %edx, %es:(%eax)		/* a written page */
	jmp 3f
2:	mov %es:(%eax), %edx		/* a read */
	cmp $GUEST_POISON, %edx
	jne 6f
	incl GUEST_MAILBOX_GPA + MB_POISON_READS	/* a stale translation: tell the host */
	mov %eax, GUEST_MAILBOX_GPA + MB_POISON_GPA
6:	add %edx, %ebp
3:	inc %esi
	inc %edi
	cmp GUEST_MAILBOX_GPA + MB_NPAGES, %edi
	jb 4f
	xor %edi, %edi
4:	dec %ecx
	jnz 1b
	mov %esi, GUEST_MAILBOX_GPA + MB_ACCESSES
	mov %ebp, GUEST_MAILBOX_GPA + MB_READ_SUM
	push %esi			/* the stack page is written too */
	pop %eax
	vmmcall				/* 0f 01 d9: the host adds 3 to RIP (no NRIP save) */
	mov GUEST_MAILBOX_GPA + MB_EVERY, %ecx
	cmpl $0, GUEST_MAILBOX_GPA + MB_STOP
	je 1b
	hlt				/* the end: the host restarts us at the first byte, or not */
5:	jmp 5b
svm_guest_blob_end:
	.code64
