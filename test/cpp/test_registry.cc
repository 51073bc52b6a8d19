// Task registry and library loading: merging variants, conflicts, and every
// load error naming its cause.
#include <string>

#include "check.h"
#include "ops/sdk_api.h"
#include "registry/library.h"
#include "registry/task_registry.h"
#include "util/error.h"

using namespace cohort;

namespace {
int noop(const cohort_api*, cohort_task_context*) { return 0; }

std::string loadError(const std::string& path) {
  TaskRegistry reg;
  ReductionRegistry reductions;
  LibraryLoader loader(&sdkApi());
  try {
    loader.load(path, reg, reductions);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
const std::string kDir = COHORT_FIXTURE_DIR;
}  // namespace

TEST("a C++ and a TS variant merge under one task name") {
  TaskRegistry reg;
  TaskId a = reg.registerJs("daxpy", VariantProps{});
  TaskId b = reg.registerCpp("daxpy", &noop, nullptr, VariantProps{true, false, false});
  CHECK(a == b);
  const TaskInfo& t = reg.get(a);
  CHECK(t.cpp != nullptr);
  CHECK(t.js != nullptr);
  CHECK(t.cpp->props.leaf);
}

TEST("registering a second variant of the same language is an error naming the task") {
  TaskRegistry reg;
  reg.registerJs("t", VariantProps{});
  try {
    reg.registerJs("t", VariantProps{});
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "'t'"));
  }
  reg.registerCpp("u", &noop, nullptr, VariantProps{});
  CHECK_THROWS(reg.registerCpp("u", &noop, nullptr, VariantProps{}));
}

TEST("a variant cannot be both leaf and inner") {
  TaskRegistry reg;
  CHECK_THROWS(reg.registerJs("x", VariantProps{true, true, false}));
}

TEST("an unknown task id is an error") {
  TaskRegistry reg;
  CHECK_THROWS(reg.get(7));
}

TEST("loading a library registers its tasks and loading it again returns the same library") {
  TaskRegistry reg;
  ReductionRegistry reductions;
  LibraryLoader loader(&sdkApi());
  auto a = loader.load(kDir + "/libtest_kernels.so", reg, reductions);
  auto b = loader.load(kDir + "/../kernels/libtest_kernels.so", reg, reductions);
  CHECK(a == b);
  CHECK(reg.find("rendezvous") != nullptr);
  CHECK(reg.find("rendezvous")->cpp != nullptr);
  CHECK(a->contentHash() != 0);
}

TEST("a library registered through COHORT_LIBRARY(reg), a function named reg, loads its tasks") {
  TaskRegistry reg;
  ReductionRegistry reductions;
  LibraryLoader loader(&sdkApi());
  auto lib = loader.load(kDir + "/libfixture_named_reg.so", reg, reductions);
  CHECK(reg.find("macro_hygiene") != nullptr);
  CHECK(reg.find("macro_hygiene")->cpp != nullptr);
  CHECK(lib->tasks().size() == 1);
}

TEST("loading a missing file names the path and the reason") {
  std::string e = loadError(kDir + "/does_not_exist.so");
  CHECK(contains(e, "does_not_exist.so"));
  CHECK(contains(e, "No such file"));
}

TEST("loading a file that is not a shared object includes dlerror's text") {
  std::string e = loadError(std::string(__FILE__));
  CHECK(contains(e, "not a loadable shared object"));
  CHECK(contains(e, "invalid ELF header") || contains(e, "file too short"));
}

TEST("loading a library without the entry point names the missing symbol") {
  std::string e = loadError(kDir + "/libfixture_no_entry.so");
  CHECK(contains(e, "cohort_library_sdk_version"));
  CHECK(contains(e, "undefined symbol"));
}

TEST("loading a library built for another SDK version names both versions") {
  std::string e = loadError(kDir + "/libfixture_wrong_version.so");
  CHECK(contains(e, "SDK version " + std::to_string(COHORT_SDK_VERSION + 1)));
  CHECK(contains(e, "SDK version " + std::to_string(COHORT_SDK_VERSION)));
}

TEST("a library whose registration fails reports the registration error") {
  std::string e = loadError(kDir + "/libfixture_failing_register.so");
  CHECK(contains(e, "register function"));
  CHECK(contains(e, "'twice'"));
}

TEST("reduction operators get stable ids by name; the built-ins are 1 to 4") {
  ReductionRegistry r;
  CHECK(r.idOf("sum") == kRedopSum);
  CHECK(r.idOf("max") == kRedopMax);
  RedopId a = r.registerOp("bitor");
  CHECK(a >= kFirstCustomRedop);
  CHECK(r.registerOp("bitor") == a);
  CHECK(r.registerOp("bitand") != a);
  try {
    r.idOf("xor");
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "'xor'"));
    CHECK(contains(e.what(), "bitor"));
  }
}

TEST("a library's tasks are identified by (library content hash, name)") {
  TaskRegistry reg;
  ReductionRegistry reductions;
  LibraryLoader loader(&sdkApi());
  auto lib = loader.load(kDir + "/libtest_kernels.so", reg, reductions);
  const uint64_t h = lib->contentHash();
  const TaskInfo* t = reg.find("rendezvous");
  REQUIRE(t != nullptr);
  CHECK(t->libraryHash == h);
  CHECK(t->identity() == (TaskIdentity{h, "rendezvous"}));
  CHECK(reg.findByIdentity(h, "rendezvous") == t);
  // Another library's code, or no C++ code at all, is a different task.
  CHECK(reg.findByIdentity(h + 1, "rendezvous") == nullptr);
  CHECK(reg.findByIdentity(0, "rendezvous") == nullptr);
  CHECK(reg.findByIdentity(h, "no_such_task") == nullptr);
}

TEST("a TS task is identified by its name with library hash 0") {
  TaskRegistry reg;
  TaskId id = reg.registerJs("stencil", VariantProps{});
  CHECK(reg.get(id).libraryHash == 0);
  CHECK(reg.findByIdentity(0, "stencil") == &reg.get(id));
  CHECK(reg.findByIdentity(TaskIdentity{0, "stencil"}) == &reg.get(id));
  CHECK(reg.findByIdentity(1, "stencil") == nullptr);
}

TEST("a TS variant added to a library's task keeps the library's identity") {
  TaskRegistry reg;
  ReductionRegistry reductions;
  LibraryLoader loader(&sdkApi());
  auto lib = loader.load(kDir + "/libtest_kernels.so", reg, reductions);
  TaskId id = reg.registerJs("rendezvous", VariantProps{});
  const TaskInfo& t = reg.get(id);
  CHECK(t.cpp != nullptr);
  CHECK(t.js != nullptr);
  CHECK(t.libraryHash == lib->contentHash());
  CHECK(reg.findByIdentity(lib->contentHash(), "rendezvous") == &t);
}

TEST("a built-in C++ task (no library) has library hash 0") {
  TaskRegistry reg;
  TaskId id = reg.registerCpp("fill", &noop, nullptr, VariantProps{});
  CHECK(reg.get(id).libraryHash == 0);
  CHECK(reg.findByIdentity(0, "fill") == &reg.get(id));
  CHECK(reg.get(id).identity().toString() == "'fill'");
  CHECK(contains((TaskIdentity{0xabcull, "t"}).toString(), "0000000000000abc"));
}

TEST_MAIN("registry")
