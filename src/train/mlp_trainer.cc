#include "train/mlp_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Dense>

namespace finserve::train {
namespace {

using Eigen::MatrixXd;
using Eigen::RowVectorXd;
using Eigen::VectorXd;

struct Layer {
  MatrixXd w;  // inputs x outputs
  RowVectorXd b;
  MatrixXd mw, vw;  // Adam moments
  RowVectorXd mb, vb;
};

struct Network {
  std::vector<Layer> layers;
  VectorXd mean, scale;
};

MatrixXd ToEigen(const Matrix& x, const Network& net, std::span<const int64_t> rows) {
  MatrixXd out(static_cast<Eigen::Index>(rows.size()), x.cols);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int c = 0; c < x.cols; ++c) out(static_cast<Eigen::Index>(i), c) = (x.at(rows[i], c) - net.mean[c]) / net.scale[c];
  }
  return out;
}

// Forward pass keeping each layer's activations; returns the output margins.
VectorXd Forward(const Network& net, const MatrixXd& x, std::vector<MatrixXd>* activations) {
  MatrixXd a = x;
  if (activations) activations->assign(1, a);
  for (size_t l = 0; l < net.layers.size(); ++l) {
    MatrixXd z = (a * net.layers[l].w).rowwise() + net.layers[l].b;
    if (l + 1 < net.layers.size()) z = z.cwiseMax(0.0);
    a = std::move(z);
    if (activations) activations->push_back(a);
  }
  return a.col(0);
}

double Sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

double LogLossOf(const VectorXd& margins, std::span<const float> y, std::span<const int64_t> rows) {
  double sum = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const double p = std::clamp(Sigmoid(margins[static_cast<Eigen::Index>(i)]), 1e-15, 1 - 1e-15);
    sum -= y[static_cast<size_t>(rows[i])] > 0.5f ? std::log(p) : std::log(1 - p);
  }
  return sum / static_cast<double>(rows.size());
}

void AdamUpdate(MatrixXd* param, MatrixXd* m, MatrixXd* v, const MatrixXd& g, double lr, int t) {
  constexpr double kB1 = 0.9, kB2 = 0.999, kEps = 1e-8;
  *m = kB1 * *m + (1 - kB1) * g;
  *v = kB2 * *v + (1 - kB2) * g.cwiseProduct(g);
  const double c1 = 1 - std::pow(kB1, t), c2 = 1 - std::pow(kB2, t);
  *param -= (lr * (*m / c1).array() / ((*v / c2).array().sqrt() + kEps)).matrix();
}

void TrainBatch(Network* net, const MatrixXd& x, std::span<const float> y, std::span<const int64_t> rows,
                const MlpOptions& o, int step) {
  std::vector<MatrixXd> acts;
  const VectorXd margins = Forward(*net, x, &acts);
  MatrixXd delta(x.rows(), 1);
  for (Eigen::Index i = 0; i < x.rows(); ++i) delta(i, 0) = Sigmoid(margins[i]) - y[static_cast<size_t>(rows[static_cast<size_t>(i)])];
  delta /= static_cast<double>(x.rows());
  for (size_t l = net->layers.size(); l-- > 0;) {
    Layer& layer = net->layers[l];
    MatrixXd gw = acts[l].transpose() * delta + o.weight_decay * layer.w;
    MatrixXd gb = delta.colwise().sum();
    if (l > 0) {
      delta = (delta * layer.w.transpose()).cwiseProduct((acts[l].array() > 0).cast<double>().matrix());
    }
    AdamUpdate(&layer.w, &layer.mw, &layer.vw, gw, o.learning_rate, step);
    MatrixXd b = layer.b, mb = layer.mb, vb = layer.vb;
    AdamUpdate(&b, &mb, &vb, gb, o.learning_rate, step);
    layer.b = b.row(0);
    layer.mb = mb.row(0);
    layer.vb = vb.row(0);
  }
}

Network Init(const Matrix& x, const MlpOptions& o, Rng* rng) {
  Network net;
  net.mean = VectorXd::Zero(x.cols);
  net.scale = VectorXd::Ones(x.cols);
  for (int c = 0; c < x.cols; ++c) {
    double s = 0, sq = 0;
    for (int64_t r = 0; r < x.rows; ++r) s += x.at(r, c);
    net.mean[c] = s / static_cast<double>(x.rows);
    for (int64_t r = 0; r < x.rows; ++r) sq += (x.at(r, c) - net.mean[c]) * (x.at(r, c) - net.mean[c]);
    const double sd = std::sqrt(sq / static_cast<double>(x.rows));
    net.scale[c] = sd > 0 ? sd : 1.0;
  }
  std::vector<int> sizes = {x.cols};
  sizes.insert(sizes.end(), o.hidden.begin(), o.hidden.end());
  sizes.push_back(1);
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    Layer layer;
    const double he = std::sqrt(2.0 / sizes[l]);
    layer.w = MatrixXd(sizes[l], sizes[l + 1]);
    for (Eigen::Index i = 0; i < layer.w.size(); ++i) layer.w.data()[i] = rng->Normal() * he;
    layer.b = RowVectorXd::Zero(sizes[l + 1]);
    layer.mw = layer.vw = MatrixXd::Zero(sizes[l], sizes[l + 1]);
    layer.mb = layer.vb = RowVectorXd::Zero(sizes[l + 1]);
    net.layers.push_back(std::move(layer));
  }
  return net;
}

