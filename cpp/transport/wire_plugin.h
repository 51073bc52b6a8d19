// Finding and loading the MPI transport plugin. A process started by an
// MPI launcher says so in its environment (Open MPI's mpirun sets
// OMPI_COMM_WORLD_SIZE, MPICH's Hydra PMI_SIZE); only then is the plugin
// for that MPI family loaded, with dlopen(RTLD_NOW | RTLD_GLOBAL) (Open
// MPI's own components resolve symbols from libmpi). COHORT_MPI_PLUGIN
// names a plugin file explicitly (one built against another MPI). For
// MPICH the ABI library (libmpi.so.12, Debian's libmpich.so.12, or
// COHORT_MPI_LIBRARY) is opened globally first: the prebuilt MPICH plugin
// does not link one, so that it runs on any MPICH-ABI MPI.
#pragma once
#include <string>
#include <vector>

#include "transport/wire_abi.h"

namespace cohort {

struct LauncherInfo {
  bool present = false;    // started by an MPI launcher
  std::string family;      // "openmpi" or "mpich"
  std::string variable;    // the environment variable that said so, e.g. "OMPI_COMM_WORLD_SIZE=4"
  unsigned size = 1;       // ranks the launcher started
  unsigned localSize = 0;  // of those, on this node (0: the launcher did not say)
};

LauncherInfo detectLauncher();

// The plugin's file name for a family: "cohort_transport_openmpi.so".
std::string wirePluginName(const std::string& family);

// Loads the plugin (COHORT_MPI_PLUGIN, else the family's file in the first
// of `dirs` that has it) and returns its wire; throws an Error that names
// what was looked for, where, and how to build it. Never unloaded.
const cohort_wire* loadWirePlugin(const LauncherInfo& launcher, const std::vector<std::string>& dirs,
                                  std::string& loadedPath);

}  // namespace cohort
