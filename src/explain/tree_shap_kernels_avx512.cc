// AVX-512 TreeSHAP kernels. The build baseline is x86-64-v3, so every function here carries a
// target attribute and is only called after CpuHasAvx512ForShap() said yes.
//
// Decisions: 16 splits per step (gather the row's values, one compare, NaN direction by mask),
// stored as bytes with masked stores. Blocks: 16 leaves in the lanes; the path polynomial, the
// zero fractions and the hot masks live in registers for paths of up to 8 slots (the depth is a
// template parameter there), in stack arrays beyond.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports the deliberately undefined pass-through operands inside <immintrin.h>'s
// unmasked intrinsics as uninitialized (GCC PR 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "explain/tree_shap_kernels.h"

#define FS_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

namespace finserve::explain::internal {
namespace {

constexpr int32_t kMaxUnrolledDepth = 8;

FS_AVX512 inline __mmask16 HotMask(const ShapForest& f, const uint8_t* decisions, size_t& condition, int count) {
  __mmask16 hot = 0xFFFF;
  for (int c = 0; c < count; ++c, ++condition) {
    const int32_t* index = f.condition_index.data() + condition * kLanes;
    if (f.condition_uniform[condition]) {  // every lane tests the same split (near the root)
      hot = decisions[index[0]] != 0 ? hot : 0;
      continue;
    }
    const __m512i bytes = _mm512_i32gather_epi32(_mm512_loadu_si512(index), decisions, 1);
    hot = static_cast<__mmask16>(hot & _mm512_test_epi32_mask(bytes, _mm512_set1_epi32(0xFF)));
  }
  return hot;
}

// Pairwise sums over aligned ranges of 2^m lanes, stored compressed at the slot's place in the
// value buffer (the next slot's store overwrites what lies beyond).
FS_AVX512 inline void StoreSlotSums(const ShapForest& f, uint32_t slot, __m512 r, float* values) {
  const int32_t m = f.sum_levels[slot];
  for (int32_t width = 1; width < (1 << m); width *= 2) {
    const __m512i partner = _mm512_xor_si512(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                             _mm512_set1_epi32(width));
    r = _mm512_add_ps(r, _mm512_permutexvar_ps(partner, r));
  }
  _mm512_storeu_ps(values + f.value_offsets[slot], _mm512_maskz_compress_ps(f.sum_masks[slot], r));
}

// acc[output][feature] = sum of the feature's values, eight at a time in double.
FS_AVX512 void ReduceValues(const ShapForest& f, const float* values, double* acc) {
  const int32_t nf = f.num_features;
  for (int32_t o = 0; o < f.num_outputs; ++o) {
    for (int32_t j = 0; j < nf; ++j) {
      const size_t list = static_cast<size_t>(o) * nf + j;
      __m512d sum = _mm512_setzero_pd();
      for (uint32_t i = f.feature_begin[list]; i < f.feature_begin[list + 1]; i += 8) {
        const __m256i positions = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(f.feature_positions.data() + i));
        sum = _mm512_add_pd(sum, _mm512_cvtps_pd(_mm256_i32gather_ps(values, positions, 4)));
      }
      acc[o * (nf + 2) + j] += _mm512_reduce_add_pd(sum);
    }
  }
}

// c_d(s) of each lane's own path length d: a permute of one 16-float row when every d < 16.
FS_AVX512 inline __m512 LaneWeights(const ShapForest& f, __m512i lane_depth, int32_t s, bool small) {
  if (small) return _mm512_permutexvar_ps(lane_depth, _mm512_loadu_ps(f.weights_by_slot.data() + s * kLanes));
  const __m512i index = _mm512_add_epi32(_mm512_mullo_epi32(lane_depth, _mm512_set1_epi32(kMaxFastDepth + 1)),
                                         _mm512_set1_epi32(s));
  return _mm512_i32gather_ps(index, f.shapley_weights.data(), 4);
}

// kDepth > 0: the block's depth, known at compile time; 0: read from the block.
template <int32_t kDepth>
FS_AVX512 void AccumulateBlock(const ShapForest& f, const ShapBlock& b, size_t block_index, const uint8_t* decisions,
                               float* values) {
  constexpr int32_t kSlots = kDepth > 0 ? kDepth : kMaxFastDepth;
  const int32_t depth = kDepth > 0 ? kDepth : b.depth;
  __m512 z[kSlots];
  __mmask16 hot[kSlots];
  __m512 poly[kSlots + 1];
  __m512 weight[kSlots + 1];
  size_t condition = b.conditions;
  __m512 e = _mm512_loadu_ps(f.leaf_values.data() + block_index * kLanes);
#pragma GCC unroll 16
  for (int32_t k = 0; k < depth; ++k) {
    z[k] = _mm512_loadu_ps(f.zero_fractions.data() + (static_cast<size_t>(b.slots) + k) * kLanes);
    hot[k] = HotMask(f, decisions, condition, f.condition_counts[b.slots + k]);
    e = _mm512_mask_mul_ps(e, static_cast<__mmask16>(~hot[k]), e, z[k]);
  }
  poly[0] = _mm512_set1_ps(1.0f);
#pragma GCC unroll 16
  for (int32_t d = 1; d <= depth; ++d) poly[d] = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int32_t k = 0; k < depth; ++k) {
#pragma GCC unroll 16
    for (int32_t d = k + 1; d >= 1; --d) poly[d] = _mm512_mask_fmadd_ps(poly[d], hot[k], z[k], poly[d - 1]);
    poly[0] = _mm512_mask_mul_ps(poly[0], hot[k], poly[0], z[k]);
  }
  const __m512i lane_depth = _mm512_loadu_si512(f.lane_depths.data() + block_index * kLanes);
  const bool small = depth < kLanes;  // every lane's d <= depth
  __m512 fh = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int32_t d = 0; d <= depth; ++d) {
    weight[d] = LaneWeights(f, lane_depth, d, small);
    fh = _mm512_fmadd_ps(weight[d], poly[d], fh);
  }
  const __m512 cold = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(e, fh));