// Folds the input standardisation into the first layer and converts to float.
std::vector<DenseLayer> Export(const Network& net) {
  std::vector<DenseLayer> out;
  for (size_t l = 0; l < net.layers.size(); ++l) {
    MatrixXd w = net.layers[l].w;
    RowVectorXd b = net.layers[l].b;
    if (l == 0) {
      for (Eigen::Index i = 0; i < w.rows(); ++i) {
        b -= (net.mean[i] / net.scale[i]) * w.row(i);
        w.row(i) /= net.scale[i];
      }
    }
    DenseLayer d;
    d.inputs = static_cast<int>(w.rows());
    d.outputs = static_cast<int>(w.cols());
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
      for (Eigen::Index j = 0; j < w.cols(); ++j) d.weights.push_back(static_cast<float>(w(i, j)));
    }
    for (Eigen::Index j = 0; j < b.size(); ++j) d.bias.push_back(static_cast<float>(b[j]));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

double Rng::Normal() {
  const double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

Result<MlpFit> FitMlp(const Matrix& train, std::span<const float> train_y, const Matrix& valid,
                      std::span<const float> valid_y, const MlpOptions& o, const TrainContext& context) {
  for (float v : train.values) {
    if (std::isnan(v)) return InvalidArgument("the MLP got a missing value; impute it first");
  }
  if (o.hidden.empty() || o.batch_size < 1 || o.max_epochs < 1) return InvalidArgument("mlp: hidden, batch_size and max_epochs must be positive");
  Rng rng(context.seed);
  Network net = Init(train, o, &rng);
  std::vector<int64_t> order(static_cast<size_t>(train.rows));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::vector<int64_t> valid_rows(static_cast<size_t>(valid.rows));
  std::iota(valid_rows.begin(), valid_rows.end(), int64_t{0});
  const MatrixXd valid_x = ToEigen(valid, net, valid_rows);
  MlpFit fit;
  Network best = net;
  fit.best_validation_logloss = std::numeric_limits<double>::infinity();
  int step = 0;
  for (int epoch = 1; epoch <= o.max_epochs; ++epoch) {
    FS_RETURN_IF_ERROR(context.CheckCancelled());
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    for (size_t start = 0; start < order.size(); start += static_cast<size_t>(o.batch_size)) {
      const size_t end = std::min(order.size(), start + static_cast<size_t>(o.batch_size));
      std::span<const int64_t> rows(order.data() + start, end - start);
      TrainBatch(&net, ToEigen(train, net, rows), train_y, rows, o, ++step);
    }
    fit.epochs = epoch;
    if (valid.rows > 0) {
      const double loss = LogLossOf(Forward(net, valid_x, nullptr), valid_y, valid_rows);
      if (loss < fit.best_validation_logloss) {
        fit.best_validation_logloss = loss;
        fit.best_epoch = epoch;
        best = net;
      } else if (epoch - fit.best_epoch >= o.patience) {
        break;
      }
    } else {
      best = net;
      fit.best_epoch = epoch;
    }
    context.Progress(static_cast<double>(epoch) / o.max_epochs, "mlp epoch " + std::to_string(epoch));
  }
  fit.layers = Export(best);
  return fit;
}

std::vector<double> PredictMlp(const MlpFit& fit, const Matrix& x) {
  std::vector<double> out(static_cast<size_t>(x.rows));
  std::vector<float> a, z;
  for (int64_t r = 0; r < x.rows; ++r) {
    a.assign(x.row(r), x.row(r) + x.cols);
    for (size_t l = 0; l < fit.layers.size(); ++l) {
      const DenseLayer& d = fit.layers[l];
      z.assign(d.bias.begin(), d.bias.end());
      for (int i = 0; i < d.inputs; ++i) {
        for (int j = 0; j < d.outputs; ++j) z[static_cast<size_t>(j)] += a[static_cast<size_t>(i)] * d.weights[static_cast<size_t>(i * d.outputs + j)];
      }
      if (l + 1 < fit.layers.size()) {
        for (float& v : z) v = std::max(v, 0.0f);
      }
      a.swap(z);
    }
    out[static_cast<size_t>(r)] = 1.0 / (1.0 + std::exp(-static_cast<double>(a[0])));
  }
  return out;
}

}  // namespace finserve::train
