// SPDX-License-Identifier: Apache-2.0
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace weft::tool {
namespace {

std::string shape_text(const shape& s) {
  std::string r = "[";
  for (int i = 0; i < s.rank; ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

std::size_t constant_bytes(const constant& c) { return c.empty() ? 0 : c.spec.bytes(); }

// A tile in the units of its operator's split axis: "rows 0-12" or "ch 32-64".
std::string tile_text(split_axis axis, const tile& t, int scale) {
  if (t.empty()) return "-";
  if (axis == split_axis::channels) return "ch " + std::to_string(t.ch_begin) + "-" + std::to_string(t.ch_end);
  if (axis == split_axis::rows) {
    return "rows " + std::to_string(t.row_begin / scale) + "-" + std::to_string(t.row_end / scale);
  }
  return "all";
}

}  // namespace

std::unique_ptr<tool_schedule> schedule_of(const imported_model& m, const core_profile& p) {
  return std::make_unique<tool_schedule>(plan_schedule(*m.graph, p));
}

std::string json_string(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        r += "\\\"";
        break;
      case '\\':
        r += "\\\\";
        break;
      case '\n':
        r += "\\n";
        break;
      case '\t':
        r += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          r += buf;
        } else {
          r += c;
        }
    }
  }
  return r + "\"";
}

plan_summary summarize(const imported_model& m, const core_profile& prof) {
  const tool_graph& g = *m.graph;
  const auto p = plan_memory(g, memory_mode::compact, prof);
  plan_summary s{p.arena_bytes, p.lower_bound_bytes, p.state_bytes, 0, 0};
  for (int i = 0; i < g.node_count; ++i) {
    s.weight_bytes += constant_bytes(g.at(i).weights) + constant_bytes(g.at(i).bias);
    s.macs += g.at(i).macs;
  }
  for (int t = 0; t < g.tensor_count; ++t)  // constant operands, in flash like weights
    if (g.is_constant(t)) s.weight_bytes += g.spec(t).bytes();
  return s;
}

