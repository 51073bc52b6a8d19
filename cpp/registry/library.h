// A loaded C++ task library. Its identity is its resolved path, the entry
// symbol and a hash of its contents (so every rank can check it loaded the
// same code). Libraries stay loaded for the runtime's life: a task from one
// may still run after the JS side forgot it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "registry/reductions.h"
#include "registry/task_registry.h"

namespace cohort {

class Library {
 public:
  Library(std::string path, void* handle, uint64_t contentHash);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const std::string& path() const { return path_; }
  uint64_t contentHash() const { return contentHash_; }
  const std::vector<std::pair<std::string, TaskId>>& tasks() const { return tasks_; }
  void addTask(std::string name, TaskId id) { tasks_.emplace_back(std::move(name), id); }
  const std::vector<std::pair<std::string, uint32_t>>& reductions() const { return reductions_; }
  void addReduction(std::string name, uint32_t id) { reductions_.emplace_back(std::move(name), id); }

 private:
  std::string path_;
  void* handle_;
  uint64_t contentHash_;
  std::vector<std::pair<std::string, TaskId>> tasks_;
  std::vector<std::pair<std::string, uint32_t>> reductions_;
};

class LibraryLoader {
 public:
  explicit LibraryLoader(const cohort_api* api) : api_(api) {}
  // Loads (once per resolved path) and registers its tasks in `registry`.
  // Throws an Error naming the cause: missing file, not a shared object,
  // no entry point, SDK version mismatch, or a failed registration.
  std::shared_ptr<Library> load(const std::string& path, TaskRegistry& registry, ReductionRegistry& reductions);
  std::vector<uint64_t> hashes() const {
    std::vector<uint64_t> out;
    for (const auto& [path, lib] : byPath_) out.push_back(lib->contentHash());
    return out;
  }

 private:
  const cohort_api* api_;
  std::map<std::string, std::shared_ptr<Library>> byPath_;
};

}  // namespace cohort
