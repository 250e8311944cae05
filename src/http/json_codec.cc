#include "http/json_codec.h"

#include <simdjson.h>

#include <cfloat>
#include <cmath>
#include <limits>

#include "core/float16.h"
#include "http/binary_tensors.h"

namespace finserve::http {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using serving::InferInput;
using serving::InferRequest;
using serving::Parameters;

simdjson::dom::parser& ThreadParser(size_t max_depth) {
  thread_local simdjson::dom::parser parser;
  thread_local size_t depth = 0;
  if (depth != max_depth) {
    auto error = parser.allocate(std::max<size_t>(parser.capacity(), 4096), max_depth);
    (void)error;  // a failed allocation resurfaces as MEMALLOC from parse()
    depth = max_depth;
  }
  return parser;
}

std::string_view TypeWord(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "a value";
}

Status ParseDocument(std::string_view body, size_t max_depth, element* doc) {
  auto& parser = ThreadParser(max_depth);
  auto error = parser.parse(body.data(), body.size()).get(*doc);
  if (error == simdjson::DEPTH_ERROR) {
    return InvalidArgument("request JSON is nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (error) {
    return InvalidArgument(std::string("malformed JSON in request body: ") + simdjson::error_message(error));
  }
  return Status::Ok();
}

Status DecodeParameters(element value, std::string_view where, Parameters* out) {
  simdjson::dom::object obj;
  if (value.get(obj)) return InvalidArgument(std::string(where) + " must be an object, got " + std::string(TypeWord(value.type())));
  for (auto [key, v] : obj) {
    std::string name(key);
    switch (v.type()) {
      case element_type::BOOL: out->Set(name, bool(v.get_bool().value_unsafe())); break;
      case element_type::INT64: out->Set(name, v.get_int64().value_unsafe()); break;
      case element_type::UINT64: {
        const uint64_t u = v.get_uint64().value_unsafe();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return InvalidArgument(std::string(where) + "." + name + " is out of range");
        }
        out->Set(name, static_cast<int64_t>(u));
        break;
      }
      case element_type::DOUBLE: out->Set(name, v.get_double().value_unsafe()); break;
      case element_type::STRING: out->Set(name, std::string(v.get_string().value_unsafe())); break;
      default:
        return InvalidArgument(std::string(where) + "." + name + " must be a string, number or boolean, got " +
                               std::string(TypeWord(v.type())));
    }
  }
  return Status::Ok();
}

// --- tensor data: walks nested arrays in row-major order, converting each leaf ---

struct DataContext {
  const std::string& where;  // "input 'features'" (outlives the context)
  DataType dtype;
  int64_t expected;
  int64_t count = 0;
};

Status ElementError(const DataContext& c, std::string_view problem) {
  return InvalidArgument(c.where + ": element " + std::to_string(c.count) + " " + std::string(problem));
}

Result<double> AsNumber(const DataContext& c, element v) {
  switch (v.type()) {
    case element_type::INT64: return static_cast<double>(v.get_int64().value_unsafe());
    case element_type::UINT64: return static_cast<double>(v.get_uint64().value_unsafe());
    case element_type::DOUBLE: return v.get_double().value_unsafe();
    case element_type::NULL_VALUE:
      if (IsFloating(c.dtype)) return std::numeric_limits<double>::quiet_NaN();  // missing value
      return ElementError(c, "is null; only floating-point inputs accept null (a missing value)");
    default:
      return ElementError(c, "is " + std::string(TypeWord(v.type())) + ", expected a number (" +
                                 std::string(DataTypeName(c.dtype)) + ")");
  }
}

template <typename T>
Result<T> AsInteger(const DataContext& c, element v) {
  constexpr auto kMin = std::numeric_limits<T>::min();
  constexpr auto kMax = std::numeric_limits<T>::max();
  const std::string range = " out of range for " + std::string(DataTypeName(c.dtype));
  switch (v.type()) {
    case element_type::INT64: {
      const int64_t x = v.get_int64().value_unsafe();
      if ((std::is_signed_v<T> && x < static_cast<int64_t>(kMin)) || (!std::is_signed_v<T> && x < 0) ||
          (x > 0 && static_cast<uint64_t>(x) > static_cast<uint64_t>(kMax))) {
        return ElementError(c, "(" + std::to_string(x) + ") is" + range);
      }
      return static_cast<T>(x);
    }
    case element_type::UINT64: {
      const uint64_t x = v.get_uint64().value_unsafe();
      if (x > static_cast<uint64_t>(kMax)) return ElementError(c, "(" + std::to_string(x) + ") is" + range);
      return static_cast<T>(x);
    }
    case element_type::DOUBLE: {
      const double x = v.get_double().value_unsafe();
      if (x != std::trunc(x) || std::fabs(x) > 9007199254740992.0) {
        return ElementError(c, "is not an integer, expected " + std::string(DataTypeName(c.dtype)));
      }
      if (x < static_cast<double>(kMin) || x > static_cast<double>(kMax)) return ElementError(c, "is" + range);
      return static_cast<T>(x);
    }
    case element_type::NULL_VALUE:
      return ElementError(c, "is null; only floating-point inputs accept null (a missing value)");
    default:
      return ElementError(c, "is " + std::string(TypeWord(v.type())) + ", expected an integer (" +
                                 std::string(DataTypeName(c.dtype)) + ")");
  }
}

template <typename Store>
Status WalkData(DataContext& c, element v, const Store& store) {
  if (v.type() == element_type::ARRAY) {
    const simdjson::dom::array items = v.get_array().value_unsafe();
    for (element item : items) FS_RETURN_IF_ERROR(WalkData(c, item, store));
    return Status::Ok();
  }
  if (c.count >= c.expected) {
    return InvalidArgument(c.where + ": data has more than the " + std::to_string(c.expected) +
                           " elements its shape holds");
  }
  FS_RETURN_IF_ERROR(store(v));
  ++c.count;
  return Status::Ok();
}

// The usual payload, one flat array holding exactly the shape's numbers, read without a Result per
// element. Anything else (nested arrays, null, a wrong count or type, FP32 overflow) returns false
// and the general walk below reads it again and says what is wrong.
template <typename T>
bool FillFlatFloating(DataContext& c, element data, T* out) {
  simdjson::dom::array items;
  if (data.get(items) || static_cast<int64_t>(items.size()) != c.expected) return false;
  T* next = out;
  for (element v : items) {
    double x;
    switch (v.type()) {
      case element_type::DOUBLE: x = v.get_double().value_unsafe(); break;
      case element_type::INT64: x = static_cast<double>(v.get_int64().value_unsafe()); break;
      case element_type::UINT64: x = static_cast<double>(v.get_uint64().value_unsafe()); break;
      default: return false;
    }
    if constexpr (sizeof(T) == 4) {
      if (std::fabs(x) > FLT_MAX) return false;
    }
    *next++ = static_cast<T>(x);
  }
  c.count = c.expected;
  return true;
}

template <typename T>
Status FillNumeric(DataContext& c, element data, T* out) {
  if constexpr (std::is_floating_point_v<T>) {
    if (FillFlatFloating(c, data, out)) return Status::Ok();
  }
  return WalkData(c, data, [&](element v) -> Status {
    if constexpr (std::is_floating_point_v<T>) {
      FS_ASSIGN_OR_RETURN(double x, AsNumber(c, v));
      if constexpr (sizeof(T) == 4) {
        if (std::isfinite(x) && std::fabs(x) > FLT_MAX) {
          return ElementError(c, "(" + std::to_string(x) + ") is out of range for FP32");
        }
      }
      out[c.count] = static_cast<T>(x);
    } else {
      FS_ASSIGN_OR_RETURN(T x, AsInteger<T>(c, v));
      out[c.count] = x;
    }
    return Status::Ok();
  });
}

Status FillTensor(DataContext& c, element data, Tensor* tensor) {
  switch (c.dtype) {
    case DataType::kFp32: return FillNumeric(c, data, tensor->data<float>());
    case DataType::kFp64: return FillNumeric(c, data, tensor->data<double>());
    case DataType::kInt8: return FillNumeric(c, data, tensor->data<int8_t>());
    case DataType::kInt16: return FillNumeric(c, data, tensor->data<int16_t>());
    case DataType::kInt32: return FillNumeric(c, data, tensor->data<int32_t>());
    case DataType::kInt64: return FillNumeric(c, data, tensor->data<int64_t>());
    case DataType::kUint8: return FillNumeric(c, data, tensor->data<uint8_t>());
    case DataType::kUint16: return FillNumeric(c, data, tensor->data<uint16_t>());
    case DataType::kUint32: return FillNumeric(c, data, tensor->data<uint32_t>());
    case DataType::kUint64: return FillNumeric(c, data, tensor->data<uint64_t>());
    case DataType::kFp16: {
      uint16_t* out = tensor->data<uint16_t>();
      return WalkData(c, data, [&](element v) -> Status {
        FS_ASSIGN_OR_RETURN(double x, AsNumber(c, v));
        out[c.count] = FloatToHalf(static_cast<float>(x));
        return Status::Ok();
      });
    }
    case DataType::kBool: {
      uint8_t* out = tensor->data<uint8_t>();
      return WalkData(c, data, [&](element v) -> Status {
        if (v.type() != element_type::BOOL) {
          return ElementError(c, "is " + std::string(TypeWord(v.type())) + ", expected true or false (BOOL)");
        }
        out[c.count] = v.get_bool().value_unsafe() ? 1 : 0;
        return Status::Ok();
      });
    }
    default:
      return InvalidArgument(c.where + ": datatype " + std::string(DataTypeName(c.dtype)) +
                             " cannot be sent as JSON data");
  }
}

Status DecodeBytes(DataContext& c, element data, Tensor* tensor, const Shape& shape) {
  std::vector<std::string_view> values;
  values.reserve(static_cast<size_t>(c.expected));
  FS_RETURN_IF_ERROR(WalkData(c, data, [&](element v) -> Status {
    if (v.type() != element_type::STRING) {
      return ElementError(c, "is " + std::string(TypeWord(v.type())) + ", expected a string (BYTES)");
    }
    values.push_back(v.get_string().value_unsafe());
    return Status::Ok();
  }));
  if (c.count == c.expected) *tensor = Tensor::FromStrings(shape, std::span<const std::string_view>(values));
  return Status::Ok();
}

Result<Shape> DecodeShape(element value, const std::string& where) {
  simdjson::dom::array arr;
  if (value.get(arr)) return InvalidArgument(where + ": 'shape' must be an array of integers");
  Shape shape;
  for (element d : arr) {
    int64_t x = 0;
    if (d.type() == element_type::UINT64) return InvalidArgument(where + ": 'shape' has a dimension too large");
    if (d.get(x)) return InvalidArgument(where + ": 'shape' must be an array of integers, found " + std::string(TypeWord(d.type())));
    if (x < 0) return InvalidArgument(where + ": 'shape' has a negative dimension (" + std::to_string(x) + ")");
    shape.push_back(x);
  }
  return shape;
}

// Binary tensor extension: the input's bytes follow the JSON (binary_data_size in its parameters).
Status TakeBinary(const std::string& where, const Shape& dims, int64_t count, std::string_view* binary,
                  InferInput* input) {
  const serving::ParameterValue* size_param = input->parameters.Find("binary_data_size");
  const int64_t* size = size_param ? std::get_if<int64_t>(size_param) : nullptr;
  if (size == nullptr) return InvalidArgument(where + ": 'data' is required (or binary data with parameters.binary_data_size)");
  if (*size < 0 || static_cast<uint64_t>(*size) > binary->size()) {
    return InvalidArgument(where + ": binary_data_size " + std::to_string(*size) + " exceeds the " +
                           std::to_string(binary->size()) + " bytes of binary data left after the JSON header");
  }
  Result<Tensor> tensor = TensorFromBinary(input->dtype, dims, count, binary->substr(0, static_cast<size_t>(*size)));
  if (!tensor.ok()) return tensor.status().WithContext(where);
  input->tensor = std::move(tensor).value();
  binary->remove_prefix(static_cast<size_t>(*size));
  return Status::Ok();
}

Status DecodeInput(element value, size_t index, const DecodeLimits& limits, std::string_view* binary,
                   InferInput* input) {
  std::string where = "inputs[" + std::to_string(index) + "]";
  simdjson::dom::object obj;
  if (value.get(obj)) return InvalidArgument(where + " must be an object");
  element name, shape, datatype, data, parameters;
  bool has_name = false, has_shape = false, has_datatype = false, has_data = false, has_parameters = false;
  for (auto [key, v] : obj) {
    if (key == "name") name = v, has_name = true;
    else if (key == "shape") shape = v, has_shape = true;
    else if (key == "datatype") datatype = v, has_datatype = true;
    else if (key == "data") data = v, has_data = true;
    else if (key == "parameters") parameters = v, has_parameters = true;
    else return InvalidArgument(where + ": unknown field '" + std::string(key) + "' (expected name, shape, datatype, data, parameters)");
  }
  std::string_view text;
  if (!has_name || name.get(text) || text.empty()) {
    return InvalidArgument(where + ": 'name' is required and must be a non-empty string");
  }
  input->name = std::string(text);
  where = "input '" + input->name + "'";
  if (!has_datatype || datatype.get(text)) {
    return InvalidArgument(where + ": 'datatype' is required and must be a string such as \"FP32\"");
  }
  input->dtype = DataTypeFromName(text);
  if (input->dtype == DataType::kInvalid) {
    return InvalidArgument(where + ": unknown datatype '" + std::string(text) +
                           "' (expected BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64 or BYTES)");
  }
  if (!has_shape) return InvalidArgument(where + ": 'shape' is required");
  FS_ASSIGN_OR_RETURN(Shape dims, DecodeShape(shape, where));
  auto count = Shape::CheckedElementCount(dims.span(), limits.max_elements_per_tensor);
  if (!count.ok()) return count.status().WithContext(where);
  if (has_parameters) FS_RETURN_IF_ERROR(DecodeParameters(parameters, where + " parameters", &input->parameters));
  if (!has_data) {
    return TakeBinary(where, dims, *count, binary, input);
  }
  DataContext c{where, input->dtype, *count};
  if (input->dtype == DataType::kBytes) {
    FS_RETURN_IF_ERROR(DecodeBytes(c, data, &input->tensor, dims));
  } else {
    input->tensor = Tensor::Uninitialized(input->dtype, dims);
    FS_RETURN_IF_ERROR(FillTensor(c, data, &input->tensor));
  }
  if (c.count != c.expected) {
    return InvalidArgument(where + ": shape " + dims.ToString() + " holds " + std::to_string(c.expected) +
                           " elements but 'data' has " + std::to_string(c.count));
  }
  return Status::Ok();
}

Status DecodeOutputs(element value, InferRequest* request) {
  simdjson::dom::array arr;
  if (value.get(arr)) return InvalidArgument("'outputs' must be an array of objects, got " + std::string(TypeWord(value.type())));
  size_t i = 0;
  for (element item : arr) {
    const std::string where = "outputs[" + std::to_string(i++) + "]";
    simdjson::dom::object obj;
    if (item.get(obj)) return InvalidArgument(where + " must be an object with a 'name'");
    serving::RequestedOutput out;
    for (auto [key, v] : obj) {
      if (key == "name") {
        std::string_view text;
        if (v.get(text) || text.empty()) return InvalidArgument(where + ": 'name' must be a non-empty string");
        out.name = std::string(text);
      } else if (key == "parameters") {
        FS_RETURN_IF_ERROR(DecodeParameters(v, where + " parameters", &out.parameters));
      } else {
        return InvalidArgument(where + ": unknown field '" + std::string(key) + "' (expected name, parameters)");
      }
    }
    if (out.name.empty()) return InvalidArgument(where + ": 'name' is required");
    request->outputs.push_back(std::move(out));
  }
  return Status::Ok();
}

}  // namespace

