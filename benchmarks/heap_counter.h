// Live heap bytes and allocations of the whole process, from a counting replacement of the
// global operator new/delete (heap_counter.cc). The benchmarks read the bytes before and
// after building a State or the baseline's map to report bytes per remembered customer in
// memory (SPEC §7), and the allocations around each step; tests/hot_path_alloc_test.cc links
// it to count the allocations of Engine::Step. Sizes are
// malloc_usable_size, i.e. what the allocator really hands out, rounding included; memory
// allocated with malloc directly (none in allot or protobuf's hot structures) is not seen.
#ifndef ALLOT_BENCHMARKS_HEAP_COUNTER_H_
#define ALLOT_BENCHMARKS_HEAP_COUNTER_H_

#include <cstdint>

namespace allot::bench {

// Bytes currently allocated through operator new and not yet deleted.
int64_t LiveHeapBytes();
// Allocations through operator new since the process started: read around a call, how
// often it allocates (the arrival benchmarks report it per arrival).
int64_t Allocations();

}  // namespace allot::bench

#endif  // ALLOT_BENCHMARKS_HEAP_COUNTER_H_
