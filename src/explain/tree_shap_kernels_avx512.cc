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

FS_AVX512 inline __mmask16 HotMask(const uint8_t* decisions, const int32_t*& conditions, int count) {
  __mmask16 hot = 0xFFFF;
  for (int c = 0; c < count; ++c, conditions += kLanes) {
    const __m512i index = _mm512_loadu_si512(conditions);
    const __m512i bytes = _mm512_i32gather_epi32(index, decisions, 1);
    hot = static_cast<__mmask16>(hot & _mm512_test_epi32_mask(bytes, _mm512_set1_epi32(0xFF)));
  }
  return hot;
}

FS_AVX512 inline void AddGroups(const ShapForest& f, uint32_t slot, __m512 r, float* out) {
  const LaneGroup* g = f.lane_groups.data() + f.group_offsets[slot];
  const uint16_t count = f.group_counts[slot];
  for (uint16_t i = 0; i < count; ++i, ++g) {
    out[g->feature] += g->lanes == 0xFFFF ? _mm512_reduce_add_ps(r)
                                          : _mm512_mask_reduce_add_ps(static_cast<__mmask16>(g->lanes), r);
  }
}

// kDepth > 0: the block's depth, known at compile time; 0: read from the block.
template <int32_t kDepth>
FS_AVX512 void AccumulateBlock(const ShapForest& f, const ShapBlock& b, size_t block_index, const uint8_t* decisions,
                               float* acc) {
  constexpr int32_t kSlots = kDepth > 0 ? kDepth : kMaxFastDepth;
  const int32_t depth = kDepth > 0 ? kDepth : b.depth;
  __m512 z[kSlots];
  __mmask16 hot[kSlots];
  __m512 poly[kSlots + 1];
  const int32_t* conditions = f.condition_index.data() + static_cast<size_t>(b.conditions) * kLanes;
  __m512 e = _mm512_loadu_ps(f.leaf_values.data() + block_index * kLanes);
  for (int32_t k = 0; k < depth; ++k) {
    z[k] = _mm512_loadu_ps(f.zero_fractions.data() + (static_cast<size_t>(b.slots) + k) * kLanes);
    hot[k] = HotMask(decisions, conditions, f.condition_counts[b.slots + k]);
    e = _mm512_mask_mul_ps(e, static_cast<__mmask16>(~hot[k]), e, z[k]);
  }
  poly[0] = _mm512_set1_ps(1.0f);
  for (int32_t d = 1; d <= depth; ++d) poly[d] = _mm512_setzero_ps();
  for (int32_t k = 0; k < depth; ++k) {
    for (int32_t d = k + 1; d >= 1; --d) poly[d] = _mm512_mask_fmadd_ps(poly[d], hot[k], z[k], poly[d - 1]);
    poly[0] = _mm512_mask_mul_ps(poly[0], hot[k], poly[0], z[k]);
  }
  // c_d(s) of each lane's own path length d.
  __m512 weight[kSlots + 1];
  const __m512i row = _mm512_mullo_epi32(_mm512_loadu_si512(f.lane_depths.data() + block_index * kLanes),
                                         _mm512_set1_epi32(kMaxFastDepth + 1));
  __m512 fh = _mm512_setzero_ps();
  for (int32_t d = 0; d <= depth; ++d) {
    weight[d] = _mm512_i32gather_ps(_mm512_add_epi32(row, _mm512_set1_epi32(d)), f.shapley_weights.data(), 4);
    fh = _mm512_fmadd_ps(weight[d], poly[d], fh);
  }
  const __m512 cold = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(e, fh));
  float* out = acc + static_cast<size_t>(b.output) * (f.num_features + 2);
  for (int32_t k = 0; k < depth; ++k) {
    __m512 q = poly[depth];
    __m512 fk = _mm512_mul_ps(weight[depth - 1], q);
    for (int32_t d = depth - 1; d >= 1; --d) {
      q = _mm512_fnmadd_ps(z[k], q, poly[d]);
      fk = _mm512_fmadd_ps(weight[d - 1], q, fk);
    }
    const __m512 warm = _mm512_mul_ps(_mm512_mul_ps(e, _mm512_sub_ps(_mm512_set1_ps(1.0f), z[k])), fk);
    AddGroups(f, b.slots + static_cast<uint32_t>(k), _mm512_mask_blend_ps(hot[k], cold, warm), out);
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

void AccumulateBlocksAvx512(const ShapForest& f, const uint8_t* decisions, float* acc) {
  static constexpr auto kTable = MakeTable(std::make_integer_sequence<int32_t, kMaxUnrolledDepth + 1>());
  for (size_t i = 0; i < f.blocks.size(); ++i) {
    const ShapBlock& b = f.blocks[i];
    const BlockFn fn = b.depth <= kMaxUnrolledDepth ? kTable[b.depth] : &AccumulateBlock<0>;
    fn(f, b, i, decisions, acc);
  }
}

}  // namespace finserve::explain::internal
