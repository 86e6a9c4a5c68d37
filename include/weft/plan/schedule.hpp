// SPDX-License-Identifier: Apache-2.0
// The static multicore schedule: for every operator, whether and how its
// output is cut into tiles (an axis, and a contiguous range of it per core,
// sized by a cost model and the cores' speeds), and where cores must wait for
// each other. constexpr, so weft::compiled evaluates it at compile time; the
// host tool calls the same function at run time to print it.
#pragma once

#include "weft/graph/graph.hpp"
#include "weft/plan/memory.hpp"
#include "weft/plan/profile.hpp"
#include "weft/plan/tiling.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace weft {

/// Why the cores wait for each other before an operator.
enum class sync_reason : std::uint8_t {
  none,
  read_after_write,   // a core reads bytes another core wrote since the last wait
  write_after_read,   // a core overwrites bytes another core read since then
  write_after_write,  // a core overwrites bytes another core wrote since then
};

constexpr const char* describe(sync_reason r) {
  switch (r) {
    case sync_reason::read_after_write:
      return "reads what another core wrote";
    case sync_reason::write_after_read:
      return "overwrites bytes another core reads (arena reuse)";
    case sync_reason::write_after_write:
      return "overwrites bytes another core wrote (arena reuse)";
    case sync_reason::none:
      break;
  }
  return "";
}

/// An operator's part of the schedule.
struct node_schedule {
  split_axis axis = split_axis::none;
  std::array<tile, max_cores> tiles{};         // per core; empty: the core idles
  std::array<std::int64_t, max_cores> work{};  // estimated cost per core
  std::array<std::int64_t, max_cores> macs{};  // MACs per core
  bool wait_before = false;                    // all cores wait for each other first
  sync_reason why = sync_reason::none;
  int conflict_tensor = -1;  // the tensor whose bytes caused the wait
  double time = 0;           // slowest core's cost / speed
  /// Passes the operator runs in (divisible::phases of its cut), with a wait
  /// after each but the last: an LSTM cut across cores waits once per step.
  int phases = 1;
};

/// The most waits a schedule spends inside operators that run in passes
/// (node_schedule::phases); an operator whose passes would exceed them is
/// not cut that way.
inline constexpr int max_phase_waits = 512;

/// Two accesses touch a common byte: compared as boxes when they view the same
/// bytes the same way (one storage, from the same first byte), else by their
/// byte intervals (conservative).
constexpr bool overlaps(const access_region& a, const access_region& b) {
  if (a.storage == b.storage && a.base == b.base && a.cols == b.cols)
    return a.row_lo < b.row_hi && b.row_lo < a.row_hi && a.col_lo < b.col_hi && b.col_lo < a.col_hi;
  return a.byte_lo < b.byte_hi && b.byte_lo < a.byte_hi;
}

template <int N>
struct schedule {
  core_profile profile{};
  int node_count = 0;
  std::array<node_schedule, N> nodes{};
  int waits = 0;     // waits before operators, and between the passes of one
  int segments = 1;  // runs of operators (and passes) between waits
  /// Where each segment starts (and, after the last, node_count): operator
  /// segment_begin[s], at its pass segment_phase[s] (0 but inside an
  /// operator that runs in passes). A segment runs the rest of its first
  /// operator's passes, then whole operators, then the first
  /// segment_phase[s + 1] passes of operator segment_begin[s + 1].
  std::array<int, N + 1 + max_phase_waits> segment_begin{};
  std::array<int, N + 1 + max_phase_waits> segment_phase{};
  int phase_waits = 0;  // waits between passes (at most max_phase_waits)
  std::int64_t total_work = 0;
  double critical_path = 0;  // sum over operators of the slowest core's time
  double ideal = 0;          // total work / sum of speeds: perfect balance

  /// Critical path over perfect balance: 1.0 is perfect.
  constexpr double imbalance() const { return ideal > 0 ? critical_path / ideal : 1.0; }
  /// The waits one inference performs on several cores, as executors run
  /// it: one at the end of every segment, that is `waits` before operators
  /// plus the last, where the cores meet before the inference returns (a
  /// real barrier, with its cost). One core waits for nothing. `weft plan`
  /// reports this number and `weft bench` measures as many waits (a probe
  /// slot per segment: compiled::probe_slots), so the two always agree.
  constexpr int waits_per_inference() const { return profile.cores > 1 ? segments : 0; }

