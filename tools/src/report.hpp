// SPDX-License-Identifier: Apache-2.0
// `weft plan`: the memory plan and per-operator facts of an imported model,
// as a table for people or one JSON object for scripts.
#pragma once

#include "model.hpp"

#include <cstdint>
#include <string>

namespace weft::tool {

struct plan_summary {
  std::size_t arena_bytes = 0;
  std::size_t arena_lower_bound_bytes = 0;
  std::size_t weight_bytes = 0;
  std::int64_t macs = 0;
};

plan_summary summarize(const imported_model& m);
std::string plan_text(const imported_model& m, const std::string& source);
std::string plan_json(const imported_model& m);

/// A JSON string literal for s.
std::string json_string(const std::string& s);

}  // namespace weft::tool
