// The cohort value encoding: how task arguments, futures and results cross
// between TypeScript and C++. Header-only; no dependencies beyond the STL.
//
// A value is a tag byte followed by its payload; all integers little-endian.
//   0x00 undefined          0x01 null
//   0x02 false              0x03 true
//   0x04 number             f64 (8 bytes)
//   0x05 bigint             i64 (8 bytes; JS BigInt in int64 range)
//   0x06 string             u32 byte length, UTF-8 bytes
//   0x07 array              u32 count, then `count` values
//   0x08 object             u32 count, then `count` x (u32 key length, UTF-8
//                           key, value); plain objects only, insertion order
//   0x09 typed array        u8 element kind, u32 element count, zero padding
//                           up to the next multiple of 8 from the start of
//                           the buffer, then the raw elements
// Element kinds: 0 f64, 1 f32, 2 i32, 3 u32, 4 i16, 5 u16, 6 i8, 7 u8,
// 8 i64 (BigInt64Array), 9 u64 (BigUint64Array), 10 u8 clamped.
// Task arguments are encoded as one array value (the argument list).
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cohort {

enum class ValueTag : uint8_t {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  BigInt = 5,
  String = 6,
  Array = 7,
  Object = 8,
  TypedArray = 9
};

enum class ElementKind : uint8_t {
  F64 = 0,
  F32 = 1,
  I32 = 2,
  U32 = 3,
  I16 = 4,
  U16 = 5,
  I8 = 6,
  U8 = 7,
  I64 = 8,
  U64 = 9,
  U8Clamped = 10
};

inline size_t elementSize(ElementKind k) {
  switch (k) {
    case ElementKind::F64:
    case ElementKind::I64:
    case ElementKind::U64: return 8;
    case ElementKind::F32:
    case ElementKind::I32:
    case ElementKind::U32: return 4;
    case ElementKind::I16:
    case ElementKind::U16: return 2;
    default: return 1;
  }
}

template <typename T>
struct ElementKindOf;
template <>
struct ElementKindOf<double> {
  static constexpr ElementKind value = ElementKind::F64;
};
template <>
struct ElementKindOf<float> {
  static constexpr ElementKind value = ElementKind::F32;
};
template <>
struct ElementKindOf<int32_t> {
  static constexpr ElementKind value = ElementKind::I32;
};
template <>
struct ElementKindOf<uint32_t> {
  static constexpr ElementKind value = ElementKind::U32;
};
template <>
struct ElementKindOf<int16_t> {
  static constexpr ElementKind value = ElementKind::I16;
};
template <>
struct ElementKindOf<uint16_t> {
  static constexpr ElementKind value = ElementKind::U16;
};
template <>
struct ElementKindOf<int8_t> {
  static constexpr ElementKind value = ElementKind::I8;
};
template <>
struct ElementKindOf<uint8_t> {
  static constexpr ElementKind value = ElementKind::U8;
};
template <>
struct ElementKindOf<int64_t> {
  static constexpr ElementKind value = ElementKind::I64;
};
template <>
struct ElementKindOf<uint64_t> {
  static constexpr ElementKind value = ElementKind::U64;
};

// Thrown when a value is not what the reader expected, or bytes are malformed.
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline const char* tagName(ValueTag t) {
  switch (t) {
    case ValueTag::Undefined: return "undefined";
    case ValueTag::Null: return "null";
    case ValueTag::False:
    case ValueTag::True: return "boolean";
    case ValueTag::Number: return "number";
    case ValueTag::BigInt: return "bigint";
    case ValueTag::String: return "string";
    case ValueTag::Array: return "array";
    case ValueTag::Object: return "object";
    case ValueTag::TypedArray: return "typed array";
  }
  return "unknown";
}

// A read-only view of one encoded value inside a buffer. `origin` is the
// start of the whole buffer (typed array padding is relative to it).
class Value {
 public:
  Value() = default;
  Value(const uint8_t* origin, const uint8_t* at, const uint8_t* end) : origin_(origin), at_(at), end_(end) {
    if (at_ >= end_) throw ValueError("cohort value: empty or truncated buffer");
  }
  static Value decode(const uint8_t* data, size_t len) { return Value(data, data, data + len); }

  ValueTag tag() const { return static_cast<ValueTag>(*at_); }
  const char* typeName() const { return tagName(tag()); }
  bool isUndefined() const { return tag() == ValueTag::Undefined; }
  bool isNull() const { return tag() == ValueTag::Null; }
  bool isNumber() const { return tag() == ValueTag::Number; }
  bool isString() const { return tag() == ValueTag::String; }
  bool isArray() const { return tag() == ValueTag::Array; }
  bool isObject() const { return tag() == ValueTag::Object; }
  bool isTypedArray() const { return tag() == ValueTag::TypedArray; }

  bool asBool() const {
    if (tag() == ValueTag::True) return true;
    if (tag() == ValueTag::False) return false;
    throw mismatch("boolean");
  }
  double asNumber() const {
    if (tag() == ValueTag::Number) return read<double>(at_ + 1);
    if (tag() == ValueTag::BigInt) return static_cast<double>(read<int64_t>(at_ + 1));
    throw mismatch("number");
  }
  // A number with no fractional part, or a bigint.
  int64_t asInt() const {
    if (tag() == ValueTag::BigInt) return read<int64_t>(at_ + 1);
    double d = asNumber();
    if (d != static_cast<double>(static_cast<int64_t>(d)))
      throw ValueError("cohort value: expected an integer, got " + std::to_string(d));
    return static_cast<int64_t>(d);
  }
  std::string_view asString() const {
    if (tag() != ValueTag::String) throw mismatch("string");
    uint32_t n = read<uint32_t>(at_ + 1);
    need(at_ + 5, n);
    return std::string_view(reinterpret_cast<const char*>(at_ + 5), n);
  }
  // Number of elements of an array, entries of an object, or elements of a
  // typed array.
  size_t size() const {
    switch (tag()) {
      case ValueTag::Array:
      case ValueTag::Object: return read<uint32_t>(at_ + 1);
      case ValueTag::TypedArray: return read<uint32_t>(at_ + 2);
      default: throw mismatch("array, object or typed array");
    }
  }
  Value operator[](size_t i) const {
    if (tag() != ValueTag::Array) throw mismatch("array");
    size_t n = size();
    if (i >= n)
      throw ValueError("cohort value: index " + std::to_string(i) + " out of range (array of " + std::to_string(n) +
                       ")");
    const uint8_t* p = at_ + 5;
    for (size_t k = 0; k < i; ++k) p = skip(p);
    return Value(origin_, p, end_);
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  Value get(std::string_view key) const {
    const uint8_t* p = find(key);
    if (!p) throw ValueError("cohort value: object has no key '" + std::string(key) + "'");
    return Value(origin_, p, end_);
  }
  // Key of entry i of an object.
  std::string_view keyAt(size_t i) const {
    if (tag() != ValueTag::Object) throw mismatch("object");
    const uint8_t* p = at_ + 5;
    for (size_t k = 0; k < i; ++k) p = skip(p + 4 + read<uint32_t>(p));
    uint32_t kn = read<uint32_t>(p);
    need(p + 4, kn);
    return std::string_view(reinterpret_cast<const char*>(p + 4), kn);
  }
  ElementKind elementKind() const {
    if (tag() != ValueTag::TypedArray) throw mismatch("typed array");
    return static_cast<ElementKind>(at_[1]);
  }
  // Elements of a typed array of exactly element type T. The pointer is
  // aligned when the whole buffer is 8-byte aligned (runtime buffers are).
  template <typename T>
  const T* typedData() const {
    if (elementKind() != ElementKindOf<T>::value)
      throw ValueError("cohort value: typed array has a different element type than requested");
    const uint8_t* p = dataStart();
    need(p, size() * sizeof(T));
    return reinterpret_cast<const T*>(p);
  }
  template <typename T>
  std::vector<T> toVector() const {
    const uint8_t* p = dataStart();
    if (elementKind() != ElementKindOf<T>::value)
      throw ValueError("cohort value: typed array has a different element type than requested");
    std::vector<T> out(size());
    need(p, out.size() * sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), p, out.size() * sizeof(T));
    return out;
  }

 private:
  template <typename T>
  T read(const uint8_t* p) const {
    need(p, sizeof(T));
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }
  void need(const uint8_t* p, size_t n) const {
    if (p > end_ || static_cast<size_t>(end_ - p) < n) throw ValueError("cohort value: truncated buffer");
  }
  ValueError mismatch(const char* expected) const {
    return ValueError(std::string("cohort value: expected ") + expected + ", got " + typeName());
  }
  const uint8_t* dataStart() const {
    size_t off = static_cast<size_t>((at_ + 6) - origin_);
    return origin_ + ((off + 7) & ~size_t(7));
  }
  const uint8_t* find(std::string_view key) const {
    if (tag() != ValueTag::Object) throw mismatch("object");
    size_t n = size();
    const uint8_t* p = at_ + 5;
    for (size_t k = 0; k < n; ++k) {
      uint32_t kn = read<uint32_t>(p);
      need(p + 4, kn);
      std::string_view name(reinterpret_cast<const char*>(p + 4), kn);
      const uint8_t* v = p + 4 + kn;
      if (name == key) return v;
      p = skip(v);
    }
    return nullptr;
  }
  // Returns the position just past the value at p.
  const uint8_t* skip(const uint8_t* p) const {
    need(p, 1);
    switch (static_cast<ValueTag>(*p)) {
      case ValueTag::Undefined:
      case ValueTag::Null:
      case ValueTag::False:
      case ValueTag::True: return p + 1;
      case ValueTag::Number:
      case ValueTag::BigInt: need(p + 1, 8); return p + 9;
      case ValueTag::String: return p + 5 + read<uint32_t>(p + 1);
      case ValueTag::Array: {
        uint32_t n = read<uint32_t>(p + 1);
        const uint8_t* q = p + 5;
        for (uint32_t i = 0; i < n; ++i) q = skip(q);
        return q;
      }
      case ValueTag::Object: {
        uint32_t n = read<uint32_t>(p + 1);
        const uint8_t* q = p + 5;
        for (uint32_t i = 0; i < n; ++i) q = skip(q + 4 + read<uint32_t>(q));
        return q;
      }
      case ValueTag::TypedArray: {
        auto kind = static_cast<ElementKind>(p[1]);
        uint32_t n = read<uint32_t>(p + 2);
        size_t off = static_cast<size_t>((p + 6) - origin_);
        const uint8_t* data = origin_ + ((off + 7) & ~size_t(7));
        size_t bytes = n * elementSize(kind);
        need(data, bytes);
        return data + bytes;
      }
    }
    throw ValueError("cohort value: unknown tag " + std::to_string(*p));
  }

  const uint8_t* origin_ = nullptr;
  const uint8_t* at_ = nullptr;
  const uint8_t* end_ = nullptr;
};

// Builds an encoded value. Containers are written as begin + items; the
// caller states the count up front (as the format stores it first).
class Encoder {
 public:
  Encoder& undefined() {
    tag(ValueTag::Undefined);
    return *this;
  }
  Encoder& null() {
    tag(ValueTag::Null);
    return *this;
  }
  Encoder& boolean(bool b) {
    tag(b ? ValueTag::True : ValueTag::False);
    return *this;
  }
  Encoder& number(double d) {
    tag(ValueTag::Number);
    put(d);
    return *this;
  }
  Encoder& bigint(int64_t v) {
    tag(ValueTag::BigInt);
    put(v);
    return *this;
  }
  Encoder& string(std::string_view s) {
    tag(ValueTag::String);
    put(static_cast<uint32_t>(s.size()));
    buf_.insert(buf_.end(), s.begin(), s.end());
    return *this;
  }
  Encoder& beginArray(uint32_t count) {
    tag(ValueTag::Array);
    put(count);
    return *this;
  }
  Encoder& beginObject(uint32_t count) {
    tag(ValueTag::Object);
    put(count);
    return *this;
  }
  Encoder& key(std::string_view k) {
    put(static_cast<uint32_t>(k.size()));
    buf_.insert(buf_.end(), k.begin(), k.end());
    return *this;
  }
  template <typename T>
  Encoder& typedArray(const T* data, size_t count) {
    tag(ValueTag::TypedArray);
    buf_.push_back(static_cast<uint8_t>(ElementKindOf<T>::value));
    put(static_cast<uint32_t>(count));
    while (buf_.size() % 8 != 0) buf_.push_back(0);
    const auto* bytes = reinterpret_cast<const uint8_t*>(data);
    buf_.insert(buf_.end(), bytes, bytes + count * sizeof(T));
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }

 private:
  void tag(ValueTag t) { buf_.push_back(static_cast<uint8_t>(t)); }
  template <typename T>
  void put(T v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    buf_.insert(buf_.end(), b, b + sizeof(T));
  }
  std::vector<uint8_t> buf_;
};

}  // namespace cohort
