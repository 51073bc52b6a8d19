// Marshalling helpers shared by the bindings: points, rects and region
// requirements from plain JS values.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "analysis/region_requirement.h"
#include "data/geometry.h"
#include "data/region_forest.h"
#include "mapping/mapper.h"

namespace cohort {
class Value;
}

namespace cohort::napi {

Point pointFrom(const Napi::Value& v, const char* what);
Rect rectFrom(const Napi::Value& lo, const Napi::Value& hi, const char* what);
Napi::Array arrayFrom(Napi::Env env, const Point& p);

// {region: [tree, node], fields: [ids], privilege, redop, coherence}. With
// `mappable`, also what a mapper sees of it, from the same reads.
RegionRequirement requirementFrom(const Napi::Object& o, MappableRequirement* mappable = nullptr);

// A value-encoded value (include/cohort/value.hpp) as the JS value the TS
// codec would decode it to.
Napi::Value jsFromValue(Napi::Env env, const Value& v);

uint32_t u32(const Napi::Value& v, const char* what);
int32_t i32Or(const Napi::Value& v, int32_t fallback);

}  // namespace cohort::napi
