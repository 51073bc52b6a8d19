// cohort SDK, C++ layer (header-only) over the C ABI in <cohort/cohort.h>.
//
//   #include <cohort/cohort.hpp>
//
//   static void daxpy(cohort::TaskContext& ctx) {
//     double alpha = ctx.arg(0).asNumber();
//     auto x = ctx.field<double>(0, 0);      // requirement 0, first field
//     ...
//     ctx.result(42.0);
//   }
//   static void registerTasks(cohort::Registrar& r) { r.task<daxpy>("daxpy"); }
//   COHORT_LIBRARY(registerTasks)
//
// Exceptions thrown by a task body fail the task with their what() message;
// they never cross into the runtime.
#pragma once
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/cohort.h"
#include "cohort/value.hpp"

namespace cohort {

// A field of a region, typed. In debug builds (no NDEBUG) or with
// COHORT_BOUNDS_CHECKS defined, every access is bounds-checked.
template <typename T, int DIM = 1>
class FieldAccessor {
 public:
  explicit FieldAccessor(const cohort_field_view& v) : v_(v) {}
  int64_t lo(int d = 0) const { return v_.lo[d]; }
  int64_t hi(int d = 0) const { return v_.hi[d]; }
  T* base() const { return static_cast<T*>(v_.base); }
  T& operator()(int64_t x) const { return *ptr(x, 0, 0); }
  T& operator()(int64_t x, int64_t y) const { return *ptr(x, y, 0); }
  T& operator()(int64_t x, int64_t y, int64_t z) const { return *ptr(x, y, z); }
  T& operator[](int64_t x) const { return *ptr(x, 0, 0); }
  const cohort_field_view& view() const { return v_; }

 private:
  T* ptr(int64_t x, int64_t y, int64_t z) const {
    const int64_t c[3] = {x, y, z};
#if !defined(NDEBUG) || defined(COHORT_BOUNDS_CHECKS)
    for (int d = 0; d < v_.dim; ++d) {
      if (c[d] < v_.lo[d] || c[d] > v_.hi[d])
        throw ValueError("cohort accessor: coordinate " + std::to_string(c[d]) + " of dimension " + std::to_string(d) +
                         " is outside [" + std::to_string(v_.lo[d]) + ", " + std::to_string(v_.hi[d]) + "]");
    }
#endif
    int64_t off = 0;
    for (int d = 0; d < v_.dim; ++d) off += (c[d] - v_.lo[d]) * v_.strides[d];
    return static_cast<T*>(v_.base) + off;
  }
  cohort_field_view v_;
};

template <typename T>
struct FieldTypeOf;
template <>
struct FieldTypeOf<double> {
  static constexpr int value = COHORT_F64;
};
template <>
struct FieldTypeOf<float> {
  static constexpr int value = COHORT_F32;
};
template <>
struct FieldTypeOf<int64_t> {
  static constexpr int value = COHORT_I64;
};
template <>
struct FieldTypeOf<int32_t> {
  static constexpr int value = COHORT_I32;
};
template <>
struct FieldTypeOf<uint32_t> {
  static constexpr int value = COHORT_U32;
};
template <>
struct FieldTypeOf<uint8_t> {
  static constexpr int value = COHORT_U8;
};

class TaskContext {
 public:
  TaskContext(const cohort_api* api, cohort_task_context* ctx) : api_(api), ctx_(ctx) {}

  const char* name() const { return api_->task_name(ctx_); }
  uint32_t processor() const { return api_->task_processor(ctx_); }

  // The argument list (an array value) and its elements.
  Value args() const {
    size_t n = 0;
    const uint8_t* p = api_->task_args(ctx_, &n);
    return Value::decode(p, n);
  }
  size_t argCount() const { return args().size(); }
  Value arg(size_t i) const { return args()[i]; }

  uint32_t futureCount() const { return api_->task_future_count(ctx_); }
  Value future(uint32_t i) const {
    size_t n = 0;
    const uint8_t* p = api_->task_future(ctx_, i, &n);
    if (!p) throw ValueError("cohort task: future index " + std::to_string(i) + " out of range");
    return Value::decode(p, n);
  }

  // Point and launch domain of an index-launch point task (dim 0 otherwise).
  int pointDim() const {
    int64_t p[3];
    return api_->task_point(ctx_, p);
  }
  int64_t point(int d = 0) const {
    int64_t p[3] = {0, 0, 0};
    api_->task_point(ctx_, p);
    return p[d];
  }

