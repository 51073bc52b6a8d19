/* The multi-rank bench's baseline: a bare MPI ping-pong between ranks 0
 * and 1 with messages of argv[1] bytes, argv[2] round trips after a warm-up.
 * Rank 0 prints "PINGPONG <microseconds per round trip>". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int bytes = argc > 1 ? atoi(argv[1]) : 128;
  int trips = argc > 2 ? atoi(argv[2]) : 10000;
  char* buf = calloc((size_t)bytes + 1, 1);
  double start = 0;
  for (int i = -trips / 10; i < trips; ++i) {
    if (i == 0) start = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(buf, bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
      MPI_Recv(buf, bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (rank == 1) {
      MPI_Recv(buf, bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buf, bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
    }
  }
  if (rank == 0) printf("PINGPONG %.3f\n", (MPI_Wtime() - start) * 1e6 / trips);
  free(buf);
  MPI_Finalize();
  return 0;
}
