#include "common.h"

namespace rl {

dnnl::engine& eng() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& strm() {
  static dnnl::stream s(eng());
  return s;
}

// ---- Arguments -------------------------------------------------------------------------------

namespace {
template <typename It>
int64_t productOf(It begin, It end, const char* name) {
  int64_t p = 1;
  for (It it = begin; it != end; ++it) {
    expect(*it >= 0, std::string(name) + " has a negative dimension " + std::to_string(*it));
    if (*it == 0) return 0;
    expect(p <= kMaxElements / *it, std::string(name) + " is too large");
    p *= *it;
  }
  return p;
}

Napi::Value arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  expect(i < info.Length(), std::string("missing argument ") + name);
  return info[i];
}

void expectLength(size_t actual, int64_t len, const char* name, const char* what) {
  expect(static_cast<int64_t>(actual) == len, std::string(name) + " has " + std::to_string(actual) +
                                                  " " + what + ", expected " + std::to_string(len));
}
}  // namespace

int64_t product(std::initializer_list<int64_t> d, const char* name) {
  return productOf(d.begin(), d.end(), name);
}
int64_t product(const std::vector<int64_t>& d, const char* name) {
  return productOf(d.begin(), d.end(), name);
}

Napi::Float32Array f32Array(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = arg(info, i, name);
  expect(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array,
         std::string(name) + " must be a Float32Array");
  return v.As<Napi::Float32Array>();
}

float* f32(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t len) {
  auto a = f32Array(info, i, name);
  expectLength(a.ElementLength(), len, name, "values");
  return a.Data();
}

float* f32OrNull(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t len) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return f32(info, i, name, len);
}

const int32_t* i32(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t len) {
  Napi::Value v = arg(info, i, name);
  expect(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array,
         std::string(name) + " must be an Int32Array");
  auto a = v.As<Napi::Int32Array>();
  if (len >= 0) expectLength(a.ElementLength(), len, name, "entries");
  return a.Data();
}

std::vector<int64_t> dims(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const int32_t* p = i32(info, i, name, -1);
  size_t n = info[i].As<Napi::Int32Array>().ElementLength();
  std::vector<int64_t> out(p, p + n);
  for (int64_t d : out) expect(d >= 0, std::string(name) + " has a negative entry " + std::to_string(d));
  return out;
}

int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min,
                int64_t max) {
  Napi::Value v = arg(info, i, name);
  expect(v.IsNumber(), std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  expect(d == static_cast<double>(static_cast<int64_t>(d)) && d >= static_cast<double>(min) &&
             d <= static_cast<double>(max),
         std::string(name) + " must be an integer in [" + std::to_string(min) + ", " +
             std::to_string(max) + "], got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

double number(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = arg(info, i, name);
  expect(v.IsNumber(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool boolean(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = arg(info, i, name);
  expect(v.IsBoolean(), std::string(name) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string key(std::initializer_list<int64_t> parts) {
  std::string k;
  k.reserve(parts.size() * 6);
  for (int64_t p : parts) {
    k += std::to_string(p);
    k += ',';
  }
  return k;
}

// ---- Caches ----------------------------------------------------------------------------------

namespace {
std::vector<CacheBase*>& caches() {
  static std::vector<CacheBase*> c;
  return c;
}

struct WeightEntry {
  memory::desc md;
  memory mem;
};
std::unordered_map<uint32_t, std::vector<WeightEntry>>& weightCache() {
  static std::unordered_map<uint32_t, std::vector<WeightEntry>> c;
  return c;
}
}  // namespace

// Caches are namespace-scope statics of the kernel files, alive as long as the addon.
CacheBase::CacheBase() { caches().push_back(this); }

void clearCaches() {
  for (auto* cache : caches()) cache->clear();
  weightCache().clear();
}

size_t cachedPrimitiveCount() {
  size_t n = 0;
  for (auto* cache : caches()) n += cache->size();
  return n;
}

void execute(const dnnl::primitive& prim, const std::unordered_map<int, memory>& args) {
  prim.execute(strm(), args);
  strm().wait();
}

void reorderNow(memory& from, memory& to) { execute(dnnl::reorder(from, to), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}); }

memory weightsAs(uint32_t k, const memory::desc& want, memory& user) {
  if (user.get_desc() == want) return user;
  if (k != 0) {
    auto& entries = weightCache()[k];
    for (auto& e : entries)
      if (e.md == want) return e.mem;
  }
  memory m(want, eng());
  reorderNow(user, m);
  if (k != 0) weightCache()[k].push_back({want, m});
  return m;
}

memory staged(memory user, const memory::desc& want, memory& slot) {
  if (user.get_desc() == want) return user;
  if (!slot || slot.get_desc() != want) slot = memory(want, eng());
  reorderNow(user, slot);
  return slot;
}

namespace {
Precision precision = Precision::fp32;
}  // namespace

Precision convPrecision() { return precision; }

void setConvPrecision(Precision p) {
  if (p == precision) return;
  precision = p;
  clearCaches();
}

bool nativeBf16() {
  // oneDNN's ISA values are bit sets, each a superset of the ones it extends: every ISA with bf16
  // (avx512_core_bf16, avx512_core_amx, and in oneDNN 3 the fp16 ones after them) holds these bits.
  auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & bf16) == bf16;
}

void dropWeights(uint32_t k) { weightCache().erase(k); }
size_t cachedWeightCount() { return weightCache().size(); }

Napi::Value guarded(const Napi::CallbackInfo& info, const char* name,
                    const std::function<Napi::Value()>& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const ArgumentError& e) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + ": " + e.what());
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string(name) + ": oneDNN error " +
                                           std::to_string(static_cast<int>(e.status)) + ": " +
                                           e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
  }
}

// ---- Registration ----------------------------------------------------------------------------

namespace {
std::vector<Register>& registry() {
  static std::vector<Register> r;
  return r;
}
}  // namespace

Registration::Registration(Register r) { registry().push_back(r); }
const std::vector<Register>& registrations() { return registry(); }

}  // namespace rl
