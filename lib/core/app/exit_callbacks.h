// ExitCallbacks: the registered exit callbacks of this process, OpenHarmony's
// (pid, signal) ones and the NCP_ extension's (record, userData) ones, in registration order.
//
// Guarantees: a callback may register or unregister callbacks from inside a call; once
// Remove() returns on any other thread, that callback is not running and will not run again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "base/status.h"
#include "core/app/exit_record.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::core {

class ExitCallbacks {
 public:
  // Adding a callback that is already present is a no-op that succeeds.
  void Add(OH_Ability_OnNativeChildProcessExit callback);
  void Add(NCP_OnChildExit callback, void* user_data);
  // kNotFound when the callback is not registered.
  base::Status Remove(OH_Ability_OnNativeChildProcessExit callback);
  base::Status Remove(NCP_OnChildExit callback, void* user_data);

  // Calls every callback for one exit. Only the monitor thread calls this.
  void Dispatch(const ExitRecord& record);

 private:
  struct Entry {
    uint64_t id;
    OH_Ability_OnNativeChildProcessExit oh;
    NCP_OnChildExit ncp;
    void* user_data;
  };
  void AddEntry(const Entry& entry);
  base::Status RemoveMatching(OH_Ability_OnNativeChildProcessExit oh, NCP_OnChildExit ncp,
                              void* user_data);

  std::mutex mu_;
  std::condition_variable call_finished_;
  std::vector<Entry> entries_;
  uint64_t next_id_ = 1;
  uint64_t running_id_ = 0;  // the entry being called now, 0 when none
  std::thread::id dispatcher_;
};

}  // namespace ncp::core
