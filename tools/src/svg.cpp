// SPDX-License-Identifier: Apache-2.0
// `weft plan --svg`: the predicted schedule as a Gantt chart (one lane per
// core, one bar per operator's tile, labelled in place; waits as dashed
// lines) above the arena over the same time axis (each tensor a labelled box
// at its offset, from the operator that writes it to the last that reads it).
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace weft::tool {
namespace {

const char* color_of(op k) {
  if (aliases_input(k)) return "#bab0ac";
  switch (family_of(k)) {
    case op_family::convolution:
      return "#4e79a7";
    case op_family::depthwise:
      return "#76b7b2";
    case op_family::dense:
      return "#f28e2b";
    case op_family::pooling:
      return "#b07aa1";
    case op_family::elementwise:
      return "#59a14f";
    case op_family::normalization:
      return "#e15759";
    case op_family::movement:
      return "#edc948";
  }
  return "#bab0ac";
}

std::string escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '<')
      r += "&lt;";
    else if (c == '>')
      r += "&gt;";
    else if (c == '&')
      r += "&amp;";
    else
      r += c;
  }
  return r;
}

struct canvas {
  std::ostringstream os;
  void rect(double x, double y, double w, double h, const char* fill, const char* extra = "") {
    char b[320];
    std::snprintf(b, sizeof b, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' %s/>\n", x, y, w, h, fill,
                  extra);
    os << b;
  }
  void text(double x, double y, const std::string& t, const char* attrs = "") {
    char b[96];
    std::snprintf(b, sizeof b, "<text x='%.1f' y='%.1f' %s>", x, y, attrs);
    os << b << escape(t) << "</text>\n";
  }
  void line(double x1, double y1, double x2, double y2, const char* attrs) {
    char b[256];
    std::snprintf(b, sizeof b, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' %s/>\n", x1, y1, x2, y2, attrs);
    os << b;
  }
};

}  // namespace

std::string plan_svg(const imported_model& m, const std::string& source, const core_profile& prof) {
  const tool_graph& g = *m.graph;
  const auto plan = plan_memory(g, memory_mode::compact, prof);
  const auto s = schedule_of(m, prof);

  // Predicted start of each operator (operators run one after another; the
  // slowest core sets each one's length).
  std::vector<double> start(static_cast<std::size_t>(g.node_count) + 1, 0.0);
  for (int i = 0; i < g.node_count; ++i)
    start[static_cast<std::size_t>(i) + 1] = start[static_cast<std::size_t>(i)] + s->at(i).time;
  const double total = std::max(start.back(), 1.0);

  const double left = 120, width = 1000, lane = 30, top = 70;
  const double gantt_h = lane * prof.cores;
  const double arena_top = top + gantt_h + 90, arena_h = 300;
  const double height = arena_top + arena_h + 70;
  auto x_of = [&](double t) { return left + width * t / total; };

  canvas c;
  char head[512];
  std::snprintf(
      head, sizeof head,
      "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' font-family='sans-serif' font-size='11'>\n",
      left + width + 40, height);
  c.os << head;
  c.rect(0, 0, left + width + 40, height, "white");
  char title[256];
  std::snprintf(title, sizeof title, "%s: %d operators on %d %s; predicted balance %.3f (1 = perfect); %d waits",
                source.c_str(), g.node_count, prof.cores, prof.cores == 1 ? "core" : "cores", s->imbalance(),
                s->waits_per_inference());
  c.text(left, 24, title, "font-size='15' font-weight='bold'");
  c.text(left, 48,
         "Schedule: each bar is one core's tile of an operator (label: operator index and kind); dashed lines: all "
         "cores wait",
         "fill='#555'");

  // Lanes.
  for (int core = 0; core < prof.cores; ++core) {
    const double y = top + lane * core;
    c.rect(left, y, width, lane - 4, "#f4f4f4");
    char label[64];
    std::snprintf(label, sizeof label, "core %d (speed %g)", core, static_cast<double>(prof.speed_of(core)));
    c.text(8, y + lane / 2 + 2, label);
  }
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    if (aliases_input(n.kind)) continue;
    const node_schedule& ns = s->at(i);
    const double t0 = start[static_cast<std::size_t>(i)];
    if (ns.wait_before) c.line(x_of(t0), top - 6, x_of(t0), top + gantt_h, "stroke='#d62728' stroke-dasharray='4,3'");
    for (int core = 0; core < prof.cores; ++core) {
      if (ns.tiles[static_cast<std::size_t>(core)].empty()) continue;
      const double w =
          width *
          (static_cast<double>(ns.work[static_cast<std::size_t>(core)]) / static_cast<double>(prof.speed_of(core))) /
          total;
      const double x = x_of(t0), y = top + lane * core;
      c.rect(x, y + 2, std::max(w, 0.8), lane - 8, color_of(n.kind), "stroke='white' stroke-width='0.5'");
      // The widest label that fits: "12 conv2d", else "12".
      for (const std::string& label : {std::to_string(i) + " " + name_of(n.kind), std::to_string(i)})
        if (w > 6.5 * static_cast<double>(label.size()) + 4) {
          c.text(x + 3, y + lane / 2 + 2, label, "fill='white'");
          break;
        }
    }
  }
  c.line(left, top + gantt_h + 4, left + width, top + gantt_h + 4, "stroke='#333'");
  char axis[160];
  std::snprintf(axis, sizeof axis,
                "predicted time: %.3g units (one unit: a multiply-accumulate on a core of speed 1), start to end",
                total);
  c.text(left, top + gantt_h + 22, axis, "fill='#555'");

  // Arena.
  const double arena = static_cast<double>(std::max<std::size_t>(plan.arena_bytes, 1));
  char arena_title[200];
  std::snprintf(arena_title, sizeof arena_title,
                "Arena: %zu bytes (lower bound %zu); each box is a tensor at its offset, alive from the operator that "
                "writes it to the last one that reads it",
                plan.arena_bytes, plan.lower_bound_bytes);
  c.text(left, arena_top - 14, arena_title, "class='arena-title' font-size='13' font-weight='bold'");
  c.rect(left, arena_top, width, arena_h, "#f8f8f8", "class='arena' stroke='#ccc'");
  // Each tensor is drawn at its own offset with its own size and lifetime:
  // tensors that share a storage (an in-place chain, a residual convolution
  // and its add) overlap where they share bytes, and no block reaches past
  // the arena's edges. A reshape's output is its input's bytes: not drawn.
  const int steps = g.node_count;
  std::vector<int> root(static_cast<std::size_t>(g.tensor_count)), last(static_cast<std::size_t>(g.tensor_count));
  for (int t = 0; t < g.tensor_count; ++t) {
    const int from = g.producer[static_cast<std::size_t>(t)];
    root[static_cast<std::size_t>(t)] =
        from >= 0 && aliases_input(g.at(from).kind) ? root[static_cast<std::size_t>(g.at(from).inputs[0])] : t;
    last[static_cast<std::size_t>(t)] = std::max(from, 0);
  }
  for (int i = 0; i < steps; ++i)
    for (int k = 0; k < g.at(i).input_count(); ++k) {
      int& l =
          last[static_cast<std::size_t>(root[static_cast<std::size_t>(g.at(i).inputs[static_cast<std::size_t>(k)])])];
      l = std::max(l, i);
    }
  for (int k = 0; k < g.output_count; ++k)
    last[static_cast<std::size_t>(root[static_cast<std::size_t>(g.output_tensor(k))])] = steps;
  const double right = left + width, bottom = arena_top + arena_h;
  for (int t = 0; t < g.tensor_count; ++t) {
    if (root[static_cast<std::size_t>(t)] != t || g.is_constant(t)) continue;  // constants are in flash
    const int producer = g.producer[static_cast<std::size_t>(t)];
    const int first = std::max(producer, 0);
    const double x0 = x_of(start[static_cast<std::size_t>(std::min(first, steps))]);
    const double x1 = x_of(start[static_cast<std::size_t>(std::min(last[static_cast<std::size_t>(t)] + 1, steps))]);
    const std::size_t size = g.spec(t).bytes();
    const double offset = static_cast<double>(plan.offset[static_cast<std::size_t>(t)]);
    const double y_lo = arena_top + arena_h * (1.0 - (offset + static_cast<double>(size)) / arena);
    const double y_hi = arena_top + arena_h * (1.0 - offset / arena);
    // Too small to see: at least 0.8 high and 1 wide, grown into the box.
    const double h = std::max(y_hi - y_lo, 0.8), w = std::max(x1 - x0, 1.0);
    const double y0 = std::clamp(y_hi - h, arena_top, bottom - h), bx = std::clamp(x0, left, right - w);
    const char* fill = producer < 0 ? "#9c9c9c" : color_of(g.at(producer).kind);
    char attrs[96];
    std::snprintf(attrs, sizeof attrs,
                  "class='tensor' data-tensor='%d' fill-opacity='0.75' stroke='white' stroke-width='0.5'", t);
    c.rect(bx, y0, w, h, fill, attrs);
    const std::string name = producer < 0 ? std::string("input") : "op " + std::to_string(producer);
    for (const std::string& label : {name + ", " + std::to_string(size) + " B", name})
      if (h > 12 && w > 6.5 * static_cast<double>(label.size()) + 4) {
        c.text(bx + 3, y0 + h / 2 + 4, label, "fill='white'");
        break;
      }
  }
  for (int k = 0; k <= 4; ++k) {
    const double y = arena_top + arena_h * (1.0 - k / 4.0);
    c.line(left - 4, y, left, y, "stroke='#333'");
    char tick[32];
    std::snprintf(tick, sizeof tick, "%.0f", arena * k / 4.0);
    c.text(left - 8, y + 4, tick, "text-anchor='end'");
  }
  char ylabel[96];
  std::snprintf(ylabel, sizeof ylabel, "text-anchor='middle' fill='#555' transform='rotate(-90 30 %.1f)'",
                arena_top + arena_h / 2);
  c.text(30, arena_top + arena_h / 2, "offset in the arena (bytes)", ylabel);
  c.text(left, arena_top + arena_h + 20, "time: the same axis as the schedule above", "fill='#555'");
  c.os << "</svg>\n";
  return c.os.str();
}

}  // namespace weft::tool
