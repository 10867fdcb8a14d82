#include "core/server/warm_pools.h"

#include <algorithm>

namespace ncp::core {
namespace {

// Moves the processes `drop` picks out of `from` into `to`.
template <typename Pred>
void MoveOut(std::vector<WarmProcess>* from, std::vector<WarmProcess>* to, Pred drop) {
  auto keep_end = std::stable_partition(from->begin(), from->end(),
                                        [&](const WarmProcess& p) { return !drop(p); });
  for (auto it = keep_end; it != from->end(); ++it) to->push_back(std::move(*it));
  from->erase(keep_end, from->end());
}

// The newest `size` stay (the oldest would expire first anyway).
void TrimTo(std::vector<WarmProcess>* from, size_t size, std::vector<WarmProcess>* to) {
  while (from->size() > size) {
    to->push_back(std::move(from->front()));
    from->erase(from->begin());
  }
}

}  // namespace

void WarmPools::Drain(Pool* pool, std::vector<WarmProcess>* to) {
  for (WarmProcess& p : pool->sandboxes) to->push_back(std::move(p));
  pool->sandboxes.clear();
  if (pool->builder.pid > 0) to->push_back(std::move(pool->builder));
  pool->builder = WarmProcess();
}

std::vector<WarmProcess> WarmPools::Configure(WarmPoolSettings settings) {
  settings_ = settings;
  std::vector<WarmProcess> dropped;
  // Every normal child goes: the application drops the channels it holds when it sends new
  // settings (warm_children.h), and the refill makes new ones.
  TrimTo(&children_, 0, &dropped);
  const size_t size = static_cast<size_t>(std::max(settings.sandboxes, 0));
  for (auto& [key, pool] : pools_) {
    if (size == 0) {
      Drain(&pool, &dropped);
    } else {
      TrimTo(&pool.sandboxes, size, &dropped);
    }
  }
  return dropped;
}

std::vector<WarmProcess> WarmPools::TrimSandboxes(uint64_t key, size_t size) {
  std::vector<WarmProcess> dropped;
  auto it = pools_.find(key);
  if (it == pools_.end()) return dropped;
  std::vector<WarmProcess>& sandboxes = it->second.sandboxes;
  while (sandboxes.size() > size) {
    auto building = std::find_if(sandboxes.rbegin(), sandboxes.rend(),
                                 [](const WarmProcess& p) { return !p.ready; });
    auto victim = building != sandboxes.rend() ? std::prev(building.base()) : sandboxes.end() - 1;
    dropped.push_back(std::move(*victim));
    sandboxes.erase(victim);
  }
  return dropped;
}

std::optional<WarmProcess> WarmPools::TakeChildById(uint32_t id) {
  auto it = std::find_if(children_.begin(), children_.end(),
                         [id](const WarmProcess& p) { return p.announced_id == id; });
  if (it == children_.end()) return std::nullopt;
  WarmProcess child = std::move(*it);
  children_.erase(it);
  return child;
}

std::optional<WarmProcess> WarmPools::TakeSandbox(uint64_t key) {
  auto it = pools_.find(key);
  if (it == pools_.end()) return std::nullopt;
  recent_.remove(key);
  recent_.push_front(key);
  std::vector<WarmProcess>& sandboxes = it->second.sandboxes;
  auto ready = std::find_if(sandboxes.begin(), sandboxes.end(),
                            [](const WarmProcess& p) { return p.ready && p.pid > 0; });
  if (ready == sandboxes.end()) return std::nullopt;
  WarmProcess taken = std::move(*ready);
  sandboxes.erase(ready);
  return taken;
}

std::vector<WarmProcess> WarmPools::RememberShape(uint64_t key, SandboxShape shape) {
  std::vector<WarmProcess> dropped;
  pools_[key].shape = std::move(shape);
  recent_.remove(key);
  recent_.push_front(key);
  while (recent_.size() > kMaxShapes) {
    const uint64_t oldest = recent_.back();
    recent_.pop_back();
    Drain(&pools_[oldest], &dropped);
    pools_.erase(oldest);
  }
  return dropped;
}

WarmProcess* WarmPools::Builder(uint64_t key) {
  auto it = pools_.find(key);
  return it == pools_.end() || it->second.builder.pid <= 0 ? nullptr : &it->second.builder;
}

void WarmPools::SetBuilder(uint64_t key, WarmProcess builder) {
  pools_[key].builder = std::move(builder);
}

std::optional<uint64_t> WarmPools::ShapeOfBuilder(int fd) const {
  for (const auto& [key, pool] : pools_) {
    if (pool.builder.pid > 0 && pool.builder.socket.get() == fd) return key;
  }
  return std::nullopt;
}

std::optional<uint64_t> WarmPools::ShapeOfBuilderPid(pid_t pid) const {
  for (const auto& [key, pool] : pools_) {
    if (pool.builder.pid > 0 && pool.builder.pid == pid) return key;
  }
  return std::nullopt;
}

std::optional<uint64_t> WarmPools::ShapeOfSandbox(int fd) const {
  for (const auto& [key, pool] : pools_) {
    for (const WarmProcess& p : pool.sandboxes) {
      if (p.socket.get() == fd) return key;
    }
  }
  return std::nullopt;
}

WarmProcess* WarmPools::FindBuild(uint64_t build_id) {
  for (auto& [key, pool] : pools_) {
    for (WarmProcess& p : pool.sandboxes) {
      if (p.build_id == build_id) return &p;
    }
  }
  return nullptr;
}

const SandboxShape* WarmPools::Shape(uint64_t key) const {
  auto it = pools_.find(key);
  return it == pools_.end() ? nullptr : &it->second.shape;
}

size_t WarmPools::SandboxCount(uint64_t key) const {
  auto it = pools_.find(key);
  return it == pools_.end() ? 0 : it->second.sandboxes.size();
}

size_t WarmPools::ReadyCount(uint64_t key) const {
  auto it = pools_.find(key);
  if (it == pools_.end()) return 0;
  return static_cast<size_t>(std::count_if(it->second.sandboxes.begin(), it->second.sandboxes.end(),
                                           [](const WarmProcess& p) { return p.ready; }));
}

void WarmPools::AddSandbox(uint64_t key, WarmProcess sandbox) {
  pools_[key].sandboxes.push_back(std::move(sandbox));
}

bool WarmPools::MarkReady(int fd, int64_t now_ms) {
  for (auto& [key, pool] : pools_) {
    for (WarmProcess& p : pool.sandboxes) {
      if (p.socket.get() == fd) {
        p.ready = true;
        p.ready_since_ms = now_ms;
        return true;
      }
    }
  }
  return false;
}

std::optional<WarmProcess> WarmPools::RemoveBySocket(int fd) {
  std::vector<WarmProcess> out;
  for (auto& [key, pool] : pools_) {
    MoveOut(&pool.sandboxes, &out, [fd](const WarmProcess& p) { return p.socket.get() == fd; });
  }
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

std::optional<WarmProcess> WarmPools::RemoveByPid(pid_t pid) {
  std::vector<WarmProcess> out;
  MoveOut(&children_, &out, [pid](const WarmProcess& p) { return p.pid == pid; });
  for (auto& [key, pool] : pools_) {
    MoveOut(&pool.sandboxes, &out, [pid](const WarmProcess& p) { return p.pid == pid; });
    if (pool.builder.pid == pid) {
      out.push_back(std::move(pool.builder));
      pool.builder = WarmProcess();
    }
  }
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

std::vector<WarmProcess> WarmPools::ForgetShape(uint64_t key) {
  std::vector<WarmProcess> dropped;
  auto it = pools_.find(key);
  if (it == pools_.end()) return dropped;
  Drain(&it->second, &dropped);
  pools_.erase(it);
  recent_.remove(key);
  return dropped;
}

std::vector<WarmProcess> WarmPools::TakeExpired(int64_t now_ms) {
  std::vector<WarmProcess> expired;
  if (settings_.idle_timeout_ms <= 0) return expired;
  auto old = [&](const WarmProcess& p) {
    return p.ready && now_ms - p.ready_since_ms >= settings_.idle_timeout_ms;
  };
  MoveOut(&children_, &expired, old);
  for (auto& [key, pool] : pools_) {
    MoveOut(&pool.sandboxes, &expired, old);
    // A builder costs a process while it waits: it goes once its shape has been idle as long.
    if (pool.builder.pid > 0 && pool.sandboxes.empty() &&
        now_ms - pool.builder.ready_since_ms >= settings_.idle_timeout_ms) {
      expired.push_back(std::move(pool.builder));
      pool.builder = WarmProcess();
    }
  }
  return expired;
}

int64_t WarmPools::MsUntilNextExpiry(int64_t now_ms) const {
  if (settings_.idle_timeout_ms <= 0) return -1;
  int64_t next = -1;
  auto consider = [&](int64_t idle_since_ms) {
    const int64_t left = std::max<int64_t>(0, idle_since_ms + settings_.idle_timeout_ms - now_ms);
    if (next < 0 || left < next) next = left;
  };
  for (const WarmProcess& p : children_) {
    if (p.ready) consider(p.ready_since_ms);
  }
  for (const auto& [key, pool] : pools_) {
    for (const WarmProcess& p : pool.sandboxes) {
      if (p.ready) consider(p.ready_since_ms);
    }
    if (pool.builder.pid > 0 && pool.sandboxes.empty()) consider(pool.builder.ready_since_ms);
  }
  return next;
}

std::vector<int> WarmPools::BuilderSockets() const {
  std::vector<int> out;
  for (const auto& [key, pool] : pools_) {
    if (pool.builder.pid > 0) out.push_back(pool.builder.socket.get());
  }
  return out;
}

std::vector<int> WarmPools::SocketsToWatch() const {
  std::vector<int> out;
  for (const auto& [key, pool] : pools_) {
    for (const WarmProcess& p : pool.sandboxes) {
      if (!p.ready) out.push_back(p.socket.get());
    }
  }
  return out;
}

}  // namespace ncp::core
