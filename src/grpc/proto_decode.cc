// ModelInferRequest -> serving::InferRequest (see proto_codec.h for the rules).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/shape.h"
#include "grpc/proto_codec.h"

namespace finserve::grpc {
namespace {

using inference::InferParameter;
using inference::InferTensorContents;
using InputMessage = inference::ModelInferRequest::InferInputTensor;
using ParameterMap = google::protobuf::Map<std::string, InferParameter>;

// --- parameters ---

Result<serving::ParameterValue> DecodeParameter(const InferParameter& p, const std::string& where) {
  switch (p.parameter_choice_case()) {
    case InferParameter::kBoolParam: return serving::ParameterValue(p.bool_param());
    case InferParameter::kInt64Param: return serving::ParameterValue(p.int64_param());
    case InferParameter::kStringParam: return serving::ParameterValue(p.string_param());
    case InferParameter::kDoubleParam: return serving::ParameterValue(p.double_param());
    case InferParameter::kUint64Param:
      if (p.uint64_param() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return InvalidArgument(where + " is out of range");
      }
      return serving::ParameterValue(static_cast<int64_t>(p.uint64_param()));
    case InferParameter::PARAMETER_CHOICE_NOT_SET: break;
  }
  return InvalidArgument(where + " has no value (set one of bool_param, int64_param, string_param, double_param, "
                                 "uint64_param)");
}

// Protobuf maps have no order; parameters are kept sorted by name so answers are reproducible.
Status DecodeParameters(const ParameterMap& map, const std::string& where, serving::Parameters* out) {
  std::vector<const std::string*> names;
  names.reserve(map.size());
  for (const auto& [name, value] : map) names.push_back(&name);
  std::sort(names.begin(), names.end(), [](const auto* a, const auto* b) { return *a < *b; });
  for (const std::string* name : names) {
    FS_ASSIGN_OR_RETURN(serving::ParameterValue value, DecodeParameter(map.at(*name), where + "." + *name));
    out->Set(*name, std::move(value));
  }
  return Status::Ok();
}

// --- typed contents ---

struct ContentField {
  const char* name;
  int (InferTensorContents::*size)() const;
};

constexpr ContentField kContentFields[] = {
    {"bool_contents", &InferTensorContents::bool_contents_size},
    {"int_contents", &InferTensorContents::int_contents_size},
    {"int64_contents", &InferTensorContents::int64_contents_size},
    {"uint_contents", &InferTensorContents::uint_contents_size},
    {"uint64_contents", &InferTensorContents::uint64_contents_size},
    {"fp32_contents", &InferTensorContents::fp32_contents_size},
    {"fp64_contents", &InferTensorContents::fp64_contents_size},
    {"bytes_contents", &InferTensorContents::bytes_contents_size},
};

// The typed field that carries `dtype`, or nullptr (FP16, BF16: raw contents only).
const ContentField* FieldFor(DataType dtype) {
  switch (dtype) {
    case DataType::kBool: return &kContentFields[0];
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32: return &kContentFields[1];
    case DataType::kInt64: return &kContentFields[2];
    case DataType::kUint8:
    case DataType::kUint16:
    case DataType::kUint32: return &kContentFields[3];
    case DataType::kUint64: return &kContentFields[4];
    case DataType::kFp32: return &kContentFields[5];
    case DataType::kFp64: return &kContentFields[6];
    case DataType::kBytes: return &kContentFields[7];
    default: return nullptr;
  }
}

struct TensorContext {
  std::string where;  // "input 'features'"
  DataType dtype;
  std::vector<int64_t> dims;
  int64_t expected;  // elements the shape holds
};

Status ElementError(const TensorContext& c, int64_t index, const std::string& problem) {
  return InvalidArgument(c.where + ": element " + std::to_string(index) + " " + problem);
}

// Copies typed values into a narrower (or equal) integer type, refusing values that do not fit.
template <typename Dst, typename Src>
Status CopyIntegers(const TensorContext& c, const google::protobuf::RepeatedField<Src>& src, Dst* out) {
  for (int i = 0; i < src.size(); ++i) {
    const Src x = src.Get(i);
    if (!std::in_range<Dst>(x)) {
      return ElementError(c, i, "(" + std::to_string(x) + ") is out of range for " + std::string(DataTypeName(c.dtype)));
    }
    out[i] = static_cast<Dst>(x);
  }
  return Status::Ok();
}

template <typename T>
Status CheckFinite(const TensorContext& c, const T* values, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (std::isinf(values[i])) return ElementError(c, i, "is infinite; send finite numbers (NaN marks a missing value)");
  }
  return Status::Ok();
}

// FP16 / BF16 bit patterns: an all-ones exponent with a zero mantissa is an infinity.
Status CheckFiniteHalf(const TensorContext& c, const uint16_t* values, int64_t n, uint16_t infinity_bits) {
  for (int64_t i = 0; i < n; ++i) {
    if ((values[i] & 0x7fff) == infinity_bits) {
      return ElementError(c, i, "is infinite; send finite numbers (NaN marks a missing value)");
    }
  }
  return Status::Ok();
}

Status CheckValues(const TensorContext& c, const Tensor& t) {
  const int64_t n = t.num_elements();
  switch (c.dtype) {
    case DataType::kFp32: return CheckFinite(c, t.data<float>(), n);
    case DataType::kFp64: return CheckFinite(c, t.data<double>(), n);
    case DataType::kFp16: return CheckFiniteHalf(c, t.data<uint16_t>(), n, 0x7c00);
    case DataType::kBf16: return CheckFiniteHalf(c, t.data<uint16_t>(), n, 0x7f80);
    case DataType::kBool:
      for (int64_t i = 0; i < n; ++i) {
        if (t.data<uint8_t>()[i] > 1) return ElementError(c, i, "is not a BOOL byte (0 or 1)");
      }
      return Status::Ok();
    default: return Status::Ok();
  }
}

Status FillTyped(const TensorContext& c, const InferTensorContents& contents, Tensor* t) {
  switch (c.dtype) {
    case DataType::kBool: {
      uint8_t* out = t->data<uint8_t>();
      for (int i = 0; i < contents.bool_contents_size(); ++i) out[i] = contents.bool_contents(i) ? 1 : 0;
      return Status::Ok();
    }
    case DataType::kInt8: return CopyIntegers(c, contents.int_contents(), t->data<int8_t>());
    case DataType::kInt16: return CopyIntegers(c, contents.int_contents(), t->data<int16_t>());
    case DataType::kInt32: return CopyIntegers(c, contents.int_contents(), t->data<int32_t>());
    case DataType::kInt64: return CopyIntegers(c, contents.int64_contents(), t->data<int64_t>());
    case DataType::kUint8: return CopyIntegers(c, contents.uint_contents(), t->data<uint8_t>());
    case DataType::kUint16: return CopyIntegers(c, contents.uint_contents(), t->data<uint16_t>());
    case DataType::kUint32: return CopyIntegers(c, contents.uint_contents(), t->data<uint32_t>());
    case DataType::kUint64: return CopyIntegers(c, contents.uint64_contents(), t->data<uint64_t>());
    case DataType::kFp32: std::copy(contents.fp32_contents().begin(), contents.fp32_contents().end(), t->data<float>()); break;
    case DataType::kFp64: std::copy(contents.fp64_contents().begin(), contents.fp64_contents().end(), t->data<double>()); break;
    default: return Internal(c.where + ": no typed decoder for " + std::string(DataTypeName(c.dtype)));
  }
  return CheckValues(c, *t);
}

Status DecodeTyped(const TensorContext& c, const InferTensorContents& contents, Tensor* t) {
  const ContentField* field = FieldFor(c.dtype);
  if (field == nullptr) {
    if (c.expected > 0) {
      return InvalidArgument(c.where + ": datatype " + std::string(DataTypeName(c.dtype)) +
                             " has no typed contents field; send it in raw_input_contents");
    }
    *t = Tensor::Uninitialized(c.dtype, Shape(c.dims));
    return Status::Ok();
  }
  for (const ContentField& other : kContentFields) {
    if (&other == field || (contents.*other.size)() == 0) continue;
    return InvalidArgument(c.where + ": datatype " + std::string(DataTypeName(c.dtype)) + " takes " + field->name +
                           ", but " + other.name + " is set");
  }
  const int64_t count = (contents.*field->size)();
  if (count != c.expected) {
    return InvalidArgument(c.where + ": shape " + DimsToString(c.dims) + " holds " + std::to_string(c.expected) +
                           " elements but " + field->name + " has " + std::to_string(count));
  }
  if (c.dtype == DataType::kBytes) {
    std::vector<std::string_view> values(contents.bytes_contents().begin(), contents.bytes_contents().end());
    *t = Tensor::FromStrings(Shape(c.dims), std::span<const std::string_view>(values));
    return Status::Ok();
  }
  *t = Tensor::Uninitialized(c.dtype, Shape(c.dims));
  return FillTyped(c, contents, t);
}

// --- raw contents ---

// BYTES elements in raw form: a 4-byte little-endian length, then that many bytes, back to back.
Status DecodeRawBytes(const TensorContext& c, const std::string& raw, Tensor* t) {
  std::vector<std::string_view> values;
  values.reserve(static_cast<size_t>(std::min<int64_t>(c.expected, static_cast<int64_t>(raw.size() / 4) + 1)));
  size_t at = 0;
  for (int64_t i = 0; i < c.expected; ++i) {
    if (raw.size() - at < 4) return ElementError(c, i, "is missing: raw_input_contents ends before its 4-byte length");
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data() + at);
    const uint32_t length = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    at += 4;
    if (raw.size() - at < length) {
      return ElementError(c, i, "claims " + std::to_string(length) + " bytes but only " + std::to_string(raw.size() - at) +
                                    " remain in raw_input_contents");
    }
    values.emplace_back(raw.data() + at, length);
    at += length;
  }
  if (at != raw.size()) {
    return InvalidArgument(c.where + ": raw_input_contents has " + std::to_string(raw.size() - at) +
                           " bytes after the " + std::to_string(c.expected) + " elements its shape " +
                           DimsToString(c.dims) + " holds");
  }
  *t = Tensor::FromStrings(Shape(c.dims), std::span<const std::string_view>(values));
  return Status::Ok();
}

