// PadV2 with a constant: fill, then place the input (option A shortcuts pad channels with zeros).
#include "box-copy.h"

namespace rl {
namespace {

// pad(x, xShape, before, outShape, value, out): out filled with value, x placed at `before`.
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return guarded(info, "pad", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    auto xShape = ints(info[1]);
    auto before = ints(info[2]);
    auto outShape = ints(info[3]);
    float value = static_cast<float>(dbl(info[4]));
    float* out = f32(info[5]);
    int64_t total = 1;
    for (auto d : outShape) total *= d;
#pragma omp parallel for simd if (total > kParallelMin)
    for (int64_t i = 0; i < total; ++i) out[i] = value;
    // Placing x inside out is a slice of out of x's size at `before`, with roles swapped.
    forRows(outShape, before, xShape, [&](int64_t so, int64_t dOff, int64_t run) {
      std::memcpy(out + so, x + dOff, sizeof(float) * run);
    });
    return info.Env().Undefined();
  });
}

}  // namespace

void registerPad(Napi::Env env, Napi::Object exports) {
  exports.Set("pad", Napi::Function::New(env, Pad, "pad"));
}

}  // namespace rl
