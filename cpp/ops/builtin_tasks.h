// Tasks the runtime registers itself: fill (a C++ task writing one value to
// every element of a field of a region) and inline mapping (a JS-side task
// whose "body" is the time between rt.map() resolving and unmap()).
#pragma once
#include "cohort/cohort.h"

namespace cohort {

constexpr const char* kFillTaskName = "cohort.fill";
constexpr const char* kInlineMapTaskName = "cohort.inline_map";

// args: [value]; region requirement 0: the fields to fill (write-discard).
int fillTaskBody(const cohort_api* api, cohort_task_context* ctx);

}  // namespace cohort
