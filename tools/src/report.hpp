// SPDX-License-Identifier: Apache-2.0
// `weft plan`: the memory plan and the multicore schedule of an imported
// model, as a table for people, one JSON object for scripts, or an SVG
// drawing (a Gantt chart of cores against operators, and the arena over time).
#pragma once

#include "model.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace weft::tool {

using tool_schedule = schedule<max_operators>;

/// The schedule of m on the cores of p (on the heap: it is large).
std::unique_ptr<tool_schedule> schedule_of(const imported_model& m, const core_profile& p);

struct plan_summary {
  std::size_t arena_bytes = 0;
  std::size_t arena_lower_bound_bytes = 0;
  std::size_t state_bytes = 0;  // kept across inferences, after the arena
  std::size_t weight_bytes = 0;
  std::int64_t macs = 0;
};

/// Arena, weights and MACs of m planned for the cores of p.
plan_summary summarize(const imported_model& m, const core_profile& p);
std::string plan_text(const imported_model& m, const std::string& source, const core_profile& p);
std::string plan_json(const imported_model& m, const core_profile& p);
std::string plan_svg(const imported_model& m, const std::string& source, const core_profile& p);

/// A JSON string literal for s.
std::string json_string(const std::string& s);

}  // namespace weft::tool
