// Shape: the dimensions of a tensor. In a model's declared signature a dimension may be -1
// (dynamic); a request's or a tensor's shape has concrete dims only. Value type.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace finserve {

class Shape {
 public:
  // Dims held in the object itself up to this rank (no allocation: every request builds a few
  // shapes); a larger rank moves them to the heap.
  static constexpr size_t kInlineRank = 6;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { Assign(dims.begin(), dims.size()); }
  explicit Shape(const std::vector<int64_t>& dims) { Assign(dims.data(), dims.size()); }
  explicit Shape(std::span<const int64_t> dims) { Assign(dims.data(), dims.size()); }
  Shape(const Shape& other) { Assign(other.data(), other.rank_); }
  Shape(Shape&& other) noexcept { MoveFrom(other); }
  Shape& operator=(const Shape& other) {
    if (this != &other) Assign(other.data(), other.rank_);
    return *this;
  }
  Shape& operator=(Shape&& other) noexcept {
    if (this != &other) MoveFrom(other);
    return *this;
  }

  size_t rank() const { return rank_; }
  int64_t dim(size_t i) const { return data()[i]; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  std::span<const int64_t> dims() const { return {data(), rank_}; }
  std::span<const int64_t> span() const { return dims(); }
  void push_back(int64_t dim);

  // Product of the dims; 1 for a scalar. Only meaningful for concrete shapes.
  int64_t num_elements() const;
  bool is_concrete() const;  // no negative dims

  // "[2,3]"
  std::string ToString() const;

  bool operator==(const Shape& other) const;

  // Checks that every dim is >= 0 and that the element count fits `max_elements`
  // without overflow. Returns the element count.
  static Result<int64_t> CheckedElementCount(std::span<const int64_t> dims, int64_t max_elements);

  // True if a concrete `actual` matches a declared shape with -1 wildcards.
  static bool Matches(std::span<const int64_t> declared, std::span<const int64_t> actual);

 private:
  const int64_t* data() const { return rank_ <= kInlineRank ? inline_ : heap_.data(); }
  int64_t* data() { return rank_ <= kInlineRank ? inline_ : heap_.data(); }
  void Assign(const int64_t* dims, size_t rank);
  void MoveFrom(Shape& other);

  size_t rank_ = 0;
  int64_t inline_[kInlineRank] = {};
  std::vector<int64_t> heap_;  // the dims when rank_ > kInlineRank
};

std::string DimsToString(std::span<const int64_t> dims);

}  // namespace finserve
