#include "http/tfs_json.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace finserve::http {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kPlusInf = "\x01+Inf";   // marker strings the literal rewrite produces
constexpr std::string_view kMinusInf = "\x01-Inf";

simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// --- decoding: a key's values (one per instance, or one for a columnar value) -> a tensor ---

struct Column {
  std::string name;
  DataType dtype = DataType::kInvalid;
  std::vector<element> items;  // outer dimension (instances); a columnar value is one item
  bool outer = true;           // items form the first dimension
};

// The nested-list dims of `v` (read along first elements).
std::vector<int64_t> InnerDims(element v) {
  std::vector<int64_t> dims;
  while (v.type() == element_type::ARRAY) {
    simdjson::dom::array a = v.get_array().value_unsafe();
    dims.push_back(static_cast<int64_t>(a.size()));
    if (a.size() == 0) break;
    v = *a.begin();
  }
  return dims;
}

Status CollectLeaves(element v, const std::vector<int64_t>& dims, size_t depth, const std::string& where,
                     int64_t max_elements, std::vector<element>* leaves) {
  if (depth == dims.size()) {
    if (v.type() == element_type::ARRAY) return InvalidArgument(where + ": lists are nested unevenly (ragged tensor)");
    if (static_cast<int64_t>(leaves->size()) >= max_elements) {
      return InvalidArgument(where + ": more than " + std::to_string(max_elements) + " elements");
    }
    leaves->push_back(v);
    return Status::Ok();
  }
  simdjson::dom::array a;
  if (v.get(a) || static_cast<int64_t>(a.size()) != dims[depth]) {
    return InvalidArgument(where + ": lists are nested unevenly (ragged tensor): expected a list of " +
                           std::to_string(dims[depth]) + " at depth " + std::to_string(depth));
  }
  for (element item : a) FS_RETURN_IF_ERROR(CollectLeaves(item, dims, depth + 1, where, max_elements, leaves));
  return Status::Ok();
}

Result<double> LeafNumber(element v, const std::string& where, size_t index) {
  switch (v.type()) {
    case element_type::INT64: return static_cast<double>(v.get_int64().value_unsafe());
    case element_type::UINT64: return static_cast<double>(v.get_uint64().value_unsafe());
    case element_type::DOUBLE: return v.get_double().value_unsafe();
    case element_type::NULL_VALUE: return std::numeric_limits<double>::quiet_NaN();  // NaN literal or null
    case element_type::BOOL: return v.get_bool().value_unsafe() ? 1.0 : 0.0;
    case element_type::STRING: {
      const std::string_view s = v.get_string().value_unsafe();
      if (s == kPlusInf) return std::numeric_limits<double>::infinity();
      if (s == kMinusInf) return -std::numeric_limits<double>::infinity();
      break;
    }
    default: break;
  }
  return InvalidArgument(where + ": element " + std::to_string(index) + " is not a number");
}

Status LeafBytes(element v, const std::string& where, size_t index, std::string* out) {
  std::string_view s;
  if (!v.get(s)) return out->assign(s), Status::Ok();
  simdjson::dom::object obj;
  std::string_view encoded;
  if (!v.get(obj) && obj.size() == 1 && !obj["b64"].get(encoded)) {
    if (!Base64Decode(encoded, out)) {
      return InvalidArgument(where + ": element " + std::to_string(index) + " has invalid base64 in 'b64'");
    }
    return Status::Ok();
  }
  return InvalidArgument(where + ": element " + std::to_string(index) + " must be a string or {\"b64\": ...}");
}

template <typename T>
Status FillNumbers(const std::vector<element>& leaves, const std::string& where, DataType dtype, T* out) {
  for (size_t i = 0; i < leaves.size(); ++i) {
    FS_ASSIGN_OR_RETURN(double x, LeafNumber(leaves[i], where, i));
    if constexpr (std::is_integral_v<T>) {
      if (!(x == std::trunc(x)) || x < static_cast<double>(std::numeric_limits<T>::lowest()) ||
          x > static_cast<double>(std::numeric_limits<T>::max())) {
        return InvalidArgument(where + ": element " + std::to_string(i) + " is not a valid " +
                               std::string(DataTypeName(dtype)));
      }
    }
    out[i] = static_cast<T>(x);
  }
  return Status::Ok();
}

