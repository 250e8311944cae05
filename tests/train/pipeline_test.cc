#include "train/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/sha256.h"
#include "train/publish.h"
#include "train/python_reference.h"
#include "train/train_job.h"
#include "train/train_test_util.h"

namespace finserve::train {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TrainSpec Spec(Algorithm algorithm) {
  TrainSpec spec;
  spec.target = "Status";
  spec.positive = "bad";
  spec.algorithm = algorithm;
  spec.seed = 3;
  spec.threads = 2;
  spec.gbdt.rounds = 80;
  spec.mlp.max_epochs = 15;
  return spec;
}

std::string FileOf(const TrainedVersion& v, const std::string& name) {
  for (const auto& [n, contents] : v.files) {
    if (n == name) return contents;
  }
  return "";
}

class PipelineTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(PipelineTest, SameInputsGiveByteIdenticalModelsAndFullLineage) {
  const CsvTable table = CreditTable();
  TrainContext ctx;
  ctx.threads = 2;
  ctx.seed = 3;
  auto a = TrainModel(table, "sha", Spec(GetParam()), ctx);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = TrainModel(table, "sha", Spec(GetParam()), ctx);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(FileOf(*a, a->model_file), FileOf(*b, b->model_file));
  EXPECT_EQ(FileOf(*a, "config.yaml"), FileOf(*b, "config.yaml"));
  EXPECT_EQ(FileOf(*a, "statistics.json"), FileOf(*b, "statistics.json"));
  const auto& l = a->lineage;
  EXPECT_EQ(l["data"]["sha256"], "sha");
  EXPECT_EQ(l["data"]["rows"], 4454);
  EXPECT_EQ(l["data"]["columns"].size(), 14u);
  EXPECT_EQ(l["seed"], 3);
  EXPECT_EQ(l["threads"], 2);
  EXPECT_EQ(l["positive"], "bad");
  EXPECT_EQ(l["model_sha256"], Sha256Hex(FileOf(*a, a->model_file)));
  EXPECT_EQ(l["libraries"]["xgboost"], "1.7.4");
  EXPECT_TRUE(l["parameters"].contains(std::string(AlgorithmName(GetParam()))));
  EXPECT_GT(l["validation_metrics"]["auc"].get<double>(), 0.75) << "a usable credit model";
  EXPECT_EQ(l["rows"]["train"].get<int>() + l["rows"]["validation"].get<int>(), 4454);
  EXPECT_THAT(FileOf(*a, "config.yaml"), HasSubstr("features:"));
}

INSTANTIATE_TEST_SUITE_P(Algorithms, PipelineTest,
                         ::testing::Values(Algorithm::kLogistic, Algorithm::kScorecard, Algorithm::kGbdt, Algorithm::kMlp),
                         [](const auto& info) { return std::string(AlgorithmName(info.param)); });

TEST(PipelineErrorsTest, BadDataIsRefusedClearly) {
  const TrainContext ctx;
  auto small = CsvTable::Parse("Status,a\ngood,1\nbad,2\n", "small.csv", {});
  EXPECT_THAT(TrainModel(*small, "", Spec(Algorithm::kLogistic), ctx).status().message(),
              HasSubstr("small.csv: 2 data rows; training needs at least 50"));
  std::string three = "Status,a\n";
  for (int i = 0; i < 60; ++i) three += std::string(i % 3 == 0 ? "good" : i % 3 == 1 ? "bad" : "ugly") + "," + std::to_string(i) + "\n";
  EXPECT_THAT(TrainModel(*CsvTable::Parse(three, "three.csv", {}), "", Spec(Algorithm::kGbdt), ctx).status().message(),
              HasSubstr("exactly two classes"));
}

TEST(PipelineSplitTest, OutOfTimeUsesTheLatestRowsForValidation) {
  std::string csv = "Status,when,x\n";
  for (int i = 0; i < 200; ++i) {
    csv += std::string(i % 4 == 0 ? "bad" : "good") + ",2020-" + (i < 100 ? "01" : "02") + "-" + std::to_string(10 + i % 18) +
           "," + std::to_string((i * 37) % 101) + "\n";
  }
  TrainSpec spec = Spec(Algorithm::kLogistic);
  spec.split.method = SplitSpec::Method::kOutOfTime;
  spec.split.date_column = "when";
  spec.split.validation_fraction = 0.25;
  auto v = TrainModel(*CsvTable::Parse(csv, "dated.csv", {}), "", spec, {});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->lineage["rows"]["validation"], 50);
  EXPECT_THAT(FileOf(*v, "config.yaml"), ::testing::Not(HasSubstr("\"when\"")));  // the date is no feature
}

