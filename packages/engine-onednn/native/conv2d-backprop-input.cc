// Conv2DBackpropInput (the data gradient, also conv2dTranspose): NHWC diff tensors, weights in
// oneDNN's chosen layout, cached per tfjs data id like the forward pass.
#include "conv-geometry.h"

namespace rl {
namespace {

struct Entry {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
};
Cache<Entry> cache;

// conv2dBackpropInput(dy, w, dx, geom:Int32Array, weightKey:number)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2dBackpropInput", [&]() -> Napi::Value {
    ConvGeom g(i32(info[3]));
    uint32_t wkey = static_cast<uint32_t>(i64(info[4]));
    auto e = cache.get(g.id(), [&]() {
      auto pd = g.backwardDataPd();
      return std::make_shared<Entry>(Entry{pd, dnnl::convolution_backward_data(pd)});
    });
    memory diffDst(g.dst(), eng(), f32(info[0]));
    memory userW(g.weightsHwio(), eng(), f32(info[1]));
    memory w = weightsAs(wkey, e->pd.weights_desc(), userW);
    memory diffSrc(g.src(), eng(), f32(info[2]));
    e->prim.execute(strm(), {{DNNL_ARG_DIFF_DST, diffDst},
                             {DNNL_ARG_WEIGHTS, w},
                             {DNNL_ARG_DIFF_SRC, diffSrc}});
    strm().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void registerConv2dBackpropInput(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dBackpropInput",
              Napi::Function::New(env, Conv2dBackpropInput, "conv2dBackpropInput"));
}

}  // namespace rl
