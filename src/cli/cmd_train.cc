#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/env.h"
#include "core/thread_pool.h"
#include "train/train_job.h"

namespace finserve::cli {
namespace {

struct TrainOptions {
  std::string data;
  std::string target;
  std::string positive;
  std::string algorithm;
  std::string model_repository;
  std::string model;
  std::string params;
  uint64_t seed = 42;
  int threads = 1;
  int64_t max_memory = int64_t{2} << 30;
  bool quiet = false;
};

int TrainingFailed(const Status& status) {
  std::cerr << "\nfinserve train: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kResourceExhausted ? 2 : 1;
}

// A one-line progress bar on stderr (redrawn in place on a terminal, every 10% otherwise).
class ProgressBar {
 public:
  explicit ProgressBar(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}
  void Update(double fraction, std::string_view stage) {
    if (quiet_) return;
    const int percent = static_cast<int>(fraction * 100);
    if (!tty_ && percent / 10 == last_ / 10 && percent != 100) return;
    if (percent == last_ && stage == last_stage_) return;
    last_ = percent;
    last_stage_ = std::string(stage);
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr, "%s[%s%s] %3d%% %-40.40s%s", tty_ ? "\r" : "", std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), ' ').c_str(), percent, last_stage_.c_str(), tty_ ? "" : "\n");
    std::fflush(stderr);
  }
  void Finish() {
    if (!quiet_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool quiet_;
  bool tty_;
  int last_ = -1;
  std::string last_stage_;
};

void PrintMetrics(const nlohmann::json& metrics, const char* title) {
  if (metrics.is_null()) return;
  std::printf("%s (%lld rows, %lld positive)\n", title, metrics.value("rows", 0LL), metrics.value("positives", 0LL));
  for (const char* key : {"auc", "gini", "ks", "log_loss", "brier", "accuracy", "precision", "recall", "f1", "psi"}) {
    const auto& v = metrics[key];
    if (v.is_number()) std::printf("  %-10s %.4f\n", key, v.get<double>());
  }
}

int Train(const TrainOptions& o) {
  train::TrainJobInput input;
  auto data = Env::Default()->ReadFile(o.data);
  if (!data.ok()) return TrainingFailed(data.status());
  input.data = std::move(*data);
  input.data_name = o.data;
  input.repository = o.model_repository;
  input.model = o.model;
  input.csv.max_memory_bytes = o.max_memory;
  train::TrainSpec& spec = input.spec;
  spec.target = o.target;
  spec.positive = o.positive;
  auto algorithm = train::ParseAlgorithm(o.algorithm);
  if (!algorithm.ok()) return TrainingFailed(algorithm.status());
  spec.algorithm = *algorithm;
  spec.seed = o.seed;
  spec.threads = o.threads > 0 ? o.threads : ThreadPool::DefaultThreadCount();
  if (!o.params.empty()) {
    auto text = Env::Default()->ReadFile(o.params);
    if (!text.ok()) return TrainingFailed(text.status());
    auto doc = train::ParamsYamlToJson(*text, o.params);
    if (!doc.ok()) return TrainingFailed(doc.status());
    if (Status s = train::ParseTrainParams(*doc, o.params, &spec); !s.ok()) return TrainingFailed(s);
  }
  ProgressBar bar(o.quiet);
  train::TrainContext context;
  context.threads = spec.threads;
  context.seed = spec.seed;
  context.progress = [&bar](double fraction, std::string_view stage) { bar.Update(fraction, stage); };
  auto result = train::RunTrainJob(input, context);
  bar.Finish();
  if (!result.ok()) return TrainingFailed(result.status());
  const auto& lineage = result->trained.lineage;
  std::printf("published %s/%s/%lld (%s, %s; %s = %s is positive; %.1f s)\n", o.model_repository.c_str(), o.model.c_str(),
              static_cast<long long>(result->version), o.algorithm.c_str(), result->trained.model_file.c_str(),
              o.target.c_str(), lineage["positive"].get<std::string>().c_str(), lineage["training_seconds"].get<double>());
  PrintMetrics(result->trained.validation_metrics, "validation");
  PrintMetrics(result->trained.test_metrics, "test");
  return 0;
}

}  // namespace

RunCommand AddTrainCommand(CLI::App* command) {
  auto o = std::make_shared<TrainOptions>();
  command->add_option("--data", o->data, "training data: CSV with a header row")->required();
  command->add_option("--target", o->target, "the column to predict")->required();
  command->add_option("--positive", o->positive, "the target's positive class (default: the class that sorts last)");
  command->add_option("--algorithm", o->algorithm, "logistic, scorecard, gbdt or mlp")
      ->required()
      ->check(CLI::IsMember({"logistic", "scorecard", "gbdt", "mlp"}));
  command->add_option("--model-repository", o->model_repository, "model repository to publish the new version into")->required();
  command->add_option("--model", o->model, "model name (its directory in the repository)")->required();
  command->add_option("--params", o->params, "YAML file: split, columns (schema), algorithm parameters");
  command->add_option("--seed", o->seed, "random seed (split, subsampling, initial weights)")->capture_default_str();
  command->add_option("--threads", o->threads, "training threads (0 = all cores); recorded in the lineage")
      ->capture_default_str();
  command->add_option("--max-memory", o->max_memory, "memory budget for the data (bytes; suffixes KB, MB, GB)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  command->add_flag("--quiet", o->quiet, "no progress bar");
  return [o] { return Train(*o); };
}

}  // namespace finserve::cli
