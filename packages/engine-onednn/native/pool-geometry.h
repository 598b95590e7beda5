// Pooling geometry as the TS side sends it (Int32Array):
// [n, h, w, c, kh, kw, oh, ow, sh, sw, padTop, padLeft, dh, dw]; activations NHWC.
#pragma once
#include "common.h"

namespace rl {

struct PoolGeom {
  int64_t n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl, dh, dw;
  explicit PoolGeom(const int32_t* g)
      : n(g[0]), h(g[1]), w(g[2]), c(g[3]), kh(g[4]), kw(g[5]), oh(g[6]), ow(g[7]), sh(g[8]),
        sw(g[9]), pt(g[10]), pl(g[11]), dh(g[12]), dw(g[13]) {}
};

}  // namespace rl