Result<Tensor> ColumnTensor(const Column& c, const DecodeLimits& limits) {
  const std::string where = "input '" + c.name + "'";
  std::vector<int64_t> dims;
  if (c.outer) dims.push_back(static_cast<int64_t>(c.items.size()));
  if (!c.items.empty()) {
    for (int64_t d : InnerDims(c.items.front())) dims.push_back(d);
  }
  std::vector<element> leaves;
  const std::vector<int64_t> inner(dims.begin() + (c.outer ? 1 : 0), dims.end());
  for (element item : c.items) {
    FS_RETURN_IF_ERROR(CollectLeaves(item, inner, 0, where, limits.max_elements_per_tensor, &leaves));
  }
  if (c.dtype == DataType::kBytes) {
    std::vector<std::string> values(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) FS_RETURN_IF_ERROR(LeafBytes(leaves[i], where, i, &values[i]));
    return Tensor::FromStrings(Shape(dims), std::span<const std::string>(values));
  }
  Tensor t = Tensor::Uninitialized(c.dtype, Shape(dims));
  switch (c.dtype) {
    case DataType::kFp32: FS_RETURN_IF_ERROR(FillNumbers(leaves, where, c.dtype, t.data<float>())); break;
    case DataType::kFp64: FS_RETURN_IF_ERROR(FillNumbers(leaves, where, c.dtype, t.data<double>())); break;
    case DataType::kInt32: FS_RETURN_IF_ERROR(FillNumbers(leaves, where, c.dtype, t.data<int32_t>())); break;
    case DataType::kInt64: FS_RETURN_IF_ERROR(FillNumbers(leaves, where, c.dtype, t.data<int64_t>())); break;
    case DataType::kUint8:
    case DataType::kBool: FS_RETURN_IF_ERROR(FillNumbers(leaves, where, c.dtype, t.data<uint8_t>())); break;
    default:
      return InvalidArgument(where + ": datatype " + std::string(DataTypeName(c.dtype)) +
                             " is not accepted on the TF Serving routes; use /v2");
  }
  return t;
}

// The datatype of a named input: a model input, or a raw feature column.
Result<DataType> InputType(const serving::ModelMetadata& md, std::string_view name) {
  for (const auto& t : md.inputs) {
    if (t.name == name) return t.dtype;
  }
  for (const auto& t : md.raw_inputs) {
    if (t.name == name) return t.dtype;
  }
  std::string known;
  for (const auto& t : md.inputs) known += (known.empty() ? "" : ", ") + t.name;
  if (!md.raw_inputs.empty()) known += " (or the raw features of its metadata's raw_inputs)";
  return InvalidArgument("unknown input '" + std::string(name) + "' for model '" + md.name + "' (its inputs: " + known +
                         ")");
}

// Row form of objects (instances or examples): one column per key, values taken per row from the
// row or else from `context`.
Status ObjectRows(simdjson::dom::array rows, simdjson::dom::object context, bool has_context,
                  const serving::ModelMetadata& md, std::vector<Column>* columns) {
  std::vector<std::string> keys;
  auto add_keys = [&](simdjson::dom::object obj) {
    for (auto [k, v] : obj) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.emplace_back(k);
    }
  };
  if (has_context) add_keys(context);
  for (element row : rows) {
    simdjson::dom::object obj;
    if (row.get(obj)) return InvalidArgument("every instance must be an object when one is");
    add_keys(obj);
  }
  for (const std::string& key : keys) {
    Column c;
    c.name = key;
    FS_ASSIGN_OR_RETURN(c.dtype, InputType(md, key));
    size_t index = 0;
    for (element row : rows) {
      element v;
      if (row.get_object().value_unsafe()[key].get(v) && (!has_context || context[key].get(v))) {
        return InvalidArgument("instance " + std::to_string(index) + " lacks '" + key + "' (and no context gives it)");
      }
      c.items.push_back(v);
      ++index;
    }
    columns->push_back(std::move(c));
  }
  return Status::Ok();
}

Status DecodeInstances(element instances, const serving::ModelMetadata& md, std::vector<Column>* columns) {
  simdjson::dom::array rows;
  if (instances.get(rows)) return InvalidArgument("'instances' must be a list");
  if (rows.size() > 0 && (*rows.begin()).type() == element_type::OBJECT) {
    return ObjectRows(rows, {}, false, md, columns);
  }
  if (md.inputs.size() != 1) {
    return InvalidArgument("model '" + md.name + "' has " + std::to_string(md.inputs.size()) +
                           " inputs: send instances as objects naming them");
  }
  Column c{md.inputs[0].name, md.inputs[0].dtype, {}, true};
  for (element row : rows) c.items.push_back(row);
  columns->push_back(std::move(c));
  return Status::Ok();
}

