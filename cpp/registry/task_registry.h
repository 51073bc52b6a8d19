// Task names, ids and variants. A task name may carry a C++ variant (from a
// library) and a TS variant; registering either merges under the name.
// Mutated only on the JS thread; TaskInfo objects never move, so a launch
// can keep a pointer.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "cohort/cohort.h"

namespace cohort {

using TaskId = uint32_t;

// Which body of a task runs: the C++ function (a worker) or the TS one (the JS thread).
enum class VariantKind : uint8_t { Cpp, Js };
class Library;

struct VariantProps {
  bool leaf = false;
  bool inner = false;
  bool replicable = false;
};

struct CppVariant {
  cohort_task_fn fn = nullptr;
  std::shared_ptr<Library> library;  // keeps the code loaded
  VariantProps props;
};

struct JsVariant {
  VariantProps props;
};

struct TaskInfo {
  TaskId id = 0;
  std::string name;
  // The runtime's own operations (fill, inline mapping): placed by the
  // built-in default mapper, never by a user's (Legion's map_fill/map_inline).
  bool internal = false;
  std::unique_ptr<CppVariant> cpp;
  std::unique_ptr<JsVariant> js;
};

class TaskRegistry {
 public:
  // Adds a TS variant to `name` (creating the task if new). Throws if the
  // name already has a TS variant.
  TaskId registerJs(const std::string& name, VariantProps props);
  // Adds a C++ variant. Throws if the name already has a C++ variant.
  TaskId registerCpp(const std::string& name, cohort_task_fn fn, std::shared_ptr<Library> lib,
                     VariantProps props);

  const TaskInfo& get(TaskId id) const;  // throws on an unknown id
  void markInternal(TaskId id) { tasks_.at(id).internal = true; }
  const TaskInfo* find(const std::string& name) const;
  size_t size() const { return tasks_.size(); }

 private:
  TaskInfo& findOrCreate(const std::string& name);
  std::deque<TaskInfo> tasks_;
  std::unordered_map<std::string, TaskId> byName_;
};

VariantProps propsFromFlags(uint32_t flags);

}  // namespace cohort
