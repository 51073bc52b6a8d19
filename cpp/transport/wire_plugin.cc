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
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char* why = ::dlerror();
    throw Error("cohort: cannot load the MPI transport plugin " + path + ": " + (why ? why : "unknown error") +
                " (is the MPI it was built for installed, and is it the MPI that started this process?)");
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
