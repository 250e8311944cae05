#include "testing/proto_wire.h"

#include <cstring>

namespace finserve::testing {

void ProtoWriter::RawVarint(uint64_t value) {
  while (value >= 0x80) {
    bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<char>(value));
}

void ProtoWriter::Tag(int field, int wire_type) { RawVarint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type)); }

ProtoWriter& ProtoWriter::Varint(int field, uint64_t value) {
  Tag(field, 0);
  RawVarint(value);
  return *this;
}

ProtoWriter& ProtoWriter::Fixed64(int field, uint64_t value) {
  Tag(field, 1);
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>(value >> (8 * i)));
  return *this;
}

ProtoWriter& ProtoWriter::Double(int field, double value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, 8);
  return Fixed64(field, bits);
}

ProtoWriter& ProtoWriter::Bytes(int field, std::string_view value) {
  Tag(field, 2);
  RawVarint(value.size());
  bytes_.append(value);
  return *this;
}

ProtoWriter& ProtoWriter::PackedVarints(int field, std::span<const int64_t> values) {
  ProtoWriter payload;
  for (int64_t v : values) payload.RawVarint(static_cast<uint64_t>(v));
  return Bytes(field, payload.bytes());
}

ProtoWriter& ProtoWriter::PackedFloats(int field, std::span<const float> values) {
  std::string payload(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits = 0;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) payload[i * 4 + static_cast<size_t>(b)] = static_cast<char>(bits >> (8 * b));
  }
  return Bytes(field, payload);
}

namespace {

bool ReadVarint(std::string_view in, size_t* at, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && *at < in.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in[(*at)++]);
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool ReadFixed(std::string_view in, size_t* at, int bytes, uint64_t* value) {
  if (in.size() - *at < static_cast<size_t>(bytes)) return false;
  *value = 0;
  for (int i = 0; i < bytes; ++i) *value |= static_cast<uint64_t>(static_cast<uint8_t>(in[*at + i])) << (8 * i);
  *at += static_cast<size_t>(bytes);
  return true;
}

}  // namespace

std::optional<std::vector<WireField>> ParseWire(std::string_view in) {
  std::vector<WireField> fields;
  size_t at = 0;
  while (at < in.size()) {
    uint64_t tag = 0;
    if (!ReadVarint(in, &at, &tag)) return std::nullopt;
    WireField f;
    f.number = static_cast<int>(tag >> 3);
    f.wire_type = static_cast<int>(tag & 7);
    bool ok = false;
    switch (f.wire_type) {
      case 0: ok = ReadVarint(in, &at, &f.value); break;
      case 1: ok = ReadFixed(in, &at, 8, &f.value); break;
      case 5: ok = ReadFixed(in, &at, 4, &f.value); break;
      case 2: {
        uint64_t length = 0;
        ok = ReadVarint(in, &at, &length) && length <= in.size() - at;
        if (ok) f.bytes = std::string(in.substr(at, length)), at += length;
        break;
      }
      default: break;
    }
    if (!ok || f.number == 0) return std::nullopt;
    fields.push_back(std::move(f));
  }
  return fields;
}

std::vector<WireField> FieldsNumbered(const std::vector<WireField>& fields, int number) {
  std::vector<WireField> out;
  for (const auto& f : fields) {
    if (f.number == number) out.push_back(f);
  }
  return out;
}

std::optional<std::vector<int64_t>> UnpackVarints(std::string_view payload) {
  std::vector<int64_t> out;
  size_t at = 0;
  while (at < payload.size()) {
    uint64_t v = 0;
    if (!ReadVarint(payload, &at, &v)) return std::nullopt;
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}

}  // namespace finserve::testing
