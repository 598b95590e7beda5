// The geometry of a 2-D convolution as the TS side sends it (Int32Array of 17 values), and the
// oneDNN descriptors every conv kernel derives from it. Activations are NHWC, tfjs weights HWIO.
#pragma once
#include "common.h"

namespace rl {

struct ConvGeom {
  int64_t n, h, w, c, kh, kw, oc, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw;
  explicit ConvGeom(const int32_t* g)
      : n(g[0]), h(g[1]), w(g[2]), c(g[3]), kh(g[4]), kw(g[5]), oc(g[6]), oh(g[7]), ow(g[8]),
        sh(g[9]), sw(g[10]), pt(g[11]), pl(g[12]), pb(g[13]), pr(g[14]), dh(g[15]), dw(g[16]) {}
  std::string id() const {
    return key({n, h, w, c, kh, kw, oc, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw});
  }
  memory::desc src() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({n, oc, oh, ow}, dt::f32, tag::nhwc); }
  memory::desc weightsAny() const { return memory::desc({oc, c, kh, kw}, dt::f32, tag::any); }
  memory::desc weightsHwio() const { return memory::desc({oc, c, kh, kw}, dt::f32, tag::hwio); }
  memory::desc bias() const { return memory::desc({oc}, dt::f32, tag::x); }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }

  dnnl::convolution_forward::desc forwardDesc(bool withBias) const {
    using dnnl::convolution_forward;
    if (withBias)
      return convolution_forward::desc(dnnl::prop_kind::forward_training,
                                       dnnl::algorithm::convolution_direct, src(), weightsAny(),
                                       bias(), dst(), strides(), dilates(), padL(), padR());
    return convolution_forward::desc(dnnl::prop_kind::forward_training,
                                     dnnl::algorithm::convolution_direct, src(), weightsAny(),
                                     dst(), strides(), dilates(), padL(), padR());
  }
};

}  // namespace rl