Status DecodeRaw(const TensorContext& c, const std::string& raw, Tensor* t) {
  if (c.dtype == DataType::kBytes) return DecodeRawBytes(c, raw, t);
  const uint64_t needed = static_cast<uint64_t>(c.expected) * DataTypeSize(c.dtype);
  if (raw.size() != needed) {
    return InvalidArgument(c.where + ": raw_input_contents has " + std::to_string(raw.size()) + " bytes but shape " +
                           DimsToString(c.dims) + " of " + std::string(DataTypeName(c.dtype)) + " needs " +
                           std::to_string(needed));
  }
  *t = Tensor::Uninitialized(c.dtype, Shape(c.dims));
  if (needed > 0) std::memcpy(t->raw_data(), raw.data(), needed);  // little-endian host, as the protocol
  return CheckValues(c, *t);
}

// --- inputs and outputs ---

Status DecodeInput(const InputMessage& in, size_t index, const std::string* raw, const DecodeLimits& limits,
                   serving::InferInput* input) {
  if (in.name().empty()) {
    return InvalidArgument("inputs[" + std::to_string(index) + "]: 'name' is required and must be a non-empty string");
  }
  input->name = in.name();
  TensorContext c{"input '" + input->name + "'", DataTypeFromName(in.datatype()), {}, 0};
  if (in.datatype().empty()) return InvalidArgument(c.where + ": 'datatype' is required, such as \"FP32\"");
  if (c.dtype == DataType::kInvalid) {
    return InvalidArgument(c.where + ": unknown datatype '" + in.datatype().substr(0, 64) +
                           "' (expected BOOL, UINT8..UINT64, INT8..INT64, FP16, BF16, FP32, FP64 or BYTES)");
  }
  input->dtype = c.dtype;
  c.dims.assign(in.shape().begin(), in.shape().end());
  for (int64_t d : c.dims) {
    if (d < 0) return InvalidArgument(c.where + ": 'shape' has a negative dimension (" + std::to_string(d) + ")");
  }
  auto count = Shape::CheckedElementCount(c.dims, limits.max_elements_per_tensor);
  if (!count.ok()) return count.status().WithContext(c.where);
  c.expected = *count;
  FS_RETURN_IF_ERROR(DecodeParameters(in.parameters(), c.where + " parameters", &input->parameters));
  if (raw != nullptr) {
    if (in.has_contents()) {
      return InvalidArgument(c.where + ": 'contents' is set although the request uses raw_input_contents; use one "
                                       "or the other for all inputs");
    }
    return DecodeRaw(c, *raw, &input->tensor);
  }
  return DecodeTyped(c, in.contents(), &input->tensor);
}

