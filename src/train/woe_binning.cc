#include "train/woe_binning.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "train/metrics.h"

namespace finserve::train {
namespace {

using runtime::linear::Characteristic;
using runtime::linear::ScorecardBin;

struct Cell {
  double upper = 0;        // numeric
  std::vector<int> codes;  // categorical
  double goods = 0, bads = 0;
  double rows() const { return goods + bads; }
};

struct Totals {
  double goods = 0, bads = 0;
};

double Woe(const Cell& c, const Totals& t) {
  return std::log(((c.goods + 0.5) / (t.goods + 0.5)) / ((c.bads + 0.5) / (t.bads + 0.5)));
}

double InformationValue(const std::vector<Cell>& cells, const Totals& t) {
  double iv = 0;
  for (const auto& c : cells) iv += ((c.goods + 0.5) / (t.goods + 0.5) - (c.bads + 0.5) / (t.bads + 0.5)) * Woe(c, t);
  return iv;
}

void MergeInto(std::vector<Cell>* cells, size_t keep, size_t drop) {
  Cell& k = (*cells)[keep];
  const Cell& d = (*cells)[drop];
  k.goods += d.goods;
  k.bads += d.bads;
  k.upper = std::max(k.upper, d.upper);
  k.codes.insert(k.codes.end(), d.codes.begin(), d.codes.end());
  cells->erase(cells->begin() + static_cast<std::ptrdiff_t>(drop));
}

// Merges the first adjacent pair that breaks `increasing` WOE until none does.
void MakeMonotone(std::vector<Cell>* cells, const Totals& t, bool increasing) {
  for (bool changed = true; changed && cells->size() > 1;) {
    changed = false;
    for (size_t i = 0; i + 1 < cells->size(); ++i) {
      const double a = Woe((*cells)[i], t), b = Woe((*cells)[i + 1], t);
      if (increasing ? b < a : b > a) {
        MergeInto(cells, i, i + 1);
        changed = true;
        break;
      }
    }
  }
}

// Merges bins that are too small (or lack goods or bads) into their neighbour with closer WOE.
void MergeSmall(std::vector<Cell>* cells, const Totals& t, double min_rows) {
  for (bool changed = true; changed && cells->size() > 1;) {
    changed = false;
    for (size_t i = 0; i < cells->size(); ++i) {
      const Cell& c = (*cells)[i];
      if (c.rows() >= min_rows && c.goods > 0 && c.bads > 0) continue;
      size_t other = i == 0 ? 1 : i - 1;
      if (i > 0 && i + 1 < cells->size() &&
          std::abs(Woe((*cells)[i + 1], t) - Woe(c, t)) < std::abs(Woe((*cells)[i - 1], t) - Woe(c, t))) {
        other = i + 1;
      }
      MergeInto(cells, std::min(i, other), std::max(i, other));
      changed = true;
      break;
    }
  }
}

std::vector<Cell> NumericCells(std::span<const float> values, std::span<const float> labels, int bins) {
  std::vector<double> present;
  for (float v : values) {
    if (!std::isnan(v)) present.push_back(v);
  }
  std::vector<double> edges = QuantileEdges(present, bins);
  std::vector<Cell> cells(edges.size() + 1);
  for (size_t i = 0; i < edges.size(); ++i) cells[i].upper = edges[i];
  cells.back().upper = std::numeric_limits<double>::infinity();
  for (size_t r = 0; r < values.size(); ++r) {
    if (std::isnan(values[r])) continue;
    // value <= upper: first edge not below the value.
    const size_t b = static_cast<size_t>(std::lower_bound(edges.begin(), edges.end(), static_cast<double>(values[r])) - edges.begin());
    (labels[r] > 0.5f ? cells[b].bads : cells[b].goods) += 1;
  }
  std::erase_if(cells, [](const Cell& c) { return c.rows() == 0 && !std::isinf(c.upper); });
  return cells;
}

std::vector<Cell> CategoryCells(std::span<const float> values, std::span<const float> labels, const Totals& t) {
  std::map<int, Cell> by_code;
  for (size_t r = 0; r < values.size(); ++r) {
    if (std::isnan(values[r])) continue;
    Cell& c = by_code[static_cast<int>(values[r])];
    c.codes = {static_cast<int>(values[r])};
    (labels[r] > 0.5f ? c.bads : c.goods) += 1;
  }
  std::vector<Cell> cells;
  for (auto& [code, cell] : by_code) cells.push_back(cell);
  std::stable_sort(cells.begin(), cells.end(), [&](const Cell& a, const Cell& b) { return Woe(a, t) < Woe(b, t); });
  return cells;
}

}  // namespace

double BinCharacteristic(std::span<const float> values, std::span<const float> labels, const BinningOptions& options,
                         Characteristic* ch) {
  Totals all, missing;
  for (size_t r = 0; r < values.size(); ++r) {
    const bool bad = labels[r] > 0.5f;
    (bad ? all.bads : all.goods) += 1;
    if (std::isnan(values[r])) (bad ? missing.bads : missing.goods) += 1;
  }
  const double min_rows = options.min_bin_share * static_cast<double>(values.size());
  std::vector<Cell> cells;
  if (ch->categorical) {
    cells = CategoryCells(values, labels, all);
    MergeSmall(&cells, all, min_rows);
    MakeMonotone(&cells, all, true);
    // Categories never seen in training join the bin with WOE closest to 0 (the neutral bin).
    size_t neutral = 0;
    for (size_t i = 1; i < cells.size(); ++i) {
      if (std::abs(Woe(cells[i], all)) < std::abs(Woe(cells[neutral], all))) neutral = i;
    }
    std::vector<bool> seen(ch->categories.size(), false);
    for (const auto& c : cells) for (int code : c.codes) seen[static_cast<size_t>(code)] = true;
    for (size_t k = 0; k < seen.size(); ++k) {
      if (!seen[k] && !cells.empty()) cells[neutral].codes.push_back(static_cast<int>(k));
    }
    for (auto& c : cells) std::sort(c.codes.begin(), c.codes.end());
  } else {
    const std::vector<Cell> fine = NumericCells(values, labels, options.initial_bins);
    std::vector<Cell> up = fine, down = fine;
    MergeSmall(&up, all, min_rows);
    MakeMonotone(&up, all, true);
    MergeSmall(&down, all, min_rows);
    MakeMonotone(&down, all, false);
    const bool pick_up = up.size() != down.size() ? up.size() > down.size()
                                                   : InformationValue(up, all) >= InformationValue(down, all);
    cells = pick_up ? up : down;
    cells.back().upper = std::numeric_limits<double>::infinity();
  }
  ch->bins.clear();
  for (const auto& c : cells) {
    ScorecardBin bin;
    bin.upper = c.upper;
    bin.codes = c.codes;
    bin.woe = Woe(c, all);
    ch->bins.push_back(std::move(bin));
  }
  const double missing_rows = missing.goods + missing.bads;
  ch->missing_woe = missing_rows > 0 ? std::log(((missing.goods + 0.5) / (all.goods + 0.5)) / ((missing.bads + 0.5) / (all.bads + 0.5))) : 0.0;
  std::vector<Cell> with_missing = cells;
  if (missing_rows > 0) with_missing.push_back(Cell{0, {}, missing.goods, missing.bads});
  return InformationValue(with_missing, all);
}

}  // namespace finserve::train
