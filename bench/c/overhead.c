/* (c) Tiny functions whose cost is the call itself, called through ctypes. */

float add_scalars(float x, float y) { return x + y; }

/* out = a*b + c*d over n elements. */
void mul_add_arrays(const float *a, const float *b, const float *c, const float *d, float *out, long n) {
    for (long i = 0; i < n; i++) out[i] = a[i] * b[i] + c[i] * d[i];
}