Status DecodeOutputs(const inference::ModelInferRequest& message, serving::InferRequest* request) {
  for (int i = 0; i < message.outputs_size(); ++i) {
    const auto& out = message.outputs(i);
    const std::string where = "outputs[" + std::to_string(i) + "]";
    if (out.name().empty()) return InvalidArgument(where + ": 'name' is required and must be a non-empty string");
    serving::RequestedOutput requested;
    requested.name = out.name();
    FS_RETURN_IF_ERROR(DecodeParameters(out.parameters(), where + " parameters", &requested.parameters));
    request->outputs.push_back(std::move(requested));
  }
  return Status::Ok();
}

}  // namespace

Status DecodeInferRequest(const inference::ModelInferRequest& message, const DecodeLimits& limits,
                          serving::InferRequest* request) {
  if (message.model_name().empty()) return InvalidArgument("'model_name' is required");
  request->model_name = message.model_name();
  request->model_version = message.model_version();
  request->id = message.id();
  FS_RETURN_IF_ERROR(DecodeParameters(message.parameters(), "'parameters'", &request->parameters));
  const size_t inputs = static_cast<size_t>(message.inputs_size());
  if (inputs == 0) return InvalidArgument("inference request has no 'inputs'");
  if (inputs > limits.max_inputs) {
    return InvalidArgument("request has " + std::to_string(inputs) + " inputs; the limit is " +
                           std::to_string(limits.max_inputs));
  }
  const bool raw = message.raw_input_contents_size() > 0;
  if (raw && static_cast<size_t>(message.raw_input_contents_size()) != inputs) {
    return InvalidArgument("raw_input_contents has " + std::to_string(message.raw_input_contents_size()) +
                           " entries but the request has " + std::to_string(inputs) +
                           " inputs; send one entry per input, in the order of 'inputs'");
  }
  request->inputs.resize(inputs);
  for (size_t i = 0; i < inputs; ++i) {
    const int at = static_cast<int>(i);
    const std::string* contents = raw ? &message.raw_input_contents(at) : nullptr;
    FS_RETURN_IF_ERROR(DecodeInput(message.inputs(at), i, contents, limits, &request->inputs[i]));
  }
  return DecodeOutputs(message, request);
}

bool WantsRawOutputs(const inference::ModelInferRequest& message) { return message.raw_input_contents_size() > 0; }

}  // namespace finserve::grpc