Status DecodeInferRequest(std::string_view body, const DecodeLimits& limits, InferRequest* request) {
  return DecodeInferRequest(body, std::string_view(), limits, request);
}

Status DecodeInferRequest(std::string_view body, std::string_view binary, const DecodeLimits& limits,
                          InferRequest* request) {
  element doc;
  FS_RETURN_IF_ERROR(ParseDocument(body, limits.max_depth, &doc));
  simdjson::dom::object obj;
  if (doc.get(obj)) return InvalidArgument("request body must be a JSON object, got " + std::string(TypeWord(doc.type())));
  bool has_inputs = false;
  for (auto [key, value] : obj) {
    if (key == "id") {
      std::string_view id;
      if (value.get(id)) return InvalidArgument("'id' must be a string, got " + std::string(TypeWord(value.type())));
      request->id = std::string(id);
    } else if (key == "parameters") {
      FS_RETURN_IF_ERROR(DecodeParameters(value, "'parameters'", &request->parameters));
    } else if (key == "inputs") {
      simdjson::dom::array inputs;
      if (value.get(inputs)) return InvalidArgument("'inputs' must be an array, got " + std::string(TypeWord(value.type())));
      if (inputs.size() > limits.max_inputs) {
        return InvalidArgument("request has " + std::to_string(inputs.size()) + " inputs; the limit is " +
                               std::to_string(limits.max_inputs));
      }
      has_inputs = true;
      request->inputs.resize(inputs.size());
      size_t i = 0;
      for (element input : inputs) {
        FS_RETURN_IF_ERROR(DecodeInput(input, i, limits, &binary, &request->inputs[i]));
        ++i;
      }
    } else if (key == "outputs") {
      FS_RETURN_IF_ERROR(DecodeOutputs(value, request));
    } else {
      return InvalidArgument("unknown field '" + std::string(key) +
                             "' in inference request (expected id, parameters, inputs, outputs)");
    }
  }
  if (!has_inputs) return InvalidArgument("inference request has no 'inputs'");
  if (!binary.empty()) {
    return InvalidArgument(std::to_string(binary.size()) +
                           " bytes of binary data after the JSON header belong to no input (binary_data_size)");
  }
  return Status::Ok();
}

