/* (b) Array x*y + z on f32 arrays, written into a preallocated output. */
#include "timing.h"

__attribute__((noinline)) void fma_array(const float *x, const float *y, const float *z, float *out, long n) {
    for (long i = 0; i < n; i++) out[i] = x[i] * y[i] + z[i];
}

double time_fma_array(const float *x, const float *y, const float *z, float *out, long n, long calls) {
    double start = now_seconds();
    for (long c = 0; c < calls; c++) {
        fma_array(x, y, z, out, n);
        OPAQUE_BARRIER();
    }
    return now_seconds() - start;
}
