// Conv2DBackpropFilter (the weights gradient): oneDNN writes the gradient in its own layout and
// one reorder brings it back to tfjs' HWIO.
#include "conv-geometry.h"

namespace rl {
namespace {

PrimitiveCache<dnnl::convolution_backward_weights> cache;

// conv2dBackpropFilter(x, dy, dw, geom:Int32Array)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2dBackpropFilter", [&]() -> Napi::Value {
    ConvGeom g(i32(info, 3, "geometry", 17));
    float* x = f32(info, 0, "x", g.srcLen());
    float* dy = f32(info, 1, "dy", g.dstLen());
    float* dwHwio = f32(info, 2, "dw", g.weightsLen());
    auto e = cache.get(g.id(), [&] { return g.backwardWeightsPd(); });
    memory userDw(g.weightsHwio(), eng(), dwHwio);
    // Where oneDNN's layout differs from HWIO it writes into a scratch buffer kept with the entry.
    if (e->pd.diff_weights_desc() != g.weightsHwio() && !e->scratch)
      e->scratch = memory(e->pd.diff_weights_desc(), eng());
    memory dw = e->scratch ? e->scratch : userDw;
    // In bf16 the inputs are read through bf16 copies (staged); the gradient stays float32.
    memory src = staged(memory(g.src(), eng(), x), e->pd.src_desc(), e->stagedA);
    memory diffDst = staged(memory(g.dst(), eng(), dy), e->pd.diff_dst_desc(), e->stagedB);
    execute(e->prim, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
    if (e->scratch) reorderNow(dw, userDw);
    return info.Env().Undefined();
  });
}

void registerConv2dBackpropFilter(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dBackpropFilter",
              Napi::Function::New(env, Conv2dBackpropFilter, "conv2dBackpropFilter"));
}
RL_REGISTER(registerConv2dBackpropFilter);

}  // namespace
}  // namespace rl
