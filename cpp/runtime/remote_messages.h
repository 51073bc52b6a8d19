// The bytes of the messages the runtime sends between ranks (the kinds are
// in transport/message_kind.h). Every decoder reads through a ByteReader,
// so a malformed message is an Error naming the field, never a crash.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ops/task_op.h"
#include "runtime/region_messages.h"

namespace cohort {

// Controller -> rank: run this task. The task is named by its identity (the
// same on every rank), the op by (context, position) as on the controller,
// so messages and failures name it alike everywhere.
struct TaskRequestMsg {
  uint64_t request = 0;  // the controller's op id, echoed by the reply
  uint64_t libraryHash = 0;
  std::string task;
  VariantKind variant = VariantKind::Cpp;
  int32_t worker = -1;  // a worker of the target rank, or -1: any
  int32_t priority = 0;
  std::string context;  // "" at the top level
  uint64_t position = 0;
  TaskPoint point;
  std::vector<uint8_t> args;
  std::vector<std::vector<uint8_t>> futures;  // the values of the futures it was given, in order
  std::vector<RemoteRegion> regions;          // its region requirements, in order
  std::vector<PieceData> data;                // bytes it reads that rank 0 held
  uint32_t copiesExpected = 0;                // copy-data messages from other holders to wait for
  // Mapped on the target by its mapper `mapper` (variant, worker and
  // priority above are then only defaults).
  bool mapOnTarget = false;
  bool variantForced = false;
  uint32_t mapper = 0;
  uint32_t tag = 0;
};

// Rank -> controller: the task's result, or its failure.
struct TaskReplyMsg {
  uint64_t request = 0;
  bool ok = true;
  std::vector<uint8_t> result;
  std::string message, stack, origin;  // when !ok
};

// Rank -> 0 on entering the top-level function: its processors and what it
// registered, which must match rank 0's.
struct HelloMsg {
  uint32_t workers = 0;
  bool replicated = false;                 // rt.main(fn, { replicable: true }): every rank runs fn
  std::vector<std::string> registrations;  // sorted, one line per task: "ts|cpp name (library hash)"
};

// 0 -> every rank: the workers of every rank.
struct WelcomeMsg {
  std::vector<uint32_t> workers;
};

// Controller -> rank: load this library (once), then acknowledge.
struct LoadLibraryMsg {
  uint64_t token = 0;
  std::string path;
  uint64_t contentHash = 0;
};

// Also the reply to a RunCallbackMsg (kind callbackDone).
struct LibraryLoadedMsg {
  uint64_t token = 0;
  std::string error;  // empty: loaded, same content (or: the callback ran, or had run)
};

// Controller -> rank: run a library's registration callback with these bytes (once).
struct RunCallbackMsg {
  uint64_t token = 0;
  uint64_t libraryHash = 0;
  std::string name;
  std::vector<uint8_t> payload;
};

std::vector<uint8_t> encode(const TaskRequestMsg& m);
std::vector<uint8_t> encode(const TaskReplyMsg& m);
std::vector<uint8_t> encode(const HelloMsg& m);
std::vector<uint8_t> encode(const WelcomeMsg& m);
std::vector<uint8_t> encode(const LoadLibraryMsg& m);
std::vector<uint8_t> encode(const LibraryLoadedMsg& m);
std::vector<uint8_t> encode(const RunCallbackMsg& m);

TaskRequestMsg decodeTaskRequest(const uint8_t* data, size_t size);
TaskReplyMsg decodeTaskReply(const uint8_t* data, size_t size);
HelloMsg decodeHello(const uint8_t* data, size_t size);
WelcomeMsg decodeWelcome(const uint8_t* data, size_t size);
LoadLibraryMsg decodeLoadLibrary(const uint8_t* data, size_t size);
LibraryLoadedMsg decodeLibraryLoaded(const uint8_t* data, size_t size);
RunCallbackMsg decodeRunCallback(const uint8_t* data, size_t size);

}  // namespace cohort
