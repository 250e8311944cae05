#include "core/shape.h"

#include <string>

namespace finserve {

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

bool Shape::is_concrete() const {
  for (int64_t d : dims_) {
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

std::string Shape::ToString() const { return DimsToString(dims_); }

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
