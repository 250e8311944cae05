// AVX-512 kernels. The build baseline is x86-64-v3, so every function here carries a target
// attribute and is only called after CpuHasAvx512() said yes.
//
// Batches: 16 rows in the lanes, trees one after another, so each lane sums its row's leaves in
// tree order exactly like the scalar code. The nodes of a perfect tree's top six levels come from
// in-register permutes instead of memory gathers; only the row values are gathered.
// Single rows: 16 trees in the lanes (a TreeBlock); the row itself sits in registers when it has
// at most 64 features, so a node's value is a permute; leaves are added to the margin one by one
// in tree order.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports the deliberately undefined pass-through operands inside <immintrin.h>'s
// unmasked intrinsics as uninitialized (GCC PR 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "runtime/tree/tree_kernels.h"

#define FS_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

namespace finserve::runtime::tree::internal {
namespace {

constexpr int64_t kLanes = 16;
// Below this many rows a padded 16-row batch costs more than rows one by one.
constexpr int64_t kMinBatchRows = 6;

// Lanes going right: v >= t, or v is NaN and the node sends NaN right (top bit of code clear).
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

// Entries [j] of a level holding `count` values that start at `values`: permutes while the level
// fits in one or two registers, a gather beyond. Reads up to 32 entries (arrays are padded).
FS_AVX512 inline __m512i LevelLookup(const uint32_t* values, size_t count, __m512i j) {
  if (count <= 16) return _mm512_permutexvar_epi32(j, _mm512_loadu_si512(values));
  if (count == 32) {
    return _mm512_permutex2var_epi32(_mm512_loadu_si512(values), j, _mm512_loadu_si512(values + 16));
  }
  return _mm512_i32gather_epi32(j, values, 4);
}

FS_AVX512 inline __m512 LevelLookup(const float* values, size_t count, __m512i j) {
  if (count <= 16) return _mm512_permutexvar_ps(j, _mm512_loadu_ps(values));
  if (count == 32) return _mm512_permutex2var_ps(_mm512_loadu_ps(values), j, _mm512_loadu_ps(values + 16));
  return _mm512_i32gather_ps(j, values, 4);
}

// ---- batches: 16 rows per call --------------------------------------------------------------

FS_AVX512 inline __m512 PerfectLeaves16(const FastForest& f, const FlatTree& tree, const float* x,
                                        __m512i lane_offsets) {
  const uint32_t* codes = f.codes.data() + tree.nodes;
  const float* thresholds = f.thresholds.data() + tree.nodes;
  const __m512i feature_mask = _mm512_set1_epi32(static_cast<int>(kFeatureMask));
  __m512i j = _mm512_setzero_si512();
  for (int32_t level = 0; level < tree.depth; ++level) {
    const size_t first = (size_t{1} << level) - 1;
    const size_t count = size_t{1} << level;
    const __m512i code = LevelLookup(codes + first, count, j);
    const __m512 threshold = LevelLookup(thresholds + first, count, j);
    const __m512i index = _mm512_add_epi32(lane_offsets, _mm512_and_si512(code, feature_mask));
    const __m512 v = _mm512_i32gather_ps(index, x, 4);
    j = Descend(j, GoRight(v, threshold, code));
  }
  return LevelLookup(f.leaf_values.data() + tree.leaves, size_t{1} << tree.depth, j);
}

// Walks a sparse tree for 16 rows; returns each lane's leaf slot.
FS_AVX512 inline __m512i SparseSlots16(const FastForest& f, const FlatTree& tree, const float* x,
                                       __m512i lane_offsets) {
  const uint32_t* codes = f.codes.data() + tree.nodes;
  const float* thresholds = f.thresholds.data() + tree.nodes;
  const int32_t* children = f.children.data() + tree.nodes;
  const __m512i zero = _mm512_setzero_si512();
  const __m512i feature_mask = _mm512_set1_epi32(static_cast<int>(kFeatureMask));
  __m512i i = zero;
  __m512i child = _mm512_set1_epi32(children[0]);
  __mmask16 active = _mm512_cmpge_epi32_mask(child, zero);
  while (active != 0) {
    const __m512i code = _mm512_mask_i32gather_epi32(zero, active, i, codes, 4);
    const __m512 threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, i, thresholds, 4);
    const __m512i index = _mm512_add_epi32(lane_offsets, _mm512_and_si512(code, feature_mask));
    const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, index, x, 4);
    const __mmask16 right = static_cast<__mmask16>(GoRight(v, threshold, code) & active);
    i = _mm512_mask_mov_epi32(i, active, child);
    i = _mm512_mask_add_epi32(i, right, i, _mm512_set1_epi32(1));
    child = _mm512_mask_i32gather_epi32(child, active, i, children, 4);
    active = static_cast<__mmask16>(active & _mm512_cmpge_epi32_mask(child, zero));
  }
  return _mm512_sub_epi32(_mm512_set1_epi32(-1), child);  // -(child + 1)
}

