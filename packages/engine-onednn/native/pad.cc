// PadV2 with a constant: fill, then place the input (option A shortcuts pad channels with zeros).
#include "box-copy.h"

namespace rl {
namespace {

// pad(x, xShape, before, outShape, value, out): out filled with value, x placed at `before`.
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return guarded(info, "pad", [&]() -> Napi::Value {
    // Negative paddings (cropping) never reach here: the TS side leaves them to cpu.
    auto xShape = dims(info, 1, "xShape"), before = dims(info, 2, "before"), outShape = dims(info, 3, "outShape");
    expectBoxInside(outShape, before, xShape, "the padded input");
    const float* x = f32(info, 0, "x", product(xShape, "x"));
    auto value = static_cast<float>(number(info, 4, "value"));
    int64_t total = product(outShape, "out");
    float* out = f32(info, 5, "out", total);
#pragma omp parallel for simd if (total > kParallelMin)
    for (int64_t i = 0; i < total; ++i) out[i] = value;
    // Placing x inside out is a slice of out of x's size at `before`, with roles swapped.
    forRows(outShape, before, xShape, [&](int64_t so, int64_t dOff, int64_t run) {
      std::memcpy(out + so, x + dOff, sizeof(float) * run);
    });
    return info.Env().Undefined();
  });
}

void registerPad(Napi::Env env, Napi::Object exports) {
  exports.Set("pad", Napi::Function::New(env, Pad, "pad"));
}
RL_REGISTER(registerPad);

}  // namespace
}  // namespace rl
