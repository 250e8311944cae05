#include "serving/training_jobs.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "core/env.h"
#include "core/log.h"
#include "serving/auth/glob.h"
#include "train/train_job.h"

namespace finserve::serving {

struct TrainingService::Job {
  TrainingJobStatus status;  // guarded by the service's mu_
  TrainingJobRequest request;
  std::atomic<bool> cancel{false};
};

namespace {

constexpr int kTrainingNice = 10;  // below the serving threads

bool IsPlainFileName(const std::string& name) {
  return !name.empty() && name.size() <= 255 && name[0] != '.' && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
}

std::string NewJobId(uint64_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "job-%llu-%08llx", static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(rng() & 0xffffffffull));
  return buf;
}

Status CheckModel(const auth::Principal* caller, const std::string& model) {
  if (!caller || caller->model_globs.empty() || auth::AnyGlobMatches(caller->model_globs, model)) return Status::Ok();
  std::string globs;
  for (const auto& g : caller->model_globs) globs += (globs.empty() ? "" : ", ") + g;
  return PermissionDenied("'" + caller->name + "' may not train model '" + model + "' (its models: " + globs + ")");
}

}  // namespace

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued: return "QUEUED";
    case JobState::kRunning: return "RUNNING";
    case JobState::kSucceeded: return "SUCCEEDED";
    case JobState::kFailed: return "FAILED";
    case JobState::kCancelled: return "CANCELLED";
  }
  return "";
}

nlohmann::json TrainingJobStatus::ToJson() const {
  nlohmann::json out = {{"id", id}, {"state", JobStateName(state)}, {"model", model}, {"algorithm", algorithm},
                        {"progress", progress}, {"stage", stage},
                        {"created", FormatUtcMicros(created_unix_micros)}};
  if (started_unix_micros) out["started"] = FormatUtcMicros(started_unix_micros);
  if (finished_unix_micros) out["finished"] = FormatUtcMicros(finished_unix_micros);
  if (version > 0) out["version"] = version;
  if (!error.empty()) out["error"] = error;
  if (!metrics.is_null()) out["metrics"] = metrics;
  return out;
}

TrainingService::TrainingService(repository::ModelManager* manager, TrainingOptions options)
    : manager_(manager), options_(std::move(options)),
      pool_(std::make_unique<ThreadPool>(std::max(1, options_.concurrent_jobs), "training")) {}

TrainingService::~TrainingService() {
  {
    std::lock_guard lock(mu_);
    for (auto& [id, job] : jobs_) job->cancel = true;
  }
  pool_.reset();
}

Result<std::string> TrainingService::ReadData(const TrainingJobRequest& r, bool check_only) const {
  if (!r.data_csv.empty() && !r.data_file.empty()) return InvalidArgument("give either 'data_csv' or 'data_file', not both");
  if (!r.data_csv.empty()) {
    if (static_cast<int64_t>(r.data_csv.size()) > options_.max_upload_bytes) {
      return ResourceExhausted("the uploaded CSV is " + std::to_string(r.data_csv.size()) + " bytes, over the limit of " +
                               std::to_string(options_.max_upload_bytes) + " (--training-max-upload-bytes)");
    }
    return check_only ? std::string() : r.data_csv;
  }
  if (r.data_file.empty()) return InvalidArgument("no data: give 'data_csv' (the CSV text) or 'data_file'");
  if (options_.data_directory.empty()) {
    return FailedPrecondition("this server has no --training-data-dir; upload the CSV as 'data_csv'");
  }
  if (!IsPlainFileName(r.data_file)) {
    return InvalidArgument("'data_file' must be a plain file name inside the training data directory, got '" + r.data_file + "'");
  }
  const std::string path = (std::filesystem::path(options_.data_directory) / r.data_file).string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return NotFound("no data file '" + r.data_file + "' in the training data directory");
  if (static_cast<int64_t>(size) > options_.max_memory_bytes) {
    return ResourceExhausted("data file '" + r.data_file + "' is over the memory budget (--training-max-memory)");
  }
  if (check_only) return std::string();
  return Env::Default()->ReadFile(path);
}

Result<TrainingJobStatus> TrainingService::Submit(TrainingJobRequest request, const auth::Principal* caller) {
  if (!repository::IsValidModelName(request.model)) return InvalidArgument("'" + request.model + "' is not a valid model name");
  FS_RETURN_IF_ERROR(CheckModel(caller, request.model));
  if (request.target.empty()) return InvalidArgument("'target' is required");
  FS_RETURN_IF_ERROR(train::ParseAlgorithm(request.algorithm).status());
  train::TrainSpec probe;
  if (!request.params.is_null()) FS_RETURN_IF_ERROR(train::ParseTrainParams(request.params, "params", &probe));
  FS_RETURN_IF_ERROR(ReadData(request, /*check_only=*/true).status());
  auto job = std::make_shared<Job>();
  {
    std::lock_guard lock(mu_);
    if (active_ >= std::max(1, options_.concurrent_jobs) + options_.max_queued_jobs) {
      return ResourceExhausted(std::to_string(active_) + " training jobs are already running or waiting (--training-jobs " +
                               std::to_string(options_.concurrent_jobs) + ", --training-max-queued " +
                               std::to_string(options_.max_queued_jobs) + "); try again later");
    }
    ++active_;
    job->status.id = NewJobId(next_id_++);
    job->status.model = request.model;
    job->status.algorithm = request.algorithm;
    job->status.stage = "queued";
    job->status.created_unix_micros = Env::Default()->NowUnixMicros();
    job->request = std::move(request);
    jobs_[job->status.id] = job;
  }
  FS_LOG(kInfo, "training_job_queued").With("job", job->status.id).With("model", job->status.model);
  pool_->Schedule([this, job] { Run(job); });
  std::lock_guard lock(mu_);
  return job->status;
}

