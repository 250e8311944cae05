// Encoding half of tfs_json.h: answers, metadata and base64.
#include <cmath>

#include "core/float16.h"
#include "http/tfs_json.h"

namespace finserve::http {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// TF Serving writes non-finite floats as the literals NaN, Infinity, -Infinity.
void WriteFloating(double x, bool single, JsonWriter* w) {
  if (std::isnan(x)) w->Raw("NaN");
  else if (std::isinf(x)) w->Raw(x > 0 ? "Infinity" : "-Infinity");
  else if (single) w->Float(static_cast<float>(x));
  else w->Double(x);
}

void WriteElement(const TensorView& t, int64_t i, bool b64, JsonWriter* w) {
  switch (t.dtype) {
    case DataType::kFp32: return WriteFloating(t.data_as<float>()[i], true, w);
    case DataType::kFp64: return WriteFloating(t.data_as<double>()[i], false, w);
    case DataType::kFp16: return WriteFloating(HalfToFloat(t.data_as<uint16_t>()[i]), true, w);
    case DataType::kInt8: w->Int(t.data_as<int8_t>()[i]); return;
    case DataType::kInt16: w->Int(t.data_as<int16_t>()[i]); return;
    case DataType::kInt32: w->Int(t.data_as<int32_t>()[i]); return;
    case DataType::kInt64: w->Int(t.data_as<int64_t>()[i]); return;
    case DataType::kUint8: w->Uint(t.data_as<uint8_t>()[i]); return;
    case DataType::kUint16: w->Uint(t.data_as<uint16_t>()[i]); return;
    case DataType::kUint32: w->Uint(t.data_as<uint32_t>()[i]); return;
    case DataType::kUint64: w->Uint(t.data_as<uint64_t>()[i]); return;
    case DataType::kBool: w->Bool(t.data_as<uint8_t>()[i] != 0); return;
    case DataType::kBytes:
      if (b64) w->BeginObject().Field("b64", Base64Encode(t.string_at(i))).EndObject();
      else w->String(t.string_at(i));
      return;
    default: w->Null(); return;
  }
}

// Writes dims [depth, rank) of `t` starting at element `*next` as nested lists.
void WriteNested(const TensorView& t, size_t depth, int64_t* next, bool b64, JsonWriter* w) {
  if (depth == t.shape.size()) return WriteElement(t, (*next)++, b64, w);
  w->BeginArray();
  for (int64_t i = 0; i < t.shape[depth]; ++i) WriteNested(t, depth + 1, next, b64, w);
  w->EndArray();
}

bool IsBytesName(std::string_view name) { return name.size() >= 6 && name.substr(name.size() - 6) == "_bytes"; }

// Row `row` of an output (its dims after the first), or the scalar for a rank-1 output.
void WriteRow(const serving::InferOutput& out, int64_t row, JsonWriter* w) {
  const TensorView t = out.tensor.view();
  const TensorView inner{t.dtype, t.shape.subspan(1), t.data, t.byte_size, t.byte_offsets};
  int64_t per_row = 1;
  for (int64_t d : inner.shape) per_row *= d;
  int64_t next = row * per_row;
  WriteNested(inner, 0, &next, IsBytesName(out.name), w);
}

int64_t Rows(const serving::InferResponse& r) {
  if (r.outputs.empty() || r.outputs[0].tensor.shape().dims().empty()) return 0;
  return r.outputs[0].tensor.shape().dims()[0];
}

Status WritePredictions(const serving::InferResponse& r, JsonWriter* w) {
  for (const auto& out : r.outputs) {
    if (out.tensor.shape().dims().empty() || out.tensor.shape().dims()[0] != Rows(r)) {
      return InvalidArgument("output '" + out.name + "' has no batch dimension; ask in columnar form ('inputs')");
    }
  }
  w->Key("predictions").BeginArray();
  for (int64_t row = 0; row < Rows(r); ++row) {
    if (r.outputs.size() == 1) {
      WriteRow(r.outputs[0], row, w);
      continue;
    }
    w->BeginObject();
    for (const auto& out : r.outputs) {
      w->Key(out.name);
      WriteRow(out, row, w);
    }
    w->EndObject();
  }
  w->EndArray();
  return Status::Ok();
}

void WriteOutputs(const serving::InferResponse& r, JsonWriter* w) {
  w->Key("outputs");
  if (r.outputs.size() != 1) w->BeginObject();
  for (const auto& out : r.outputs) {
    if (r.outputs.size() != 1) w->Key(out.name);
    int64_t next = 0;
    WriteNested(out.tensor.view(), 0, &next, IsBytesName(out.name), w);
  }
  if (r.outputs.size() != 1) w->EndObject();
}

// classify: label/score pairs per example from the first output: a per-class score row gives
// one pair per class ("0", "1", ...); a single probability p gives [["0", 1-p], ["1", p]].
// regress: the first output's value per example.
Status WriteResults(const serving::InferResponse& r, TfsMethod method, JsonWriter* w) {
  if (r.outputs.empty()) return Internal("model answered no outputs");
  const TensorView t = r.outputs[0].tensor.view();
  if (t.shape.empty() || t.shape.size() > 2 || (t.dtype != DataType::kFp32 && t.dtype != DataType::kFp64)) {
    return InvalidArgument("output '" + r.outputs[0].name + "' is not a score per example; use :predict");
  }
  const int64_t rows = t.shape[0];
  const int64_t cols = t.shape.size() == 2 ? t.shape[1] : 1;
  auto value = [&](int64_t i) {
    return t.dtype == DataType::kFp32 ? static_cast<double>(t.data_as<float>()[i]) : t.data_as<double>()[i];
  };
  if (method == TfsMethod::kRegress && cols != 1) {
    return InvalidArgument("output '" + r.outputs[0].name + "' has " + std::to_string(cols) +
                           " values per example; :regress needs one");
  }
  w->Key("results").BeginArray();
  for (int64_t row = 0; row < rows; ++row) {
    if (method == TfsMethod::kRegress) {
      WriteFloating(value(row), t.dtype == DataType::kFp32, w);
      continue;
    }
    w->BeginArray();
    if (cols == 1) {
      w->BeginArray().String("0");
      WriteFloating(1.0 - value(row), false, w);
      w->EndArray().BeginArray().String("1");
      WriteFloating(value(row), false, w);
      w->EndArray();
    } else {
      for (int64_t c = 0; c < cols; ++c) {
        w->BeginArray().String(std::to_string(c));
        WriteFloating(value(row * cols + c), t.dtype == DataType::kFp32, w);
        w->EndArray();
      }
    }
    w->EndArray();
  }
  w->EndArray();
  return Status::Ok();
}

std::string_view TfDataType(DataType t) {
  switch (t) {
    case DataType::kFp32: return "DT_FLOAT";
    case DataType::kFp64: return "DT_DOUBLE";
    case DataType::kFp16: return "DT_HALF";
    case DataType::kBf16: return "DT_BFLOAT16";
    case DataType::kInt8: return "DT_INT8";
    case DataType::kInt16: return "DT_INT16";
    case DataType::kInt32: return "DT_INT32";
    case DataType::kInt64: return "DT_INT64";
    case DataType::kUint8: return "DT_UINT8";
    case DataType::kUint16: return "DT_UINT16";
    case DataType::kUint32: return "DT_UINT32";
    case DataType::kUint64: return "DT_UINT64";
    case DataType::kBool: return "DT_BOOL";
    case DataType::kBytes: return "DT_STRING";
    default: return "DT_INVALID";
  }
}

void WriteTensorInfos(const std::vector<serving::TensorMetadata>& tensors, JsonWriter* w) {
  w->BeginObject();
  for (const auto& t : tensors) {
    w->Key(t.name).BeginObject().Field("dtype", TfDataType(t.dtype)).Key("tensor_shape").BeginObject();
    w->Key("dim").BeginArray();
    for (int64_t d : t.shape) w->BeginObject().Field("size", std::to_string(d)).Field("name", "").EndObject();
    w->EndArray().Field("unknown_rank", false).EndObject().Field("name", t.name).EndObject();
  }
  w->EndObject();
}

}  // namespace

