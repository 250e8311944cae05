#include "train/train_test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace finserve::train {

namespace {

std::string DataText(const std::string& name) {
  std::ifstream in(std::string(FINSERVE_SOURCE_DIR) + "/data/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

EncodedCredit Encode(const CsvTable& t, const std::string& target, bool native_missing, CategoryEncoding encoding) {
  PreprocessOptions o;
  o.target = target;
  o.native_missing = native_missing;
  o.encoding = encoding;
  EncodedCredit e;
  auto plan = FitFeaturePlan(t, o);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  e.plan = *plan;
  e.x = *EncodeTable(e.plan, t);
  std::string positive = "bad";
  e.y = *EncodeBinaryTarget(t, target, &positive);
  return e;
}

}  // namespace

std::string CreditText() { return DataText("credit_data.csv"); }

CsvTable CreditTable() {
  auto t = CsvTable::Parse(CreditText(), "credit_data.csv", {});
  EXPECT_TRUE(t.ok());
  return *t;
}

EncodedCredit EncodeCredit(bool native_missing, CategoryEncoding encoding) {
  return Encode(CreditTable(), "Status", native_missing, encoding);
}

EncodedCredit EncodeLendingClub(bool native_missing, CategoryEncoding encoding) {
  auto t = CsvTable::Parse(DataText("lending_club.csv"), "lending_club.csv", {});
  EXPECT_TRUE(t.ok());
  return Encode(*t, "Class", native_missing, encoding);
}

Matrix Rows(const Matrix& m, int64_t begin, int64_t end) {
  Matrix out;
  out.rows = end - begin;
  out.cols = m.cols;
  out.values.assign(m.values.begin() + begin * m.cols, m.values.begin() + end * m.cols);
  return out;
}

std::string WriteMatrixCsv(const std::string& path, const Matrix& m, const std::vector<float>* labels) {
  std::ofstream out(path);
  out.precision(9);
  for (int64_t r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) out << (c ? "," : "") << m.at(r, c);
    if (labels) out << "," << (*labels)[static_cast<size_t>(r)];
    out << "\n";
  }
  return path;
}

}  // namespace finserve::train
