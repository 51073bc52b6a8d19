#include "ops/builtin_tasks.h"

#include <cstdint>
#include <string>

#include "cohort/value.hpp"

namespace cohort {

namespace {

template <typename T>
void fillRect(const cohort_field_view& v, T value) {
  T* base = static_cast<T*>(v.base);
  if (!base) return;
  int last = v.dim - 1;
  int64_t row = v.hi[last] - v.lo[last] + 1;
  if (row <= 0) return;
  int64_t n0 = v.dim >= 2 ? v.hi[0] - v.lo[0] + 1 : 1;
  int64_t n1 = v.dim == 3 ? v.hi[1] - v.lo[1] + 1 : 1;
  for (int64_t i = 0; i < n0; ++i) {
    for (int64_t j = 0; j < n1; ++j) {
      int64_t off = (v.dim >= 2 ? i * v.strides[0] : 0) + (v.dim == 3 ? j * v.strides[1] : 0);
      T* p = base + off;
      for (int64_t k = 0; k < row; ++k) p[k] = value;
    }
  }
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
        case COHORT_F64: fillRect<double>(v, value.asNumber()); break;
        case COHORT_F32: fillRect<float>(v, static_cast<float>(value.asNumber())); break;
        case COHORT_I64: fillRect<int64_t>(v, value.asInt()); break;
        case COHORT_I32: fillRect<int32_t>(v, static_cast<int32_t>(value.asInt())); break;
        case COHORT_U32: fillRect<uint32_t>(v, static_cast<uint32_t>(value.asInt())); break;
        case COHORT_U8: fillRect<uint8_t>(v, static_cast<uint8_t>(value.asInt())); break;
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
