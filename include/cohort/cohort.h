/*
 * cohort SDK: the C ABI that C++ (or C) task libraries are written against.
 *
 * A task library is a shared object that exports exactly two symbols, best
 * defined with COHORT_LIBRARY(...) from <cohort/cohort.hpp>:
 *
 *   uint32_t cohort_library_sdk_version(void);   // must return COHORT_SDK_VERSION
 *   int      cohort_library_register(const cohort_api* api, cohort_registrar* reg);
 *
 * `rt.loadLibrary(path)` dlopens the file, checks the version, then calls the
 * register function, which calls api->register_task once per task. Nothing is
 * registered from static constructors.
 *
 * Tasks receive the function table and an opaque context. Arguments, futures
 * and results cross the boundary as bytes in the cohort value encoding
 * (see <cohort/value.hpp>).
 */
#ifndef COHORT_COHORT_H
#define COHORT_COHORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of this header. */
#define COHORT_SDK_VERSION 1u

#define COHORT_SYMBOL_SDK_VERSION "cohort_library_sdk_version"
#define COHORT_SYMBOL_REGISTER "cohort_library_register"

#if defined(_WIN32)
#define COHORT_EXPORT __declspec(dllexport)
#else
#define COHORT_EXPORT __attribute__((visibility("default")))
#endif

typedef struct cohort_task_context cohort_task_context;
typedef struct cohort_registrar cohort_registrar;
struct cohort_api;

/* A task body. Return 0 on success; on failure call api->task_fail first
 * (or return non-zero, which fails with a generic message). */
typedef int (*cohort_task_fn)(const struct cohort_api* api, cohort_task_context* ctx);

/* A registration callback: run once on every rank with the bytes the
 * program gave (Library.runOnEveryRank in TS), outside any task. Returns 0,
 * or nonzero (with `error`, up to error_len bytes, describing why). */
typedef int (*cohort_callback_fn)(const struct cohort_api* api, const void* payload, size_t payload_len, char* error,
                                  size_t error_len);

/* Task variant properties (flags for register_task). */
#define COHORT_TASK_LEAF 1u
#define COHORT_TASK_INNER 2u
#define COHORT_TASK_REPLICABLE 4u

/* Field element types, as in the TypeScript API. */
typedef enum cohort_field_type {
  COHORT_F64 = 0,
  COHORT_F32 = 1,
  COHORT_I64 = 2,
  COHORT_I32 = 3,
  COHORT_U32 = 4,
  COHORT_U8 = 5
} cohort_field_type;

/* Privileges of a region requirement. */
typedef enum cohort_privilege {
  COHORT_READ_ONLY = 0,
  COHORT_READ_WRITE = 1,
  COHORT_WRITE_DISCARD = 2,
  COHORT_REDUCE = 3
} cohort_privilege;

/* A field of a region as a task sees it: `base` points at the element at
 * `lo`; the element at point p is at base + sum_d (p[d]-lo[d]) * strides[d]
 * elements. Rows of a 2-D/3-D subregion are windows into the whole region,
 * so strides are those of the region's instance. */
typedef struct cohort_field_view {
  void* base;
  int32_t dim;
  int32_t field_type; /* cohort_field_type */
  int32_t privilege;  /* cohort_privilege */
  int32_t redop;      /* reduction operator id when privilege is REDUCE */
  int64_t lo[3];
  int64_t hi[3];
  int64_t strides[3];
} cohort_field_view;

typedef struct cohort_api {
  uint32_t sdk_version; /* COHORT_SDK_VERSION of the runtime */
  uint32_t size;        /* sizeof(cohort_api) of the runtime */

  /* Registration (only inside cohort_library_register). Returns 0, or -1
   * with a message available from last_error. */
  int (*register_task)(cohort_registrar* reg, const char* name, cohort_task_fn fn, uint32_t flags);
  const char* (*registrar_last_error)(const cohort_registrar* reg);

  /* Inside a task. Pointers stay valid until the task returns. */
  const char* (*task_name)(const cohort_task_context* ctx);
  uint32_t (*task_processor)(const cohort_task_context* ctx);
  const uint8_t* (*task_args)(const cohort_task_context* ctx, size_t* len);
  uint32_t (*task_future_count)(const cohort_task_context* ctx);
  const uint8_t* (*task_future)(const cohort_task_context* ctx, uint32_t index, size_t* len);
  /* Copies the encoded result. */
  void (*task_set_result)(cohort_task_context* ctx, const uint8_t* data, size_t len);
  /* Marks the task failed with this message (copied). */
  void (*task_fail)(cohort_task_context* ctx, const char* message);

  /* Index launches: the point of this task (returns its dim, 0 for a
   * single task) and the launch domain. */
  int32_t (*task_point)(const cohort_task_context* ctx, int64_t point[3]);
  int32_t (*task_domain)(const cohort_task_context* ctx, int64_t lo[3], int64_t hi[3]);

  /* Regions: number of region requirements; the view of field `field_index`
   * (position in the requirement's field list) of requirement `req`.
   * Returns 0, or -1 if out of range. */
  uint32_t (*task_region_count)(const cohort_task_context* ctx);
  uint32_t (*task_region_field_count)(const cohort_task_context* ctx, uint32_t req);
  int (*task_region_field)(const cohort_task_context* ctx, uint32_t req, uint32_t field_index, cohort_field_view* out);

  /* The exact points of requirement `req`: a region made of several rects
   * (a piece of an explicit partition) is seen through its bounding rect in
   * cohort_field_view; a task that must touch only the region's own points
   * iterates these rects. Returns 0, or -1 if out of range. */
  uint32_t (*task_region_rect_count)(const cohort_task_context* ctx, uint32_t req);
  int (*task_region_rect)(const cohort_task_context* ctx, uint32_t req, uint32_t index, int64_t lo[3], int64_t hi[3]);

  /* Registers a reduction operator by name (only inside
   * cohort_library_register) and stores its id in *id_out. Tasks that reduce
   * a field with it receive the id in cohort_field_view.redop; the task
   * applies the operator itself. The same name always gives the same id.
   * Returns 0, or -1 with a message available from registrar_last_error. */
  int (*register_reduction)(cohort_registrar* reg, const char* name, uint32_t* id_out);

  /* Registers a registration callback by name (only inside
   * cohort_library_register); the program runs it on every rank with a
   * payload of bytes. Appended after the SDK's first release: check
   * api->size before calling it from a library that may meet an older
   * runtime. Returns 0, or -1 with a message from registrar_last_error. */
  int (*register_callback)(cohort_registrar* reg, const char* name, cohort_callback_fn fn);
} cohort_api;

#ifdef __cplusplus
}
#endif

#endif /* COHORT_COHORT_H */
