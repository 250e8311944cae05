#include "train/logistic_trainer.h"

#include <cmath>

#include <Eigen/Dense>

namespace finserve::train {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Standardised {
  MatrixXd z;            // rows x (1 + cols): a leading column of ones, then standardised columns
  VectorXd mean, scale;  // per original column; scale 0 for constant columns
};

Standardised Standardise(const Matrix& x) {
  Standardised s;
  const int64_t n = x.rows;
  s.mean = VectorXd::Zero(x.cols);
  s.scale = VectorXd::Zero(x.cols);
  for (int c = 0; c < x.cols; ++c) {
    double sum = 0, sq = 0;
    for (int64_t r = 0; r < n; ++r) sum += x.at(r, c);
    const double mean = sum / static_cast<double>(n);
    for (int64_t r = 0; r < n; ++r) sq += (x.at(r, c) - mean) * (x.at(r, c) - mean);
    s.mean[c] = mean;
    s.scale[c] = std::sqrt(sq / static_cast<double>(n));
  }
  s.z.resize(n, x.cols + 1);
  for (int64_t r = 0; r < n; ++r) {
    s.z(r, 0) = 1.0;
    for (int c = 0; c < x.cols; ++c) s.z(r, c + 1) = s.scale[c] > 0 ? (x.at(r, c) - s.mean[c]) / s.scale[c] : 0.0;
  }
  return s;
}

double Sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// The penalised objective (log loss summed, stable for large margins).
double Objective(const MatrixXd& z, std::span<const float> y, const VectorXd& w, double l2, double l1) {
  const VectorXd margin = z * w;
  double f = 0;
  for (Eigen::Index r = 0; r < margin.size(); ++r) {
    const double m = margin[r];
    f += (m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m))) - y[static_cast<size_t>(r)] * m;
  }
  const auto coefficients = w.tail(w.size() - 1);
  return f + 0.5 * l2 * coefficients.squaredNorm() + l1 * coefficients.cwiseAbs().sum();
}

double SoftThreshold(double v, double t) { return v > t ? v - t : (v < -t ? v + t : 0.0); }

// Minimises 0.5 d'Hd + g'd + l1 |w + d|_1 (intercept, index 0, unpenalised) by coordinate descent.
VectorXd L1Step(const MatrixXd& h, const VectorXd& g, const VectorXd& w, double l1) {
  VectorXd d = VectorXd::Zero(w.size());
  VectorXd hd = VectorXd::Zero(w.size());
  for (int sweep = 0; sweep < 200; ++sweep) {
    double largest = 0;
    for (int j = 0; j < w.size(); ++j) {
      const double a = h(j, j);
      if (a <= 0) continue;
      const double b = g[j] + hd[j] - a * d[j];  // gradient of the rest at d_j = 0
      const double target = j == 0 ? w[j] - b / a : SoftThreshold(a * w[j] - b, l1) / a;
      const double new_d = target - w[j];
      const double change = new_d - d[j];
      if (change != 0) {
        hd += h.col(j) * change;
        d[j] = new_d;
        largest = std::max(largest, std::abs(change));
      }
    }
    if (largest < 1e-10) break;
  }
  return d;
}

}  // namespace

Result<LogisticFit> FitLogistic(const Matrix& x, std::span<const float> y, const LogisticOptions& options,
                                const TrainContext& context) {
  if (x.rows == 0) return InvalidArgument("no rows to fit");
  for (float v : x.values) {
    if (std::isnan(v)) return InvalidArgument("the logistic fit got a missing value; impute it first");
  }
  const Standardised s = Standardise(x);
  const int p = x.cols + 1;
  VectorXd w = VectorXd::Zero(p);
  double mean_y = 0;
  for (float v : y) mean_y += v;
  mean_y /= static_cast<double>(y.size());
  w[0] = std::log(std::max(mean_y, 1e-6) / std::max(1 - mean_y, 1e-6));
  VectorXd penalty = VectorXd::Constant(p, options.l2);
  penalty[0] = 0;
  LogisticFit fit;
  for (fit.iterations = 1; fit.iterations <= options.max_iterations; ++fit.iterations) {
    FS_RETURN_IF_ERROR(context.CheckCancelled());
    const VectorXd margin = s.z * w;
    VectorXd residual(x.rows), weight(x.rows);
    for (int64_t r = 0; r < x.rows; ++r) {
      const double prob = Sigmoid(margin[r]);
      residual[r] = prob - y[static_cast<size_t>(r)];
      weight[r] = std::max(prob * (1 - prob), 1e-10);
    }
    MatrixXd h = s.z.transpose() * weight.asDiagonal() * s.z;
    h.diagonal() += penalty;
    h.diagonal().array() += 1e-10;  // keeps constant (all-zero) columns solvable
    const VectorXd g = s.z.transpose() * residual + penalty.cwiseProduct(w);
    VectorXd step = options.l1 > 0 ? L1Step(h, g, w, options.l1) : VectorXd(-h.ldlt().solve(g));
    // Backtracking: a full Newton step can overshoot on nearly separable data.
    const double before = Objective(s.z, y, w, options.l2, options.l1);
    for (int halvings = 0; halvings < 50 && Objective(s.z, y, w + step, options.l2, options.l1) > before; ++halvings) {
      step *= 0.5;
    }
    w += step;
    if (step.cwiseAbs().maxCoeff() < options.tolerance) {
      fit.converged = true;
      break;
    }
  }
  fit.coefficients.assign(static_cast<size_t>(x.cols), 0.0);
  fit.intercept = w[0];
  for (int c = 0; c < x.cols; ++c) {
    if (s.scale[c] <= 0) continue;
    fit.coefficients[static_cast<size_t>(c)] = w[c + 1] / s.scale[c];
    fit.intercept -= w[c + 1] * s.mean[c] / s.scale[c];
  }
  return fit;
}

std::vector<double> PredictLogistic(const LogisticFit& fit, const Matrix& x) {
  std::vector<double> out(static_cast<size_t>(x.rows));
  for (int64_t r = 0; r < x.rows; ++r) {
    double m = fit.intercept;
    for (int c = 0; c < x.cols; ++c) m += fit.coefficients[static_cast<size_t>(c)] * x.at(r, c);
    out[static_cast<size_t>(r)] = Sigmoid(m);
  }
  return out;
}

}  // namespace finserve::train
