/*
 * tsan_fast_path: the hottest entry points of the ThreadSanitizer compiler
 * ABI, linked into the program itself by racedet-cc (libracedet_tsan.a),
 * where libtsan's are too.
 *
 * Why: a call from the program into a shared library is an indirect jump
 * (through the PLT, or the GOT with -fno-plt), and on the machines we
 * measured that costs more than the whole check of an access that is
 * already covered: an empty __tsan_write4 in a shared object took 3.4 ns a
 * call, a direct call to it 1.8 ns. These definitions are hidden, so the
 * compiler's calls in the program (or in a shared object linked with
 * racedet-cc) bind to them directly.
 *
 * They only do the common case: plain accesses of 1, 2, 4, 8 and 16 bytes
 * (in one word or across two) that are already covered (race_check.h,
 * rt_race_fast), and function entry and
 * exit when the thread's call-tree cache knows the call. Everything else
 * goes to libracedet.so's exported entry points (linked_abi.h), which do the
 * whole work; every other ABI function is libracedet.so's own. The layout
 * of the shadow, of a thread's state and of the call tree is the engine's
 * (same headers, same build), so both halves agree.
 */
#include "races/call_tree.h"
#include "races/happens_before.h"
#include "races/linked_abi.h"
#include "races/race_check.h"

#include <stdint.h>

/* libracedet.so's entry points (preload/tsan_abi.c, race_check.c) */
void racedet_access(uintptr_t addr, unsigned size, unsigned flags, uintptr_t pc)
    __asm__(RT_LINKED_NAME("access"));
void racedet_race_word(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur,
                       uintptr_t pc) __asm__(RT_LINKED_NAME("race_word"));
void racedet_race_word2(struct rt_hb_thread *h, rt_cell *cell0, uintptr_t word, rt_cell cur0,
                        rt_cell cur1, uintptr_t pc) __asm__(RT_LINKED_NAME("race_word2"));
void racedet_func_entry(void *call_pc) __asm__(RT_LINKED_NAME("func_entry"));
/* racedet explore --points=memory (preload/sched_memory.c): while true,
 * every access takes racedet_access, where a shared location's access is a
 * scheduling point */
extern bool racedet_sched_memory __asm__(RT_LINKED_NAME("sched_memory"));

#define PC() ((uintptr_t)__builtin_return_address(0))
#define R 0u
#define W RT_ACCESS_WRITE

/* aligned: the compiler promises natural alignment (all but unaligned_*) */
static inline __attribute__((always_inline)) void access(uintptr_t addr, unsigned size,
                                                         unsigned flags, bool aligned, uintptr_t pc)
{
    /* SCHED HOOK: the one branch racedet explore --points=memory adds */
    if (__builtin_expect(racedet_sched_memory, 0)) {
        racedet_access(addr, size, flags, pc);
        return;
    }
    rt_race_fast(rt_hb_self, addr, size, flags, aligned, pc, racedet_access, racedet_race_word,
                 racedet_race_word2);
}

/* the same meaning as in preload/tsan_abi.c: a compound read-modify-write
 * is checked as its write */
#define ACCESS_FNS(n)                                                                          \
    void __tsan_read##n(void *a) { access((uintptr_t)a, n, R, true, PC()); }                   \
    void __tsan_write##n(void *a) { access((uintptr_t)a, n, W, true, PC()); }                  \
    void __tsan_read_write##n(void *a) { access((uintptr_t)a, n, W, true, PC()); }             \
    void __tsan_unaligned_read##n(void *a) { access((uintptr_t)a, n, R, false, PC()); }        \
    void __tsan_unaligned_write##n(void *a) { access((uintptr_t)a, n, W, false, PC()); }

ACCESS_FNS(1)
ACCESS_FNS(2)
ACCESS_FNS(4)
ACCESS_FNS(8)
ACCESS_FNS(16)

void __tsan_func_entry(void *call_pc)
{
    struct rt_hb_thread *h = rt_hb_self;
    rt_ct_node child;
    if (__builtin_expect(h != NULL, 1) &&
        (child = rt_ct_cached(h->ct, h->node, (uintptr_t)call_pc)) != 0) {
        h->node = child;
        return;
    }
    racedet_func_entry(call_pc);
}

void __tsan_func_exit(void)
{
    struct rt_hb_thread *h = rt_hb_self;
    if (__builtin_expect(h != NULL, 1))
        h->node = rt_ct_parent(h->node);
}
