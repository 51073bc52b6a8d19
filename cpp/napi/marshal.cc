#include "napi/marshal.h"

#include <cmath>
#include <cstring>

#include "cohort/value.hpp"

namespace cohort::napi {

uint32_t u32(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string("cohort: ") + what + " must be a number");
  return v.As<Napi::Number>().Uint32Value();
}

int32_t i32Or(const Napi::Value& v, int32_t fallback) {
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
}

namespace {
// One coordinate: an integer (never truncated: 1.5, NaN and infinities are
// refused, naming the coordinate).
coord_t coordFrom(const Napi::Value& c, const char* what, int index) {
  std::string name = std::string(what) + (index < 0 ? std::string() : "[" + std::to_string(index) + "]");
  if (!c.IsNumber()) throw Napi::TypeError::New(c.Env(), "cohort: " + name + " must be a number");
  double d = c.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9223372036854775808.0)
    throw Napi::RangeError::New(c.Env(), "cohort: " + name + " must be an integer, got " + c.ToString().Utf8Value());
  return static_cast<coord_t>(d);
}
}  // namespace

Point pointFrom(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) return Point(coordFrom(v, what, -1));
  if (!v.IsArray())
    throw Napi::TypeError::New(v.Env(),
                               std::string("cohort: ") + what + " must be a number or an array of 1 to 3 numbers");
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  if (n < 1 || n > 3)
    throw Napi::TypeError::New(
        v.Env(), std::string("cohort: ") + what + " must have 1 to 3 coordinates, got " + std::to_string(n));
  Point p = Point::filled(static_cast<int>(n), 0);
  for (uint32_t i = 0; i < n; ++i) {
    p[static_cast<int>(i)] = coordFrom(a.Get(i), what, static_cast<int>(i));
  }
  return p;
}

Rect rectFrom(const Napi::Value& lo, const Napi::Value& hi, const char* what) {
  Point l = pointFrom(lo, (std::string(what) + " lo").c_str()), h = pointFrom(hi, (std::string(what) + " hi").c_str());
  if (l.dim != h.dim)
    throw Napi::TypeError::New(lo.Env(), std::string("cohort: ") + what + ": lo and hi have different dimensions");
  return Rect(l, h);
}

Napi::Array arrayFrom(Napi::Env env, const Point& p) {
  Napi::Array a = Napi::Array::New(env, static_cast<size_t>(p.dim));
  for (int d = 0; d < p.dim; ++d) a.Set(static_cast<uint32_t>(d), static_cast<double>(p[d]));
  return a;
}

namespace {
std::pair<uint32_t, uint32_t> handleFrom(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string("cohort: ") + what + " handle is malformed");
  Napi::Array a = v.As<Napi::Array>();
  return {u32(a.Get(0u), what), u32(a.Get(1u), what)};
}

PooledVector<FieldId> fieldsFrom(const Napi::Value& v) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "cohort: requirement fields must be an array");
  Napi::Array a = v.As<Napi::Array>();
  PooledVector<FieldId> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(u32(a.Get(i), "field id"));
  return out;
}

template <typename Req>
void accessFrom(const Napi::Object& o, Req& r) {
  r.fields = fieldsFrom(o.Get("fields"));
  r.privilege = static_cast<Privilege>(u32(o.Get("privilege"), "privilege"));
  Napi::Value redop = o.Get("redop");
  r.redop = redop.IsUndefined() ? kNoRedop : static_cast<RedopId>(i32Or(redop, 0));
  r.coherence = static_cast<Coherence>(i32Or(o.Get("coherence"), 0));
}

// What a mapper sees of a requirement read already.
template <typename Req>
void mappableFrom(const Req& r, bool partition, std::pair<uint32_t, uint32_t> handle, MappableRequirement* out) {
  if (!out) return;
  out->partition = partition;
  out->tree = handle.first;
  out->node = handle.second;
  out->fields.assign(r.fields.begin(), r.fields.end());
  out->privilege = r.privilege;
  out->redop = r.redop;
  out->coherence = r.coherence;
}
}  // namespace

RegionRequirement requirementFrom(const Napi::Object& o, MappableRequirement* mappable) {
  RegionRequirement r;
  auto h = handleFrom(o.Get("region"), "region");
  r.region = RegionHandle{h.first, h.second};
  accessFrom(o, r);
  mappableFrom(r, false, h, mappable);
  return r;
}

namespace {
template <typename T>
Napi::Value typedArrayOf(Napi::Env env, const Value& v, napi_typedarray_type type) {
  const size_t n = v.size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, n * sizeof(T));
  if (n) std::memcpy(buf.Data(), v.typedData<T>(), n * sizeof(T));
  return Napi::TypedArrayOf<T>::New(env, n, buf, 0, type);
}
}  // namespace

Napi::Value jsFromValue(Napi::Env env, const Value& v) {
  switch (v.tag()) {
    case ValueTag::Undefined: return env.Undefined();
    case ValueTag::Null: return env.Null();
    case ValueTag::False: return Napi::Boolean::New(env, false);
    case ValueTag::True: return Napi::Boolean::New(env, true);
    case ValueTag::Number: return Napi::Number::New(env, v.asNumber());
    case ValueTag::BigInt: return Napi::BigInt::New(env, v.asInt());
    case ValueTag::String: {
      std::string_view sv = v.asString();
      return Napi::String::New(env, sv.data(), sv.size());
    }
    case ValueTag::Array: {
      const size_t n = v.size();
      Napi::Array a = Napi::Array::New(env, n);
      for (size_t i = 0; i < n; ++i) a.Set(static_cast<uint32_t>(i), jsFromValue(env, v[i]));
      return a;
    }
    case ValueTag::Object: {
      Napi::Object o = Napi::Object::New(env);
      for (size_t i = 0, n = v.size(); i < n; ++i) {
        std::string_view key = v.keyAt(i);
        o.Set(Napi::String::New(env, key.data(), key.size()), jsFromValue(env, v.get(key)));
      }
      return o;
    }
    case ValueTag::TypedArray:
      switch (v.elementKind()) {
        case ElementKind::F64: return typedArrayOf<double>(env, v, napi_float64_array);
        case ElementKind::F32: return typedArrayOf<float>(env, v, napi_float32_array);
        case ElementKind::I32: return typedArrayOf<int32_t>(env, v, napi_int32_array);
        case ElementKind::U32: return typedArrayOf<uint32_t>(env, v, napi_uint32_array);
        case ElementKind::I16: return typedArrayOf<int16_t>(env, v, napi_int16_array);
        case ElementKind::U16: return typedArrayOf<uint16_t>(env, v, napi_uint16_array);
        case ElementKind::I8: return typedArrayOf<int8_t>(env, v, napi_int8_array);
        case ElementKind::U8: return typedArrayOf<uint8_t>(env, v, napi_uint8_array);
        case ElementKind::I64: return typedArrayOf<int64_t>(env, v, napi_bigint64_array);
        case ElementKind::U64: return typedArrayOf<uint64_t>(env, v, napi_biguint64_array);
        case ElementKind::U8Clamped:
          // value.hpp gives no typed access to clamped elements.
          throw Napi::TypeError::New(env, "cohort: a Uint8ClampedArray cannot be decoded here yet; use a Uint8Array");
      }
      break;
  }
  throw Napi::TypeError::New(env, std::string("cohort: cannot decode a ") + v.typeName() + " value for JS");
}

}  // namespace cohort::napi
