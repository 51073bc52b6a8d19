// The MPI wire (cpp/transport/wire_abi.h): the cohort core's transport
// plugin, built against one MPI (scripts/build-mpi-plugin.js) into its own
// shared object, loaded by the core with dlopen only when the process was
// started by an MPI launcher. Every call comes from the core's
// communication thread, which also calls MPI_Init_thread, so FUNNELED is
// enough; MULTIPLE is asked for and whatever is granted is reported.
//
// Messages use one tag on a duplicate of MPI_COMM_WORLD, so nothing else
// in the process (another library using MPI) can take them. MPI keeps the
// order of messages between two ranks on one communicator and tag, which
// the core relies on (a library is loaded before its tasks arrive).
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <new>

#include "transport/wire_abi.h"

namespace {

constexpr int kTag = 7001;
MPI_Comm comm = MPI_COMM_NULL;
MPI_Message probed = MPI_MESSAGE_NULL;
char lastError[512] = "";
char libraryName[MPI_MAX_LIBRARY_VERSION_STRING + 1] = "";

int failed(const char* what, int rc) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(rc, text, &len);
  std::snprintf(lastError, sizeof lastError, "%s failed: %s", what, text);
  return -1;
}

const char* library() { return libraryName; }

int init(int* rank, int* size, int* threadLevel) {
  int already = 0;
  MPI_Initialized(&already);
  if (already) {
    std::snprintf(lastError, sizeof lastError,
                  "MPI was already initialized in this process (by another library?); cohort must initialize it "
                  "from its communication thread");
    return -1;
  }
  int provided = 0;
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  if (rc != MPI_SUCCESS) return failed("MPI_Init_thread", rc);
  // Errors come back as codes, which the core turns into messages naming
  // the peer, instead of MPI aborting the job from inside a call.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  rc = MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  if (rc != MPI_SUCCESS) return failed("MPI_Comm_dup", rc);
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm, rank);
  MPI_Comm_size(comm, size);
  int len = 0;
  MPI_Get_library_version(libraryName, &len);
  // The version string may end in newlines.
  while (len > 0 && (libraryName[len - 1] == '\n' || libraryName[len - 1] == ' ')) libraryName[--len] = '\0';
  *threadLevel = provided == MPI_THREAD_MULTIPLE     ? 3
                 : provided == MPI_THREAD_SERIALIZED ? 2
                 : provided == MPI_THREAD_FUNNELED   ? 1
                                                     : 0;
  return 0;
}

int isend(int dest, const void* data, size_t len, void** request) {
  if (len > static_cast<size_t>(INT32_MAX)) {
    std::snprintf(lastError, sizeof lastError, "a message of %zu bytes is larger than MPI's int count", len);
    return -1;
  }
  auto* req = new (std::nothrow) MPI_Request(MPI_REQUEST_NULL);
  if (!req) {
    std::snprintf(lastError, sizeof lastError, "out of memory for a send request");
    return -1;
  }
  int rc = MPI_Isend(data, static_cast<int>(len), MPI_BYTE, dest, kTag, comm, req);
  if (rc != MPI_SUCCESS) {
    delete req;
    return failed("MPI_Isend", rc);
  }
  *request = req;
  return 0;
}

int test(void* request, int* done) {
  auto* req = static_cast<MPI_Request*>(request);
  int flag = 0;
  int rc = MPI_Test(req, &flag, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) return failed("MPI_Test", rc);
  *done = flag;
  if (flag) delete req;
  return 0;
}

int probe(int* source, size_t* len) {
  int flag = 0;
  MPI_Status status;
  int rc = MPI_Improbe(MPI_ANY_SOURCE, kTag, comm, &flag, &probed, &status);
  if (rc != MPI_SUCCESS) return failed("MPI_Improbe", rc);
  if (!flag) return 0;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  *source = status.MPI_SOURCE;
  *len = static_cast<size_t>(count);
  return 1;
}

int recv(void* data, size_t len) {
  int rc = MPI_Mrecv(data, static_cast<int>(len), MPI_BYTE, &probed, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) return failed("MPI_Mrecv", rc);
  return 0;
}

int ibarrier(void** request) {
  auto* req = new (std::nothrow) MPI_Request(MPI_REQUEST_NULL);
  if (!req) return -1;
  int rc = MPI_Ibarrier(comm, req);
  if (rc != MPI_SUCCESS) {
    delete req;
    return failed("MPI_Ibarrier", rc);
  }
  *request = req;
  return 0;
}

int finalize() {
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  int rc = MPI_Finalize();
  if (rc != MPI_SUCCESS) return failed("MPI_Finalize", rc);
  return 0;
}

void abortAll(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

const char* error() { return lastError; }

const cohort_wire kWire = {COHORT_WIRE_ABI_VERSION, library, init,     isend,    test, probe,
                           recv,                    ibarrier, finalize, abortAll, error};

}  // namespace

extern "C" __attribute__((visibility("default"))) const cohort_wire* cohort_wire_v1() { return &kWire; }