Status DecodeRepositoryIndexRequest(std::string_view body, bool* ready_only) {
  *ready_only = false;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status::Ok();
  element doc;
  FS_RETURN_IF_ERROR(ParseDocument(body, 8, &doc));
  simdjson::dom::object obj;
  if (doc.get(obj)) return InvalidArgument("repository index body must be a JSON object");
  for (auto [key, value] : obj) {
    if (key != "ready") return InvalidArgument("unknown field '" + std::string(key) + "' (expected ready)");
    bool ready = false;
    if (value.get(ready)) return InvalidArgument("'ready' must be a boolean");
    *ready_only = ready;
  }
  return Status::Ok();
}

Status DecodeRepositoryControlRequest(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status::Ok();
  element doc;
  FS_RETURN_IF_ERROR(ParseDocument(body, 16, &doc));
  simdjson::dom::object obj;
  if (doc.get(obj)) return InvalidArgument("request body must be a JSON object");
  for (auto [key, value] : obj) {
    if (key != "parameters") return InvalidArgument("unknown field '" + std::string(key) + "' (expected parameters)");
    simdjson::dom::object params;
    if (value.get(params)) return InvalidArgument("'parameters' must be an object");
    if (params["config"].error() == simdjson::SUCCESS) {
      return Unimplemented("loading with a config override is not supported; edit the model's config.yaml");
    }
  }
  return Status::Ok();
}

