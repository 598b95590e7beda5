// Slice: a dense copy of a box of the input (tfjs' cpu Slice returns views, which a backend that
// recycles buffers cannot allow, and is slow for non-contiguous boxes).
#include "box-copy.h"

namespace rl {
namespace {

// slice(x, xShape, begin, size, out)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guarded(info, "slice", [&]() -> Napi::Value {
    auto shape = dims(info, 1, "xShape"), begin = dims(info, 2, "begin"), size = dims(info, 3, "size");
    expectBoxInside(shape, begin, size, "the slice");
    const float* x = f32(info, 0, "x", product(shape, "x"));
    float* out = f32(info, 4, "out", product(size, "out"));
    forRows(shape, begin, size, [&](int64_t so, int64_t dOff, int64_t run) {
      std::memcpy(out + dOff, x + so, sizeof(float) * run);
    });
    return info.Env().Undefined();
  });
}

void registerSlice(Napi::Env env, Napi::Object exports) {
  exports.Set("slice", Napi::Function::New(env, Slice, "slice"));
}
RL_REGISTER(registerSlice);

}  // namespace
}  // namespace rl
