// SPDX-License-Identifier: Apache-2.0
// Compiles a model into a host program and caches it: `weft run` generates
// the model header, builds the runner once per (model, weft, compiler) and
// reuses it afterwards.
#pragma once

#include "model.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace weft::tool {

/// Where weft's headers are: $WEFT_INCLUDE_DIR, <prefix>/include next to an
/// installed tool, or the source tree the tool was built from.
std::filesystem::path weft_include_dir(const char* argv0);

/// Builds (or finds in the cache) the host runner for `m` planned for the
/// cores of `profile` with `compiler` ("gcc", "clang", or "" for $CXX or
/// c++). Progress goes to stderr. Throws std::runtime_error when the
/// compiler fails.
std::filesystem::path host_runner(const imported_model& m, const std::string& source, const core_profile& profile,
                                  const char* argv0, const std::string& compiler = "");

/// Runs a program (looked up in PATH when it has no slash) with arguments,
/// no shell; returns its exit status.
int run_program(const std::filesystem::path& program, const std::vector<std::string>& args);

/// Same, collecting what the program writes to its standard output.
int run_program(const std::filesystem::path& program, const std::vector<std::string>& args, std::string& output);

}  // namespace weft::tool