void EncodeTensorData(const TensorView& t, JsonWriter* w) {
  const int64_t n = t.num_elements();
  w->BeginArray();
  switch (t.dtype) {
    case DataType::kFp32: for (int64_t i = 0; i < n; ++i) w->Float(t.data_as<float>()[i]); break;
    case DataType::kFp64: for (int64_t i = 0; i < n; ++i) w->Double(t.data_as<double>()[i]); break;
    case DataType::kFp16: for (int64_t i = 0; i < n; ++i) w->Float(HalfToFloat(t.data_as<uint16_t>()[i])); break;
    case DataType::kBf16: for (int64_t i = 0; i < n; ++i) w->Float(Bfloat16ToFloat(t.data_as<uint16_t>()[i])); break;
    case DataType::kInt8: for (int64_t i = 0; i < n; ++i) w->Int(t.data_as<int8_t>()[i]); break;
    case DataType::kInt16: for (int64_t i = 0; i < n; ++i) w->Int(t.data_as<int16_t>()[i]); break;
    case DataType::kInt32: for (int64_t i = 0; i < n; ++i) w->Int(t.data_as<int32_t>()[i]); break;
    case DataType::kInt64: for (int64_t i = 0; i < n; ++i) w->Int(t.data_as<int64_t>()[i]); break;
    case DataType::kUint8: for (int64_t i = 0; i < n; ++i) w->Uint(t.data_as<uint8_t>()[i]); break;
    case DataType::kUint16: for (int64_t i = 0; i < n; ++i) w->Uint(t.data_as<uint16_t>()[i]); break;
    case DataType::kUint32: for (int64_t i = 0; i < n; ++i) w->Uint(t.data_as<uint32_t>()[i]); break;
    case DataType::kUint64: for (int64_t i = 0; i < n; ++i) w->Uint(t.data_as<uint64_t>()[i]); break;
    case DataType::kBool: for (int64_t i = 0; i < n; ++i) w->Bool(t.data_as<uint8_t>()[i] != 0); break;
    case DataType::kBytes: for (int64_t i = 0; i < n; ++i) w->String(t.string_at(i)); break;
    case DataType::kInvalid: break;
  }
  w->EndArray();
}

