#include "data/field_space.h"

#include "util/error.h"

namespace cohort {

size_t fieldTypeSize(FieldType type) {
  switch (type) {
    case FieldType::F64: return 8;
    case FieldType::F32: return 4;
    case FieldType::I64: return 8;
    case FieldType::I32: return 4;
    case FieldType::U32: return 4;
    case FieldType::U8: return 1;
  }
  throw Error("unknown field type");
}

const char* fieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::F64: return "f64";
    case FieldType::F32: return "f32";
    case FieldType::I64: return "i64";
    case FieldType::I32: return "i32";
    case FieldType::U32: return "u32";
    case FieldType::U8: return "u8";
  }
  throw Error("unknown field type");
}

FieldType parseFieldType(const std::string& name) {
  for (FieldType t : {FieldType::F64, FieldType::F32, FieldType::I64, FieldType::I32, FieldType::U32, FieldType::U8})
    if (name == fieldTypeName(t)) return t;
  throw Error("unknown field type '" + name + "' (expected f64, f32, i64, i32, u32 or u8)");
}

FieldId FieldSpace::addField(const std::string& name, FieldType type) {
  if (name.empty()) throw Error("field space: a field needs a name");
  if (byName_.count(name)) throw Error("field space: duplicate field name '" + name + "'");
  const auto id = static_cast<FieldId>(fields_.size());
  fields_.push_back(FieldInfo{id, name, type, fieldTypeSize(type)});
  byName_.emplace(name, id);
  return id;
}

const FieldInfo& FieldSpace::field(FieldId id) const {
  if (!has(id))
    throw Error("field space: no field with id " + std::to_string(id) + " (it has " + std::to_string(fields_.size()) +
                " fields)");
  return fields_[id];
}

FieldId FieldSpace::idOf(const std::string& name) const {
  auto it = byName_.find(name);
  if (it == byName_.end()) throw Error("field space: no field named '" + name + "'");
  return it->second;
}

const FieldInfo* FieldSpace::find(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : &fields_[it->second];
}

}  // namespace cohort
