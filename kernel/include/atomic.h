/*
 * atomic.h - the one way kernel/mmu and kernel/rmap touch shared memory: thin, type-generic
 * wrappers over the compiler's __atomic builtins (seL4 lock.h, NOVA atomic.hpp). Every call
 * names its memory order (MO_*); the call site's comment says what that order pairs with.
 * Nothing here synchronises through `volatile`. Same code in the kernel and the host build.
 *
 * The wrappers are expression macros only because the builtins are type-generic; none hides
 * control flow. x86-64 maps them to plain MOVs (loads, stores below seq_cst) and LOCK
 * XCHG/CMPXCHG/AND/OR/XADD (read-modify-writes, seq_cst stores).
 */
#ifndef ATOMIC_H
#define ATOMIC_H

#include <stdbool.h>

#define MO_RELAXED	__ATOMIC_RELAXED
#define MO_ACQUIRE	__ATOMIC_ACQUIRE
#define MO_RELEASE	__ATOMIC_RELEASE
#define MO_ACQ_REL	__ATOMIC_ACQ_REL
#define MO_SEQ_CST	__ATOMIC_SEQ_CST

/* A failed compare-exchange only loads: it may not be release, nor stronger than success. */
#define MO_CMPXCHG_FAIL(mo)						\
	((mo) == MO_RELEASE ? MO_RELAXED : (mo) == MO_ACQ_REL ? MO_ACQUIRE : (mo))

/* Loads and stores. */
#define atomic_read(p, mo)		__atomic_load_n((p), (mo))
#define atomic_set(p, v, mo)		__atomic_store_n((p), (v), (mo))

/* Read-modify-writes; each returns the value before the operation. */
#define atomic_xchg(p, v, mo)		__atomic_exchange_n((p), (v), (mo))
#define atomic_fetch_add(p, v, mo)	__atomic_fetch_add((p), (v), (mo))
#define atomic_fetch_sub(p, v, mo)	__atomic_fetch_sub((p), (v), (mo))
#define atomic_fetch_and(p, v, mo)	__atomic_fetch_and((p), (v), (mo))
#define atomic_fetch_or(p, v, mo)	__atomic_fetch_or((p), (v), (mo))

/*
 * Linux's try_cmpxchg: if *p == *oldp, store new and return true; otherwise copy the value
 * found into *oldp and return false. Strong (no spurious failure).
 */
#define atomic_try_cmpxchg(p, oldp, new, mo)				\
	__atomic_compare_exchange_n((p), (oldp), (new), false, (mo), MO_CMPXCHG_FAIL(mo))

/*
 * No standalone fence: ThreadSanitizer does not model __atomic_thread_fence (gcc rejects it
 * under -fsanitize=thread), so where a store must be ordered before a later load (Dekker's
 * pattern), both sides use MO_SEQ_CST operations, which C11 orders in one total order. On
 * x86-64 a seq_cst load is a plain MOV, a seq_cst store an XCHG, a seq_cst RMW a LOCK op.
 */

#endif /* ATOMIC_H */
