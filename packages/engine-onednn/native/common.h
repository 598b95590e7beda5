// Shared helpers for the addon: one CPU engine/stream, checked argument unpacking, error
// conversion, the primitive caches and the reordered-weights cache. No tfjs knowledge lives here:
// every exported function takes flat typed arrays and integers.
#pragma once
#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace rl {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& eng();
dnnl::stream& strm();

// ---- Arguments -------------------------------------------------------------------------------
// The C++ side never trusts a length: every array is checked against the shape or geometry it
// comes with before any oneDNN call, loop or memcpy touches it. A mismatch throws ArgumentError,
// which `guarded` turns into a JS RangeError naming the kernel and the argument, instead of
// corrupting the Node heap.
struct ArgumentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

inline void expect(bool ok, const std::string& what) {
  if (!ok) throw ArgumentError(what);
}

// Shapes and counts fit in int32 on the TS side; products are checked so a hostile shape cannot
// wrap around into a small length that would pass the checks below.
constexpr int64_t kMaxElements = int64_t(1) << 40;
int64_t product(std::initializer_list<int64_t> dims, const char* name);
int64_t product(const std::vector<int64_t>& dims, const char* name);

// The Float32Array at argument `i`, which must hold exactly `len` values.
float* f32(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t len);
// The same, or nullptr when the argument is null/undefined.
float* f32OrNull(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t len);
// A Float32Array of any length (element-wise kernels compare lengths between arguments).
Napi::Float32Array f32Array(const Napi::CallbackInfo& info, size_t i, const char* name);
// An Int32Array of exactly `len` values (geometry records) or of any length (len < 0).
const int32_t* i32(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t len);
// An Int32Array as a shape or offset vector; every entry must be >= 0.
std::vector<int64_t> dims(const Napi::CallbackInfo& info, size_t i, const char* name);
// An integer argument in [min, max].
int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min = 0,
                int64_t max = kMaxElements);
double number(const Napi::CallbackInfo& info, size_t i, const char* name);
bool boolean(const Napi::CallbackInfo& info, size_t i, const char* name);

// A key for caches built from integer parameters.
std::string key(std::initializer_list<int64_t> parts);

// ---- Caches ----------------------------------------------------------------------------------
// Every cache registers itself, so that `clearCaches` (backend dispose, a change of the thread
// count, which oneDNN's primitives bake in when created) reaches all of them.
struct CacheBase {
  CacheBase();
  virtual ~CacheBase() = default;
  virtual void clear() = 0;
  virtual size_t size() const = 0;
};
void clearCaches();
size_t cachedPrimitiveCount();

// Primitive descriptors are slow to create (implementation search, JIT); each kernel keeps its
// own map from geometry to a prepared entry.
template <typename T>
struct Cache : CacheBase {
  std::unordered_map<std::string, std::shared_ptr<T>> map;
  void clear() override { map.clear(); }
  size_t size() const override { return map.size(); }
  std::shared_ptr<T> get(const std::string& k, const std::function<std::shared_ptr<T>()>& make) {
    auto it = map.find(k);
    if (it != map.end()) return it->second;
    auto v = make();
    map.emplace(k, v);
    return v;
  }
};

// A oneDNN primitive with its descriptor, and a scratch buffer where a kernel needs one.
template <typename Prim>
struct Prepared {
  typename Prim::primitive_desc pd;
  Prim prim;
  memory scratch;
  // bf16 copies of the kernel's float32 inputs (staged()), kept with the entry between calls.
  memory stagedA;
  memory stagedB;
};

// The cache -> create -> execute sequence every oneDNN kernel repeats: the prepared primitive
// for `k`, made from `makePd()` on first use.
template <typename Prim>
struct PrimitiveCache {
  Cache<Prepared<Prim>> cache;
  std::shared_ptr<Prepared<Prim>> get(
      const std::string& k, const std::function<typename Prim::primitive_desc()>& makePd) {
    return cache.get(k, [&] {
      auto pd = makePd();
      return std::make_shared<Prepared<Prim>>(
          Prepared<Prim>{pd, Prim(pd), memory(), memory(), memory()});
    });
  }
};

// Runs a primitive on the one stream and waits: the kernels are synchronous for tfjs.
void execute(const dnnl::primitive& prim, const std::unordered_map<int, memory>& args);

// Weights handed to oneDNN in the layout it picked, cached per tfjs data id (key != 0). The TS side
// drops an entry when the tensor is disposed or updated in place.
memory weightsAs(uint32_t key, const memory::desc& want, memory& user);
void dropWeights(uint32_t key);
size_t cachedWeightCount();

void reorderNow(memory& from, memory& to);

// `user` in the layout and data type `want`: itself when it already is, else a copy reordered into
// `slot` (allocated on first use and reused, so a bf16 convolution converts its float32 inputs
// without a fresh allocation per call).
memory staged(memory user, const memory::desc& want, memory& slot);

// ---- Precision -------------------------------------------------------------------------------
// The data type convolutions compute in. bf16: inputs and weights are rounded to bfloat16 for the
// multiply (fp32 accumulation), outputs, gradients and everything else stay float32, so master
// weights, the optimizer and batch norm never see bf16. A change empties the primitive caches.
enum class Precision { fp32, bf16 };
Precision convPrecision();
void setConvPrecision(Precision p);
// Whether this CPU multiplies bf16 natively (AVX512_BF16 or AMX); elsewhere oneDNN would emulate
// it, slower than fp32, so the engine refuses it.
bool nativeBf16();

// Runs `body`, turning C++ and oneDNN exceptions into JS errors instead of aborting Node.
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name,
                    const std::function<Napi::Value()>& body);

// Element-wise loops run on OpenMP only when there is enough work to pay for the fork.
constexpr int64_t kParallelMin = 1 << 15;

// ---- Registration ----------------------------------------------------------------------------
// Each kernel file registers its exports with RL_REGISTER(fn); the addon's entry point calls
// them all, so a new kernel is one .cc file (binding.gyp lists native/*.cc) plus its TS signature.
using Register = void (*)(Napi::Env env, Napi::Object exports);
struct Registration {
  explicit Registration(Register r);
};
const std::vector<Register>& registrations();
#define RL_REGISTER(fn) static const ::rl::Registration rlRegistration_##fn(fn)

}  // namespace rl
