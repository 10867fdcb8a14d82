// Starting ncp_test_program_probe (tests/helpers/program_probe.c) with NCP_StartChildProgram
// and reading what it reported.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "AbilityKit/native_child_process.h"
#include "ncp/native_child_process_ext.h"

namespace ncp::testing {

// NULL-ended char* arrays over strings the caller keeps alive.
std::vector<char*> CStrings(std::vector<std::string>& strings);

// The probe's "key=value" lines: every value of a key, in order.
std::map<std::string, std::vector<std::string>> ParseProgramOutput(const std::string& out);

}  // namespace ncp::testing
