// A self-contained HTML evaluation report: the headline metrics, the confusion matrix and four
// inline SVG charts (ROC curve, KS curve, calibration by decile, score distribution by class).
// No scripts, no external resources, so it opens anywhere and can be archived as evidence.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "train/metrics.h"

namespace finserve::train {

struct ReportHeader {
  std::string model;
  std::string version;
  std::string model_sha256;
  std::string data;
  std::string target;
  std::string positive;
};

std::string RenderHtmlReport(const BinaryReport& report, const ReportHeader& header);

}  // namespace finserve::train
