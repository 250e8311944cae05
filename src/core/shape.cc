#include "core/shape.h"

#include <algorithm>
#include <string>

namespace finserve {

void Shape::Assign(const int64_t* dims, size_t rank) {
  if (rank <= kInlineRank) {
    std::copy(dims, dims + rank, inline_);
    heap_.clear();
  } else {
    heap_.assign(dims, dims + rank);
  }
  rank_ = rank;
}

void Shape::MoveFrom(Shape& other) {
  if (other.rank_ <= kInlineRank) {
    std::copy(other.inline_, other.inline_ + other.rank_, inline_);
    heap_.clear();
  } else {
    heap_ = std::move(other.heap_);
  }
  rank_ = other.rank_;
  other.rank_ = 0;
  other.heap_.clear();
}

void Shape::push_back(int64_t dim) {
  if (rank_ < kInlineRank) {
    inline_[rank_++] = dim;
    return;
  }
  if (rank_ == kInlineRank) heap_.assign(inline_, inline_ + kInlineRank);
  heap_.push_back(dim);
  ++rank_;
}

bool Shape::operator==(const Shape& other) const { return std::ranges::equal(dims(), other.dims()); }

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims()) n *= d;
  return n;
}

bool Shape::is_concrete() const {
  for (int64_t d : dims()) {
    if (d < 0) return false;
  }
  return true;
}

std::string DimsToString(std::span<const int64_t> dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(dims[i]);
  }
  out += ']';
  return out;
}

std::string Shape::ToString() const { return DimsToString(dims()); }

Result<int64_t> Shape::CheckedElementCount(std::span<const int64_t> dims, int64_t max_elements) {
  int64_t n = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      return InvalidArgument("dimension " + std::to_string(i) + " of shape " + DimsToString(dims) +
                             " is negative");
    }
    if (dims[i] != 0 && n > max_elements / dims[i]) {
      return InvalidArgument("shape " + DimsToString(dims) + " has more than " + std::to_string(max_elements) +
                             " elements");
    }
    n *= dims[i];
  }
  return n;
}

bool Shape::Matches(std::span<const int64_t> declared, std::span<const int64_t> actual) {
  if (declared.size() != actual.size()) return false;
  for (size_t i = 0; i < declared.size(); ++i) {
    if (declared[i] >= 0 && declared[i] != actual[i]) return false;
  }
  return true;
}

}  // namespace finserve
