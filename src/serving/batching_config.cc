#include "serving/batching_config.h"

#include <algorithm>

namespace finserve::serving {
namespace {

struct IntKey {
  const char* name;
  int64_t BatchingConfig::*field;
  int64_t min;
};

// The integer keys of the section, with their lower bounds (the table the parser walks).
constexpr IntKey kIntKeys[] = {
    {"max_batch_size", &BatchingConfig::max_batch_size, 0},
    {"max_queue_delay_us", &BatchingConfig::max_queue_delay_us, 0},
    {"max_queue_size", &BatchingConfig::max_queue_size, 1},
    {"default_timeout_us", &BatchingConfig::default_timeout_us, 0},
};

Status ReadInt(const nlohmann::json& value, std::string_view where, std::string_view key, int64_t min, int64_t* out) {
  if (!value.is_number_integer() || value.get<int64_t>() < min) {
    return InvalidArgument(std::string(where) + ": batching." + std::string(key) + " must be an integer >= " +
                           std::to_string(min) + ", got " + value.dump());
  }
  *out = value.get<int64_t>();
  return Status::Ok();
}

Status ReadPreferred(const nlohmann::json& value, std::string_view where, BatchingConfig* config) {
  if (!value.is_array()) return InvalidArgument(std::string(where) + ": batching.preferred_batch_sizes must be a list");
  for (const auto& item : value) {
    int64_t size = 0;
    FS_RETURN_IF_ERROR(ReadInt(item, where, "preferred_batch_sizes[]", 1, &size));
    config->preferred_batch_sizes.push_back(size);
  }
  std::sort(config->preferred_batch_sizes.begin(), config->preferred_batch_sizes.end());
  return Status::Ok();
}

}  // namespace

Result<BatchingConfig> ParseBatchingConfig(const nlohmann::json& section, std::string_view where) {
  BatchingConfig config;
  if (section.is_null()) return config;
  if (!section.is_object()) return InvalidArgument(std::string(where) + ": batching must be a map");
  for (const auto& [key, value] : section.items()) {
    const IntKey* found = nullptr;
    for (const IntKey& k : kIntKeys) {
      if (key == k.name) found = &k;
    }
    if (found) {
      FS_RETURN_IF_ERROR(ReadInt(value, where, key, found->min, &(config.*(found->field))));
    } else if (key == "preferred_batch_sizes") {
      FS_RETURN_IF_ERROR(ReadPreferred(value, where, &config));
    } else {
      return InvalidArgument(std::string(where) + ": unknown key 'batching." + key +
                             "' (known: max_batch_size, max_queue_delay_us, preferred_batch_sizes, max_queue_size, "
                             "default_timeout_us)");
    }
  }
  for (int64_t size : config.preferred_batch_sizes) {
    if (size > config.max_batch_size) {
      return InvalidArgument(std::string(where) + ": batching.preferred_batch_sizes has " + std::to_string(size) +
                             ", more than max_batch_size " + std::to_string(config.max_batch_size));
    }
  }
  return config;
}

Status CheckBatchable(const repository::LoadedModel& model) {
  for (const auto& binding : model.inputs()) {
    const auto& spec = binding.spec;
    if (spec.shape.empty() || spec.shape[0] != -1) {
      return FailedPrecondition("batching needs a dynamic first dimension on every input; input '" + spec.name +
                                "' has shape " + DimsToString(spec.shape));
    }
    if (spec.dtype == DataType::kBytes) {
      return FailedPrecondition("batching does not join BYTES inputs; input '" + spec.name + "' is BYTES");
    }
  }
  return Status::Ok();
}

}  // namespace finserve::serving