// acc holds num_outputs vectors of 16 lanes (one per output).
FS_AVX512 inline void AccumulateTree16(const FastForest& f, const FlatTree& tree, const float* x,
                                       __m512i lane_offsets, float* acc) {
  if (tree.layout == TreeLayout::kPerfect) {
    float* a = acc + tree.output * kLanes;
    _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), PerfectLeaves16(f, tree, x, lane_offsets)));
    return;
  }
  const __m512i slots = SparseSlots16(f, tree, x, lane_offsets);
  const float* values = f.leaf_values.data() + tree.leaves;
  if (tree.output != Tree::kVectorLeaf) {
    float* a = acc + tree.output * kLanes;
    _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), _mm512_i32gather_ps(slots, values, 4)));
    return;
  }
  const __m512i first = _mm512_mullo_epi32(slots, _mm512_set1_epi32(f.num_outputs));
  for (int32_t k = 0; k < f.num_outputs; ++k) {
    float* a = acc + k * kLanes;
    _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), _mm512_i32gather_ps(first, values + k, 4)));
  }
}

// One output: the accumulator stays in a register.
FS_AVX512 __m512 PredictBlock16SingleOutput(const FastForest& f, const float* x, __m512i lane_offsets) {
  __m512 acc = _mm512_set1_ps(f.base_margin[0]);
  for (const FlatTree& tree : f.trees) {
    if (tree.layout == TreeLayout::kPerfect) {
      acc = _mm512_add_ps(acc, PerfectLeaves16(f, tree, x, lane_offsets));
    } else {
      alignas(64) float lanes[kLanes];
      _mm512_store_ps(lanes, acc);
      AccumulateTree16(f, tree, x, lane_offsets, lanes);
      acc = _mm512_load_ps(lanes);
    }
  }
  return acc;
}

// `x`: 16 rows of num_features; writes `valid` rows of margins.
FS_AVX512 void PredictBlock16(const FastForest& f, const float* x, int64_t valid, float* margins,
                              std::vector<float>& acc) {
  const __m512i lane_offsets =
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32(f.num_features));
  const auto mask = static_cast<__mmask16>((1u << valid) - 1);
  if (f.num_outputs == 1) {
    _mm512_mask_storeu_ps(margins, mask, PredictBlock16SingleOutput(f, x, lane_offsets));
    return;
  }
  const int32_t no = f.num_outputs;
  for (int32_t k = 0; k < no; ++k) _mm512_storeu_ps(acc.data() + k * kLanes, _mm512_set1_ps(f.base_margin[k]));
  for (const FlatTree& tree : f.trees) AccumulateTree16(f, tree, x, lane_offsets, acc.data());
  for (int64_t r = 0; r < valid; ++r) {
    for (int32_t k = 0; k < no; ++k) margins[r * no + k] = acc[k * kLanes + r];
  }
}

// ---- single rows: 16 trees per block ---------------------------------------------------------

// kRegs registers of 16 features hold the row (0: too wide, read from memory).
template <int kRegs>
FS_AVX512 inline __m512 RowValues(const __m512* x, const float* row, __m512i code) {
  if constexpr (kRegs == 1) {
    return _mm512_permutexvar_ps(code, x[0]);  // uses the low 4 bits of code
  } else if constexpr (kRegs == 2) {
    return _mm512_permutex2var_ps(x[0], code, x[1]);  // low 5 bits
  } else if constexpr (kRegs == 4) {
    const __m512 low = _mm512_permutex2var_ps(x[0], code, x[1]);
    const __m512 high = _mm512_permutex2var_ps(x[2], code, x[3]);
    return _mm512_mask_blend_ps(_mm512_test_epi32_mask(code, _mm512_set1_epi32(32)), low, high);
  } else {
    return _mm512_i32gather_ps(_mm512_and_si512(code, _mm512_set1_epi32(static_cast<int>(kFeatureMask))), row, 4);
  }
}

