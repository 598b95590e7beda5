// Conv2DBackpropFilter (the weights gradient): oneDNN writes the gradient in its own layout and
// one reorder brings it back to tfjs' HWIO.
#include "conv-geometry.h"

namespace rl {
namespace {

struct Entry {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  memory scratchDw;  // only when oneDNN's layout differs from HWIO
};
Cache<Entry> cache;

// conv2dBackpropFilter(x, dy, dw, geom:Int32Array)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2dBackpropFilter", [&]() -> Napi::Value {
    ConvGeom g(i32(info[3]));
    auto e = cache.get(g.id(), [&]() {
      auto pd = g.backwardWeightsPd();
      memory scratch;
      if (pd.diff_weights_desc() != g.weightsHwio()) scratch = memory(pd.diff_weights_desc(), eng());
      return std::make_shared<Entry>(Entry{pd, dnnl::convolution_backward_weights(pd), scratch});
    });
    memory src(g.src(), eng(), f32(info[0]));
    memory diffDst(g.dst(), eng(), f32(info[1]));
    memory userDw(g.weightsHwio(), eng(), f32(info[2]));
    memory dw = e->scratchDw ? e->scratchDw : userDw;
    e->prim.execute(strm(), {{DNNL_ARG_SRC, src},
                             {DNNL_ARG_DIFF_DST, diffDst},
                             {DNNL_ARG_DIFF_WEIGHTS, dw}});
    strm().wait();
    if (e->scratchDw) reorderNow(dw, userDw);
    return info.Env().Undefined();
  });
}

}  // namespace

void registerConv2dBackpropFilter(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dBackpropFilter",
              Napi::Function::New(env, Conv2dBackpropFilter, "conv2dBackpropFilter"));
}

}  // namespace rl
