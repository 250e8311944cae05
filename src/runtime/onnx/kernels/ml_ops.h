// Factories of the ai.onnx.ml kernels (ONNX-ML, opsets 1-3):
//   ml_trees.cc       TreeEnsembleClassifier, TreeEnsembleRegressor (on the tree engine)
//   ml_linear.cc      LinearClassifier, LinearRegressor
//   ml_preprocess.cc  Scaler, Normalizer, Imputer, Binarizer
//   ml_encoders.cc    OneHotEncoder, LabelEncoder (opset 1 and 2 forms), ArrayFeatureExtractor
// ZipMap is not a kernel: its output (a sequence of maps) cannot travel over the Open Inference
// Protocol, so zipmap_rewrite.h turns it into tensors before the model is checked.
// Every factory refuses attribute values it does not implement, naming the attribute.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateTreeEnsembleClassifier(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateTreeEnsembleRegressor(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateLinearClassifier(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateLinearRegressor(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateScaler(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateNormalizer(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateImputer(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateBinarizer(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateOneHotEncoder(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateLabelEncoder(const KernelInfo& info);  // opset 1 and 2 forms
Result<std::unique_ptr<Kernel>> CreateArrayFeatureExtractor(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