void EncodeParameters(const Parameters& parameters, JsonWriter* w) {
  for (const auto& [key, value] : parameters.items()) {
    w->Key(key);
    std::visit([w](const auto& v) {
      using V = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<V, bool>) w->Bool(v);
      else if constexpr (std::is_same_v<V, int64_t>) w->Int(v);
      else if constexpr (std::is_same_v<V, double>) w->Double(v);
      else w->String(v);
    }, value);
  }
}

namespace {
void EncodeShape(std::span<const int64_t> shape, JsonWriter* w) {
  w->BeginArray();
  for (int64_t d : shape) w->Int(d);
  w->EndArray();
}

void EncodeTensorMetadata(const std::vector<serving::TensorMetadata>& tensors, JsonWriter* w) {
  w->BeginArray();
  for (const auto& t : tensors) {
    w->BeginObject().Field("name", t.name).Field("datatype", DataTypeName(t.dtype)).Key("shape");
    EncodeShape(t.shape, w);
    if (!t.features.empty()) {
      w->Key("features").BeginArray();
      for (const auto& f : t.features) w->String(f);
      w->EndArray();
    }
    w->EndObject();
  }
  w->EndArray();
}
}  // namespace

void EncodeInferResponse(const serving::InferResponse& r, JsonWriter* w) { EncodeInferResponse(r, nullptr, w, nullptr); }

