#include "ops/sdk_api.h"

#include "ops/task_op.h"
#include "registry/task_registry.h"
#include "util/fatal_signals.h"

namespace cohort {
namespace {

const char* taskName(const cohort_task_context* c) { return c->op->taskName().c_str(); }

uint32_t taskProcessor(const cohort_task_context* c) { return c->op->processor(); }

const uint8_t* taskArgs(const cohort_task_context* c, size_t* len) {
  *len = c->op->args().size();
  return c->op->args().data();
}

uint32_t taskFutureCount(const cohort_task_context* c) { return static_cast<uint32_t>(c->op->futures().size()); }

const uint8_t* taskFuture(const cohort_task_context* c, uint32_t i, size_t* len) {
  const auto& fs = c->op->futures();
  if (i >= fs.size()) {
    *len = 0;
    return nullptr;
  }
  *len = fs[i]->bytes().size();
  return fs[i]->bytes().data();
}

void taskSetResult(cohort_task_context* c, const uint8_t* data, size_t len) { c->result.assign(data, data + len); }

void taskFail(cohort_task_context* c, const char* message) {
  if (c->failed) return;
  c->failed = true;
  c->failure = message ? message : "C++ task failed";
}

int32_t taskPoint(const cohort_task_context* c, int64_t out[3]) {
  const TaskPoint& p = c->op->point();
  for (int d = 0; d < 3; ++d) out[d] = p.point[d];
  return p.dim;
}

int32_t taskDomain(const cohort_task_context* c, int64_t lo[3], int64_t hi[3]) {
  const TaskPoint& p = c->op->point();
  for (int d = 0; d < 3; ++d) {
    lo[d] = p.lo[d];
    hi[d] = p.hi[d];
  }
  return p.dim;
}

uint32_t taskRegionCount(const cohort_task_context* c) { return static_cast<uint32_t>(c->op->regions().size()); }

uint32_t taskRegionFieldCount(const cohort_task_context* c, uint32_t req) {
  const auto& rs = c->op->regions();
  return req < rs.size() ? static_cast<uint32_t>(rs[req].fields.size()) : 0;
}

int taskRegionField(const cohort_task_context* c, uint32_t req, uint32_t field, cohort_field_view* out) {
  const auto& rs = c->op->regions();
  if (req >= rs.size() || field >= rs[req].fields.size()) return -1;
  *out = rs[req].fields[field];
  return 0;
}

uint32_t taskRegionRectCount(const cohort_task_context* c, uint32_t req) {
  const auto& rs = c->op->regions();
  return req < rs.size() ? static_cast<uint32_t>(rs[req].rects.size()) : 0;
}

int taskRegionRect(const cohort_task_context* c, uint32_t req, uint32_t index, int64_t lo[3], int64_t hi[3]) {
  const auto& rs = c->op->regions();
  if (req >= rs.size() || index >= rs[req].rects.size()) return -1;
  const auto& b = rs[req].rects[index];
  for (int d = 0; d < 3; ++d) {
    lo[d] = b[static_cast<size_t>(d)];
    hi[d] = b[static_cast<size_t>(d + 3)];
  }
  return 0;
}

constexpr cohort_api kApi = {
    COHORT_SDK_VERSION,
    static_cast<uint32_t>(sizeof(cohort_api)),
    &registrarRegisterTask,
    &registrarLastError,
    &taskName,
    &taskProcessor,
    &taskArgs,
    &taskFutureCount,
    &taskFuture,
    &taskSetResult,
    &taskFail,
    &taskPoint,
    &taskDomain,
    &taskRegionCount,
    &taskRegionFieldCount,
    &taskRegionField,
    &taskRegionRectCount,
    &taskRegionRect,
    &registrarRegisterReduction,
    &registrarRegisterCallback,
};

}  // namespace

const cohort_api& sdkApi() { return kApi; }

void callCppBody(const TaskInfo& task, SdkTaskContext& ctx, const RunningTask& running) {
  int rc = 0;
  try {
    RunningTaskScope scope(running);
    rc = task.cpp->fn(&sdkApi(), ctx.abi());
  } catch (const std::exception& e) {
    ctx.fail(std::string("C++ task threw: ") + e.what());
  } catch (...) {
    ctx.fail("C++ task threw a non-std::exception value");
  }
  if (!ctx.failed() && rc != 0) ctx.fail("C++ task '" + task.name + "' returned error code " + std::to_string(rc));
}

}  // namespace cohort
