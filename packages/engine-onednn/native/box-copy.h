// Copies of boxes between dense tensors, shared by Slice and Pad: contiguous innermost runs,
// rows split between threads. Shapes travel as Int32Arrays of equal rank.
#pragma once
#include <cstring>

#include "common.h"

namespace rl {

// Iterates every innermost row of `size` inside a tensor of `shape` starting at `begin`, calling
// f(srcOffset, dstOffset) with dst a dense tensor of `size`.
template <typename F>
void forRows(const std::vector<int64_t>& shape, const std::vector<int64_t>& begin,
             const std::vector<int64_t>& size, F f) {
  size_t r = shape.size();
  std::vector<int64_t> srcStride(r), dstStride(r);
  int64_t s = 1, d = 1;
  for (size_t i = r; i-- > 0;) {
    srcStride[i] = s;
    dstStride[i] = d;
    s *= shape[i];
    d *= size[i];
  }
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < r; ++i) rows *= size[i];
  int64_t run = size[r - 1];
  int64_t base = 0;
  for (size_t i = 0; i < r; ++i) base += begin[i] * srcStride[i];
#pragma omp parallel for if (rows * run > kParallelMin)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, so = base;
    for (size_t i = r - 1; i-- > 0;) {
      int64_t idx = rem % size[i];
      rem /= size[i];
      so += idx * srcStride[i];
    }
    f(so, row * run, run);
  }
}

// A box of `size` at `begin` inside a tensor of `shape`: equal ranks, at least one value, and
// entirely inside (every entry is already >= 0, see dims()).
inline void expectBoxInside(const std::vector<int64_t>& shape, const std::vector<int64_t>& begin,
                            const std::vector<int64_t>& size, const char* what) {
  expect(!shape.empty() && begin.size() == shape.size() && size.size() == shape.size(),
         std::string(what) + ": shape, begin and size must have the same rank >= 1");
  expect(product(size, what) > 0, std::string(what) + " is empty");
  for (size_t i = 0; i < shape.size(); ++i)
    expect(begin[i] + size[i] <= shape[i],
           std::string(what) + " reaches past dimension " + std::to_string(i) + " (" +
               std::to_string(begin[i]) + " + " + std::to_string(size[i]) + " > " +
               std::to_string(shape[i]) + ")");
}

}  // namespace rl
