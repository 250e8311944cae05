// Shared fixtures of the training tests: the project's credit data, encoded for an algorithm.
#pragma once

#include <string>
#include <vector>

#include "train/csv_table.h"
#include "train/preprocess.h"

namespace finserve::train {

CsvTable CreditTable();
std::string CreditText();
// credit_data.csv encoded with a plan fitted on all rows (native missing or imputed), and the
// 0/1 labels of Status = bad.
struct EncodedCredit {
  FeaturePlan plan;
  Matrix x;
  std::vector<float> y;
};
EncodedCredit EncodeCredit(bool native_missing, CategoryEncoding encoding);
// The same for data/lending_club.csv (Class = bad).
EncodedCredit EncodeLendingClub(bool native_missing, CategoryEncoding encoding);
// Rows [begin, end) of a matrix.
Matrix Rows(const Matrix& m, int64_t begin, int64_t end);
// A CSV file of the matrix (and, if given, a last column of labels).
std::string WriteMatrixCsv(const std::string& path, const Matrix& m, const std::vector<float>* labels);

}  // namespace finserve::train
