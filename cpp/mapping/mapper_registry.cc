#include "mapping/mapper_registry.h"

#include "util/error.h"

namespace cohort {

MapperRegistry::MapperRegistry() : builtin_(std::make_shared<DefaultMapper>()) { mappers_[0] = builtin_; }

void MapperRegistry::add(MapperId id, MapperPtr mapper) {
  if (id == 0) throw Error("addMapper: mapper id 0 is the default mapper; use replaceDefaultMapper to change it");
  if (mappers_.count(id))
    throw Error("addMapper: a mapper is already registered with id " + std::to_string(id) + " ('" +
                mappers_[id]->name() + "')");
  mappers_[id] = std::move(mapper);
}

void MapperRegistry::replaceDefault(MapperPtr mapper) { mappers_[0] = std::move(mapper); }

Mapper& MapperRegistry::get(MapperId id) const {
  auto it = mappers_.find(id);
  if (it == mappers_.end())
    throw Error("no mapper is registered with id " + std::to_string(id) + " (register it with addMapper)");
  return *it->second;
}

}  // namespace cohort