#pragma GCC unroll 16
  for (int32_t k = 0; k < depth; ++k) {
    const uint32_t slot = b.slots + static_cast<uint32_t>(k);
    __m512 q = poly[depth];
    __m512 fk = _mm512_mul_ps(weight[depth - 1], q);
#pragma GCC unroll 16
    for (int32_t d = depth - 1; d >= 1; --d) {
      q = _mm512_fnmadd_ps(z[k], q, poly[d]);
      fk = _mm512_fmadd_ps(weight[d - 1], q, fk);
    }
    const __m512 warm = _mm512_mul_ps(_mm512_mul_ps(e, _mm512_sub_ps(_mm512_set1_ps(1.0f), z[k])), fk);
    const __m512 r = _mm512_mask_blend_ps(hot[k], cold, warm);
    StoreSlotSums(f, slot, _mm512_maskz_mov_ps(f.real_lanes[slot], r), values);
  }
}

using BlockFn = void (*)(const ShapForest&, const ShapBlock&, size_t, const uint8_t*, float*);

template <int32_t... kDepths>
constexpr auto MakeTable(std::integer_sequence<int32_t, kDepths...>) {
  return std::array<BlockFn, sizeof...(kDepths)>{&AccumulateBlock<kDepths>...};
}

}  // namespace

bool CpuHasAvx512ForShap() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

FS_AVX512 void ComputeDecisionsAvx512(const ShapForest& f, const float* row, uint8_t* decisions) {
  if (!f.canonical) return ComputeDecisionsScalar(f, row, decisions);
  const int32_t n = f.num_splits;
  const __m512i less_left = _mm512_set1_epi32(SplitFlags::kLeftWhenLess);
  const __m512i nan_left = _mm512_set1_epi32(SplitFlags::kNanLeft);
  for (int32_t g = 0; g < n; g += kLanes) {
    const __m512 v = _mm512_i32gather_ps(_mm512_loadu_si512(f.split_features.data() + g), row, 4);
    const __m512i flags = _mm512_loadu_si512(f.split_flags.data() + g);
    const __mmask16 less = _mm512_cmp_ps_mask(v, _mm512_loadu_ps(f.split_thresholds.data() + g), _CMP_LT_OQ);
    const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    const __mmask16 when_less = _mm512_test_epi32_mask(flags, less_left);
    const __mmask16 nan_goes_left = _mm512_test_epi32_mask(flags, nan_left);
    const __mmask16 left = static_cast<__mmask16>((nan & nan_goes_left) | (~nan & ~(less ^ when_less)));
    const int32_t valid_lanes = std::min(kLanes, n - g);
    const __mmask16 valid = static_cast<__mmask16>((1u << valid_lanes) - 1);
    _mm_mask_storeu_epi8(decisions + g, valid, _mm_maskz_set1_epi8(left, 1));
    _mm_mask_storeu_epi8(decisions + n + g, valid, _mm_maskz_set1_epi8(static_cast<__mmask16>(~left), 1));
  }
  decisions[f.always_index()] = 1;
  decisions[f.never_index()] = 0;
}

void AccumulateBlocksAvx512(const ShapForest& f, const uint8_t* decisions, float* values, double* acc) {
  static constexpr auto kTable = MakeTable(std::make_integer_sequence<int32_t, kMaxUnrolledDepth + 1>());
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    const ShapBlock& b = f.blocks[i];
    const BlockFn fn = b.depth <= kMaxUnrolledDepth ? kTable[b.depth] : &AccumulateBlock<0>;
    fn(f, b, i, decisions, values);
  }
  values[f.zero_position()] = 0.0f;
  ReduceValues(f, values, acc);
}

}  // namespace finserve::explain::internal
