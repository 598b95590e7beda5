// Pooling geometry as the TS side sends it (Int32Array of 14 values), checked:
// [n, h, w, c, kh, kw, oh, ow, sh, sw, padTop, padLeft, dh, dw]; activations NHWC.
#pragma once
#include "common.h"

namespace rl {

struct PoolGeom {
  int64_t n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl, dh, dw;
  explicit PoolGeom(const int32_t* g)
      : n(g[0]), h(g[1]), w(g[2]), c(g[3]), kh(g[4]), kw(g[5]), oh(g[6]), ow(g[7]), sh(g[8]),
        sw(g[9]), pt(g[10]), pl(g[11]), dh(g[12]), dw(g[13]) {
    // Empty tensors never reach here (the TS side falls back to cpu). Window pixels are checked
    // against the image in forWindow, so any output size stays in bounds.
    for (int64_t d : {n, h, w, c, kh, kw, oh, ow, sh, sw, dh, dw})
      expect(d >= 1, "pooling geometry has a size, stride or dilation below 1");
    expect(pt >= 0 && pl >= 0, "pooling geometry has a negative padding");
  }
  int64_t srcLen() const { return product({n, h, w, c}, "x"); }
  int64_t dstLen() const { return product({n, oh, ow, c}, "y"); }

  // Calls f(xr, xc) for each pixel of output (yr, yc)'s window that lies inside the image:
  // padding never contributes, as in tfjs.
  template <typename F>
  void forWindow(int64_t yr, int64_t yc, F f) const {
    for (int64_t kr = 0; kr < kh; ++kr) {
      int64_t xr = yr * sh - pt + kr * dh;
      if (xr < 0 || xr >= h) continue;
      for (int64_t kc = 0; kc < kw; ++kc) {
        int64_t xc = yc * sw - pl + kc * dw;
        if (xc < 0 || xc >= w) continue;
        f(xr, xc);
      }
    }
  }
};

}  // namespace rl
