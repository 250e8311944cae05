// Protocol Buffers wire format by hand, for tests that must not trust our own .proto: ProtoWriter
// encodes fields from their published numbers (varint, 64-bit, length-delimited, 32-bit and
// packed repeated fields); ParseWire splits a message into its fields. Only what the OIP v2
// messages use. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace finserve::testing {

class ProtoWriter {
 public:
  ProtoWriter& Varint(int field, uint64_t value);
  ProtoWriter& Fixed64(int field, uint64_t value);
  ProtoWriter& Double(int field, double value);
  ProtoWriter& Bytes(int field, std::string_view value);
  ProtoWriter& Message(int field, const ProtoWriter& message) { return Bytes(field, message.bytes()); }
  ProtoWriter& PackedVarints(int field, std::span<const int64_t> values);
  ProtoWriter& PackedFloats(int field, std::span<const float> values);
  const std::string& bytes() const { return bytes_; }

 private:
  void Tag(int field, int wire_type);
  void RawVarint(uint64_t value);
  std::string bytes_;
};

struct WireField {
  int number = 0;
  int wire_type = 0;   // 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit
  uint64_t value = 0;  // varint / fixed payload
  std::string bytes;   // length-delimited payload
};

// The fields of `message` in order; nullopt if it is not well-formed wire format.
std::optional<std::vector<WireField>> ParseWire(std::string_view message);
// The fields numbered `number` (in order).
std::vector<WireField> FieldsNumbered(const std::vector<WireField>& fields, int number);
// Decodes a packed repeated varint payload (e.g. `repeated int64 shape`).
std::optional<std::vector<int64_t>> UnpackVarints(std::string_view payload);

}  // namespace finserve::testing
