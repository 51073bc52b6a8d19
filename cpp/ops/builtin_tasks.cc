#include "ops/builtin_tasks.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "cohort/value.hpp"
#include "ops/view_rows.h"

namespace cohort {

namespace {

// Fills the points of [lo, hi] (a rect inside the view's bounds).
template <typename T>
void fillRect(const cohort_field_view& v, const int64_t lo[3], const int64_t hi[3], T value) {
  forEachRow<T>(v, lo, hi, [value](T* p, int64_t n) {
    for (int64_t k = 0; k < n; ++k) p[k] = value;
  });
}

template <typename T>
void fillRegion(const cohort_api* api, cohort_task_context* ctx, const cohort_field_view& v, T value) {
  uint32_t n = api->task_region_rect_count(ctx, 0);
  for (uint32_t r = 0; r < n; ++r) {
    int64_t lo[3], hi[3];
    api->task_region_rect(ctx, 0, r, lo, hi);
    fillRect<T>(v, lo, hi, value);
  }
}

// The fill value as an element of an integer field type, refused unless it
// is exactly representable (no wrapping, no truncation).
template <typename T>
T exactly(const Value& value, const char* type) {
  constexpr int64_t lo = static_cast<int64_t>(std::numeric_limits<T>::min());
  constexpr int64_t hi = static_cast<int64_t>(std::numeric_limits<T>::max());
  bool ok;
  int64_t x = 0;
  if (value.tag() == ValueTag::BigInt) {
    x = value.asInt();
    ok = x >= lo && x <= hi;
  } else {
    double d = value.asNumber();
    // hi + 1 is a power of two, exact as a double even for int64.
    ok = std::isfinite(d) && std::trunc(d) == d && d >= static_cast<double>(lo) && d < static_cast<double>(hi) + 1.0;
    if (ok) x = static_cast<int64_t>(d);
  }
  if (!ok)
    throw std::range_error(std::string("a field of type ") + type + " holds integers from " + std::to_string(lo) +
                           " to " + std::to_string(hi) + "; the value is not one of them");
  return static_cast<T>(x);
}

}  // namespace

int fillTaskBody(const cohort_api* api, cohort_task_context* ctx) {
  try {
    size_t n = 0;
    const uint8_t* bytes = api->task_args(ctx, &n);
    Value value = Value::decode(bytes, n)[0];
    uint32_t fields = api->task_region_field_count(ctx, 0);
    for (uint32_t f = 0; f < fields; ++f) {
      cohort_field_view v;
      api->task_region_field(ctx, 0, f, &v);
      switch (v.field_type) {
        case COHORT_F64: fillRegion<double>(api, ctx, v, value.asNumber()); break;
        case COHORT_F32: fillRegion<float>(api, ctx, v, static_cast<float>(value.asNumber())); break;
        case COHORT_I64: fillRegion<int64_t>(api, ctx, v, exactly<int64_t>(value, "i64")); break;
        case COHORT_I32: fillRegion<int32_t>(api, ctx, v, exactly<int32_t>(value, "i32")); break;
        case COHORT_U32: fillRegion<uint32_t>(api, ctx, v, exactly<uint32_t>(value, "u32")); break;
        case COHORT_U8: fillRegion<uint8_t>(api, ctx, v, exactly<uint8_t>(value, "u8")); break;
        default: api->task_fail(ctx, "fill: unknown field type"); return 1;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    api->task_fail(ctx, (std::string("fill: ") + e.what()).c_str());
    return 1;
  }
}

}  // namespace cohort
