// Element-wise binary ops with numpy broadcasting (Add, Sub, Multiply, RealDiv, Maximum,
// Minimum, SquaredDifference). Shapes are collapsed so the innermost loop is as long as possible.
#include <algorithm>

#include "common.h"

namespace rl {
namespace {

enum Op { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSqDiff };

template <int OP>
inline float apply(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  if constexpr (OP == kMax) return (a != a || b != b) ? a + b : (a > b ? a : b);
  if constexpr (OP == kMin) return (a != a || b != b) ? a + b : (a < b ? a : b);
  return (a - b) * (a - b);
}

template <int OP>
void row(const float* a, int64_t as, const float* b, int64_t bs, float* o, int64_t len) {
  if (as == 1 && bs == 1) {
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) o[i] = apply<OP>(a[i], b[i]);
  } else if (as == 1) {
    float bv = b[0];
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) o[i] = apply<OP>(a[i], bv);
  } else if (bs == 1) {
    float av = a[0];
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) o[i] = apply<OP>(av, b[i]);
  } else {
    float v = apply<OP>(a[0], b[0]);
    for (int64_t i = 0; i < len; ++i) o[i] = v;
  }
}

template <int OP>
void run(const float* a, const std::vector<int64_t>& ash, const float* b,
         const std::vector<int64_t>& bsh, float* o, const std::vector<int64_t>& osh) {
  // Align ranks, drop size-1 output dims, merge neighbours that broadcast the same way.
  size_t r = osh.size();
  std::vector<int64_t> od, ad, bd;
  for (size_t i = 0; i < r; ++i) {
    int64_t ov = osh[i];
    int64_t av = i + ash.size() >= r ? ash[i + ash.size() - r] : 1;
    int64_t bv = i + bsh.size() >= r ? bsh[i + bsh.size() - r] : 1;
    if (ov == 1) continue;
    bool aB = av == 1, bB = bv == 1;
    if (!od.empty() && (ad.back() == 1) == aB && (bd.back() == 1) == bB) {
      od.back() *= ov;
      ad.back() *= av;
      bd.back() *= bv;
    } else {
      od.push_back(ov);
      ad.push_back(av);
      bd.push_back(bv);
    }
  }
  if (od.empty()) {
    o[0] = apply<OP>(a[0], b[0]);
    return;
  }
  size_t k = od.size();
  // Element strides of a and b per collapsed output dim (0 where broadcast).
  std::vector<int64_t> astr(k), bstr(k);
  int64_t sa = 1, sb = 1;
  for (size_t i = k; i-- > 0;) {
    astr[i] = ad[i] == 1 ? 0 : sa;
    bstr[i] = bd[i] == 1 ? 0 : sb;
    sa *= ad[i];
    sb *= bd[i];
  }
  int64_t len = od[k - 1];
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < k; ++i) rows *= od[i];
  int64_t total = rows * len;
  if (rows == 1) {
    // One long row: split it between threads.
    int64_t chunk = 1 << 14;
    int64_t nChunks = (len + chunk - 1) / chunk;
#pragma omp parallel for if (total > kParallelMin)
    for (int64_t c = 0; c < nChunks; ++c) {
      int64_t s = c * chunk, e = std::min(len, s + chunk);
      row<OP>(a + s * astr[k - 1], astr[k - 1], b + s * bstr[k - 1], bstr[k - 1], o + s, e - s);
    }
    return;
  }
#pragma omp parallel for if (total > kParallelMin)
  for (int64_t rIdx = 0; rIdx < rows; ++rIdx) {
    int64_t rem = rIdx, ao = 0, bo = 0;
    for (size_t i = k - 1; i-- > 0;) {
      int64_t idx = rem % od[i];
      rem /= od[i];
      ao += idx * astr[i];
      bo += idx * bstr[i];
    }
    row<OP>(a + ao, astr[k - 1], b + bo, bstr[k - 1], o + rIdx * len, len);
  }
}

// Each input dimension must be the output's or 1 (numpy broadcasting, aligned on the right).
void expectBroadcastsTo(const std::vector<int64_t>& in, const std::vector<int64_t>& out, const char* name) {
  expect(in.size() <= out.size(), std::string(name) + " has a higher rank than the output");
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t d = in[in.size() - 1 - i], o = out[out.size() - 1 - i];
    expect(d == o || d == 1, std::string(name) + " does not broadcast to the output shape");
  }
}

// binary(op, a, aShape:Int32Array, b, bShape:Int32Array, out, outShape:Int32Array)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, "binary", [&]() -> Napi::Value {
    int op = static_cast<int>(integer(info, 0, "op", kAdd, kSqDiff));
    auto ash = dims(info, 2, "aShape"), bsh = dims(info, 4, "bShape"), osh = dims(info, 6, "outShape");
    expectBroadcastsTo(ash, osh, "a");
    expectBroadcastsTo(bsh, osh, "b");
    int64_t total = product(osh, "out");
    // An empty output has nothing to compute (and its inputs may be empty too).
    expect(total > 0, "the output is empty");
    const float* a = f32(info, 1, "a", product(ash, "a"));
    const float* b = f32(info, 3, "b", product(bsh, "b"));
    float* o = f32(info, 5, "out", total);
    switch (op) {
      case kAdd: run<kAdd>(a, ash, b, bsh, o, osh); break;
      case kSub: run<kSub>(a, ash, b, bsh, o, osh); break;
      case kMul: run<kMul>(a, ash, b, bsh, o, osh); break;
      case kDiv: run<kDiv>(a, ash, b, bsh, o, osh); break;
      case kMax: run<kMax>(a, ash, b, bsh, o, osh); break;
      case kMin: run<kMin>(a, ash, b, bsh, o, osh); break;
      case kSqDiff: run<kSqDiff>(a, ash, b, bsh, o, osh); break;
      default: throw std::runtime_error("unknown binary op " + std::to_string(op));
    }
    return info.Env().Undefined();
  });
}

void registerBinary(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
}
RL_REGISTER(registerBinary);

}  // namespace
}  // namespace rl
