// A loaded C++ task library. Its identity is its resolved path, the entry
// symbol and a hash of its contents (so every rank can check it loaded the
// same code). Libraries stay loaded for the runtime's life: a task from one
// may still run after the JS side forgot it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "registry/reductions.h"
#include "registry/task_registry.h"

namespace cohort {

class Library {
 public:
  // `api` is what its callbacks are given.
  Library(std::string path, void* handle, uint64_t contentHash, const cohort_api* api = nullptr);
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const std::string& path() const { return path_; }
  uint64_t contentHash() const { return contentHash_; }
  const std::vector<std::pair<std::string, TaskId>>& tasks() const { return tasks_; }
  void addTask(std::string name, TaskId id) { tasks_.emplace_back(std::move(name), id); }
  const std::vector<std::pair<std::string, uint32_t>>& reductions() const { return reductions_; }
  void addReduction(std::string name, uint32_t id) { reductions_.emplace_back(std::move(name), id); }
  // Registration callbacks by name (cohort_api::register_callback).
  void addCallback(const std::string& name, cohort_callback_fn fn);
  std::vector<std::string> callbackNames() const;
  // Runs callback `name` with `payload` unless it already ran with the same
  // bytes here; true when it ran now. Throws an Error for an unknown name
  // or a callback that reports a failure (it may then run again).
  bool runCallback(const std::string& name, const std::vector<uint8_t>& payload);

 private:
  std::string path_;
  void* handle_;
  uint64_t contentHash_;
  const cohort_api* api_;
  std::vector<std::pair<std::string, TaskId>> tasks_;
  std::vector<std::pair<std::string, uint32_t>> reductions_;
  std::map<std::string, cohort_callback_fn> callbacks_;
  std::set<std::pair<std::string, uint64_t>> callbacksRun_;  // (name, payload hash)
};

class LibraryLoader {
 public:
  explicit LibraryLoader(const cohort_api* api) : api_(api) {}
  // Loads (once per resolved path and per content hash: a copy elsewhere is
  // the same library) and registers its tasks in `registry`.
  // Throws an Error naming the cause: missing file, not a shared object,
  // no entry point, SDK version mismatch, or a failed registration.
  std::shared_ptr<Library> load(const std::string& path, TaskRegistry& registry, ReductionRegistry& reductions);
  // The loaded library with this content hash, or null.
  std::shared_ptr<Library> byHash(uint64_t contentHash) const {
    for (const auto& [path, lib] : byPath_)
      if (lib->contentHash() == contentHash) return lib;
    return nullptr;
  }
  std::vector<uint64_t> hashes() const {
    std::vector<uint64_t> out;
    for (const auto& [path, lib] : byPath_) out.push_back(lib->contentHash());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  const cohort_api* api_;
  std::map<std::string, std::shared_ptr<Library>> byPath_;
};

}  // namespace cohort
