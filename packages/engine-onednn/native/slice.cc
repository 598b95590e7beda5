// Slice: a dense copy of a box of the input (tfjs' cpu Slice returns views, which a backend that
// recycles buffers cannot allow, and is slow for non-contiguous boxes).
#include "box-copy.h"

namespace rl {
namespace {

// slice(x, xShape, begin, size, out)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guarded(info, "slice", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    float* out = f32(info[4]);
    forRows(ints(info[1]), ints(info[2]), ints(info[3]), [&](int64_t so, int64_t dOff, int64_t run) {
      std::memcpy(out + dOff, x + so, sizeof(float) * run);
    });
    return info.Env().Undefined();
  });
}

}  // namespace

void registerSlice(Napi::Env env, Napi::Object exports) {
  exports.Set("slice", Napi::Function::New(env, Slice, "slice"));
}

}  // namespace rl
