/* (a) The looped scalar fma, as a C programmer writes it. */
#include "timing.h"

/* `result = x*y + z` repeated: the body does not depend on the loop, so clang hoists it. */
__attribute__((noinline)) float fma_as_written(float x, float y, float z, long n_iter) {
    float result = 0.0f;
    for (long i = 0; i < n_iter; i++) result = x * y + z;
    return result;
}

/* `r = r*x + z`: each iteration needs the previous one (clang contracts it to one FMA). */
__attribute__((noinline)) float fma_chain(float x, float z, long n_iter) {
    float r = z;
    for (long i = 0; i < n_iter; i++) r = r * x + z;
    return r;
}

/* Seconds for `calls` calls; the last result in *result. Inputs are re-read each call. */
double time_fma_as_written(float x, float y, float z, long n_iter, long calls, float *result) {
    volatile float vx = x, vy = y, vz = z;
    double start = now_seconds();
    for (long c = 0; c < calls; c++) {
        *result = fma_as_written(vx, vy, vz, n_iter);
        OPAQUE_BARRIER();
    }
    return now_seconds() - start;
}

double time_fma_chain(float x, float z, long n_iter, long calls, float *result) {
    volatile float vx = x, vz = z;
    double start = now_seconds();
    for (long c = 0; c < calls; c++) {
        *result = fma_chain(vx, vz, n_iter);
        OPAQUE_BARRIER();
    }
    return now_seconds() - start;
}
