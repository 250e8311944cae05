#include "core/metrics.h"

#include <charconv>
#include <cmath>

namespace finserve {
namespace metrics_internal {

void JoinKey(const std::string_view* values, size_t count, std::string* out) {
  out->clear();
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out->push_back('\x1f');
    out->append(values[i]);
  }
}

std::unique_ptr<Counter> MakeChild(Counter*, const std::vector<double>&) { return std::make_unique<Counter>(); }
std::unique_ptr<Gauge> MakeChild(Gauge*, const std::vector<double>&) { return std::make_unique<Gauge>(); }
std::unique_ptr<Histogram> MakeChild(Histogram*, const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(&bounds);
}

}  // namespace metrics_internal

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds->size() + 1)) {
  for (size_t i = 0; i <= bounds->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // Bounds are few (a dozen or two): a linear scan beats a binary search's branches here.
  size_t i = 0;
  const size_t n = bounds_->size();
  while (i < n && value > (*bounds_)[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(count));
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

void AppendLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') out->append("\\\\");
    else if (c == '"') out->append("\\\"");
    else if (c == '\n') out->append("\\n");
    else out->push_back(c);
  }
}

void AppendSampleValue(std::string* out, double value) {
  if (std::isnan(value)) return out->append("NaN"), void();
  if (std::isinf(value)) return out->append(value > 0 ? "+Inf" : "-Inf"), void();
  char buf[64];
  std::to_chars_result r;
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), value);
  }
  out->append(buf, r.ptr);
}

namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

void AppendHelp(std::string* out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') out->append("\\\\");
    else if (c == '\n') out->append("\\n");
    else out->push_back(c);
  }
}

// name{a="x",b="y"[,extra]} value\n
void AppendSample(std::string* out, std::string_view name, const std::vector<std::string>& labels,
                  const std::vector<std::string>& values, std::string_view extra_label, std::string_view extra_value,
                  double value) {
  out->append(name);
  if (!labels.empty() || !extra_label.empty()) {
    out->push_back('{');
    bool first = true;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!first) out->push_back(',');
      first = false;
      out->append(labels[i]).append("=\"");
      AppendLabelValue(out, i < values.size() ? values[i] : std::string());
      out->push_back('"');
    }
    if (!extra_label.empty()) {
      if (!first) out->push_back(',');
      out->append(extra_label).append("=\"").append(extra_value).push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendSampleValue(out, value);
  out->push_back('\n');
}

void AppendHistogram(std::string* out, const std::string& name, const std::vector<std::string>& labels,
                     const std::vector<std::string>& values, const Histogram& h) {
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= h.bounds().size(); ++i) {
    cumulative += h.bucket(i);
    le.clear();
    if (i < h.bounds().size()) AppendSampleValue(&le, h.bounds()[i]);
    else le = "+Inf";
    AppendSample(out, name + "_bucket", labels, values, "le", le, static_cast<double>(cumulative));
  }
  // The count is the +Inf bucket, so the exposition stays consistent under concurrent updates.
  AppendSample(out, name + "_sum", labels, values, "", "", h.sum());
  AppendSample(out, name + "_count", labels, values, "", "", static_cast<double>(cumulative));
}

class StringSink : public SampleSink {
 public:
  StringSink(std::string* out, const std::string& name, const std::vector<std::string>& labels)
      : out_(out), name_(name), labels_(labels) {}
  void Add(std::initializer_list<std::string_view> label_values, double value) override {
    std::vector<std::string> values(label_values.begin(), label_values.end());
    AppendSample(out_, name_, labels_, values, "", "", value);
  }

 private:
  std::string* out_;
  const std::string& name_;
  const std::vector<std::string>& labels_;
};

}  // namespace

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  MetricType type;
  std::vector<std::string> labels;
  std::unique_ptr<CounterFamily> counters;
  std::unique_ptr<GaugeFamily> gauges;
  std::unique_ptr<HistogramFamily> histograms;
  std::function<void(SampleSink&)> collect;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Entry* MetricsRegistry::Find(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e->name == name) return e.get();
  }
  return nullptr;
}

CounterFamily& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                           std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name); e && e->counters) return *e->counters;
  auto e = std::make_unique<Entry>(Entry{name, help, MetricType::kCounter, labels, nullptr, nullptr, nullptr, {}});
  e->counters = std::make_unique<CounterFamily>(name, help, std::move(labels));
  entries_.push_back(std::move(e));
  return *entries_.back()->counters;
}

GaugeFamily& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name); e && e->gauges) return *e->gauges;
  auto e = std::make_unique<Entry>(Entry{name, help, MetricType::kGauge, labels, nullptr, nullptr, nullptr, {}});
  e->gauges = std::make_unique<GaugeFamily>(name, help, std::move(labels));
  entries_.push_back(std::move(e));
  return *entries_.back()->gauges;
}

HistogramFamily& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                               std::vector<std::string> labels, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name); e && e->histograms) return *e->histograms;
  auto e = std::make_unique<Entry>(Entry{name, help, MetricType::kHistogram, labels, nullptr, nullptr, nullptr, {}});
  e->histograms = std::make_unique<HistogramFamily>(name, help, std::move(labels), std::move(bounds));
  entries_.push_back(std::move(e));
  return *entries_.back()->histograms;
}

void MetricsRegistry::AddCallback(const std::string& name, const std::string& help, MetricType type,
                                  std::vector<std::string> labels, std::function<void(SampleSink&)> collect) {
  std::lock_guard lock(mu_);
  if (Find(name)) return;
  entries_.push_back(std::make_unique<Entry>(
      Entry{name, help, type, std::move(labels), nullptr, nullptr, nullptr, std::move(collect)}));
}

std::string MetricsRegistry::RenderText() const {
  std::string out;
  out.reserve(8192);
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) {
    out.append("# HELP ").append(e->name).push_back(' ');
    AppendHelp(&out, e->help);
    out.append("\n# TYPE ").append(e->name).push_back(' ');
    out.append(TypeName(e->type)).push_back('\n');
    if (e->counters) {
      e->counters->ForEach([&](const auto& values, const Counter& c) {
        AppendSample(&out, e->name, e->labels, values, "", "", c.value());
      });
    } else if (e->gauges) {
      e->gauges->ForEach([&](const auto& values, const Gauge& g) {
        AppendSample(&out, e->name, e->labels, values, "", "", g.value());
      });
    } else if (e->histograms) {
      e->histograms->ForEach([&](const auto& values, const Histogram& h) {
        AppendHistogram(&out, e->name, e->labels, values, h);
      });
    } else if (e->collect) {
      StringSink sink(&out, e->name, e->labels);
      e->collect(sink);
    }
  }
  return out;
}

}  // namespace finserve