void EncodeInferResponse(const serving::InferResponse& r, const std::vector<bool>* binary_outputs, JsonWriter* w,
                         std::string* blobs) {
  w->BeginObject();
  w->Field("model_name", r.model_name).Field("model_version", std::to_string(r.model_version));
  if (!r.id.empty()) w->Field("id", r.id);
  w->Key("parameters").BeginObject();
  w->Field("model_sha256", r.model_sha256).Field("config_sha256", r.config_sha256);
  EncodeParameters(r.parameters, w);
  w->EndObject();
  w->Key("outputs").BeginArray();
  for (const auto& out : r.outputs) {
    const TensorView view = out.tensor.view();
    w->BeginObject().Field("name", out.name).Field("datatype", DataTypeName(view.dtype)).Key("shape");
    EncodeShape(view.shape, w);
    const size_t index = static_cast<size_t>(&out - r.outputs.data());
    if (binary_outputs != nullptr && index < binary_outputs->size() && (*binary_outputs)[index]) {
      const size_t before = blobs->size();
      AppendTensorBytes(view, blobs);
      w->Key("parameters").BeginObject().Field("binary_data_size", static_cast<int64_t>(blobs->size() - before));
      w->EndObject();
    } else {
      w->Key("data");
      EncodeTensorData(view, w);
    }
    w->EndObject();
  }
  w->EndArray().EndObject();
}

void EncodeModelMetadata(const serving::ModelMetadata& m, JsonWriter* w) {
  w->BeginObject().Field("name", m.name).Key("versions").BeginArray();
  for (const auto& v : m.versions) w->String(v);
  w->EndArray().Field("platform", m.platform);
  w->Key("inputs");
  EncodeTensorMetadata(m.inputs, w);
  w->Key("outputs");
  EncodeTensorMetadata(m.outputs, w);
  if (!m.raw_inputs.empty()) {
    // finserve addition: the raw applicant columns accepted in place of `inputs`.
    w->Key("raw_inputs").BeginArray();
    for (const auto& r : m.raw_inputs) {
      w->BeginObject().Field("name", r.name).Field("datatype", DataTypeName(r.dtype)).Key("shape").BeginArray().Int(-1).EndArray();
      if (!r.features.empty()) {
        w->Key("categories").BeginArray();
        for (const auto& c : r.features) w->String(c);
        w->EndArray();
      }
      w->EndObject();
    }
    w->EndArray();
  }
  w->Key("parameters").BeginObject();
  w->Field("version", std::to_string(m.version)).Field("model_sha256", m.model_sha256);
  w->Field("config_sha256", m.config_sha256);
  if (!m.description.empty()) w->Field("description", m.description);
  if (!m.owner.empty()) w->Field("owner", m.owner);
  w->EndObject().EndObject();
}

void EncodeServerMetadata(const serving::ServerMetadata& m, JsonWriter* w) {
  w->BeginObject().Field("name", m.name).Field("version", m.version).Key("extensions").BeginArray();
  for (const auto& e : m.extensions) w->String(e);
  w->EndArray().EndObject();
}

void EncodeRepositoryIndex(const std::vector<serving::RepositoryEntry>& entries, JsonWriter* w) {
  w->BeginArray();
  for (const auto& e : entries) {
    w->BeginObject().Field("name", e.name);
    if (!e.version.empty()) w->Field("version", e.version);
    w->Field("state", e.state);
    if (!e.reason.empty()) w->Field("reason", e.reason);
    w->EndObject();
  }
  w->EndArray();
}

}  // namespace finserve::http
