/* Timing inside C, so that the C peer's numbers carry no Python call overhead. */
#ifndef FXN_BENCH_TIMING_H
#define FXN_BENCH_TIMING_H

#include <time.h>

static inline double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Keeps the compiler from merging or hoisting consecutive calls of a kernel. */
#define OPAQUE_BARRIER() __asm__ volatile("" ::: "memory")

#endif
