/* (e) The Python loops as a C programmer writes them: each kernel allocates its result, as the Python does. */
#include <stdlib.h>
#include <string.h>

#include "timing.h"

/* No FMA contraction: one rounding per operation, as in the Python source (numba and fxn do not contract
   either), so that the escape counts agree exactly; near the set's boundary one ulp changes a count. */
#pragma STDC FP_CONTRACT OFF

/* Per pixel, the iterations of z = z*z + c from z = 0 before |z|^2 > 4, at most max_iter; height x width int32. */
__attribute__((noinline)) int *mandelbrot(long width, long height, long max_iter) {
    int *counts = calloc((size_t)(width * height), sizeof(int));
    for (long row = 0; row < height; row++) {
        double ci = -1.25 + 2.5 * row / (height - 1);
        for (long col = 0; col < width; col++) {
            double cr = -2.0 + 2.5 * col / (width - 1);
            double zr = 0.0, zi = 0.0;
            long n = 0;
            while (n < max_iter && zr * zr + zi * zi <= 4.0) {
                double new_zr = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = new_zr;
                n++;
            }
            counts[row * width + col] = (int)n;
        }
    }
    return counts;
}

/* A 3-point moving average of n >= 2 doubles; the two end points are copied. */
__attribute__((noinline)) double *stencil(const double *x, long n) {
    double *out = malloc((size_t)n * sizeof(double));
    out[0] = x[0];
    out[n - 1] = x[n - 1];
    for (long i = 1; i < n - 1; i++) out[i] = (x[i - 1] + x[i] + x[i + 1]) / 3;
    return out;
}

/* Seconds for `calls` calls, each result freed; then one more call, untimed, copied into `counts`. */
double time_mandelbrot(long width, long height, long max_iter, long calls, int *counts) {
    double start = now_seconds();
    for (long c = 0; c < calls; c++) {
        free(mandelbrot(width, height, max_iter));
        OPAQUE_BARRIER();
    }
    double elapsed = now_seconds() - start;
    int *last = mandelbrot(width, height, max_iter);
    memcpy(counts, last, (size_t)(width * height) * sizeof(int));
    free(last);
    return elapsed;
}

double time_stencil(const double *x, long n, long calls, double *out) {
    double start = now_seconds();
    for (long c = 0; c < calls; c++) {
        free(stencil(x, n));
        OPAQUE_BARRIER();
    }
    double elapsed = now_seconds() - start;
    double *last = stencil(x, n);
    memcpy(out, last, (size_t)n * sizeof(double));
    free(last);
    return elapsed;
}
