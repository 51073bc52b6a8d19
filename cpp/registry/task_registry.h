// Task names, ids and variants. A task name may carry a C++ variant (from a
// library) and a TS variant; registering either merges under the name.
// Mutated only on the JS thread; TaskInfo objects never move, so a launch
// can keep a pointer.
//
// A task's identity, the name other ranks and recorded traces use, is
// (library content hash, name): the hash of the library its C++ variant came
// from, or 0 for a task without a C++ variant and for the runtime's built-ins.
// Ids are local to a process; identities are not.
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

// How a task is named across processes (see the top of this file).
struct TaskIdentity {
  uint64_t libraryHash = 0;  // 0: no C++ variant from a library
  std::string name;
  bool operator==(const TaskIdentity& o) const { return libraryHash == o.libraryHash && name == o.name; }
  bool operator!=(const TaskIdentity& o) const { return !(*this == o); }
  std::string toString() const;  // "'daxpy'" or "'daxpy' (library 0123456789abcdef)"
};

struct TaskInfo {
  TaskId id = 0;
  std::string name;
  // Content hash of the library the C++ variant came from; 0 when there is
  // no C++ variant or it is a built-in (no library).
  uint64_t libraryHash = 0;
  // The runtime's own operations (fill, inline mapping): placed by the
  // built-in default mapper, never by a user's (Legion's map_fill/map_inline).
  bool internal = false;
  std::unique_ptr<CppVariant> cpp;
  std::unique_ptr<JsVariant> js;

  TaskIdentity identity() const { return TaskIdentity{libraryHash, name}; }
};

class TaskRegistry {
 public:
  // Adds a TS variant to `name` (creating the task if new). Throws if the
  // name already has a TS variant.
  TaskId registerJs(const std::string& name, VariantProps props);
  // Adds a C++ variant. Throws if the name already has a C++ variant.
  TaskId registerCpp(const std::string& name, cohort_task_fn fn, std::shared_ptr<Library> lib, VariantProps props);

  const TaskInfo& get(TaskId id) const;  // throws on an unknown id
  void markInternal(TaskId id) { tasks_.at(id).internal = true; }
  const TaskInfo* find(const std::string& name) const;
  // The task with this identity, or null. Hash 0 finds a task only when it
  // has no library's C++ variant (a TS-only task or a built-in); a non-zero
  // hash finds it only when its C++ variant came from that library. So a
  // rank whose task came from other code (or has no C++ variant) misses.
  const TaskInfo* findByIdentity(uint64_t libraryHash, const std::string& name) const;
  const TaskInfo* findByIdentity(const TaskIdentity& id) const { return findByIdentity(id.libraryHash, id.name); }
  size_t size() const { return tasks_.size(); }

 private:
  TaskInfo& findOrCreate(const std::string& name);
  std::deque<TaskInfo> tasks_;
  std::unordered_map<std::string, TaskId> byName_;
};

VariantProps propsFromFlags(uint32_t flags);

}  // namespace cohort
