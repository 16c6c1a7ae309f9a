#ifndef QDB_SIMD_H
#define QDB_SIMD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Distance kernels over float32 vectors of length n, chosen once at load time: AVX2 + FMA when
   the CPU has both (as Qdrant's own f32 kernels), else a portable loop the compiler vectorizes
   for the baseline target. Swift's SIMD8<Float> lowers to two SSE registers on the baseline
   x86-64 target and cannot be compiled per function for a wider one, hence this C target. */
float qdb_dot_f32(const float *a, const float *b, size_t n);
float qdb_l2sq_f32(const float *a, const float *b, size_t n);
float qdb_l1_f32(const float *a, const float *b, size_t n);

/* The kernel set in use: "avx2+fma" or "portable". */
const char *qdb_simd_kernels(void);

/* The portable kernels themselves, so tests can hold both sets to the same reference. */
float qdb_dot_f32_portable(const float *a, const float *b, size_t n);
float qdb_l2sq_f32_portable(const float *a, const float *b, size_t n);
float qdb_l1_f32_portable(const float *a, const float *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif
