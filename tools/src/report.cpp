// SPDX-License-Identifier: Apache-2.0
#include "report.hpp"

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

}  // namespace

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

plan_summary summarize(const imported_model& m) {
  const tool_graph& g = *m.graph;
  const auto p = plan_memory(g);
  plan_summary s{p.arena_bytes, p.lower_bound_bytes, 0, 0};
  for (int i = 0; i < g.node_count; ++i) {
    s.weight_bytes += constant_bytes(g.at(i).weights) + constant_bytes(g.at(i).bias);
    s.macs += g.at(i).macs;
  }
  return s;
}

std::string plan_text(const imported_model& m, const std::string& source) {
  const tool_graph& g = *m.graph;
  const auto p = plan_memory(g);
  const plan_summary s = summarize(m);
  std::ostringstream os;
  char line[256];
  os << source << ": " << g.node_count << " operators, " << name_of(g.input_spec().type) << "\n\n";
  std::snprintf(line, sizeof line, "%4s  %-18s %-18s %-16s %8s %8s %12s\n", "op", "operator", "tflite", "output",
                "offset", "bytes", "MACs");
  os << line;
  std::snprintf(line, sizeof line, "%4s  %-18s %-18s %-16s %8zu %8zu %12s\n", "in", "input", "",
                shape_text(g.input_spec().dims).c_str(), p.offset[static_cast<std::size_t>(g.input_tensor)],
                g.input_spec().bytes(), "");
  os << line;
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    const tensor_spec& out = g.spec(n.output);
    std::snprintf(line, sizeof line, "%4d  %-18s %-18s %-16s %8zu %8zu %12lld%s\n", i, name_of(n.kind),
                  m.op_names[static_cast<std::size_t>(i)].c_str(), shape_text(out.dims).c_str(),
                  p.offset[static_cast<std::size_t>(n.output)], out.bytes(), static_cast<long long>(n.macs),
                  p.storage[static_cast<std::size_t>(n.output)] != n.output ? "  (aliases its input)" : "");
    os << line;
  }
  os << "\narena bytes:        " << s.arena_bytes << "\n"
     << "lower bound bytes:  " << s.arena_lower_bound_bytes << "  (most bytes live at one step)\n"
     << "weight bytes:       " << s.weight_bytes << "\n"
     << "MACs:               " << s.macs << "\n";
  return os.str();
}

std::string plan_json(const imported_model& m) {
  const tool_graph& g = *m.graph;
  const auto p = plan_memory(g);
  const plan_summary s = summarize(m);
  std::ostringstream os;
  os << "{\"arena_bytes\": " << s.arena_bytes << ", \"arena_lower_bound_bytes\": " << s.arena_lower_bound_bytes
     << ", \"weight_bytes\": " << s.weight_bytes << ", \"macs\": " << s.macs
     << ", \"dtype\": " << json_string(name_of(g.input_spec().type))
     << ", \"input\": {\"shape\": " << shape_text(g.input_spec().dims)
     << ", \"offset\": " << p.offset[static_cast<std::size_t>(g.input_tensor)]
     << ", \"bytes\": " << g.input_spec().bytes() << "}"
     << ", \"ops\": [";
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    const tensor_spec& out = g.spec(n.output);
    os << (i ? ", " : "") << "{\"index\": " << i << ", \"op\": " << json_string(name_of(n.kind))
       << ", \"tflite_op\": " << json_string(m.op_names[static_cast<std::size_t>(i)])
       << ", \"output_shape\": " << shape_text(out.dims)
       << ", \"offset\": " << p.offset[static_cast<std::size_t>(n.output)] << ", \"bytes\": " << out.bytes()
       << ", \"macs\": " << n.macs << ", \"weight_bytes\": " << constant_bytes(n.weights) + constant_bytes(n.bias)
       << ", \"aliases_input\": " << (p.storage[static_cast<std::size_t>(n.output)] != n.output ? "true" : "false")
       << "}";
  }
  os << "]}\n";
  return os.str();
}

}  // namespace weft::tool
