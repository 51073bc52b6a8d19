#include "transport/wire_plugin.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>

#include "util/error.h"

namespace cohort {

namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
bool isFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The MPICH ABI (MPICH 3.1+, Intel MPI 5+, MVAPICH2, Cray MPICH) is one
// library soname, libmpi.so.12, except in Debian and Ubuntu, whose MPICH is
// libmpich.so.12 with the same ABI. The prebuilt MPICH plugin links neither:
// the library the launcher's environment provides is opened here, globally,
// so the plugin's MPI symbols resolve to it. Returns what was tried and why
// it failed when nothing could be opened (a plugin built from source links
// its own MPI and loads anyway).
std::string openMpichAbiLibrary() {
  std::vector<std::string> candidates;
  if (const char* chosen = env("COHORT_MPI_LIBRARY"))
    candidates.push_back(chosen);
  else
    candidates = {"libmpi.so.12", "libmpich.so.12"};
  std::string failures;
  for (const auto& name : candidates) {
    if (::dlopen(name.c_str(), RTLD_NOW | RTLD_GLOBAL)) return "";
    const char* why = ::dlerror();
    failures += (failures.empty() ? "" : "; ") + std::string(why ? why : name + ": unknown error");
  }
  return failures;
}
}  // namespace

LauncherInfo detectLauncher() {
  LauncherInfo info;
  struct Probe {
    const char* variable;
    const char* family;
  };
  // Open MPI 4 and 5 set OMPI_COMM_WORLD_SIZE; MPICH's Hydra (and Intel MPI) PMI_SIZE.
  for (const Probe& p : {Probe{"OMPI_COMM_WORLD_SIZE", "openmpi"}, Probe{"PMI_SIZE", "mpich"}}) {
    if (const char* v = env(p.variable)) {
      info.present = true;
      info.family = p.family;
      info.variable = std::string(p.variable) + "=" + v;
      info.size = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
      if (info.size == 0) info.size = 1;
      for (const char* local : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
        if (const char* l = env(local)) info.localSize = static_cast<unsigned>(std::strtoul(l, nullptr, 10));
      return info;
    }
  }
  return info;
}

std::string wirePluginName(const std::string& family) { return "cohort_transport_" + family + ".so"; }

const cohort_wire* loadWirePlugin(const LauncherInfo& launcher, const std::vector<std::string>& dirs,
                                  std::string& loadedPath) {
  std::string path;
  std::string looked;
  if (const char* explicitPath = env("COHORT_MPI_PLUGIN")) {
    path = explicitPath;
    if (!isFile(path))
      throw Error("cohort: COHORT_MPI_PLUGIN=" + path + " is not a file; point it at a transport plugin built with " +
                  "`npx cohort-config build-mpi`");
  } else {
    const std::string name = wirePluginName(launcher.family);
    for (const auto& dir : dirs) {
      const std::string candidate = dir + "/" + name;
      looked += (looked.empty() ? "" : ", ") + candidate;
      if (isFile(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path.empty())
      throw Error("cohort: this process was started by an MPI launcher (" + launcher.variable +
                  "), but there is no MPI transport plugin for " + launcher.family + " (looked for " + looked +
                  "). Build it against your MPI with `npx cohort-config build-mpi` (needs mpicc), or set "
                  "COHORT_MPI_PLUGIN to a plugin file");
  }
  // UCX (MPICH's ch4:ucx, Open MPI's pml ucx) checks its memory hooks by
  // calling sbrk(+page) then sbrk(-page) from the thread that initializes
  // it (UCX 1.13, Debian 12's): if the JS thread's malloc grows the heap in
  // between, the second call cuts off what it just got, and node crashes
  // later on an unmapped heap address (about 1 run in 30 of the oracle under
  // MPICH). With memory events off UCX never runs that check; it then
  // registers memory without its cache. A value the user set is kept.
  ::setenv("UCX_MEM_EVENTS", "no", 0);
  const std::string mpiLibraryMissing = launcher.family == "mpich" ? openMpichAbiLibrary() : "";
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char* why = ::dlerror();
    std::string message = "cohort: cannot load the MPI transport plugin " + path + ": " + (why ? why : "unknown error");
    if (!mpiLibraryMissing.empty())
      message += " (no MPICH-ABI library could be opened: " + mpiLibraryMissing +
                 "; put your MPI's lib directory on LD_LIBRARY_PATH or name the library with COHORT_MPI_LIBRARY)";
    else
      message += " (is the MPI it was built for installed, and is it the MPI that started this process?)";
    throw Error(message);
  }
  auto entry = reinterpret_cast<cohort_wire_entry>(::dlsym(handle, COHORT_WIRE_ENTRY));
  if (!entry)
    throw Error("cohort: " + path + " is not a cohort transport plugin (it has no " COHORT_WIRE_ENTRY " entry point)");
  const cohort_wire* wire = entry();
  if (!wire || wire->abi_version != COHORT_WIRE_ABI_VERSION)
    throw Error("cohort: the transport plugin " + path + " was built for wire ABI " +
                std::to_string(wire ? wire->abi_version : 0) + ", this cohort needs " +
                std::to_string(COHORT_WIRE_ABI_VERSION) + "; rebuild it with `npx cohort-config build-mpi`");
  loadedPath = path;
  return wire;
}

}  // namespace cohort
