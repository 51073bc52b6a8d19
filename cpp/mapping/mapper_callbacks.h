// The one table of mapper callback ids, shared by C++ and TS: the JS mapper
// proxy numbers its calls with these, a TS mapper's `overrides` mask has bit
// `id` set for each callback it overrides, and the addon exports the table
// as `mapperCallbacks` ({selectTaskOptions: 0, ...}) so the facade never
// keeps numbers of its own.
#pragma once
#include <cstdint>

namespace cohort {

enum class MapperCallback : uint32_t {
  SelectTaskOptions = 0,
  SliceTask = 1,
  MapTask = 2,
  SelectShardingFunctor = 3,
  ReplicateTask = 4,
  // mapTask for every point of an index launch, in one call (no mask bit
  // of its own: it is asked when mapTask is overridden).
  MapPoints = 5,
};

struct MapperCallbackEntry {
  MapperCallback id;
  const char* name;  // the TS method (or dispatcher case) name
};

constexpr MapperCallbackEntry kMapperCallbacks[] = {
    {MapperCallback::SelectTaskOptions, "selectTaskOptions"},
    {MapperCallback::SliceTask, "sliceTask"},
    {MapperCallback::MapTask, "mapTask"},
    {MapperCallback::SelectShardingFunctor, "selectShardingFunctor"},
    {MapperCallback::ReplicateTask, "replicateTask"},
    {MapperCallback::MapPoints, "mapPoints"},
};

constexpr uint32_t bitOf(MapperCallback c) { return 1u << static_cast<uint32_t>(c); }

}  // namespace cohort
