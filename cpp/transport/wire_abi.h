/* The wire: the C ABI between the core and a transport plugin (the MPI
 * plugin, plugins/mpi/). No MPI type crosses it, so the core never links
 * MPI and one core works with every MPI the plugin is built for. Every call
 * but `version` is made from one thread, the core's communication thread,
 * which also initializes and finalizes: a plugin needs no more than
 * MPI_THREAD_FUNNELED from its MPI. Returns: 0 is success; a negative value
 * is an error whose text `error` gives. */
#ifndef COHORT_WIRE_ABI_H
#define COHORT_WIRE_ABI_H
#include <stddef.h>
#include <stdint.h>

#define COHORT_WIRE_ABI_VERSION 1u
#define COHORT_WIRE_ENTRY "cohort_wire_v1"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cohort_wire {
  uint32_t abi_version; /* COHORT_WIRE_ABI_VERSION */
  /* Which implementation: "Open MPI v4.1.4, ..." (after init). */
  const char* (*library)(void);
  /* Initializes; `thread_level` is what the library granted (0 single .. 3
   * multiple). */
  int (*init)(int* rank, int* size, int* thread_level);
  /* Starts sending `len` bytes to `dest`; the bytes must stay put until
   * `test` says the send is done. `*request` is the plugin's handle. */
  int (*isend)(int dest, const void* data, size_t len, void** request);
  /* `*done` = 1 once the send finished (the handle is then freed). */
  int (*test)(void* request, int* done);
  /* A message waiting from any rank: 1 with its source and length, else 0.
   * The probed message is the one the next `recv` takes. */
  int (*probe)(int* source, size_t* len);
  int (*recv)(void* data, size_t len);
  /* A non-blocking barrier: `ibarrier` starts it, `test` finishes it. */
  int (*ibarrier)(void** request);
  int (*finalize)(void);
  /* Ends every rank of the job (after a fatal error on this one). */
  void (*abort_all)(int code);
  /* The text of the last error. */
  const char* (*error)(void);
} cohort_wire;

typedef const cohort_wire* (*cohort_wire_entry)(void);

#ifdef __cplusplus
}
#endif
#endif
