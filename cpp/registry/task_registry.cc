#include "registry/task_registry.h"

#include <cstdio>

#include "registry/library.h"
#include "util/error.h"

namespace cohort {

VariantProps propsFromFlags(uint32_t flags) {
  VariantProps p;
  p.leaf = flags & COHORT_TASK_LEAF;
  p.inner = flags & COHORT_TASK_INNER;
  p.replicable = flags & COHORT_TASK_REPLICABLE;
  return p;
}

static void checkProps(const std::string& name, const VariantProps& p) {
  if (p.leaf && p.inner) throw Error("task '" + name + "': a variant cannot be both leaf and inner");
}

TaskInfo& TaskRegistry::findOrCreate(const std::string& name) {
  if (name.empty()) throw Error("task name must be a non-empty string");
  auto it = byName_.find(name);
  if (it != byName_.end()) return tasks_[it->second];
  TaskId id = static_cast<TaskId>(tasks_.size());
  tasks_.emplace_back();
  tasks_.back().id = id;
  tasks_.back().name = name;
  byName_.emplace(name, id);
  return tasks_.back();
}

TaskId TaskRegistry::registerJs(const std::string& name, VariantProps props) {
  checkProps(name, props);
  auto it = byName_.find(name);
  if (it != byName_.end() && tasks_[it->second].js)
    throw Error("task '" + name + "' already has a TypeScript variant; register each task name once");
  TaskInfo& t = findOrCreate(name);
  t.js = std::make_unique<JsVariant>(JsVariant{props});
  return t.id;
}

TaskId TaskRegistry::registerCpp(const std::string& name, cohort_task_fn fn, std::shared_ptr<Library> lib,
                                 VariantProps props) {
  checkProps(name, props);
  if (!fn) throw Error("task '" + name + "': null task function");
  auto it = byName_.find(name);
  if (it != byName_.end() && tasks_[it->second].cpp) {
    const auto& prev = tasks_[it->second].cpp;
    throw Error("task '" + name + "' already has a C++ variant (from " +
                (prev->library ? prev->library->path() : std::string("?")) +
                "); two libraries cannot define the same task name");
  }
  TaskInfo& t = findOrCreate(name);
  t.libraryHash = lib ? lib->contentHash() : 0;
  t.cpp = std::make_unique<CppVariant>(CppVariant{fn, std::move(lib), props});
  return t.id;
}

const TaskInfo& TaskRegistry::get(TaskId id) const {
  if (id >= tasks_.size()) throw Error("unknown task id " + std::to_string(id));
  return tasks_[id];
}

const TaskInfo* TaskRegistry::find(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : &tasks_[it->second];
}

// Names are unique in one registry (two libraries cannot define one name),
// so the identity is the name plus a check of where the C++ code came from.
const TaskInfo* TaskRegistry::findByIdentity(uint64_t libraryHash, const std::string& name) const {
  const TaskInfo* t = find(name);
  return t && t->libraryHash == libraryHash ? t : nullptr;
}

std::string TaskIdentity::toString() const {
  std::string s = "'" + name + "'";
  if (libraryHash == 0) return s;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(libraryHash));
  return s + " (library " + hex + ")";
}

}  // namespace cohort
