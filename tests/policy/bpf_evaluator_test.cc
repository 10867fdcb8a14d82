#include "bpf_evaluator.h"

#include <gtest/gtest.h>
#include <linux/audit.h>

namespace ncp::policy::testing {
namespace {

sock_filter Stmt(uint16_t code, uint32_t k) { return {code, 0, 0, k}; }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return {code, jt, jf, k}; }

TEST(BpfEvaluator, FollowsLoadsJumpsAndReturns) {
  // if (nr == 7) return ERRNO(1); return ALLOW;
  std::vector<sock_filter> program = {
      Stmt(BPF_LD | BPF_W | BPF_ABS, 0),
      Jump(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
      Stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
      Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  EXPECT_EQ(EvaluateSeccomp(program, MakeSeccompData(AUDIT_ARCH_X86_64, 7)), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(EvaluateSeccomp(program, MakeSeccompData(AUDIT_ARCH_X86_64, 8)), SECCOMP_RET_ALLOW);
}

TEST(BpfEvaluator, ReadsArgumentHalvesLittleEndian) {
  // return args[0] high word
  std::vector<sock_filter> program = {
      Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args) + 4),
      Stmt(BPF_RET | BPF_A, 0),
  };
  EXPECT_EQ(EvaluateSeccomp(program, MakeSeccompData(0, 0, {0x1234567800000009ull})), 0x12345678u);
}

TEST(BpfEvaluator, RejectsMalformedPrograms) {
  seccomp_data data = MakeSeccompData(AUDIT_ARCH_X86_64, 0);
  EXPECT_FALSE(EvaluateSeccomp({}, data).has_value());
  EXPECT_FALSE(EvaluateSeccomp({Stmt(BPF_LD | BPF_W | BPF_ABS, 0)}, data).has_value());
  EXPECT_FALSE(EvaluateSeccomp({Stmt(BPF_LD | BPF_W | BPF_ABS, 4096)}, data).has_value());
  EXPECT_FALSE(EvaluateSeccomp({Jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 5)}, data).has_value());
}

}  // namespace
}  // namespace ncp::policy::testing