  uint32_t regionCount() const { return api_->task_region_count(ctx_); }
  cohort_field_view fieldView(uint32_t req, uint32_t fieldIndex) const {
    cohort_field_view v;
    if (api_->task_region_field(ctx_, req, fieldIndex, &v) != 0)
      throw ValueError("cohort task: no field " + std::to_string(fieldIndex) + " in region requirement " +
                       std::to_string(req));
    return v;
  }
  template <typename T, int DIM = 1>
  FieldAccessor<T, DIM> field(uint32_t req, uint32_t fieldIndex) const {
    cohort_field_view v = fieldView(req, fieldIndex);
    if (v.field_type != FieldTypeOf<T>::value)
      throw ValueError("cohort task: field " + std::to_string(fieldIndex) + " of requirement " + std::to_string(req) +
                       " has a different element type than requested");
    if (v.dim != DIM)
      throw ValueError("cohort task: requirement " + std::to_string(req) + " is " + std::to_string(v.dim) +
                       "-D, accessor asked for " + std::to_string(DIM) + "-D");
    return FieldAccessor<T, DIM>(v);
  }

  // The exact rects of requirement `req` (usually one: its bounds).
  struct RectBounds {
    int64_t lo[3];
    int64_t hi[3];
  };
  std::vector<RectBounds> regionRects(uint32_t req) const {
    std::vector<RectBounds> out(api_->task_region_rect_count(ctx_, req));
    for (uint32_t i = 0; i < out.size(); ++i) api_->task_region_rect(ctx_, req, i, out[i].lo, out[i].hi);
    return out;
  }

  void result(const Encoder& e) { api_->task_set_result(ctx_, e.bytes().data(), e.bytes().size()); }
  void result(double d) {
    Encoder e;
    e.number(d);
    result(e);
  }
  void result(bool b) {
    Encoder e;
    e.boolean(b);
    result(e);
  }
  void result(std::string_view s) {
    Encoder e;
    e.string(s);
    result(e);
  }
  void result(const char* s) { result(std::string_view(s)); }
  template <typename T>
  void result(const std::vector<T>& v) {
    Encoder e;
    e.typedArray(v.data(), v.size());
    result(e);
  }

  void fail(const std::string& message) { api_->task_fail(ctx_, message.c_str()); }

 private:
  const cohort_api* api_;
  cohort_task_context* ctx_;
};

using TaskBody = void (*)(TaskContext&);

namespace detail {
template <TaskBody F>
int trampoline(const cohort_api* api, cohort_task_context* ctx) {
  TaskContext tc(api, ctx);
  try {
    F(tc);
    return 0;
  } catch (const std::exception& e) {
    api->task_fail(ctx, e.what());
  } catch (...) {
    api->task_fail(ctx, "task threw a non-std::exception value");
  }
  return 1;
}
}  // namespace detail

class Registrar {
 public:
  Registrar(const cohort_api* api, cohort_registrar* reg) : api_(api), reg_(reg) {}
  // Registers F under `name`. flags: COHORT_TASK_LEAF | ... Throws on a
  // rejected registration (duplicate name, bad flags).
  template <TaskBody F>
  void task(const char* name, uint32_t flags = COHORT_TASK_LEAF) {
    raw(name, &detail::trampoline<F>, flags);
  }
  // Registers a reduction operator; returns its id (see cohort_field_view.redop).
  uint32_t reduction(const char* name) {
    uint32_t id = 0;
    if (api_->register_reduction(reg_, name, &id) != 0) throw ValueError(api_->registrar_last_error(reg_));
    return id;
  }
  // Registers a registration callback (the program runs it on every rank
  // with a payload: Library.runOnEveryRank in TS).
  void callback(const char* name, cohort_callback_fn fn) {
    if (api_->register_callback(reg_, name, fn) != 0) throw ValueError(api_->registrar_last_error(reg_));
  }
  void raw(const char* name, cohort_task_fn fn, uint32_t flags) {
    if (api_->register_task(reg_, name, fn, flags) != 0) throw ValueError(api_->registrar_last_error(reg_));
  }

 private:
  const cohort_api* api_;
  cohort_registrar* reg_;
};

}  // namespace cohort

namespace cohort::detail {
// The body of cohort_library_register: no exception crosses the C ABI.
template <typename F>
int registerLibrary(const cohort_api* api, cohort_registrar* reg, F&& fn) noexcept {
  try {
    Registrar r(api, reg);
    fn(r);
    return 0;
  } catch (...) {
    return 1;
  }
}
}  // namespace cohort::detail

// Defines the two exported entry points of a task library. `fn` has the
// signature void fn(cohort::Registrar&). An exception from fn fails the
// load with its message. The macro declares no name of its own besides its
// two parameters (cohort_library_api_, cohort_library_registrar_), so `fn`
// may be called anything: COHORT_LIBRARY(reg), COHORT_LIBRARY(r), ...
#define COHORT_LIBRARY(fn)                                                                            \
  extern "C" COHORT_EXPORT uint32_t cohort_library_sdk_version(void) { return COHORT_SDK_VERSION; }   \
  extern "C" COHORT_EXPORT int cohort_library_register(const cohort_api* cohort_library_api_,         \
                                                       cohort_registrar* cohort_library_registrar_) { \
    return ::cohort::detail::registerLibrary(cohort_library_api_, cohort_library_registrar_, fn);     \
  }
