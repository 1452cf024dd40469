/* (f) The machine's peak f32 rate: 12 independent chains of vector fused multiply-adds on 16 floats (clang
   contracts a * x + y under its default FP_CONTRACT ON). The function asks for 512-bit registers where the
   CPU has AVX-512: -march=native on Intel prefers 256-bit ones, which would halve the rate. */
#include "timing.h"

typedef float vector16 __attribute__((vector_size(64)));

#ifdef __AVX512F__
#define WIDEST_VECTORS __attribute__((min_vector_width(512)))
#else
#define WIDEST_VECTORS
#endif

#define CHAINS 12
#define STEPS 100000

/* Seconds for `calls` runs of STEPS steps; `result` keeps the chains alive. */
WIDEST_VECTORS double time_fma_peak(long calls, float *result) {
    vector16 acc[CHAINS];
    vector16 x = {0}, y = {0};
    for (int i = 0; i < 16; i++) { x[i] = 0.999f; y[i] = 0.001f; }
    for (int c = 0; c < CHAINS; c++) acc[c] = x * (float)c;
    double start = now_seconds();
    for (long call = 0; call < calls; call++) {
        for (long s = 0; s < STEPS; s++) {
            for (int c = 0; c < CHAINS; c++) acc[c] = acc[c] * x + y;
        }
        OPAQUE_BARRIER();
    }
    double elapsed = now_seconds() - start;
    float total = 0;
    for (int c = 0; c < CHAINS; c++) for (int i = 0; i < 16; i++) total += acc[c][i];
    *result = total;
    return elapsed;
}

/* Floating-point operations of one call. */
long fma_peak_flops(void) { return 2L * 16 * CHAINS * STEPS; }