TEST(PublishTest, VersionsAreNumberedAndAtomic) {
  const std::string repo = testing::TempDir("publish");
  auto v1 = PublishVersion(repo, "m", {{"model.json", "{}"}, {"config.yaml", "a: 1\n"}});
  auto v2 = PublishVersion(repo, "m", {{"model.json", "{}"}});
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_EQ(*v1, 1);
  EXPECT_EQ(*v2, 2);
  EXPECT_TRUE(fs::exists(repo + "/m/1/config.yaml"));
  for (const auto& e : fs::directory_iterator(repo + "/m")) EXPECT_NE(e.path().filename().string()[0], '.') << "no temporary left";
  EXPECT_THAT(PublishVersion(repo, "../evil", {}).status().message(), HasSubstr("not a valid model name"));
  // A file that cannot be written: nothing is published, no temporary directory remains.
  EXPECT_FALSE(PublishVersion(repo, "m", {{"sub/dir/model.json", "{}"}}).ok());
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(repo + "/m")) names.push_back(e.path().filename().string());
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("1", "2"));
}

TEST(TrainJobTest, CancelledOrFailedJobsPublishNothing) {
  const std::string repo = testing::TempDir("job");
  TrainJobInput input;
  input.data = CreditText();
  input.data_name = "credit_data.csv";
  input.spec = Spec(Algorithm::kGbdt);
  input.repository = repo;
  input.model = "credit";
  std::atomic<bool> cancel{true};
  TrainContext ctx;
  ctx.cancel = &cancel;
  auto cancelled = RunTrainJob(input, ctx);
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled);
  EXPECT_FALSE(fs::exists(repo + "/credit"));
  input.csv.max_memory_bytes = 1000;
  auto too_big = RunTrainJob(input, {});
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(fs::exists(repo + "/credit"));
  input.csv = {};
  auto done = RunTrainJob(input, {});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->version, 1);
  for (const char* f : {"model.json", "config.yaml", "statistics.json", "lineage.json"}) {
    EXPECT_TRUE(fs::exists(repo + "/credit/1/" + f)) << f;
  }
}

TEST(TrainSpecTest, ParamsFileIsValidatedByTable) {
  TrainSpec spec;
  auto doc = ParamsYamlToJson("gbdt:\n  rounds: 50\n  monotone_constraints: {Income: -1}\nsplit:\n  method: out_of_time\n"
                              "  date_column: when\ncolumns:\n  Home: {type: categorical, encoding: ordinal}\n",
                              "p.yaml");
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(ParseTrainParams(*doc, "p.yaml", &spec).ok());
  EXPECT_EQ(spec.gbdt.rounds, 50);
  EXPECT_EQ(spec.gbdt.monotone.at("Income"), -1);
  EXPECT_EQ(spec.split.method, SplitSpec::Method::kOutOfTime);
  EXPECT_EQ(spec.preprocess.columns.at("Home").encoding, CategoryEncoding::kOrdinal);
  EXPECT_THAT(ParseTrainParams(*ParamsYamlToJson("gbdt: {round: 5}", "p.yaml"), "p.yaml", &spec).message(),
              HasSubstr("unknown key 'gbdt.round'"));
  EXPECT_THAT(ParseTrainParams(*ParamsYamlToJson("gbdt: {max_depth: 0}", "p.yaml"), "p.yaml", &spec).message(),
              HasSubstr("'gbdt.max_depth' must be in [1"));
  EXPECT_THAT(ParamsYamlToJson("a: [", "p.yaml").status().message(), HasSubstr("p.yaml: invalid YAML at line"));
}

}  // namespace
}  // namespace finserve::train
