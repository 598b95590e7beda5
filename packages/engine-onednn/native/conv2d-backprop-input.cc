// Conv2DBackpropInput (the data gradient, also conv2dTranspose): NHWC diff tensors, weights in
// oneDNN's chosen layout, cached per tfjs data id like the forward pass.
#include "conv-geometry.h"

namespace rl {
namespace {

PrimitiveCache<dnnl::convolution_backward_data> cache;

// conv2dBackpropInput(dy, w, dx, geom:Int32Array, weightKey:number)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2dBackpropInput", [&]() -> Napi::Value {
    ConvGeom g(i32(info, 3, "geometry", 17));
    float* dy = f32(info, 0, "dy", g.dstLen());
    float* filter = f32(info, 1, "filter", g.weightsLen());
    float* dx = f32(info, 2, "dx", g.srcLen());
    auto wkey = static_cast<uint32_t>(integer(info, 4, "weightKey", 0, UINT32_MAX));
    auto e = cache.get(g.id(), [&] { return g.backwardDataPd(); });
    memory userW(g.weightsHwio(), eng(), filter);
    memory diffDst = staged(memory(g.dst(), eng(), dy), e->pd.diff_dst_desc(), e->stagedA);
    execute(e->prim, {{DNNL_ARG_DIFF_DST, diffDst},
                      {DNNL_ARG_WEIGHTS, weightsAs(wkey, e->pd.weights_desc(), userW)},
                      {DNNL_ARG_DIFF_SRC, memory(g.src(), eng(), dx)}});
    return info.Env().Undefined();
  });
}

void registerConv2dBackpropInput(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dBackpropInput",
              Napi::Function::New(env, Conv2dBackpropInput, "conv2dBackpropInput"));
}
RL_REGISTER(registerConv2dBackpropInput);

}  // namespace
}  // namespace rl
