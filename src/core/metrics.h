// Metrics: a small registry of counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format (version 0.0.4) for `GET /metrics`.
//
// A family (one metric name, its help text, its label names) is registered once at start-up and
// lives as long as the registry; WithLabels() returns the child for one combination of label
// values, created on first use and never freed, so callers may cache the pointer and update it on
// the hot path without any lookup (an atomic add). Scrape-time metrics (states read from
// elsewhere, such as the loaded models) are added with AddCallback: the callback is called on
// every RenderText() and writes its samples then.
//
// Thread-safety: everything is thread-safe. Updates are lock-free atomics; WithLabels takes a
// shared lock (exclusive only when it creates a child); RenderText takes shared locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace finserve {

class Counter {
 public:
  void Increment(double by = 1.0) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into fixed buckets (upper bounds, ascending; +Inf is implicit).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return *bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is the +Inf bucket).
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Bucket bounds growing by `factor` from `start` (`count` bounds).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

enum class MetricType { kCounter, kGauge, kHistogram };

// One metric name and its children, one per combination of label values.
template <typename T>
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds = {})
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds)) {}

  // `values` must have one entry per label name (in order). The pointer stays valid for the
  // family's lifetime.
  T* WithLabels(std::initializer_list<std::string_view> values) { return WithLabels(values.begin(), values.size()); }
  T* WithLabels(const std::string_view* values, size_t count);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }

  // Calls fn(label values, child) for every child, in label order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::shared_lock lock(mu_);
    for (const auto& [key, child] : children_) fn(child.values, *child.metric);
  }

 private:
  struct Child {
    std::vector<std::string> values;
    std::unique_ptr<T> metric;
  };
  std::string name_;
  std::string help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mu_;
  std::map<std::string, Child, std::less<>> children_;  // key: values joined by '\x1f'
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

// What a scrape-time callback writes: one sample per call of Add.
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual void Add(std::initializer_list<std::string_view> label_values, double value) = 0;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registering a name twice returns the first family (the help, labels and bounds of the
  // first registration stay).
  CounterFamily& AddCounter(const std::string& name, const std::string& help, std::vector<std::string> labels);
  GaugeFamily& AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels);
  HistogramFamily& AddHistogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                                std::vector<double> bounds);
  // A family whose samples are produced at scrape time by `collect` (gauge or counter).
  void AddCallback(const std::string& name, const std::string& help, MetricType type, std::vector<std::string> labels,
                   std::function<void(SampleSink&)> collect);

  // Prometheus text format 0.0.4, families in registration order.
  std::string RenderText() const;

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Entry;
  Entry* Find(const std::string& name) const;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// Appends `value` escaped for a label value (backslash, double quote, newline).
void AppendLabelValue(std::string* out, std::string_view value);
// Appends a sample value: integers without a fraction, +Inf, -Inf, NaN, else shortest round-trip.
void AppendSampleValue(std::string* out, double value);

// --- template implementation ---

namespace metrics_internal {
void JoinKey(const std::string_view* values, size_t count, std::string* out);
std::unique_ptr<Counter> MakeChild(Counter*, const std::vector<double>&);
std::unique_ptr<Gauge> MakeChild(Gauge*, const std::vector<double>&);
std::unique_ptr<Histogram> MakeChild(Histogram*, const std::vector<double>& bounds);
}  // namespace metrics_internal

template <typename T>
T* MetricFamily<T>::WithLabels(const std::string_view* values, size_t count) {
  thread_local std::string key;
  metrics_internal::JoinKey(values, count, &key);
  {
    std::shared_lock lock(mu_);
    auto it = children_.find(std::string_view(key));
    if (it != children_.end()) return it->second.metric.get();
  }
  std::unique_lock lock(mu_);
  auto it = children_.find(std::string_view(key));
  if (it != children_.end()) return it->second.metric.get();
  Child child;
  for (size_t i = 0; i < labels_.size(); ++i) child.values.emplace_back(i < count ? values[i] : std::string_view());
  child.metric = metrics_internal::MakeChild(static_cast<T*>(nullptr), bounds_);
  T* out = child.metric.get();
  children_.emplace(key, std::move(child));
  return out;
}

}  // namespace finserve
