// Softmax cross-entropy with logits, one pass per row: loss_r = -sum(labels * log_softmax) and,
// when asked, the logits gradient softmax - labels (what tfjs' softmaxCrossEntropy uses).
#include <cmath>

#include "common.h"

namespace rl {
namespace {

// softmaxCrossEntropy(labels, logits, losses, gradOrNull, rows, cols)
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  return guarded(info, "softmaxCrossEntropy", [&]() -> Napi::Value {
    int64_t rows = integer(info, 4, "rows", 1), cols = integer(info, 5, "cols", 1);
    int64_t total = product({rows, cols}, "logits");
    const float* labels = f32(info, 0, "labels", total);
    const float* logits = f32(info, 1, "logits", total);
    float* losses = f32(info, 2, "losses", rows);
    float* grad = f32OrNull(info, 3, "grad", total);
#pragma omp parallel for if (rows * cols > kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = logits + r * cols;
      const float* l = labels + r * cols;
      float mx = x[0];
      for (int64_t j = 1; j < cols; ++j) mx = x[j] > mx ? x[j] : mx;
      double s = 0;
      for (int64_t j = 0; j < cols; ++j) s += std::exp(static_cast<double>(x[j] - mx));
      double logS = std::log(s);
      double loss = 0;
      for (int64_t j = 0; j < cols; ++j) loss -= l[j] * (static_cast<double>(x[j] - mx) - logS);
      losses[r] = static_cast<float>(loss);
      if (grad)
        for (int64_t j = 0; j < cols; ++j)
          grad[r * cols + j] =
              static_cast<float>(std::exp(static_cast<double>(x[j] - mx) - logS) - l[j]);
    }
    return info.Env().Undefined();
  });
}

void registerSoftmaxCrossEntropy(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxCrossEntropy",
              Napi::Function::New(env, SoftmaxCrossEntropy, "softmaxCrossEntropy"));
}
RL_REGISTER(registerSoftmaxCrossEntropy);

}  // namespace
}  // namespace rl
