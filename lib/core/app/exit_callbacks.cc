#include "core/app/exit_callbacks.h"

#include <algorithm>

#include "core/app/exit_info.h"

namespace ncp::core {

void ExitCallbacks::Add(OH_Ability_OnNativeChildProcessExit callback) {
  AddEntry({0, callback, nullptr, nullptr});
}

void ExitCallbacks::Add(NCP_OnChildExit callback, void* user_data) {
  AddEntry({0, nullptr, callback, user_data});
}

void ExitCallbacks::AddEntry(const Entry& entry) {
  std::lock_guard lock(mu_);
  for (const Entry& e : entries_) {
    if (e.oh == entry.oh && e.ncp == entry.ncp && e.user_data == entry.user_data) return;
  }
  Entry added = entry;
  added.id = next_id_++;
  entries_.push_back(added);
}

base::Status ExitCallbacks::Remove(OH_Ability_OnNativeChildProcessExit callback) {
  return RemoveMatching(callback, nullptr, nullptr);
}

base::Status ExitCallbacks::Remove(NCP_OnChildExit callback, void* user_data) {
  return RemoveMatching(nullptr, callback, user_data);
}

base::Status ExitCallbacks::RemoveMatching(OH_Ability_OnNativeChildProcessExit oh,
                                           NCP_OnChildExit ncp, void* user_data) {
  std::unique_lock lock(mu_);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.oh == oh && e.ncp == ncp && e.user_data == user_data;
  });
  if (it == entries_.end()) {
    return base::Error(base::Code::kNotFound, "this exit callback is not registered");
  }
  const uint64_t id = it->id;
  entries_.erase(it);
  // Waiting on the dispatching thread itself would deadlock: a callback removing itself (or
  // another) from inside a call just stops future calls.
  if (std::this_thread::get_id() != dispatcher_) {
    call_finished_.wait(lock, [&] { return running_id_ != id; });
  }
  return base::Status::Ok();
}

void ExitCallbacks::Dispatch(const ExitRecord& record) {
  std::vector<uint64_t> ids;
  {
    std::lock_guard lock(mu_);
    dispatcher_ = std::this_thread::get_id();
    for (const Entry& e : entries_) ids.push_back(e.id);
  }
  NCP_ChildExitInfo info;
  FillExitInfo(record, sizeof info, &info);
  for (uint64_t id : ids) {
    Entry entry;
    {
      std::lock_guard lock(mu_);
      auto it = std::find_if(entries_.begin(), entries_.end(),
                             [id](const Entry& e) { return e.id == id; });
      if (it == entries_.end()) continue;  // removed by an earlier callback of this round
      entry = *it;
      running_id_ = id;
    }
    if (entry.oh != nullptr) entry.oh(record.pid, record.signal);
    if (entry.ncp != nullptr) entry.ncp(&info, entry.user_data);
    {
      std::lock_guard lock(mu_);
      running_id_ = 0;
    }
    call_finished_.notify_all();
  }
}

}  // namespace ncp::core