std::string plan_text(const imported_model& m, const std::string& source, const core_profile& prof) {
  const tool_graph& g = *m.graph;
  const auto p = plan_memory(g, memory_mode::compact, prof);
  const auto s = schedule_of(m, prof);
  const plan_summary sum = summarize(m, prof);
  std::ostringstream os;
  char line[512];
  os << source << ": " << g.node_count << " operators, " << name_of(g.input_spec().type) << ", planned for "
     << prof.cores << (prof.cores == 1 ? " core" : " cores");
  if (prof.cores > 1) {
    os << " (speeds";
    for (int c = 0; c < prof.cores; ++c) os << " " << prof.speed_of(c);
    if (prof.line_bytes > 0) os << "; caches share " << prof.line_bytes << "-byte lines";
    os << ")";
  }
  for (int c = 0; c < prof.cores; ++c)
    if (prof.features[static_cast<std::size_t>(c)] != 0) {
      os << "\n  core " << c << ":" << (prof.has(c, isa::fpu) ? " fpu" : "") << (prof.has(c, isa::dsp) ? " dsp" : "")
         << (prof.has(c, isa::mve) ? " mve" : "");
    }
  os << "\n";
  for (const std::string& n : m.notes) os << "note: " << n << "\n";
  os << "\n";
  std::snprintf(line, sizeof line, "%4s  %-17s %-18s %-15s %7s %7s %10s", "op", "operator", "tflite", "output",
                "offset", "bytes", "MACs");
  os << line;
  if (prof.cores > 1) os << "  split     per core (tiles; MACs)";
  os << "\n";
  for (int k = 0; k < g.input_count; ++k) {
    const std::string label = g.input_count == 1 ? "in" : "in" + std::to_string(k);
    std::snprintf(line, sizeof line, "%4s  %-17s %-18s %-15s %7zu %7zu %10s\n", label.c_str(), "input", "",
                  shape_text(g.input_spec(k).dims).c_str(), p.offset[static_cast<std::size_t>(g.input_tensor(k))],
                  g.input_spec(k).bytes(), "");
    os << line;
  }
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    const node_schedule& ns = s->at(i);
    const tensor_spec& out = g.spec(n.output);
    if (ns.wait_before && prof.cores > 1)
      os << "      -- all cores wait: operator " << i << " " << describe(ns.why) << " (tensor " << ns.conflict_tensor
         << ")\n";
    std::snprintf(line, sizeof line, "%4d  %-17s %-18s %-15s %7zu %7zu %10lld", i, name_of(n.kind),
                  m.op_names[static_cast<std::size_t>(i)].c_str(), shape_text(out.dims).c_str(),
                  p.offset[static_cast<std::size_t>(n.output)], out.bytes(), static_cast<long long>(n.macs));
    os << line;
    if (p.in_place[static_cast<std::size_t>(i)] != in_place_kind::none)
      os << "  (in place: " << name_of(p.in_place[static_cast<std::size_t>(i)]) << ")";
    else if (p.storage[static_cast<std::size_t>(n.output)] != n.output)
      os << "  (shares its input's bytes)";
    if (prof.cores > 1 && !aliases_input(n.kind)) {
      std::snprintf(line, sizeof line, "  %-9s", ns.axis == split_axis::none ? "whole" : name_of(ns.axis));
      os << line;
      for (int c = 0; c < prof.cores; ++c) {
        const tile& t = ns.tiles[static_cast<std::size_t>(c)];
        if (t.empty()) continue;
        os << " c" << c << ": " << tile_text(ns.axis, t, row_unit(*m.graph, i)) << "; "
           << ns.macs[static_cast<std::size_t>(c)];
      }
      if (ns.phases > 1) os << "  (in " << ns.phases << " steps, all cores waiting after each but the last)";
    }
    os << "\n";
  }
  // Which tensors the caller reads, when that is not simply the last one.
  if (g.output_count > 1 || g.output_tensor() != g.at(g.node_count - 1).output)
    for (int k = 0; k < g.output_count; ++k) {
      const int t = g.output_tensor(k), from = g.producer[static_cast<std::size_t>(t)];
      os << "output " << k << ": " << shape_text(g.output_spec(k).dims) << " at offset "
         << p.offset[static_cast<std::size_t>(t)] << ", "
         << (from >= 0 ? "from operator " + std::to_string(from) : std::string("a model input")) << "\n";
    }
  os << "\narena bytes:        " << sum.arena_bytes << "\n"
     << "lower bound bytes:  " << sum.arena_lower_bound_bytes
     << "  (most bytes live at one step, each tensor in its own bytes)\n"
     << "state bytes:        " << sum.state_bytes << "  (kept from one inference to the next, after the arena)\n"
     << "in place:           " << p.in_place_count << " operators  (output over their input's bytes)\n"
     << "weight bytes:       " << sum.weight_bytes << "\n"
     << "MACs:               " << sum.macs << "\n";
  if (prof.cores > 1) {
    char b[160];
    std::snprintf(b, sizeof b, "%.3f (critical path / perfectly balanced work; 1.000 is perfect)", s->imbalance());
    os << "cores:              " << prof.cores << "\n"
       << "waits:              " << s->waits_per_inference() << "  (all cores wait for each other: before the "
       << s->waits - s->phase_waits << " operators marked above, " << s->phase_waits
       << " between the steps of operators cut step by step, and at the end of inference)\n"
       << "predicted balance:  " << b << "\n";
  }
  return os.str();
}