template <int kRegs>
FS_AVX512 inline __m512 BlockLeaves(const FastForest& f, const TreeBlock& block, const __m512* x, const float* row) {
  const uint64_t* nodes = f.block_nodes.data() + block.nodes;
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i even = _mm512_slli_epi32(lane, 1);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  __m512i j = _mm512_setzero_si512();
  for (int32_t level = 0; level < block.depth; ++level) {
    __m512i low, high;  // (code, threshold) pairs of lanes 0-7 and 8-15
    if (level == 0) {
      low = _mm512_loadu_si512(nodes);
      high = _mm512_loadu_si512(nodes + 8);
    } else {
      const __m512i node = _mm512_add_epi32(j, _mm512_set1_epi32((1 << level) - 1));
      const __m512i at = _mm512_add_epi32(_mm512_slli_epi32(node, 4), lane);
      low = _mm512_i32gather_epi64(_mm512_castsi512_si256(at), nodes, 8);
      high = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(at, 1), nodes, 8);
    }
    const __m512i code = _mm512_permutex2var_epi32(low, even, high);
    const __m512 threshold = _mm512_castsi512_ps(_mm512_permutex2var_epi32(low, odd, high));
    j = Descend(j, GoRight(RowValues<kRegs>(x, row, code), threshold, code));
  }
  const __m512i at = _mm512_add_epi32(_mm512_slli_epi32(j, 4), lane);
  return _mm512_i32gather_ps(at, f.block_leaves.data() + block.leaves, 4);
}

template <int kRegs>
FS_AVX512 void PredictOneRow(const FastForest& f, const float* row, float* margins) {
  __m512 x[4];
  for (int r = 0; r < 4; ++r) {
    const int remaining = std::clamp(f.num_features - 16 * r, 0, 16);
    x[r] = kRegs > r ? _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << remaining) - 1), row + 16 * r)
                     : _mm512_setzero_ps();
  }
  std::copy(f.base_margin.begin(), f.base_margin.end(), margins);
  const bool single = f.num_outputs == 1;
  float sum = margins[0];
  alignas(64) float leaves[kLanes];
  const size_t num_trees = f.trees.size();
  for (size_t t = 0; t < num_trees;) {
    const int32_t b = f.block_of_tree[t];
    if (b < 0) {
      margins[0] = sum;
      AccumulateTree(f, f.trees[t], row, margins);
      sum = margins[0];
      ++t;
      continue;
    }
    _mm512_store_ps(leaves, BlockLeaves<kRegs>(f, f.blocks[b], x, row));
    if (single) {
      for (int l = 0; l < kLanes; ++l) sum += leaves[l];  // tree order
    } else {
      margins[0] = sum;
      for (int l = 0; l < kLanes; ++l) margins[f.trees[t + l].output] += leaves[l];
      sum = margins[0];
    }
    t += kLanes;
  }
  margins[0] = sum;
}

FS_AVX512 void PredictRows(const FastForest& f, const float* rows, int64_t num_rows, float* margins) {
  const int64_t nf = f.num_features;
  const int64_t no = f.num_outputs;
  auto one_row = f.num_features <= 16 ? PredictOneRow<1>
                 : f.num_features <= 32 ? PredictOneRow<2>
                 : f.num_features <= 64 ? PredictOneRow<4>
                                        : PredictOneRow<0>;
  std::vector<float> acc(no > 1 ? static_cast<size_t>(no * kLanes) : 0);
  int64_t r = 0;
  for (; r + kLanes <= num_rows; r += kLanes) PredictBlock16(f, rows + r * nf, kLanes, margins + r * no, acc);
  const int64_t tail = num_rows - r;
  if (tail >= kMinBatchRows) {
    std::vector<float> padded(static_cast<size_t>(kLanes * nf), 0.0f);
    std::copy(rows + r * nf, rows + num_rows * nf, padded.begin());
    PredictBlock16(f, padded.data(), tail, margins + r * no, acc);
    return;
  }
  for (; r < num_rows; ++r) one_row(f, rows + r * nf, margins + r * no);
}

}  // namespace

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

void PredictRowsAvx512(const FastForest& forest, const float* rows, int64_t num_rows, float* margins) {
  PredictRows(forest, rows, num_rows, margins);
}

}  // namespace finserve::runtime::tree::internal
