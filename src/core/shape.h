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
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  explicit Shape(std::span<const int64_t> dims) : dims_(dims.begin(), dims.end()) {}

  size_t rank() const { return dims_.size(); }
  int64_t dim(size_t i) const { return dims_[i]; }
  int64_t& operator[](size_t i) { return dims_[i]; }
  int64_t operator[](size_t i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  std::span<const int64_t> span() const { return dims_; }

  // Product of the dims; 1 for a scalar. Only meaningful for concrete shapes.
  int64_t num_elements() const;
  bool is_concrete() const;  // no negative dims

  // "[2,3]"
  std::string ToString() const;

  bool operator==(const Shape& other) const = default;

  // Checks that every dim is >= 0 and that the element count fits `max_elements`
  // without overflow. Returns the element count.
  static Result<int64_t> CheckedElementCount(std::span<const int64_t> dims, int64_t max_elements);

  // True if a concrete `actual` matches a declared shape with -1 wildcards.
  static bool Matches(std::span<const int64_t> declared, std::span<const int64_t> actual);

 private:
  std::vector<int64_t> dims_;
};

std::string DimsToString(std::span<const int64_t> dims);

}  // namespace finserve