bool Base64Decode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int v = Base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kBase64[(n >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out.push_back(kBase64[(n >> 18) & 63]);
    out.push_back(kBase64[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kBase64[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Status EncodeTfsResponse(const serving::InferResponse& response, TfsMethod method, const TfsDecoded& decoded,
                         JsonWriter* w) {
  w->BeginObject();
  if (method != TfsMethod::kPredict) {
    FS_RETURN_IF_ERROR(WriteResults(response, method, w));
  } else if (decoded.row_format) {
    FS_RETURN_IF_ERROR(WritePredictions(response, w));
  } else {
    WriteOutputs(response, w);
  }
  w->EndObject();
  return Status::Ok();
}

void EncodeTfsMetadata(const serving::ModelMetadata& md, JsonWriter* w) {
  w->BeginObject().Key("model_spec").BeginObject();
  w->Field("name", md.name).Field("signature_name", "").Field("version", std::to_string(md.version)).EndObject();
  w->Key("metadata").BeginObject().Key("signature_def").BeginObject().Key("signature_def").BeginObject();
  w->Key("serving_default").BeginObject().Key("inputs");
  WriteTensorInfos(md.inputs, w);
  w->Key("outputs");
  WriteTensorInfos(md.outputs, w);
  w->Field("method_name", "tensorflow/serving/predict").EndObject();
  w->EndObject().EndObject().EndObject().EndObject();
}

}  // namespace finserve::http
