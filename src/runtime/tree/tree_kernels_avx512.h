// Shared pieces of the AVX-512 tree kernels (tree_kernels_avx512_batch.cc, _row.cc). Internal.
//
// The build baseline is x86-64-v3, so everything here carries FS_AVX512 (a target attribute) and
// runs only after CpuHasAvx512() said yes. Helpers are inline functions, not lambdas: a lambda
// would not inherit the target attribute.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports the deliberately undefined pass-through operands inside <immintrin.h>'s
// unmasked intrinsics as uninitialized (GCC PR 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/tree/tree_kernels.h"

#define FS_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

namespace finserve::runtime::tree::internal::avx512 {

constexpr int64_t kLanes = 16;
// Below this many rows a padded 16-row batch costs more than rows one by one.
constexpr int64_t kMinBatchRows = 6;

// Batches: tiles of blocks of 16 rows, as many rows as are worth a tile; returns how many rows
// (from the first) it predicted; the rest go through RowKernel one by one.
int64_t PredictTiles(const FastForest& f, const float* rows, int64_t num_rows, float* margins);
// One row, 16 trees per step.
using RowFn = void (*)(const FastForest& f, const float* row, float* margins);
RowFn RowKernel(const FastForest& f);

FS_AVX512 inline __m512i Lanes() { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }

FS_AVX512 inline __mmask16 Bit(__m512i j, int bit) { return _mm512_test_epi32_mask(j, _mm512_set1_epi32(1 << bit)); }

// Explicit form: lanes going right: v >= t, or v is NaN and the node sends NaN right (top bit of
// code clear).
FS_AVX512 inline __mmask16 GoRight(__m512 v, __m512 t, __m512i code) {
  const __mmask16 not_less = _mm512_cmp_ps_mask(v, t, _CMP_NLT_UQ);
  const __mmask16 nan_left = _mm512_mask_cmp_ps_mask(_mm512_movepi32_mask(code), v, v, _CMP_UNORD_Q);
  return static_cast<__mmask16>(not_less & ~nan_left);
}

// j = 2j + right: the position within the next level.
FS_AVX512 inline __m512i Descend(__m512i j, __mmask16 right) {
  const __m512i twice = _mm512_add_epi32(j, j);
  return _mm512_mask_add_epi32(twice, right, twice, _mm512_set1_epi32(1));
}

// values[j] for a level of `count` entries: permutes up to 64 entries, a gather beyond.
// Reads up to 64 entries (the arrays are padded).
FS_AVX512 inline __m512i LevelLookup(const uint32_t* values, size_t count, __m512i j) {
  if (count > 64) return _mm512_i32gather_epi32(j, values, 4);
  if (count <= 16) return _mm512_permutexvar_epi32(j, _mm512_loadu_si512(values));
  const __m512i low = _mm512_permutex2var_epi32(_mm512_loadu_si512(values), j, _mm512_loadu_si512(values + 16));
  if (count == 32) return low;
  const __m512i high = _mm512_permutex2var_epi32(_mm512_loadu_si512(values + 32), j, _mm512_loadu_si512(values + 48));
  return _mm512_mask_blend_epi32(Bit(j, 5), low, high);
}

FS_AVX512 inline __m512 LevelLookup(const float* values, size_t count, __m512i j) {
  if (count > 64) return _mm512_i32gather_ps(j, values, 4);
  if (count <= 16) return _mm512_permutexvar_ps(j, _mm512_loadu_ps(values));
  const __m512 low = _mm512_permutex2var_ps(_mm512_loadu_ps(values), j, _mm512_loadu_ps(values + 16));
  if (count == 32) return low;
  const __m512 high = _mm512_permutex2var_ps(_mm512_loadu_ps(values + 32), j, _mm512_loadu_ps(values + 48));
  return _mm512_mask_blend_ps(Bit(j, 5), low, high);
}

}  // namespace finserve::runtime::tree::internal::avx512
