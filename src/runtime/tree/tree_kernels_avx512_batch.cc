// AVX-512 batch kernel: tiles of up to 8 blocks of 16 rows (rows in the lanes) walk each tree
// together, so a tree's nodes are read once per tile while they sit in L1, and the tile's
// independent chains hide the ~14 ns latency of a gather. The rows are transposed into the
// columns of the column form (x, -x with NaN as +inf, NaN indicators: one comparison per split,
// no NaN test). A perfect tree's level of up to 64 nodes is looked up with in-register permutes;
// the row values of the top three levels (1, 2, 4 candidate columns) with loads and blends;
// deeper levels gather. Each lane adds its row's leaves in tree order, like the scalar code.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/tree/tree_kernels_avx512.h"

namespace finserve::runtime::tree::internal::avx512 {
namespace {

constexpr int kTreeGroup = 1;      // trees walked in lockstep ...
constexpr int kMaxTileBlocks = 8;  // ... for each of up to 8 blocks of 16 rows
// The tile's transposed rows should stay in L1 (48 KiB) next to the tree being walked.
constexpr size_t kTileBytes = 32 * 1024;

// The 16 rows' values of `column` (xt is column-major: xt[column * 16 + lane]).
FS_AVX512 inline __m512 Column(const float* xt, uint32_t column) { return _mm512_loadu_ps(xt + size_t{column} * kLanes); }

// Each lane's value of the column its node at this level splits on. Up to 4 candidates: loads and
// blends from the scalar columns; beyond, a gather by the lanes' columns.
FS_AVX512 inline __m512 LevelValues(const uint32_t* level_columns, size_t count, __m512i j, const float* xt) {
  if (count == 1) return Column(xt, level_columns[0]);
  const __mmask16 odd = Bit(j, 0);
  const __m512 low = _mm512_mask_blend_ps(odd, Column(xt, level_columns[0]), Column(xt, level_columns[1]));
  if (count == 2) return low;
  if (count == 4) {
    const __m512 high = _mm512_mask_blend_ps(odd, Column(xt, level_columns[2]), Column(xt, level_columns[3]));
    return _mm512_mask_blend_ps(Bit(j, 1), low, high);
  }
  const __m512i column = LevelLookup(level_columns, count, j);
  return _mm512_i32gather_ps(_mm512_add_epi32(_mm512_slli_epi32(column, 4), Lanes()), xt, 4);
}

// Leaves of G consecutive perfect trees of depth `depth` for B blocks of 16 rows (block b's
// columns at xt + b * xt_stride): leaves[b * G + g]. The B * G chains are independent.
template <int G, int B>
FS_AVX512 inline void PerfectLeavesTile(const FastForest& f, const FlatTree* trees, int32_t depth, const float* xt,
                                        size_t xt_stride, __m512* leaves) {
  __m512i j[B * G];
  for (int c = 0; c < B * G; ++c) j[c] = _mm512_setzero_si512();
  for (int32_t level = 0; level < depth; ++level) {
    const size_t first = (size_t{1} << level) - 1;
    const size_t count = size_t{1} << level;
    for (int g = 0; g < G; ++g) {
      const uint32_t* columns = f.codes.data() + trees[g].nodes + first;
      const float* thresholds = f.thresholds.data() + trees[g].nodes + first;
      for (int b = 0; b < B; ++b) {
        __m512i& jj = j[b * G + g];
        const __m512 v = LevelValues(columns, count, jj, xt + b * xt_stride);
        jj = Descend(jj, _mm512_cmp_ps_mask(v, LevelLookup(thresholds, count, jj), _CMP_NLT_UQ));
      }
    }
  }
  for (int g = 0; g < G; ++g) {
    for (int b = 0; b < B; ++b) {
      leaves[b * G + g] = LevelLookup(f.leaf_values.data() + trees[g].leaves, size_t{1} << depth, j[b * G + g]);
    }
  }
}

// Walks a sparse tree for 16 rows; returns each lane's leaf slot.
FS_AVX512 inline __m512i SparseSlots16(const FastForest& f, const FlatTree& tree, const float* xt) {
  const uint32_t* columns = f.codes.data() + tree.nodes;
  const float* thresholds = f.thresholds.data() + tree.nodes;
  const int32_t* children = f.children.data() + tree.nodes;
  const __m512i zero = _mm512_setzero_si512();
  __m512i i = zero;
  __m512i child = _mm512_set1_epi32(children[0]);
  __mmask16 active = _mm512_cmpge_epi32_mask(child, zero);
  while (active != 0) {
    const __m512i column = _mm512_mask_i32gather_epi32(zero, active, i, columns, 4);
    const __m512 threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, i, thresholds, 4);
    const __m512i at = _mm512_add_epi32(_mm512_slli_epi32(column, 4), Lanes());
    const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), active, at, xt, 4);
    const auto right = static_cast<__mmask16>(_mm512_cmp_ps_mask(v, threshold, _CMP_NLT_UQ) & active);
    i = _mm512_mask_mov_epi32(i, active, child);
    i = _mm512_mask_add_epi32(i, right, i, _mm512_set1_epi32(1));
    child = _mm512_mask_i32gather_epi32(child, active, i, children, 4);
    active = static_cast<__mmask16>(active & _mm512_cmpge_epi32_mask(child, zero));
  }
  return _mm512_sub_epi32(_mm512_set1_epi32(-1), child);  // -(child + 1)
}

