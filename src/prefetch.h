// PrefetchLine: asks the CPU to bring the cache line holding `p` closer, ahead of a read
// (SPEC §7: hiding memory latency). Unlike a bare __builtin_prefetch it survives
// optimization: GCC takes a function whose only effect is __builtin_prefetch for pure and
// deletes calls to it (seen with OwnerMemory::PrefetchRecord in GCC 12). The empty asm makes
// the call an effect of its own.
#ifndef ALLOT_SRC_PREFETCH_H_
#define ALLOT_SRC_PREFETCH_H_

namespace allot::internal {

inline void PrefetchLine(const void* p) {
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p));
}

}  // namespace allot::internal

#endif  // ALLOT_SRC_PREFETCH_H_
