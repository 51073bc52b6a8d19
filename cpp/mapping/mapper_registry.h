// Mappers by id. Id 0 is the default mapper (the C++ DefaultMapper until
// replaceDefault); addMapper refuses id 0, as Legion does.
#pragma once
#include <map>

#include "mapping/default_mapper.h"

namespace cohort {

class MapperRegistry {
 public:
  MapperRegistry();
  void add(MapperId id, MapperPtr mapper);
  void replaceDefault(MapperPtr mapper);
  Mapper& get(MapperId id) const;  // throws naming the unknown id
  Mapper& builtinDefault() { return *builtin_; }

 private:
  MapperPtr builtin_;
  std::map<MapperId, MapperPtr> mappers_;
};

}  // namespace cohort