// Sums for 16 rows: one register per output, kept in memory when there are several outputs.
class Accumulator16 {
 public:
  FS_AVX512 void Reset(const FastForest& f, float* scratch) {
    outputs_ = f.num_outputs;
    acc_ = scratch;
    single_ = _mm512_set1_ps(f.base_margin[0]);
    for (int32_t k = 0; k < outputs_ && outputs_ > 1; ++k) _mm512_storeu_ps(acc_ + k * kLanes, _mm512_set1_ps(f.base_margin[k]));
  }
  FS_AVX512 void Add(int32_t output, __m512 leaves) {
    if (outputs_ == 1) {
      single_ = _mm512_add_ps(single_, leaves);
      return;
    }
    float* a = acc_ + output * kLanes;
    _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), leaves));
  }
  FS_AVX512 void Store(int64_t valid, float* margins) const {
    if (valid <= 0) return;
    if (outputs_ == 1) {
      _mm512_mask_storeu_ps(margins, static_cast<__mmask16>((1u << valid) - 1), single_);
      return;
    }
    for (int64_t r = 0; r < valid; ++r) {
      for (int32_t k = 0; k < outputs_; ++k) margins[r * outputs_ + k] = acc_[k * kLanes + r];
    }
  }

 private:
  int32_t outputs_ = 1;
  float* acc_ = nullptr;
  __m512 single_;
};

FS_AVX512 inline void AccumulateSparse16(const FastForest& f, const FlatTree& tree, const float* xt, Accumulator16& acc) {
  const __m512i slots = SparseSlots16(f, tree, xt);
  const float* values = f.leaf_values.data() + tree.leaves;
  if (tree.output != Tree::kVectorLeaf) {
    acc.Add(tree.output, _mm512_i32gather_ps(slots, values, 4));
    return;
  }
  const __m512i first = _mm512_mullo_epi32(slots, _mm512_set1_epi32(f.num_outputs));
  for (int32_t k = 0; k < f.num_outputs; ++k) acc.Add(k, _mm512_i32gather_ps(first, values + k, 4));
}

template <int B>
FS_AVX512 void AccumulatePerfectChunk(const FastForest& f, const TreeChunk& chunk, const float* xt, size_t xt_stride,
                                      Accumulator16* acc) {
  const FlatTree* trees = f.trees.data() + chunk.first_tree;
  __m512 leaves[B * kTreeGroup];
  uint32_t t = 0;
  for (; t + kTreeGroup <= chunk.num_trees; t += kTreeGroup) {
    PerfectLeavesTile<kTreeGroup, B>(f, trees + t, chunk.depth, xt, xt_stride, leaves);
    for (int g = 0; g < kTreeGroup; ++g) {
      for (int b = 0; b < B; ++b) acc[b].Add(trees[t + g].output, leaves[b * kTreeGroup + g]);
    }
  }
  for (; t < chunk.num_trees; ++t) {
    PerfectLeavesTile<1, B>(f, trees + t, chunk.depth, xt, xt_stride, leaves);
    for (int b = 0; b < B; ++b) acc[b].Add(trees[t].output, leaves[b]);
  }
}

