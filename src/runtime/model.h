// Model: one loaded, immutable model version that computes output tensors from input tensors.
//
// A Model is created by a Backend, then shared read-only by every request that uses its
// version: Run() is const and thread-safe, and keeps per-call state on the stack or in the
// outputs. Inputs and outputs have the model's own (native) names and signatures; the repository
// layer maps configured names onto them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/data_type.h"
#include "core/status.h"
#include "core/tensor.h"

namespace finserve::runtime {

struct TensorSpec {
  std::string name;
  DataType dtype = DataType::kInvalid;
  std::vector<int64_t> shape;  // -1 marks a dynamic dimension
};

// Which of a model's outputs a call wants (OIP's `outputs` selection). Default: all.
class OutputSelection {
 public:
  static OutputSelection All() { return OutputSelection(); }
  static OutputSelection None(size_t count) {
    OutputSelection s;
    s.all_ = false;
    s.wanted_.assign(count, false);
    return s;
  }
  void Select(size_t index) {
    if (!all_) wanted_.at(index) = true;
  }
  bool wants(size_t index) const { return all_ || (index < wanted_.size() && wanted_[index]); }
  bool all() const { return all_; }

 private:
  bool all_ = true;
  std::vector<bool> wanted_;
};

class Model {
 public:
  virtual ~Model() = default;

  // OIP platform string, e.g. "xgboost_json", "onnx_onnxv1".
  virtual std::string_view platform() const = 0;
  virtual const std::vector<TensorSpec>& inputs() const = 0;
  virtual const std::vector<TensorSpec>& outputs() const = 0;

  // `inputs` holds one view per inputs() entry, in that order, with the declared datatype and a
  // shape that matches the declared one (the caller validates both; a model re-checks what it
  // relies on and returns InvalidArgument, never crashes). `outputs` is resized to outputs().size();
  // wanted entries are filled, the others are left invalid.
  virtual Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
                     std::vector<Tensor>* outputs) const = 0;

  // Names the kernels that ran where they can change bits (e.g. "avx512" vs "reference"),
  // for the audit record. Models whose results never depend on the path say "exact".
  virtual std::string_view kernel_path() const { return "exact"; }
};

}  // namespace finserve::runtime
