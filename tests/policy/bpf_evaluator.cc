#include "bpf_evaluator.h"

#include <cstring>

namespace ncp::policy::testing {

std::optional<uint32_t> EvaluateSeccomp(const std::vector<sock_filter>& program,
                                        const seccomp_data& data) {
  uint32_t a = 0, x = 0;
  uint32_t mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& insn = program[pc];
    switch (BPF_CLASS(insn.code)) {
      case BPF_LD:
        if (insn.code == (BPF_LD | BPF_W | BPF_ABS)) {
          if (insn.k % 4 != 0 || insn.k + 4 > sizeof(data)) return std::nullopt;
          std::memcpy(&a, reinterpret_cast<const char*>(&data) + insn.k, 4);
        } else if (insn.code == (BPF_LD | BPF_IMM)) {
          a = insn.k;
        } else if (insn.code == (BPF_LD | BPF_MEM)) {
          if (insn.k >= BPF_MEMWORDS) return std::nullopt;
          a = mem[insn.k];
        } else {
          return std::nullopt;
        }
        break;
      case BPF_LDX:
        if (insn.code == (BPF_LDX | BPF_IMM))
          x = insn.k;
        else if (insn.code == (BPF_LDX | BPF_MEM) && insn.k < BPF_MEMWORDS)
          x = mem[insn.k];
        else
          return std::nullopt;
        break;
      case BPF_ST:
        if (insn.k >= BPF_MEMWORDS) return std::nullopt;
        mem[insn.k] = a;
        break;
      case BPF_STX:
        if (insn.k >= BPF_MEMWORDS) return std::nullopt;
        mem[insn.k] = x;
        break;
      case BPF_ALU: {
        uint32_t operand = BPF_SRC(insn.code) == BPF_X ? x : insn.k;
        switch (BPF_OP(insn.code)) {
          case BPF_ADD:
            a += operand;
            break;
          case BPF_SUB:
            a -= operand;
            break;
          case BPF_MUL:
            a *= operand;
            break;
          case BPF_DIV:
            if (operand == 0) return std::nullopt;
            a /= operand;
            break;
          case BPF_AND:
            a &= operand;
            break;
          case BPF_OR:
            a |= operand;
            break;
          case BPF_XOR:
            a ^= operand;
            break;
          case BPF_LSH:
            a <<= (operand & 31);
            break;
          case BPF_RSH:
            a >>= (operand & 31);
            break;
          case BPF_NEG:
            a = -a;
            break;
          default:
            return std::nullopt;
        }
        break;
      }
      case BPF_JMP: {
        if (BPF_OP(insn.code) == BPF_JA) {
          pc += insn.k;
        } else {
          uint32_t operand = BPF_SRC(insn.code) == BPF_X ? x : insn.k;
          bool taken;
          switch (BPF_OP(insn.code)) {
            case BPF_JEQ:
              taken = a == operand;
              break;
            case BPF_JGT:
              taken = a > operand;
              break;
            case BPF_JGE:
              taken = a >= operand;
              break;
            case BPF_JSET:
              taken = (a & operand) != 0;
              break;
            default:
              return std::nullopt;
          }
          pc += taken ? insn.jt : insn.jf;
        }
        if (pc >= program.size()) return std::nullopt;
        break;
      }
      case BPF_RET:
        if (BPF_RVAL(insn.code) == BPF_K) return insn.k;
        if (BPF_RVAL(insn.code) == BPF_A) return a;
        return std::nullopt;
      case BPF_MISC:
        if (BPF_MISCOP(insn.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

seccomp_data MakeSeccompData(uint32_t arch, int nr, std::initializer_list<uint64_t> args) {
  seccomp_data data{};
  data.nr = nr;
  data.arch = arch;
  size_t i = 0;
  for (uint64_t arg : args) {
    if (i < 6) data.args[i++] = arg;
  }
  return data;
}

}  // namespace ncp::policy::testing