// The column form's columns of 16 rows, column-major; rows past `valid` are zeros.
FS_AVX512 void Transpose16(const FastForest& f, const float* rows, int64_t valid, float* xt) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const int64_t nf = f.num_features;
  const bool indicators = f.num_columns > 2 * nf;
  for (int64_t r = 0; r < kLanes; ++r) {
    for (int64_t c = 0; c < nf; ++c) {
      const float v = r < valid ? rows[r * nf + c] : 0.0f;
      const bool nan = std::isnan(v);
      xt[c * kLanes + r] = nan ? kInf : v;
      xt[(nf + c) * kLanes + r] = nan ? kInf : -v;
      if (indicators) xt[(2 * nf + c) * kLanes + r] = nan ? 1.0f : 0.0f;
    }
  }
}

// A tile of B blocks of 16 rows: rows [0, valid) of `rows` (valid <= 16 * B). Every tree is read
// once per tile, from L1 for the B blocks. xt and acc_scratch are caller-provided scratch space of
// B * 16 * num_columns and B * 16 * num_outputs floats.
template <int B>
FS_AVX512 void PredictTile(const FastForest& f, const float* rows, int64_t valid, float* margins, float* xt,
                           float* acc_scratch) {
  const size_t xt_stride = static_cast<size_t>(kLanes * f.num_columns);
  const int64_t nf = f.num_features;
  const int64_t no = f.num_outputs;
  std::array<Accumulator16, B> acc;
  for (int b = 0; b < B; ++b) {
    const int64_t in_block = std::clamp<int64_t>(valid - b * kLanes, 0, kLanes);
    Transpose16(f, rows + b * kLanes * nf, in_block, xt + b * xt_stride);
    acc[b].Reset(f, acc_scratch + b * kLanes * no);
  }
  for (const TreeChunk& chunk : f.chunks) {
    if (chunk.layout == TreeLayout::kPerfect) {
      AccumulatePerfectChunk<B>(f, chunk, xt, xt_stride, acc.data());
      continue;
    }
    for (int b = 0; b < B; ++b) AccumulateSparse16(f, f.trees[chunk.first_tree], xt + b * xt_stride, acc[b]);
  }
  for (int b = 0; b < B; ++b) {
    const int64_t in_block = std::clamp<int64_t>(valid - b * kLanes, 0, kLanes);
    acc[b].Store(in_block, margins + b * kLanes * no);
  }
}

// Up to kMaxTileBlocks blocks of 16 rows per pass over the trees, fewer for wide rows.
int64_t TileBlocks(const FastForest& f) {
  const size_t block_bytes = static_cast<size_t>(kLanes * f.num_columns) * sizeof(float);
  return std::clamp<int64_t>(static_cast<int64_t>(kTileBytes / block_bytes), 1, kMaxTileBlocks);
}

using TileFn = void (*)(const FastForest&, const float*, int64_t, float*, float*, float*);
constexpr TileFn kTiles[kMaxTileBlocks] = {PredictTile<1>, PredictTile<2>, PredictTile<3>, PredictTile<4>,
                                           PredictTile<5>, PredictTile<6>, PredictTile<7>, PredictTile<8>};

}  // namespace

int64_t PredictTiles(const FastForest& f, const float* rows, int64_t num_rows, float* margins) {
  if (num_rows < kMinBatchRows) return 0;
  const int64_t nf = f.num_features;
  const int64_t no = f.num_outputs;
  const int64_t tile_rows = TileBlocks(f) * kLanes;
  std::vector<float> xt(static_cast<size_t>(tile_rows * f.num_columns));
  std::vector<float> acc(static_cast<size_t>(tile_rows * no));
  int64_t r = 0;
  for (; num_rows - r >= kMinBatchRows; r += tile_rows) {
    const int64_t valid = std::min(tile_rows, num_rows - r);
    kTiles[(valid + kLanes - 1) / kLanes - 1](f, rows + r * nf, valid, margins + r * no, xt.data(), acc.data());
  }
  return std::min(r, num_rows);
}

}  // namespace finserve::runtime::tree::internal::avx512
