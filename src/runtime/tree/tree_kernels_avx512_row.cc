// AVX-512 single-row kernel: 16 trees in the lanes (a TreeBlock), 4 blocks walked in lockstep so
// that their gathers overlap. The row sits in registers when it has at most 64 features, so a
// node's value is a permute; splits use the explicit form (NaN tested per node). The leaves are
// then added to the margin one by one in tree order. Also the driver that splits a call into
// batch tiles and single rows.
#include <algorithm>

#include "runtime/tree/tree_kernels_avx512.h"

namespace finserve::runtime::tree::internal {
namespace avx512 {
namespace {

constexpr int kBlockGroup = 4;  // blocks of 16 trees walked in lockstep

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
    return _mm512_mask_blend_ps(Bit(code, 5), low, high);
  } else {
    return _mm512_i32gather_ps(_mm512_and_si512(code, _mm512_set1_epi32(static_cast<int>(kFeatureMask))), row, 4);
  }
}

// Every lane's node at `level` of a block: loads and blends for the 1, 2 and 4 candidates of
// the top levels (rows of 16 lanes at `top`), gathers of (code, threshold) pairs below.
FS_AVX512 inline void BlockLevel(const FastForest& f, const TreeBlock& block, int32_t level, __m512i j,
                                 __m512i* code, __m512* threshold) {
  if (level >= 3) {
    const __m512i node = _mm512_add_epi32(j, _mm512_set1_epi32((1 << level) - 1 - static_cast<int>(kBlockTopNodes)));
    const __m512i at = _mm512_add_epi32(_mm512_slli_epi32(node, 4), Lanes());
    const uint32_t* pairs = f.block_pairs.data() + block.deep;
    *code = _mm512_i32gather_epi32(at, pairs, 8);
    *threshold = _mm512_castsi512_ps(_mm512_i32gather_epi32(at, pairs + 1, 8));
    return;
  }
  const uint32_t* codes = f.block_codes.data() + block.top;
  const float* thresholds = f.block_thresholds.data() + block.top;
  auto code_row = [codes](size_t n) { return codes + n * kLanes; };
  auto threshold_row = [thresholds](size_t n) { return thresholds + n * kLanes; };
  if (level == 0) {
    *code = _mm512_loadu_si512(code_row(0));
    *threshold = _mm512_loadu_ps(threshold_row(0));
    return;
  }
  const __mmask16 odd = Bit(j, 0);
  const size_t first = level == 1 ? 1 : 3;
  __m512i c = _mm512_mask_blend_epi32(odd, _mm512_loadu_si512(code_row(first)), _mm512_loadu_si512(code_row(first + 1)));
  __m512 t = _mm512_mask_blend_ps(odd, _mm512_loadu_ps(threshold_row(first)), _mm512_loadu_ps(threshold_row(first + 1)));
  if (level == 2) {
    const __mmask16 high = Bit(j, 1);
    c = _mm512_mask_blend_epi32(
        high, c, _mm512_mask_blend_epi32(odd, _mm512_loadu_si512(code_row(5)), _mm512_loadu_si512(code_row(6))));
    t = _mm512_mask_blend_ps(high, t,
                             _mm512_mask_blend_ps(odd, _mm512_loadu_ps(threshold_row(5)), _mm512_loadu_ps(threshold_row(6))));
  }
  *code = c;
  *threshold = t;
}

// Leaves of G consecutive blocks (16 * G trees) for one row, written to out[0, 16 * G).
template <int kRegs, int G>
FS_AVX512 inline void BlockLeaves(const FastForest& f, const TreeBlock* blocks, int32_t depth, const __m512* x,
                                  const float* row, float* out) {
  __m512i j[G];
  for (int g = 0; g < G; ++g) j[g] = _mm512_setzero_si512();
  for (int32_t level = 0; level < depth; ++level) {
    for (int g = 0; g < G; ++g) {
      __m512i code;
      __m512 threshold;
      BlockLevel(f, blocks[g], level, j[g], &code, &threshold);
      j[g] = Descend(j[g], GoRight(RowValues<kRegs>(x, row, code), threshold, code));
    }
  }
  for (int g = 0; g < G; ++g) {
    const __m512i at = _mm512_add_epi32(_mm512_slli_epi32(j[g], 4), Lanes());
    _mm512_storeu_ps(out + g * kLanes, _mm512_i32gather_ps(at, f.block_leaves.data() + blocks[g].leaves, 4));
  }
}

// Adds leaves of trees [first, first + count) in tree order.
inline void AddInOrder(const FastForest& f, const float* leaves, uint32_t first, int count, float* margins) {
  if (f.num_outputs == 1) {
    float sum = margins[0];
    for (int i = 0; i < count; ++i) sum += leaves[i];
    margins[0] = sum;
    return;
  }
  for (int i = 0; i < count; ++i) margins[f.trees[first + i].output] += leaves[i];
}

// Every tree of a perfect chunk, block by block; the last block may be partly padding, whose lanes
// are not added.
template <int kRegs>
FS_AVX512 void PredictPerfectChunkRow(const FastForest& f, const TreeChunk& chunk, const __m512* x, const float* row,
                                      float* margins) {
  alignas(64) float leaves[kBlockGroup * kLanes];
  const TreeBlock* blocks = f.blocks.data() + chunk.first_block;
  auto trees_from = [&chunk](uint32_t block, uint32_t blocks_count) {
    return static_cast<int>(std::min<uint32_t>(blocks_count * kLanes, chunk.num_trees - block * kLanes));
  };
  uint32_t b = 0;
  for (; b + kBlockGroup <= chunk.num_blocks; b += kBlockGroup) {
    BlockLeaves<kRegs, kBlockGroup>(f, blocks + b, chunk.depth, x, row, leaves);
    AddInOrder(f, leaves, chunk.first_tree + b * kLanes, trees_from(b, kBlockGroup), margins);
  }
  for (; b < chunk.num_blocks; ++b) {
    BlockLeaves<kRegs, 1>(f, blocks + b, chunk.depth, x, row, leaves);
    AddInOrder(f, leaves, chunk.first_tree + b * kLanes, trees_from(b, 1), margins);
  }
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
  for (const TreeChunk& chunk : f.chunks) {
    if (chunk.layout == TreeLayout::kPerfect) {
      PredictPerfectChunkRow<kRegs>(f, chunk, x, row, margins);
    } else {
      const RowColumns columns(f, row);
      AccumulateTree(f, f.trees[chunk.first_tree], columns.data(), margins);
    }
  }
}

// Up to kMaxTileBlocks blocks of 16 rows per pass over the trees, fewer for wide rows.
}  // namespace

RowFn RowKernel(const FastForest& f) {
  if (f.num_features <= 16) return PredictOneRow<1>;
  if (f.num_features <= 32) return PredictOneRow<2>;
  if (f.num_features <= 64) return PredictOneRow<4>;
  return PredictOneRow<0>;
}

}  // namespace avx512

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

void PredictRowsAvx512(const FastForest& forest, const float* rows, int64_t num_rows, float* margins) {
  const int64_t nf = forest.num_features;
  const int64_t no = forest.num_outputs;
  int64_t r = avx512::PredictTiles(forest, rows, num_rows, margins);
  const avx512::RowFn one_row = avx512::RowKernel(forest);
  for (; r < num_rows; ++r) one_row(forest, rows + r * nf, margins + r * no);
}

}  // namespace finserve::runtime::tree::internal
