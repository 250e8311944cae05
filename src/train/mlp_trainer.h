// A multilayer perceptron for binary classification: dense layers with ReLU, a sigmoid output,
// binary cross-entropy, Adam with L2 weight decay, mini-batches shuffled by the seeded Rng, and
// early stopping on the validation rows' log loss (the best epoch's weights are kept). Inputs are
// standardised during training and the standardisation is folded into the first layer, so the
// exported network (onnx_writer.h) takes the columns as they are. Missing values must have been
// imputed. Double precision, single-threaded, deterministic for a seed.
#pragma once

#include <span>
#include <vector>

#include "core/status.h"
#include "train/preprocess.h"
#include "train/train_context.h"

namespace finserve::train {

struct MlpOptions {
  std::vector<int> hidden = {32, 16};
  double learning_rate = 1e-3;
  int batch_size = 64;
  int max_epochs = 200;
  int patience = 15;  // epochs without a better validation loss before stopping
  double weight_decay = 1e-4;
};

// One dense layer: out = in * weights + bias, weights stored row-major [inputs x outputs].
struct DenseLayer {
  int inputs = 0, outputs = 0;
  std::vector<float> weights;
  std::vector<float> bias;
};

struct MlpFit {
  std::vector<DenseLayer> layers;  // ReLU after every layer but the last; sigmoid after the last
  int epochs = 0;
  int best_epoch = 0;
  double best_validation_logloss = 0;
};

Result<MlpFit> FitMlp(const Matrix& train, std::span<const float> train_y, const Matrix& valid,
                      std::span<const float> valid_y, const MlpOptions& options, const TrainContext& context);

// The exported network's forward pass in float, as an ONNX runtime computes it (for checks).
std::vector<double> PredictMlp(const MlpFit& fit, const Matrix& x);

}  // namespace finserve::train
