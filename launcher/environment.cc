#include "launcher/environment.h"

extern char** environ;

namespace ncp::launcher {

std::vector<std::string> ApplyEnvRules(const policy::Plan& plan,
                                       const std::vector<std::string>& start) {
  std::vector<std::string> env;
  if (!plan.clear_env) env = start;
  for (const policy::EnvOp& op : plan.env) {
    const std::string prefix = op.name + "=";
    std::erase_if(env, [&](const std::string& s) { return s.starts_with(prefix); });
    if (op.kind == policy::EnvOpKind::kSet) env.push_back(prefix + op.value);
  }
  return env;
}

std::vector<std::string> OwnEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

const char* FindVariable(const std::vector<std::string>& env, const std::string& name) {
  const std::string prefix = name + "=";
  for (const std::string& entry : env) {
    if (entry.starts_with(prefix)) return entry.c_str() + prefix.size();
  }
  return nullptr;
}

}  // namespace ncp::launcher