std::string plan_json(const imported_model& m, const core_profile& prof) {
  const tool_graph& g = *m.graph;
  const auto p = plan_memory(g, memory_mode::compact, prof);
  const auto s = schedule_of(m, prof);
  const plan_summary sum = summarize(m, prof);
  std::ostringstream os;
  os.precision(6);
  os << "{\"arena_bytes\": " << sum.arena_bytes << ", \"arena_lower_bound_bytes\": " << sum.arena_lower_bound_bytes
     << ", \"state_bytes\": " << sum.state_bytes << ", \"weight_bytes\": " << sum.weight_bytes
     << ", \"macs\": " << sum.macs << ", \"dtype\": " << json_string(name_of(g.input_spec().type))
     << ", \"cores\": " << prof.cores << ", \"speeds\": [";
  for (int c = 0; c < prof.cores; ++c) os << (c ? ", " : "") << prof.speed_of(c);
  // The waits an inference performs (what `weft bench` measures), and how
  // many of them come before an operator (wait_before).
  os << "], \"line_bytes\": " << prof.line_bytes << ", \"waits\": " << s->waits_per_inference()
     << ", \"waits_before_operators\": " << s->waits - s->phase_waits << ", \"predicted_balance\": " << s->imbalance()
     << ", \"critical_path\": " << s->critical_path << ", \"ideal\": " << s->ideal
     << ", \"input\": {\"shape\": " << shape_text(g.input_spec().dims)
     << ", \"offset\": " << p.offset[static_cast<std::size_t>(g.input_tensor())]
     << ", \"bytes\": " << g.input_spec().bytes() << "}";
  auto io_list = [&](const char* key, int count, auto tensor_of) {
    os << ", \"" << key << "\": [";
    for (int k = 0; k < count; ++k) {
      const int t = tensor_of(k);
      os << (k ? ", " : "") << "{\"shape\": " << shape_text(g.spec(t).dims)
         << ", \"dtype\": " << json_string(name_of(g.spec(t).type))
         << ", \"offset\": " << p.offset[static_cast<std::size_t>(t)] << ", \"bytes\": " << g.spec(t).bytes() << "}";
    }
    os << "]";
  };
  io_list("inputs", g.input_count, [&](int k) { return g.input_tensor(k); });
  io_list("outputs", g.output_count, [&](int k) { return g.output_tensor(k); });
  os << ", \"ops\": [";
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    const node_schedule& ns = s->at(i);
    const tensor_spec& out = g.spec(n.output);
    os << (i ? ", " : "") << "{\"index\": " << i << ", \"op\": " << json_string(name_of(n.kind))
       << ", \"tflite_op\": " << json_string(m.op_names[static_cast<std::size_t>(i)])
       << ", \"output_shape\": " << shape_text(out.dims)
       << ", \"offset\": " << p.offset[static_cast<std::size_t>(n.output)] << ", \"bytes\": " << out.bytes()
       << ", \"macs\": " << n.macs << ", \"weight_bytes\": " << constant_bytes(n.weights) + constant_bytes(n.bias)
       << ", \"aliases_input\": " << (p.storage[static_cast<std::size_t>(n.output)] != n.output ? "true" : "false")
       << ", \"in_place\": " << json_string(name_of(p.in_place[static_cast<std::size_t>(i)]))
       << ", \"split\": " << json_string(name_of(ns.axis))
       << ", \"wait_before\": " << (ns.wait_before ? "true" : "false") << ", \"phases\": " << ns.phases
       << ", \"wait_reason\": " << json_string(describe(ns.why)) << ", \"tiles\": [";
    for (int c = 0; c < prof.cores; ++c) {
      const tile& t = ns.tiles[static_cast<std::size_t>(c)];
      os << (c ? ", " : "") << "[" << t.row_begin << ", " << t.row_end << ", " << t.ch_begin << ", " << t.ch_end << "]";
    }
    os << "], \"macs_per_core\": [";
    for (int c = 0; c < prof.cores; ++c) os << (c ? ", " : "") << ns.macs[static_cast<std::size_t>(c)];
    os << "], \"work_per_core\": [";
    for (int c = 0; c < prof.cores; ++c) os << (c ? ", " : "") << ns.work[static_cast<std::size_t>(c)];
    os << "]}";
  }
  os << "]}\n";
  return os.str();
}

}  // namespace weft::tool
