// What a message between ranks is: its kind picks the handler on the
// receiving rank. The layouts are in transport/messages.h.
#pragma once
#include <cstdint>

namespace cohort {

enum class MessageKind : uint16_t {
  Hello = 1,          // rank r -> 0: r's processors and registrations, once its top-level function is entered
  Welcome = 2,        // 0 -> every rank: the whole machine; remote tasks may follow
  TaskRequest = 3,    // controller -> rank: run this task (its description, argument and future bytes)
  TaskReply = 4,      // rank -> controller: the task's result or failure
  LoadLibrary = 5,    // controller -> rank: load this library (path and content hash)
  LibraryLoaded = 6,  // rank -> controller: loaded, or why not
  Shutdown = 7,       // controller -> rank: nothing more will come; drain and finalize
  CopyOut = 8,        // controller -> holder: send these rects of these fields to a rank
  CopyData = 9,       // holder -> reader: the bytes of rects of fields, for a task about to run there
  DropTree = 10,      // controller -> rank: a region tree was destroyed; drop its storage
  RunCallback = 11,   // controller -> rank: run a library's registration callback with this payload (once)
  CallbackDone = 12,  // rank -> controller: it ran (or had run), or why not
  ShardCopy = 13,     // replicated: a source shard -> the owner of a task: the bytes of rects it reads
  ShardResult = 14,   // replicated: the owner of a task -> every other shard: its result or failure
  kCount = 15,
};

inline const char* messageKindName(MessageKind k) {
  switch (k) {
    case MessageKind::Hello: return "hello";
    case MessageKind::Welcome: return "welcome";
    case MessageKind::TaskRequest: return "taskRequest";
    case MessageKind::TaskReply: return "taskReply";
    case MessageKind::LoadLibrary: return "loadLibrary";
    case MessageKind::LibraryLoaded: return "libraryLoaded";
    case MessageKind::Shutdown: return "shutdown";
    case MessageKind::CopyOut: return "copyOut";
    case MessageKind::CopyData: return "copyData";
    case MessageKind::DropTree: return "dropTree";
    case MessageKind::RunCallback: return "runCallback";
    case MessageKind::CallbackDone: return "callbackDone";
    case MessageKind::ShardCopy: return "shardCopy";
    case MessageKind::ShardResult: return "shardResult";
    default: return "unknown";
  }
}

}  // namespace cohort
