#include "core/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace finserve {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersGaugesAndCumulativeHistograms) {
  MetricsRegistry registry;
  auto& requests = registry.AddCounter("app_requests_total", "Requests.\nSecond line", {"model", "code"});
  requests.WithLabels({"credit", "OK"})->Increment();
  requests.WithLabels({"credit", "OK"})->Increment(2);
  requests.WithLabels({"we\"ird\\", "NOT_FOUND"})->Increment();
  registry.AddGauge("app_in_flight", "In flight.", {}).WithLabels({})->Set(3);
  auto& latency = registry.AddHistogram("app_seconds", "Latency.", {"model"}, {0.1, 1});
  Histogram* h = latency.WithLabels({"credit"});
  h->Observe(0.05);
  h->Observe(0.1);  // on the bound: counts in le="0.1"
  h->Observe(5);
  registry.AddCallback("app_state", "State.", MetricType::kGauge, {"state"},
                       [](SampleSink& sink) { sink.Add({"READY"}, 1); });
  EXPECT_EQ(registry.RenderText(),
            "# HELP app_requests_total Requests.\\nSecond line\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{model=\"credit\",code=\"OK\"} 3\n"
            "app_requests_total{model=\"we\\\"ird\\\\\",code=\"NOT_FOUND\"} 1\n"
            "# HELP app_in_flight In flight.\n"
            "# TYPE app_in_flight gauge\n"
            "app_in_flight 3\n"
            "# HELP app_seconds Latency.\n"
            "# TYPE app_seconds histogram\n"
            "app_seconds_bucket{model=\"credit\",le=\"0.1\"} 2\n"
            "app_seconds_bucket{model=\"credit\",le=\"1\"} 2\n"
            "app_seconds_bucket{model=\"credit\",le=\"+Inf\"} 3\n"
            "app_seconds_sum{model=\"credit\"} 5.15\n"
            "app_seconds_count{model=\"credit\"} 3\n"
            "# HELP app_state State.\n"
            "# TYPE app_state gauge\n"
            "app_state{state=\"READY\"} 1\n");
}

TEST(MetricsTest, SameLabelsGiveTheSameChildAndRegistrationIsIdempotent) {
  MetricsRegistry registry;
  auto& a = registry.AddCounter("x_total", "X.", {"l"});
  auto& b = registry.AddCounter("x_total", "other help", {"l"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.WithLabels({"v"}), a.WithLabels({"v"}));
  EXPECT_NE(a.WithLabels({"v"}), a.WithLabels({"w"}));
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("c_total", "C.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family] {
      for (int i = 0; i < 10000; ++i) family.WithLabels({"same"})->Increment();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.WithLabels({"same"})->value(), 40000);
}

TEST(MetricsTest, SampleValues) {
  std::string out;
  AppendSampleValue(&out, 0.25);
  out += ' ';
  AppendSampleValue(&out, 1e20);
  out += ' ';
  AppendSampleValue(&out, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(out, "0.25 1e+20 -Inf");
}

}  // namespace
}  // namespace finserve
