#include "serving/request.h"

namespace finserve::serving {

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kHttp: return "http";
    case Protocol::kGrpc: return "grpc";
    case Protocol::kOther: break;
  }
  return "other";
}

void Parameters::Set(std::string key, ParameterValue value) {
  for (auto& [k, v] : items_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(key), std::move(value));
}

const ParameterValue* Parameters::Find(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

void WriteRawValue(const RawValue& value, JsonWriter* w) {
  if (const double* number = std::get_if<double>(&value)) {
    w->Double(*number);
  } else if (const std::string* text = std::get_if<std::string>(&value)) {
    w->String(*text);
  } else {
    w->Null();
  }
}

}  // namespace

void WriteReasonsJson(const std::vector<Reason>& reasons, JsonWriter* w) {
  w->BeginArray();
  for (const Reason& r : reasons) {
    w->BeginObject().Field("code", r.code).Field("text", r.text).Key("features").BeginArray();
    for (const auto& f : r.features) w->String(f);
    w->EndArray().Key("value");
    if (r.values.size() == 1) {
      WriteRawValue(r.values[0].second, w);
    } else {
      w->BeginObject();
      for (const auto& [name, value] : r.values) {
        w->Key(name);
        WriteRawValue(value, w);
      }
      w->EndObject();
    }
    w->Key("contribution").Float(static_cast<float>(r.contribution)).EndObject();
  }
  w->EndArray();
}

}  // namespace finserve::serving
