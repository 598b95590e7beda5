// Sum / Mean / Max over the middle axis of a tensor viewed as [outer, reduced, inner]: covers
// reducing N,H,W of NHWC (outer 1), H,W (global pooling) and the last axis (inner 1). Sums are
// accumulated in double, as tfjs' JavaScript numbers are.
#include <algorithm>
#include <limits>

#include <omp.h>

#include "common.h"

namespace rl {
namespace {

enum Op { kSum = 0, kMean, kMax };

// reduce(op, x, out, outer, reduced, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, "reduce", [&]() -> Napi::Value {
    int op = static_cast<int>(integer(info, 0, "op", kSum, kMax));
    int64_t outer = integer(info, 3, "outer", 1), red = integer(info, 4, "reduced", 1),
            inner = integer(info, 5, "inner", 1);
    int64_t total = product({outer, red, inner}, "x");
    const float* x = f32(info, 1, "x", total);
    float* out = f32(info, 2, "out", product({outer, inner}, "out"));
    double scale = op == kMean ? 1.0 / static_cast<double>(red) : 1.0;
    if (op == kMax) {
#pragma omp parallel for if (total > kParallelMin)
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          float m = -std::numeric_limits<float>::infinity();
          for (int64_t r = 0; r < red; ++r) {
            float v = x[(o * red + r) * inner + i];
            if (v > m || v != v) m = v;
            if (m != m) break;
          }
          out[o * inner + i] = m;
        }
      }
      return info.Env().Undefined();
    }
    if (outer >= 8 || total <= kParallelMin) {
#pragma omp parallel if (total > kParallelMin)
      {
        std::vector<double> acc(inner);
#pragma omp for
        for (int64_t o = 0; o < outer; ++o) {
          std::fill(acc.begin(), acc.end(), 0.0);
          const float* base = x + o * red * inner;
          for (int64_t r = 0; r < red; ++r) {
            const float* rowp = base + r * inner;
            for (int64_t i = 0; i < inner; ++i) acc[i] += rowp[i];
          }
          for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<float>(acc[i] * scale);
        }
      }
      return info.Env().Undefined();
    }
    // Few outer rows (e.g. per-channel sums over N,H,W): threads split the reduced axis and
    // combine their partial sums.
    int nt = omp_get_max_threads();
    std::vector<double> partial(static_cast<size_t>(nt) * outer * inner, 0.0);
#pragma omp parallel
    {
      int t = omp_get_thread_num();
      double* acc = partial.data() + static_cast<size_t>(t) * outer * inner;
#pragma omp for
      for (int64_t r = 0; r < red; ++r) {
        for (int64_t o = 0; o < outer; ++o) {
          const float* rowp = x + (o * red + r) * inner;
          double* a = acc + o * inner;
          for (int64_t i = 0; i < inner; ++i) a[i] += rowp[i];
        }
      }
    }
    for (int64_t j = 0; j < outer * inner; ++j) {
      double s = 0;
      for (int t = 0; t < nt; ++t) s += partial[static_cast<size_t>(t) * outer * inner + j];
      out[j] = static_cast<float>(s * scale);
    }
    return info.Env().Undefined();
  });
}

void registerReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
}
RL_REGISTER(registerReduce);

}  // namespace
}  // namespace rl
