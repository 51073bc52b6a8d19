// Field spaces: the named, typed columns of a region. A FieldId is a small
// integer (0, 1, 2, ... in allocation order) so analysis state and storage
// can be indexed by it directly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace cohort {

enum class FieldType : uint8_t { F64, F32, I64, I32, U32, U8 };

using FieldId = uint32_t;

size_t fieldTypeSize(FieldType type);
// "f64", "f32", "i64", "i32", "u32", "u8" (the names the TS API uses).
const char* fieldTypeName(FieldType type);
// Inverse of fieldTypeName; throws cohort::Error naming the unknown type.
FieldType parseFieldType(const std::string& name);

struct FieldInfo {
  FieldId id;
  std::string name;
  FieldType type;
  size_t size;  // bytes per element
};

class FieldSpace {
 public:
  // Adds a field and returns its id. Throws cohort::Error naming the field
  // when a field of that name already exists or the name is empty.
  FieldId addField(const std::string& name, FieldType type);

  size_t size() const { return fields_.size(); }
  bool has(FieldId id) const { return id < fields_.size(); }
  // Throws cohort::Error for an unknown id.
  const FieldInfo& field(FieldId id) const;
  // Throws cohort::Error naming the field when there is none of that name.
  FieldId idOf(const std::string& name) const;
  // nullptr when there is no field of that name.
  const FieldInfo* find(const std::string& name) const;
  const std::vector<FieldInfo>& fields() const { return fields_; }

 private:
  std::vector<FieldInfo> fields_;
  std::unordered_map<std::string, FieldId> byName_;
};

}  // namespace cohort
