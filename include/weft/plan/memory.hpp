// SPDX-License-Identifier: Apache-2.0
// The activation arena: tensor lifetimes over the execution order give each
// tensor a byte offset in one buffer. Works on any weft::graph, at compile
// time (weft::compiled) or run time (the host tool), with the same result.
#pragma once

#include "weft/graph/graph.hpp"

#include <algorithm>  // std::max
#include <array>
#include <cstddef>

namespace weft {

/// Offsets in the arena are multiples of this.
inline constexpr std::size_t arena_alignment = 16;

constexpr std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

/// Where every tensor of a graph lives. A reshape's output shares its input's
/// storage: `storage[t]` names the tensor that owns t's bytes.
template <int Tensors>
struct memory_plan {
  std::array<std::size_t, Tensors> offset{};
  std::array<int, Tensors> storage{};
  std::array<int, Tensors> first{};  // first step the storage is live
  std::array<int, Tensors> last{};   // last step the storage is live
  int tensor_count = 0;
  /// Bytes of the arena: every activation, input and output included.
  std::size_t arena_bytes = 0;
  /// The most bytes live at any one step: no plan for this execution order
  /// can use less (without computing in place).
  std::size_t lower_bound_bytes = 0;

  constexpr bool live_at(int t, int step) const {
    const auto s = static_cast<std::size_t>(storage[static_cast<std::size_t>(t)]);
    return first[s] <= step && step <= last[s];
  }
};

namespace detail {

// The order in which buffers are placed; each is put at the lowest offset
// that overlaps no buffer already placed and live at the same time.
enum class placement_order : int { size, first_use, lifetime, size_times_lifetime };
inline constexpr int placement_orders = 4;

template <int Cap, class G>
constexpr std::size_t place(const G& g, memory_plan<Cap>& p, placement_order order_kind) {
  auto at = [](auto& a, int i) -> auto& { return a[static_cast<std::size_t>(i)]; };
  const int n = p.tensor_count;
  std::array<int, Cap> order{};
  int owners = 0;
  for (int t = 0; t < n; ++t)
    if (at(p.storage, t) == t) at(order, owners++) = t;
  auto key = [&](int t) -> std::size_t {
    const std::size_t bytes = g.spec(t).bytes();
    const auto span = static_cast<std::size_t>(at(p.last, t) - at(p.first, t) + 1);
    switch (order_kind) {
      case placement_order::size:
        return bytes;
      case placement_order::first_use:
        return static_cast<std::size_t>(Cap - at(p.first, t));
      case placement_order::lifetime:
        return span;
      case placement_order::size_times_lifetime:
        return bytes * span;
    }
    return bytes;
  };
  // Larger key first; ties by size, then by tensor index, so plans are stable.
  // (An insertion sort: the lists are short, and std::sort's small-range path
  // draws a false -Warray-bounds from GCC 12 on tiny fixed arrays.)
  auto before = [&](int a, int b) {
    if (key(a) != key(b)) return key(a) > key(b);
    if (g.spec(a).bytes() != g.spec(b).bytes()) return g.spec(a).bytes() > g.spec(b).bytes();
    return a < b;
  };
  for (int i = 1; i < owners; ++i) {
    const int t = at(order, i);
    int j = i;
    for (; j > 0 && before(t, at(order, j - 1)); --j) at(order, j) = at(order, j - 1);
    at(order, j) = t;
  }

  std::size_t arena = 0;
  std::array<int, Cap> placed{};
  int placed_count = 0;
  for (int k = 0; k < owners; ++k) {
    const int t = at(order, k);
    const std::size_t size = g.spec(t).bytes();
    // The lowest fitting offset is 0 or the aligned end of a placed buffer.
    std::size_t best = 0;
    bool found = false;
    for (int c = -1; c < placed_count; ++c) {
      const std::size_t candidate =
          c < 0 ? 0 : align_up(at(p.offset, at(placed, c)) + g.spec(at(placed, c)).bytes(), arena_alignment);
      if (found && candidate >= best) continue;
      bool fits = true;
      for (int q = 0; q < placed_count && fits; ++q) {
        const int u = at(placed, q);
        const bool overlap_time = at(p.first, u) <= at(p.last, t) && at(p.first, t) <= at(p.last, u);
        const bool overlap_space =
            at(p.offset, u) < candidate + size && candidate < at(p.offset, u) + g.spec(u).bytes();
        fits = !(overlap_time && overlap_space);
      }
      if (fits) {
        best = candidate;
        found = true;
      }
    }
    at(p.offset, t) = best;
    at(placed, placed_count++) = t;
    arena = std::max(arena, align_up(best + size, arena_alignment));
  }
  return arena;
}

}  // namespace detail

/// Plans the arena of a graph. Lifetimes: the input is live from step 0, the
/// output until after the last step (so the caller can read it), every other
/// tensor from the step that writes it to the last step that reads it. Each
/// of a few placement orders (largest first, as TFLite Micro's greedy planner
/// does; first written first; longest lived first; largest size x lifetime
/// first) places buffers first-fit, and the smallest arena wins.
template <class G>
constexpr memory_plan<G::capacity + 1> plan_memory(const G& g) {
  constexpr int cap = G::capacity + 1;
  memory_plan<cap> p{};
  const int n = g.tensor_count;
  p.tensor_count = n;
  const int steps = g.node_count;
  auto at = [](auto& a, int i) -> auto& { return a[static_cast<std::size_t>(i)]; };

  for (int t = 0; t < n; ++t) {
    const int from = at(g.producer, t);
    at(p.storage, t) = t;
    if (from >= 0 && g.at(from).kind == op::reshape) at(p.storage, t) = at(p.storage, g.at(from).inputs[0]);
    if (at(p.storage, t) == t) {
      at(p.first, t) = from < 0 ? 0 : from;
      at(p.last, t) = at(p.first, t);
    }
  }
  for (int i = 0; i < steps; ++i) {
    const node& nd = g.at(i);
    for (int k = 0; k < nd.input_count(); ++k) {
      const int owner = at(p.storage, nd.inputs[static_cast<std::size_t>(k)]);
      at(p.last, owner) = std::max(at(p.last, owner), i);
    }
  }
  if (g.output_tensor >= 0) at(p.last, at(p.storage, g.output_tensor)) = steps;

  std::size_t best_arena = 0;
  int best_order = 0;
  for (int k = 0; k < detail::placement_orders; ++k) {
    const std::size_t arena = detail::place(g, p, static_cast<detail::placement_order>(k));
    if (k == 0 || arena < best_arena) {
      best_arena = arena;
      best_order = k;
    }
  }
  detail::place(g, p, static_cast<detail::placement_order>(best_order));
  p.arena_bytes = best_arena;
  for (int t = 0; t < n; ++t) at(p.offset, t) = at(p.offset, at(p.storage, t));

  for (int s = 0; s <= steps; ++s) {
    std::size_t live = 0;
    for (int t = 0; t < n; ++t)
      if (at(p.storage, t) == t && at(p.first, t) <= s && s <= at(p.last, t)) live += g.spec(t).bytes();
    p.lower_bound_bytes = std::max(p.lower_bound_bytes, live);
  }
  return p;
}

}  // namespace weft
