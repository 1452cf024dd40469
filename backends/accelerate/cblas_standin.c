/* A stand-in for Accelerate's cblas_sgemm, for tests only: the function as BLAS documents it (reference CBLAS's
 * argument checks, SGEMM's arithmetic), linked into the accelerate:os=linux code the backend's runner executes
 * under qemu-aarch64. It checks the arguments fxn passes, not Accelerate's numerics.
 * C = alpha * op(A) @ op(B) + beta * C, op(A) M x K, op(B) K x N, in row- or column-major order. Sums run in
 * order of l, in float, without contraction. */
#include <stdio.h>
#include <stdlib.h>

#pragma STDC FP_CONTRACT OFF

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };

/* The reference CBLAS reports an illegal argument through cblas_xerbla, by its position (1-based). */
static void refuse(int position, const char *why, int value) {
  fprintf(stderr, "cblas_sgemm: parameter %d is illegal: %s (%d)\n", position, why, value);
  exit(3);
}

static int at_least_one(int n) { return n > 1 ? n : 1; }

/* Element (i, l) of op(X), X stored with leading dim ld in the given order. */
static float element(const float *x, int ld, int row_major, int transposed, int i, int l) {
  int r = transposed ? l : i, c = transposed ? i : l;
  return row_major ? x[(long)r * ld + c] : x[r + (long)c * ld];
}

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA,
                 const enum CBLAS_TRANSPOSE transB, const int M, const int N, const int K, const float alpha,
                 const float *A, const int lda, const float *B, const int ldb, const float beta, float *C,
                 const int ldc) {
  if (order != CblasRowMajor && order != CblasColMajor) refuse(1, "order", order);
  if (transA < CblasNoTrans || transA > CblasConjTrans) refuse(2, "transA", transA);
  if (transB < CblasNoTrans || transB > CblasConjTrans) refuse(3, "transB", transB);
  if (M < 0) refuse(4, "M < 0", M);
  if (N < 0) refuse(5, "N < 0", N);
  if (K < 0) refuse(6, "K < 0", K);
  int row_major = order == CblasRowMajor, ta = transA != CblasNoTrans, tb = transB != CblasNoTrans;
  /* A stored matrix's leading dim is its row length (row-major) or column length (column-major), at least 1. */
  int a_rows = ta ? K : M, a_cols = ta ? M : K, b_rows = tb ? N : K, b_cols = tb ? K : N;
  if (lda < at_least_one(row_major ? a_cols : a_rows)) refuse(9, "lda too small", lda);
  if (ldb < at_least_one(row_major ? b_cols : b_rows)) refuse(11, "ldb too small", ldb);
  if (ldc < at_least_one(row_major ? N : M)) refuse(14, "ldc too small", ldc);
  if (M == 0 || N == 0 || ((alpha == 0.0f || K == 0) && beta == 1.0f)) return;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float *c = row_major ? &C[(long)i * ldc + j] : &C[i + (long)j * ldc];
      /* beta == 0: C is not read (it may hold anything, NaN included); alpha == 0: A and B are not read. */
      if (alpha == 0.0f) { *c = beta == 0.0f ? 0.0f : beta * *c; continue; }
      float sum = 0.0f;
      for (int l = 0; l < K; ++l) sum += element(A, lda, row_major, ta, i, l) * element(B, ldb, row_major, tb, l, j);
      *c = beta == 0.0f ? alpha * sum : alpha * sum + beta * *c;
    }
}