Status DecodeColumnar(element inputs, const serving::ModelMetadata& md, std::vector<Column>* columns) {
  simdjson::dom::object obj;
  if (!inputs.get(obj)) {
    for (auto [key, value] : obj) {
      Column c{std::string(key), DataType::kInvalid, {value}, false};
      FS_ASSIGN_OR_RETURN(c.dtype, InputType(md, key));
      columns->push_back(std::move(c));
    }
    return Status::Ok();
  }
  if (md.inputs.size() != 1) {
    return InvalidArgument("model '" + md.name + "' has " + std::to_string(md.inputs.size()) +
                           " inputs: send 'inputs' as an object naming them");
  }
  columns->push_back(Column{md.inputs[0].name, md.inputs[0].dtype, {inputs}, false});
  return Status::Ok();
}

}  // namespace

std::string_view RewriteTfsLiterals(std::string_view body, std::string* storage) {
  if (body.find("NaN") == std::string_view::npos && body.find("Infinity") == std::string_view::npos) return body;
  storage->clear();
  storage->reserve(body.size() + 64);
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      storage->push_back(c);
      if (c == '\\' && i + 1 < body.size()) storage->push_back(body[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    const std::string_view rest = body.substr(i);
    if (c == '"') {
      in_string = true;
      storage->push_back(c);
    } else if (rest.starts_with("NaN")) {
      storage->append("null");
      i += 2;
    } else if (rest.starts_with("Infinity")) {
      storage->append("\"\\u0001+Inf\"");
      i += 7;
    } else if (rest.starts_with("-Infinity")) {
      storage->append("\"\\u0001-Inf\"");
      i += 8;
    } else {
      storage->push_back(c);
    }
  }
  return *storage;
}

Status DecodeTfsRequest(std::string_view body, TfsMethod method, const serving::ModelMetadata& md,
                        const DecodeLimits& limits, serving::InferRequest* request, TfsDecoded* decoded) {
  std::string storage;
  const std::string_view json = RewriteTfsLiterals(body, &storage);
  element doc;
  auto error = Parser().parse(json.data(), json.size()).get(doc);
  if (error) return InvalidArgument(std::string("malformed JSON in request body: ") + simdjson::error_message(error));
  simdjson::dom::object obj;
  if (doc.get(obj)) return InvalidArgument("request body must be a JSON object");
  element instances, inputs, examples, context;
  bool has_instances = false, has_inputs = false, has_examples = false, has_context = false;
  for (auto [key, value] : obj) {
    if (key == "instances") instances = value, has_instances = true;
    else if (key == "inputs") inputs = value, has_inputs = true;
    else if (key == "examples") examples = value, has_examples = true;
    else if (key == "context") context = value, has_context = true;
    else if (key == "signature_name") continue;  // one signature per model: any name is the default one
    else return InvalidArgument("unknown field '" + std::string(key) + "' in request");
  }
  std::vector<Column> columns;
  if (method == TfsMethod::kPredict) {
    if (has_instances == has_inputs) return InvalidArgument("send exactly one of 'instances' (row form) or 'inputs' (columnar form)");
    decoded->row_format = has_instances;
    FS_RETURN_IF_ERROR(has_instances ? DecodeInstances(instances, md, &columns) : DecodeColumnar(inputs, md, &columns));
  } else {
    simdjson::dom::array rows;
    if (!has_examples || examples.get(rows)) return InvalidArgument("'examples' must be a list of feature objects");
    simdjson::dom::object ctx;
    if (has_context && context.get(ctx)) return InvalidArgument("'context' must be an object of features");
    FS_RETURN_IF_ERROR(ObjectRows(rows, ctx, has_context, md, &columns));
  }
  if (columns.size() > limits.max_inputs) return InvalidArgument("too many inputs in request");
  for (const Column& c : columns) {
    serving::InferInput input;
    input.name = c.name;
    input.dtype = c.dtype;
    FS_ASSIGN_OR_RETURN(input.tensor, ColumnTensor(c, limits));
    request->inputs.push_back(std::move(input));
  }
  return Status::Ok();
}

}  // namespace finserve::http