  constexpr const node_schedule& at(int i) const { return nodes[static_cast<std::size_t>(i)]; }
  constexpr const tile& tile_of(int i, int core) const {
    return nodes[static_cast<std::size_t>(i)].tiles[static_cast<std::size_t>(core)];
  }
  /// Segment seg runs passes of operators [segment_begin[seg], segment_end(seg)).
  constexpr int segment_end(int seg) const {
    const auto next = static_cast<std::size_t>(seg + 1);
    return segment_begin[next] + (segment_phase[next] > 0 ? 1 : 0);
  }
  /// The passes [first, end) of operator i in segment seg (every pass of an
  /// operator that does not run in passes is pass 0).
  constexpr std::array<int, 2> passes_in(int seg, int i) const {
    const auto k = static_cast<std::size_t>(seg);
    return {i == segment_begin[k] ? segment_phase[k] : 0,
            i == segment_begin[k + 1] ? segment_phase[k + 1] : at(i).phases};
  }
  /// Core `core`'s tile of operator i for its passes [first, end) (the
  /// whole tile when the operator does not run in passes).
  constexpr tile tile_of(int i, int core, int first_phase, int end_phase) const {
    return at(i).phases > 1 ? tile_of(i, core).passes(first_phase, end_phase) : tile_of(i, core);
  }
  /// The segment operator i starts in.
  constexpr int segment_of(int i) const {
    int s = 0;
    while (s + 1 < segments && segment_begin[static_cast<std::size_t>(s + 1)] < i) ++s;
    while (s + 1 < segments && segment_begin[static_cast<std::size_t>(s + 1)] == i &&
           segment_phase[static_cast<std::size_t>(s + 1)] == 0)
      ++s;
    return s;
  }
};

namespace detail {

struct division {
  std::array<int, max_cores + 1> cut{};  // core c gets atoms [cut[c], cut[c + 1])
  double time = 0;
};

// Contiguous ranges of atoms per core, in proportion to speed, then the
// remainder one atom at a time to the core that finishes it soonest.
constexpr division divide(const divisible& d, std::int64_t per_tile, const core_profile& p) {
  std::array<int, max_cores> count{};
  double total_speed = 0;
  for (int c = 0; c < p.cores; ++c) total_speed += static_cast<double>(p.speed_of(c));
  int given = 0;
  for (int c = 0; c < p.cores; ++c) {
    count[static_cast<std::size_t>(c)] =
        static_cast<int>(static_cast<double>(d.atoms) * static_cast<double>(p.speed_of(c)) / total_speed);
    given += count[static_cast<std::size_t>(c)];
  }
  auto time_of = [&](int c, int n) {
    return n == 0 ? 0.0
                  : static_cast<double>(static_cast<std::int64_t>(n) * d.per_atom + per_tile) /
                        static_cast<double>(p.speed_of(c));
  };
  for (; given < d.atoms; ++given) {
    int best = 0;
    for (int c = 1; c < p.cores; ++c)
      if (time_of(c, count[static_cast<std::size_t>(c)] + 1) < time_of(best, count[static_cast<std::size_t>(best)] + 1))
        best = c;
    ++count[static_cast<std::size_t>(best)];
  }
  division r{};
  for (int c = 0; c < p.cores; ++c) {
    r.cut[static_cast<std::size_t>(c + 1)] = r.cut[static_cast<std::size_t>(c)] + count[static_cast<std::size_t>(c)];
    const double t = time_of(c, count[static_cast<std::size_t>(c)]);
    r.time = t > r.time ? t : r.time;
  }
  return r;
}

// Whether cutting node i along `a` would have cores write the same cache
// lines at once (channel_cut_shares_lines).
template <class G>
constexpr bool shares_lines(const G& g, int i, const divisible& a, const core_profile& p) {
  return a.axis == split_axis::channels && plan_detail::channel_cut_shares_lines(g.spec(g.at(i).output), a.atoms, p);
}

// The axes node i may be cut along, with the cost of one unit of each (its
// unit's axes). An operator run in place may only be cut where cores then
// never write bytes another core reads (see in_place_kind), and on cores
// whose caches share lines, not where they would store into the same lines
// at once (channel_cut_shares_lines).
template <class G>
constexpr std::array<divisible, 2> axes_of(const G& g, int i, const cost_model& m, in_place_kind in_place,
                                           const core_profile& p) {
  std::array<divisible, 2> a = visit_unit(g.at(i).kind, [&]<class U>() -> std::array<divisible, 2> {
    if constexpr (requires { U::axes(g, i, m, in_place); }) {
      return U::axes(g, i, m, in_place);
    } else {
      return {};
    }
  });
  for (divisible& d : a)
    if (shares_lines(g, i, d, p)) d.axis = split_axis::none;
  return a;
}

// The tile of atoms [a0, a1) along an axis, in the operator's tile units.
template <class G>
constexpr tile tile_for(const G& g, int i, split_axis axis, int a0, int a1) {
  tile t = full_tile(g, i);
  if (a0 >= a1) return {};
  if (axis == split_axis::channels) {
    t.ch_begin = a0;
    t.ch_end = a1;
  } else if (axis == split_axis::rows) {
    t.row_begin = a0 * row_unit(g, i);
    t.row_end = a1 * row_unit(g, i);
  }
  return t;
}

// What one core writes and reads of operator i's tensors for tile t.
template <class G, class P>
constexpr accesses accesses_of(const G& g, const P& plan, int i, const tile& t) {
  return visit_unit(g.at(i).kind, [&]<class U>() {
    if constexpr (requires { U::access(g, plan, i, t); }) {
      return U::access(g, plan, i, t);
    } else {
      return accesses{};
    }
  });
}

}  // namespace detail

/// Plans graph g on the cores of profile p: for each operator the cheapest of
/// running whole on the fastest core or cut along one of its axes (the cost
/// model's estimate, a cut paying per tile and for one more wait), then a
/// pass over every core's reads and writes that puts a wait before an
/// operator only where a core would read bytes another core wrote, or
/// overwrite bytes another core read or wrote, since the last wait.
/// The schedule is made for a memory plan (plan_memory(g, memory_mode::compact, p)
/// unless given):
/// operators run in place restrict how cores may split them, and where
/// tensors share bytes decides where cores must wait.
template <class G, int Tensors>
constexpr schedule<G::capacity> plan_schedule(const G& g, const core_profile& p, const memory_plan<Tensors>& plan,
                                              const cost_model& m = {}) {
  schedule<G::capacity> s{};
  s.profile = p;
  s.node_count = g.node_count;
  int fastest = 0;
  for (int c = 1; c < p.cores; ++c)
    if (p.speed_of(c) > p.speed_of(fastest)) fastest = c;

  for (int i = 0; i < g.node_count; ++i) {
    node_schedule& ns = s.nodes[static_cast<std::size_t>(i)];
    const node& n = g.at(i);
    // No kernel: a reshape moves no data, an absorbed add is done by the
    // convolution before it.
    if (aliases_input(n.kind) || plan.in_place[static_cast<std::size_t>(i)] == in_place_kind::absorbed) continue;
    const auto axes = detail::axes_of(g, i, m, plan.in_place[static_cast<std::size_t>(i)], p);
    const std::int64_t work = static_cast<std::int64_t>(axes[0].atoms) * axes[0].per_atom;
    // Whole on the fastest core...
    double best = static_cast<double>(work + m.per_tile) / static_cast<double>(p.speed_of(fastest));
    detail::division chosen{};
    split_axis axis = split_axis::none;
    int phases = 1;
    // ...or cut, if that is cheaper even after one more wait (one per pass,
    // each pass a kernel call).
    if (p.cores > 1)
      for (const auto& a : axes) {
        if (a.axis == split_axis::none || a.atoms < 2) continue;
        const int ph = a.phases > 1 ? a.phases : 1;
        if (s.phase_waits + ph - 1 > max_phase_waits) continue;
        const detail::division d = detail::divide(a, m.per_tile * ph, p);
        const double cost = d.time + static_cast<double>(m.per_wait * ph);
        if (cost < best) {
          best = cost;
          chosen = d;
          axis = a.axis;
          phases = ph;
        }
      }
    ns.axis = axis;
    ns.phases = phases;
    s.phase_waits += phases - 1;
    if (axis == split_axis::none) {
      ns.tiles[static_cast<std::size_t>(fastest)] = full_tile(g, i);
      ns.work[static_cast<std::size_t>(fastest)] = work + m.per_tile;
      ns.macs[static_cast<std::size_t>(fastest)] = n.macs;
      ns.time = static_cast<double>(work + m.per_tile) / static_cast<double>(p.speed_of(fastest));
    } else {
      const auto& a = axes[axes[0].axis == axis ? 0 : 1];
      for (int c = 0; c < p.cores; ++c) {
        const int a0 = chosen.cut[static_cast<std::size_t>(c)], a1 = chosen.cut[static_cast<std::size_t>(c + 1)];
        ns.tiles[static_cast<std::size_t>(c)] = detail::tile_for(g, i, axis, a0, a1);
        if (a1 > a0) {
          ns.work[static_cast<std::size_t>(c)] = (a1 - a0) * a.per_atom + m.per_tile * phases;
          ns.macs[static_cast<std::size_t>(c)] = n.macs * (a1 - a0) / a.atoms;
        }
      }
      ns.time = chosen.time;
    }
    for (int c = 0; c < p.cores; ++c) s.total_work += ns.work[static_cast<std::size_t>(c)];
    s.critical_path += ns.time;
  }
  double total_speed = 0;
  for (int c = 0; c < p.cores; ++c) total_speed += static_cast<double>(p.speed_of(c));
  s.ideal = static_cast<double>(s.total_work) / total_speed;

  // Waits: what each core read and wrote since the last one.
  // (Transient vectors: allowed in constant evaluation, and at run time they
  // keep a large graph's scratch off the stack.)
  std::array<std::vector<accesses>, max_cores> seen{};
  s.segments = 1;
  s.segment_begin[0] = 0;
  for (int i = 0; i < g.node_count; ++i) {
    if (aliases_input(g.at(i).kind) || plan.in_place[static_cast<std::size_t>(i)] == in_place_kind::absorbed) continue;
    node_schedule& ns = s.nodes[static_cast<std::size_t>(i)];
    std::array<accesses, max_cores> now{};
    for (int c = 0; c < p.cores; ++c)
      if (!ns.tiles[static_cast<std::size_t>(c)].empty())
        now[static_cast<std::size_t>(c)] = detail::accesses_of(g, plan, i, ns.tiles[static_cast<std::size_t>(c)]);
    for (int c = 0; c < p.cores && ns.why == sync_reason::none; ++c) {
      if (ns.tiles[static_cast<std::size_t>(c)].empty()) continue;
      const accesses& mine = now[static_cast<std::size_t>(c)];
      for (int d = 0; d < p.cores && ns.why == sync_reason::none; ++d) {
        if (d == c) continue;
        for (const accesses& theirs : seen[static_cast<std::size_t>(d)]) {
          if (ns.why != sync_reason::none) break;
          // (A read the operator also writes back, state, counts as a
          // write as well.)
          for (int r = 0; r < mine.read_count; ++r) {
            const access_region& x = mine.reads[static_cast<std::size_t>(r)];
            if (ns.why == sync_reason::none && overlaps(x, theirs.write)) {
              ns.why = sync_reason::read_after_write;
              ns.conflict_tensor = x.tensor;
            }
            for (int q = 0; q < theirs.read_count && ns.why == sync_reason::none; ++q) {
              const access_region& y = theirs.reads[static_cast<std::size_t>(q)];
              if ((x.updated || y.updated) && overlaps(x, y)) {
                ns.why = y.updated ? sync_reason::read_after_write : sync_reason::write_after_read;
                ns.conflict_tensor = x.tensor;
              }
            }
          }
          for (int r = 0; r < theirs.read_count; ++r)
            if (ns.why == sync_reason::none && overlaps(mine.write, theirs.reads[static_cast<std::size_t>(r)])) {
              ns.why = sync_reason::write_after_read;
              ns.conflict_tensor = theirs.reads[static_cast<std::size_t>(r)].tensor;
            }
          if (ns.why == sync_reason::none && overlaps(mine.write, theirs.write)) {
            ns.why = sync_reason::write_after_write;
            ns.conflict_tensor = theirs.write.tensor;
          }
        }
      }
    }
    if (ns.why != sync_reason::none) {
      ns.wait_before = true;
      ++s.waits;
      s.segment_begin[static_cast<std::size_t>(s.segments++)] = i;
      for (auto& v : seen) v.clear();
    }
    // A wait after each pass but the last. (What the cores did before the
    // last wait is then complete; their accesses over all passes, kept
    // below, are a superset of the last pass's.)
    for (int ph = 1; ph < ns.phases; ++ph) {
      ++s.waits;
      s.segment_begin[static_cast<std::size_t>(s.segments)] = i;
      s.segment_phase[static_cast<std::size_t>(s.segments++)] = ph;
      for (auto& v : seen) v.clear();
    }
    for (int c = 0; c < p.cores; ++c)
      if (!ns.tiles[static_cast<std::size_t>(c)].empty())
        seen[static_cast<std::size_t>(c)].push_back(now[static_cast<std::size_t>(c)]);
  }
  s.segment_begin[static_cast<std::size_t>(s.segments)] = g.node_count;
  return s;
}

template <class G>
constexpr schedule<G::capacity> plan_schedule(const G& g, const core_profile& p, const cost_model& m = {}) {
  return plan_schedule(g, p, plan_memory(g, memory_mode::compact, p), m);
}

}  // namespace weft
