// THE table of CPU kernels: one row per (op, domain, opset range) with the element types the
// kernel accepts and its factory. A node is served by the first row whose range contains the
// model's opset for the node's domain and whose type rules accept the node's types; anything
// else is refused at load (kernel_registry.cc says why). To add a kernel, see README.md.
#include "runtime/onnx/kernel_registry.h"
#include "runtime/onnx/kernels/dense_ops.h"
#include "runtime/onnx/kernels/elementwise.h"
#include "runtime/onnx/kernels/index_ops.h"
#include "runtime/onnx/kernels/misc_ops.h"
#include "runtime/onnx/kernels/ml_ops.h"
#include "runtime/onnx/kernels/nn_ops.h"
#include "runtime/onnx/kernels/pad.h"
#include "runtime/onnx/kernels/shape_ops.h"

namespace finserve::runtime::onnx {
namespace {

constexpr std::string_view kOnnx = "";
constexpr std::string_view kMl = "ai.onnx.ml";
constexpr bool kAliasesInput = true;  // KernelDef::alias_output0

const DataTypeSet kFloat = kFloatTypes;
const DataTypeSet kNumeric = kNumericTypes;
const DataTypeSet kSignedNumeric = kSignedNumericTypes;
const DataTypeSet kBool = kBoolType;
const DataTypeSet kAny = kAllTypes;
const DataTypeSet kComparable = kNumericTypes | kBoolType;
const DataTypeSet kIndex = kIndexTypes;
const DataTypeSet kInt64 = {DataType::kInt64};
const DataTypeSet kDense = {DataType::kFp32, DataType::kFp64, DataType::kInt32, DataType::kInt64,
                            DataType::kUint32, DataType::kUint64};
const DataTypeSet kCastable = kAllTypes;
const DataTypeSet kFp32 = {DataType::kFp32};
const DataTypeSet kInt32 = {DataType::kInt32};
const DataTypeSet kInt8Uint8 = {DataType::kInt8, DataType::kUint8};
const DataTypeSet kRangeTypes = {DataType::kFp32, DataType::kFp64, DataType::kInt16, DataType::kInt32,
                                 DataType::kInt64};
// ONNX-ML's numeric feature types (T / T1 of the ai.onnx.ml ops).
const DataTypeSet kMlNumeric = {DataType::kFp32, DataType::kFp64, DataType::kInt32, DataType::kInt64};
const DataTypeSet kMlLabel = {DataType::kInt64, DataType::kBytes};

std::vector<KernelDef> CpuKernelTable() {
  return {
      // ---- elementwise unary (kernels/unary.cc)
      {"Abs", kOnnx, 6, 17, {In(0, kNumeric)}, CreateUnary},
      {"Neg", kOnnx, 6, 17, {In(0, kSignedNumeric)}, CreateUnary},
      {"Sqrt", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Exp", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Log", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Erf", kOnnx, 9, 17, {In(0, kFloat)}, CreateUnary},
      {"Reciprocal", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Relu", kOnnx, 6, 13, {In(0, kFloat)}, CreateUnary},
      {"Relu", kOnnx, 14, 17, {In(0, kSignedNumeric)}, CreateUnary},
      {"LeakyRelu", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Sigmoid", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Tanh", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Ceil", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Floor", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Round", kOnnx, 11, 17, {In(0, kFloat)}, CreateUnary},
      {"Sign", kOnnx, 9, 17, {In(0, kNumeric)}, CreateUnary},
      {"Sin", kOnnx, 7, 17, {In(0, kFloat)}, CreateUnary},
      {"Cos", kOnnx, 7, 17, {In(0, kFloat)}, CreateUnary},
      {"Tan", kOnnx, 7, 17, {In(0, kFloat)}, CreateUnary},
      {"Asin", kOnnx, 7, 17, {In(0, kFloat)}, CreateUnary},
      {"Acos", kOnnx, 7, 17, {In(0, kFloat)}, CreateUnary},
      {"Atan", kOnnx, 7, 17, {In(0, kFloat)}, CreateUnary},
      {"Sinh", kOnnx, 9, 17, {In(0, kFloat)}, CreateUnary},
      {"Cosh", kOnnx, 9, 17, {In(0, kFloat)}, CreateUnary},
      {"Asinh", kOnnx, 9, 17, {In(0, kFloat)}, CreateUnary},
      {"Acosh", kOnnx, 9, 17, {In(0, kFloat)}, CreateUnary},
      {"Atanh", kOnnx, 9, 17, {In(0, kFloat)}, CreateUnary},
      {"Softplus", kOnnx, 1, 17, {In(0, kFloat)}, CreateUnary},
      {"Softsign", kOnnx, 1, 17, {In(0, kFloat)}, CreateUnary},
      {"Elu", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Selu", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"Celu", kOnnx, 12, 17, {In(0, kFloat)}, CreateUnary},
      {"HardSigmoid", kOnnx, 6, 17, {In(0, kFloat)}, CreateUnary},
      {"HardSwish", kOnnx, 14, 17, {In(0, kFloat)}, CreateUnary},
      {"ThresholdedRelu", kOnnx, 10, 17, {In(0, kFloat)}, CreateUnary},
      {"Shrink", kOnnx, 9, 17, {In(0, kNumeric)}, CreateUnary},
      {"Not", kOnnx, 1, 17, {In(0, kBool)}, CreateUnary},
      {"IsNaN", kOnnx, 9, 17, {In(0, kFloat)}, CreateIsNaN},
      {"IsInf", kOnnx, 10, 17, {In(0, kFloat)}, CreateIsInf},

      // ---- elementwise binary, numpy broadcasting (kernels/binary.cc, kernels/where_clip.cc)
      {"Add", kOnnx, 7, 17, {In(0, kNumeric)}, CreateArithmetic},
      {"Sub", kOnnx, 7, 17, {In(0, kNumeric)}, CreateArithmetic},
      {"Mul", kOnnx, 7, 17, {In(0, kNumeric)}, CreateArithmetic},
      {"Div", kOnnx, 7, 17, {In(0, kNumeric)}, CreateArithmetic},
      {"Mod", kOnnx, 10, 17, {In(0, kNumeric)}, CreateArithmetic},
      {"Pow", kOnnx, 7, 17, {In(0, {DataType::kFp32, DataType::kFp64, DataType::kInt32, DataType::kInt64}),
                              In(1, kNumeric)}, CreatePow},
      {"PRelu", kOnnx, 7, 17, {In(0, kSignedNumeric)}, CreatePRelu},
      {"Equal", kOnnx, 7, 17, {In(0, kComparable)}, CreateComparison},
      {"Less", kOnnx, 7, 17, {In(0, kNumeric)}, CreateComparison},
      {"Greater", kOnnx, 7, 17, {In(0, kNumeric)}, CreateComparison},
      {"LessOrEqual", kOnnx, 12, 17, {In(0, kNumeric)}, CreateComparison},
      {"GreaterOrEqual", kOnnx, 12, 17, {In(0, kNumeric)}, CreateComparison},
      {"And", kOnnx, 7, 17, {In(0, kBool)}, CreateLogical},
      {"Or", kOnnx, 7, 17, {In(0, kBool)}, CreateLogical},
      {"Xor", kOnnx, 7, 17, {In(0, kBool)}, CreateLogical},
      {"Min", kOnnx, 8, 17, {Out(0, kNumeric)}, CreateVariadic},
      {"Max", kOnnx, 8, 17, {Out(0, kNumeric)}, CreateVariadic},
      {"Sum", kOnnx, 8, 17, {Out(0, kFloat)}, CreateVariadic},
      {"Mean", kOnnx, 8, 17, {Out(0, kFloat)}, CreateVariadic},
      {"Where", kOnnx, 9, 17, {In(0, kBool), In(1, kAny)}, CreateWhere},
      {"Clip", kOnnx, 6, 10, {In(0, kFloat)}, CreateClip},
      {"Clip", kOnnx, 11, 11, {In(0, kFloat)}, CreateClip},
      {"Clip", kOnnx, 12, 17, {In(0, kNumeric)}, CreateClip},

      // ---- softmax family (kernels/topk_softmax.cc): 1-12 coerce to 2-D, 13+ single axis
      {"Softmax", kOnnx, 1, 17, {In(0, kFloat)}, CreateSoftmax},
      {"LogSoftmax", kOnnx, 1, 17, {In(0, kFloat)}, CreateSoftmax},
      {"Hardmax", kOnnx, 1, 17, {In(0, kFloat)}, CreateSoftmax},

      // ---- dense math (kernels/matmul.cc on kernels/gemm.h: Eigen small, oneDNN large)
      {"MatMul", kOnnx, 1, 17, {In(0, kDense)}, CreateMatMul},
      {"Gemm", kOnnx, 7, 17, {In(0, kDense)}, CreateGemm},

      // ---- shape-only and pass-through: output 0 aliases input 0 (kernels/shape_ops.cc)
      {"Identity", kOnnx, 1, 17, {In(0, kAny)}, CreateIdentity, kAliasesInput},
      {"Dropout", kOnnx, 7, 17, {In(0, kFloat)}, CreateDropout, kAliasesInput},
      {"Reshape", kOnnx, 5, 17, {In(0, kAny), In(1, kInt64)}, CreateReshape, kAliasesInput},
      {"Flatten", kOnnx, 1, 17, {In(0, kAny)}, CreateFlatten, kAliasesInput},
      {"Squeeze", kOnnx, 1, 17, {In(0, kAny)}, CreateSqueeze, kAliasesInput},
      {"Unsqueeze", kOnnx, 1, 17, {In(0, kAny)}, CreateUnsqueeze, kAliasesInput},
      {"Shape", kOnnx, 1, 17, {In(0, kAny)}, CreateShape},
      {"Size", kOnnx, 1, 17, {In(0, kAny)}, CreateSize},

      // ---- data movement (kernels/copy_ops.cc)
      {"Transpose", kOnnx, 1, 17, {In(0, kAny)}, CreateTranspose},
      {"Concat", kOnnx, 4, 17, {In(0, kAny)}, CreateConcat},
      {"Split", kOnnx, 2, 17, {In(0, kAny)}, CreateSplit},
      {"Slice", kOnnx, 1, 17, {In(0, kAny), In(1, kIndex)}, CreateSlice},
      {"Gather", kOnnx, 1, 17, {In(0, kAny), In(1, kIndex)}, CreateGather},
      {"Expand", kOnnx, 8, 17, {In(0, kAny)}, CreateExpand},
      {"Tile", kOnnx, 6, 17, {In(0, kAny), In(1, kInt64)}, CreateTile},
      {"Pad", kOnnx, 2, 17, {In(0, kNumeric | kBool)}, CreatePad},

      // ---- generators and Cast (kernels/generator_ops.cc, kernels/cast.cc)
      {"Constant", kOnnx, 1, 17, {Out(0, kAny)}, CreateConstant},
      {"ConstantOfShape", kOnnx, 9, 17, {In(0, kInt64), Out(0, kNumeric | kBool)}, CreateConstantOfShape},
      {"Range", kOnnx, 11, 17, {In(0, kRangeTypes)}, CreateRange},
      {"Cast", kOnnx, 6, 17, {In(0, kCastable), Out(0, kCastable)}, CreateCast},
      {"CastLike", kOnnx, 15, 17, {In(0, kCastable), In(1, kCastable)}, CreateCastLike},

      // ---- reductions, arg-reductions, TopK (kernels/reduce.cc, kernels/topk_softmax.cc)
      {"ReduceSum", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceMean", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceMax", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceMin", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceProd", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceSumSquare", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceL1", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceL2", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceLogSum", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ReduceLogSumExp", kOnnx, 1, 17, {In(0, kNumeric)}, CreateReduce},
      {"ArgMax", kOnnx, 1, 17, {In(0, kNumeric)}, CreateArgMinMax},
      {"ArgMin", kOnnx, 1, 17, {In(0, kNumeric)}, CreateArgMinMax},
      {"TopK", kOnnx, 1, 17, {In(0, kNumeric)}, CreateTopK},

      // ---- index-driven (kernels/index_ops.cc)
      {"CumSum", kOnnx, 11, 17, {In(0, kNumeric), In(1, kIndex)}, CreateCumSum},
      {"OneHot", kOnnx, 9, 17, {In(0, kNumeric), In(1, kNumeric), In(2, kAny)}, CreateOneHot},
      {"Trilu", kOnnx, 14, 17, {In(0, kNumeric | kBool)}, CreateTrilu},
      {"GatherElements", kOnnx, 11, 17, {In(0, kAny), In(1, kIndex)}, CreateGatherElements},
      {"NonZero", kOnnx, 9, 17, {In(0, kNumeric | kBool)}, CreateNonZero},
      {"EyeLike", kOnnx, 9, 17, {Out(0, kNumeric | kBool)}, CreateEyeLike},

      // ---- neural-network layers (kernels/conv.cc, pool.cc, normalization.cc, rnn_kernel.cc):
      // rows split where the signature changed (MaxPool: Indices from 8, int8/uint8 from 12;
      // BatchNormalization: is_test/spatial until 8, training_mode from 14; RNNs: layout from 14)
      {"Conv", kOnnx, 1, 17, {In(0, kFloat)}, CreateConv},
      {"MaxPool", kOnnx, 1, 7, {In(0, kFloat)}, CreateMaxPool},
      {"MaxPool", kOnnx, 8, 11, {In(0, kFloat)}, CreateMaxPool},
      {"MaxPool", kOnnx, 12, 17, {In(0, kFloat | kInt8Uint8)}, CreateMaxPool},
      {"AveragePool", kOnnx, 1, 17, {In(0, kFloat)}, CreateAveragePool},
      {"GlobalAveragePool", kOnnx, 1, 17, {In(0, kFloat)}, CreateGlobalPool},
      {"GlobalMaxPool", kOnnx, 1, 17, {In(0, kFloat)}, CreateGlobalPool},
      {"BatchNormalization", kOnnx, 6, 8, {In(0, kFloat)}, CreateBatchNormalization},
      {"BatchNormalization", kOnnx, 9, 13, {In(0, kFloat)}, CreateBatchNormalization},
      {"BatchNormalization", kOnnx, 14, 17, {In(0, kFloat), In(1, kFloat), In(3, kFloat)}, CreateBatchNormalization},
      {"LayerNormalization", kOnnx, 17, 17, {In(0, kFloat), Out(1, kFp32), Out(2, kFp32)}, CreateLayerNormalization},
      {"LSTM", kOnnx, 7, 13, {In(0, kFloat), In(4, kInt32)}, CreateLstm},
      {"LSTM", kOnnx, 14, 17, {In(0, kFloat), In(4, kInt32)}, CreateLstm},
      {"GRU", kOnnx, 7, 13, {In(0, kFloat), In(4, kInt32)}, CreateGru},
      {"GRU", kOnnx, 14, 17, {In(0, kFloat), In(4, kInt32)}, CreateGru},

      // ---- ai.onnx.ml (kernels/ml_*.cc; trees on the tree engine; ZipMap: zipmap_rewrite.h)
      {"TreeEnsembleClassifier", kMl, 1, 3, {In(0, kMlNumeric), Out(0, kMlLabel)}, CreateTreeEnsembleClassifier},
      {"TreeEnsembleRegressor", kMl, 1, 3, {In(0, kMlNumeric)}, CreateTreeEnsembleRegressor},
      {"LinearClassifier", kMl, 1, 3, {In(0, kMlNumeric), Out(0, kMlLabel)}, CreateLinearClassifier},
      {"LinearRegressor", kMl, 1, 3, {In(0, kMlNumeric)}, CreateLinearRegressor},
      {"Scaler", kMl, 1, 3, {In(0, kMlNumeric)}, CreateScaler},
      {"Normalizer", kMl, 1, 3, {In(0, kMlNumeric)}, CreateNormalizer},
      {"Imputer", kMl, 1, 3, {In(0, kMlNumeric)}, CreateImputer},
      {"Binarizer", kMl, 1, 3, {In(0, kMlNumeric)}, CreateBinarizer},
      {"OneHotEncoder", kMl, 1, 3, {In(0, kMlNumeric | DataTypeSet{DataType::kBytes})}, CreateOneHotEncoder},
      {"LabelEncoder", kMl, 1, 1, {In(0, kMlLabel), Out(0, kMlLabel)}, CreateLabelEncoder},
      {"LabelEncoder", kMl, 2, 3, {In(0, kMlLabel | DataTypeSet{DataType::kFp32})}, CreateLabelEncoder},
      {"ArrayFeatureExtractor", kMl, 1, 3, {In(0, kMlNumeric | DataTypeSet{DataType::kBytes}), In(1, kInt64)},
       CreateArrayFeatureExtractor},
  };
}

}  // namespace

const KernelRegistry& KernelRegistry::Cpu() {
  static const KernelRegistry* registry = new KernelRegistry(CpuKernelTable());
  return *registry;
}

}  // namespace finserve::runtime::onnx
