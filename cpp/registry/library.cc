#include "registry/library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "util/error.h"
#include "util/hash.h"

// The registrar handed to a library's register function: collects errors so
// the C ABI can return -1 plus a message.
struct cohort_registrar {
  cohort::TaskRegistry* registry;
  cohort::ReductionRegistry* reductions;
  std::shared_ptr<cohort::Library> library;
  std::string lastError;
};

namespace cohort {

Library::Library(std::string path, void* handle, uint64_t contentHash, const cohort_api* api)
    : path_(std::move(path)), handle_(handle), contentHash_(contentHash), api_(api) {}

// Never dlclose: code from the library may be referenced by tasks, and
// unloading a library with thread-local state while threads run is unsafe.
Library::~Library() { (void)handle_; }

namespace {

std::string lastDlError() {
  const char* e = dlerror();
  return e ? std::string(e) : std::string("(no dlerror text)");
}

uint64_t hashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Fnv1a h;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    h.add(buf, static_cast<size_t>(in.gcount()));
    if (!in) break;
  }
  return h.value();
}

}  // namespace

std::shared_ptr<Library> LibraryLoader::load(const std::string& path, TaskRegistry& registry,
                                             ReductionRegistry& reductions) {
  if (path.empty()) throw Error("loadLibrary: expected a path to a shared library, got an empty string");
  char resolved[PATH_MAX];
  if (!realpath(path.c_str(), resolved))
    throw Error("loadLibrary: cannot open '" + path + "': " + std::strerror(errno));
  std::string key(resolved);
  auto found = byPath_.find(key);
  if (found != byPath_.end()) return found->second;

  struct stat st;
  if (stat(resolved, &st) != 0 || !S_ISREG(st.st_mode))
    throw Error("loadLibrary: '" + path + "' is not a regular file");
  // The same contents under another path (a copy, a link) are the same
  // library: loaded and registered once.
  const uint64_t contentHash = hashFile(key);
  for (const auto& [otherPath, lib] : byPath_)
    if (lib->contentHash() == contentHash) {
      byPath_.emplace(key, lib);
      return lib;
    }

  dlerror();
  void* handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw Error("loadLibrary: '" + path + "' is not a loadable shared object: " + lastDlError());

  using VersionFn = uint32_t (*)();
  using RegisterFn = int (*)(const cohort_api*, cohort_registrar*);
  dlerror();
  auto version = reinterpret_cast<VersionFn>(dlsym(handle, COHORT_SYMBOL_SDK_VERSION));
  if (!version) {
    std::string err = lastDlError();
    throw Error("loadLibrary: '" + path + "' has no cohort entry point (symbol '" + COHORT_SYMBOL_SDK_VERSION +
                "' not found; define COHORT_LIBRARY(...) from "
                "<cohort/cohort.hpp>): " +
                err);
  }
  dlerror();
  auto reg = reinterpret_cast<RegisterFn>(dlsym(handle, COHORT_SYMBOL_REGISTER));
  if (!reg) {
    std::string err = lastDlError();
    throw Error("loadLibrary: '" + path + "' has no cohort entry point (symbol '" + COHORT_SYMBOL_REGISTER +
                "' not found; define COHORT_LIBRARY(...) from "
                "<cohort/cohort.hpp>): " +
                err);
  }
  uint32_t v = version();
  if (v != COHORT_SDK_VERSION)
    throw Error("loadLibrary: '" + path + "' was built against cohort SDK version " + std::to_string(v) +
                ", but this runtime provides SDK version " + std::to_string(COHORT_SDK_VERSION) +
                "; rebuild the library against the installed cohort");

  auto lib = std::make_shared<Library>(key, handle, contentHash, api_);
  cohort_registrar r{&registry, &reductions, lib, {}};
  int rc = reg(api_, &r);
  if (rc != 0) {
    throw Error("loadLibrary: the register function of '" + path + "' failed" +
                (r.lastError.empty() ? std::string(" (it returned ") + std::to_string(rc) + ")" : ": " + r.lastError));
  }
  byPath_.emplace(key, lib);
  return lib;
}

// C ABI entry used by libraries through cohort_api::register_task.
int registrarRegisterTask(cohort_registrar* reg, const char* name, cohort_task_fn fn, uint32_t flags) {
  try {
    if (!name) throw Error("register_task: null task name");
    TaskId id = reg->registry->registerCpp(name, fn, reg->library, propsFromFlags(flags));
    reg->library->addTask(name, id);
    return 0;
  } catch (const std::exception& e) {
    reg->lastError = e.what();
    return -1;
  }
}

const char* registrarLastError(const cohort_registrar* reg) { return reg->lastError.c_str(); }

int registrarRegisterCallback(cohort_registrar* reg, const char* name, cohort_callback_fn fn) {
  try {
    if (!name || !*name) throw Error("register_callback: the callback name must be a non-empty string");
    if (!fn) throw Error(std::string("register_callback('") + name + "'): null function");
    reg->library->addCallback(name, fn);
    return 0;
  } catch (const std::exception& e) {
    reg->lastError = e.what();
    return -1;
  }
}

void Library::addCallback(const std::string& name, cohort_callback_fn fn) {
  if (!callbacks_.emplace(name, fn).second)
    throw Error("register_callback: callback '" + name + "' is registered twice");
}

std::vector<std::string> Library::callbackNames() const {
  std::vector<std::string> out;
  for (const auto& [name, fn] : callbacks_) out.push_back(name);
  return out;
}

bool Library::runCallback(const std::string& name, const std::vector<uint8_t>& payload) {
  auto it = callbacks_.find(name);
  if (it == callbacks_.end()) {
    std::string known;
    for (const auto& n : callbackNames()) known += (known.empty() ? "" : ", ") + n;
    throw Error("library '" + path_ + "' registered no callback '" + name +
                "'; it registered: " + (known.empty() ? "(none)" : known));
  }
  Fnv1a h;
  h.add(reinterpret_cast<const char*>(payload.data()), payload.size());
  const auto key = std::make_pair(name, h.value());
  if (callbacksRun_.count(key)) return false;
  char error[512] = {0};
  const int rc = it->second(api_, payload.data(), payload.size(), error, sizeof error - 1);
  if (rc != 0)
    throw Error("callback '" + name + "' of '" + path_ + "' failed" +
                (error[0] ? std::string(": ") + error : " (it returned " + std::to_string(rc) + ")"));
  callbacksRun_.insert(key);
  return true;
}

int registrarRegisterReduction(cohort_registrar* reg, const char* name, uint32_t* idOut) {
  try {
    if (!name) throw Error("register_reduction: null operator name");
    if (!reg->reductions) throw Error("register_reduction: reductions cannot be registered here");
    RedopId id = reg->reductions->registerOp(name);
    if (idOut) *idOut = id;
    reg->library->addReduction(name, id);
    return 0;
  } catch (const std::exception& e) {
    reg->lastError = e.what();
    return -1;
  }
}

}  // namespace cohort