void TrainingService::Run(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard lock(mu_);
    if (job->cancel) return;  // cancelled while queued: already finished
    job->status.state = JobState::kRunning;
    job->status.started_unix_micros = Env::Default()->NowUnixMicros();
  }
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kTrainingNice);
  train::TrainJobInput input;
  auto data = ReadData(job->request, /*check_only=*/false);
  if (!data.ok()) return Finish(job, JobState::kFailed, data.status().message());
  input.data = std::move(*data);
  input.data_name = job->request.data_file.empty() ? "upload" : job->request.data_file;
  input.repository = options_.repository;
  input.model = job->request.model;
  input.csv.max_memory_bytes = options_.max_memory_bytes;
  train::TrainSpec& spec = input.spec;
  spec.target = job->request.target;
  spec.positive = job->request.positive;
  spec.algorithm = *train::ParseAlgorithm(job->request.algorithm);
  spec.seed = job->request.seed.value_or(42);
  spec.threads = std::max(1, options_.threads_per_job);
  if (!job->request.params.is_null()) (void)train::ParseTrainParams(job->request.params, "params", &spec);
  train::TrainContext context;
  context.threads = spec.threads;
  context.seed = spec.seed;
  context.cancel = &job->cancel;
  context.progress = [this, job](double fraction, std::string_view stage) {
    std::lock_guard lock(mu_);
    job->status.progress = fraction;
    job->status.stage = std::string(stage);
  };
  auto result = train::RunTrainJob(input, context);
  if (!result.ok()) {
    const bool cancelled = result.status().code() == StatusCode::kCancelled;
    return Finish(job, cancelled ? JobState::kCancelled : JobState::kFailed, result.status().message());
  }
  {
    std::lock_guard lock(mu_);
    job->status.version = result->version;
    job->status.metrics = result->trained.validation_metrics;
  }
  if (options_.reload_after_publish) {
    if (Status s = manager_->ReconcileModel(job->request.model); !s.ok()) {
      return Finish(job, JobState::kFailed, "published version " + std::to_string(result->version) + " but it failed to load: " + s.message());
    }
  }
  Finish(job, JobState::kSucceeded, "");
}

void TrainingService::Finish(const std::shared_ptr<Job>& job, JobState state, std::string error) {
  std::lock_guard lock(mu_);
  --active_;
  job->status.state = state;
  job->status.error = std::move(error);
  job->status.finished_unix_micros = Env::Default()->NowUnixMicros();
  if (state == JobState::kSucceeded) job->status.progress = 1.0;
  job->status.stage = std::string(JobStateName(state));
  job->request.data_csv.clear();
  job->request.data_csv.shrink_to_fit();
  FS_LOG(kInfo, "training_job_finished")
      .With("job", job->status.id)
      .With("state", JobStateName(state))
      .With("version", job->status.version)
      .With("error", job->status.error);
  finished_order_.push_back(job->status.id);
  ForgetOldJobs();
}

void TrainingService::ForgetOldJobs() {
  while (static_cast<int>(finished_order_.size()) > options_.keep_finished) {
    jobs_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
}

Result<TrainingJobStatus> TrainingService::Get(const std::string& id, const auth::Principal* caller) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return NotFound("no training job '" + id + "'");
  FS_RETURN_IF_ERROR(CheckModel(caller, it->second->status.model));
  return it->second->status;
}

std::vector<TrainingJobStatus> TrainingService::List(const auth::Principal* caller) const {
  std::lock_guard lock(mu_);
  std::vector<TrainingJobStatus> out;
  for (const auto& [id, job] : jobs_) {
    if (CheckModel(caller, job->status.model).ok()) out.push_back(job->status);
  }
  return out;
}

Result<TrainingJobStatus> TrainingService::Cancel(const std::string& id, const auth::Principal* caller) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return NotFound("no training job '" + id + "'");
    FS_RETURN_IF_ERROR(CheckModel(caller, it->second->status.model));
    job = it->second;
    if (job->status.state != JobState::kQueued && job->status.state != JobState::kRunning) return job->status;
    job->cancel = true;
    if (job->status.state == JobState::kRunning) {
      job->status.stage = "cancelling";
      return job->status;
    }
  }
  Finish(job, JobState::kCancelled, "cancelled before it started");
  return Get(id, caller);
}

}  // namespace finserve::serving
