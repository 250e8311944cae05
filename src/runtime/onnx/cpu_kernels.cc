// THE table of CPU kernels: one row per (op, domain, opset range) with the element types the
// kernel accepts and its factory. A node is served by the first row whose range contains the
// model's opset for the node's domain and whose type rules accept the node's types; anything
// else is refused at load (kernel_registry.cc says why). To add a kernel, see README.md.
#include "runtime/onnx/kernel_registry.h"
#include "runtime/onnx/kernels/elementwise.h"

namespace finserve::runtime::onnx {
namespace {

constexpr std::string_view kOnnx = "";

const DataTypeSet kFloat = kFloatTypes;
const DataTypeSet kNumeric = kNumericTypes;
const DataTypeSet kSignedNumeric = kSignedNumericTypes;
const DataTypeSet kBool = kBoolType;
const DataTypeSet kAny = kAllTypes;
const DataTypeSet kComparable = kNumericTypes | kBoolType;

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
  };
}

}  // namespace

const KernelRegistry& KernelRegistry::Cpu() {
  static const KernelRegistry* registry = new KernelRegistry(CpuKernelTable());
  return *registry;
}

}  // namespace finserve::runtime::onnx
