// SPDX-License-Identifier: Apache-2.0
// The activation arena: tensor lifetimes over the execution order give each
// tensor a byte offset in one buffer, and operators whose input dies with
// them write their output over it (in place) where their kernels allow.
// Works on any weft::graph, at compile time (weft::compiled) or run time
// (the host tool), with the same result.
#pragma once

#include "weft/graph/graph.hpp"
#include "weft/plan/profile.hpp"

#include <algorithm>  // std::max
#include <array>
#include <cstddef>
#include <cstdint>

namespace weft {

/// What a memory plan is for. `compact`: the smallest arena, running
/// operators in place and fusing residual adds into the convolution before
/// them where that saves bytes (a fused convolution's own output is never
/// stored). `observable`: nothing in place and nothing fused, so every
/// operator's output lands in bytes of its own and can be read after the
/// operator (what `weft run --dump` shows, layer by layer, against another
/// runtime). Both compute the same outputs.
enum class memory_mode : std::uint8_t { compact, observable };

/// Where every tensor of a graph lives. Tensors that share bytes form one
/// storage: a reshape's output and its input (same bytes), and an operator
/// run in place with its input (overlapping bytes). `storage[t]` names the
/// tensor that owns the storage t lives in, `offset[t]` is t's own first byte.
template <int Tensors>
struct memory_plan {
  std::array<std::size_t, Tensors> offset{};
  std::array<int, Tensors> storage{};
  std::array<int, Tensors> first{};               // first step the storage is live
  std::array<int, Tensors> last{};                // last step the storage is live
  std::array<std::size_t, Tensors> extent{};      // bytes of the storage (its owner's entry)
  std::array<in_place_kind, Tensors> in_place{};  // per operator
  std::array<int, Tensors> fused_into{};          // per operator: the add a residual convolution does, or -1
  int tensor_count = 0;
  int in_place_count = 0;  // operators run in place
  /// Bytes of the arena: every activation, input and output included.
  std::size_t arena_bytes = 0;
  /// The most bytes live at any one step, every tensor in its own bytes: no
  /// plan for this execution order can use less without computing in place.
  std::size_t lower_bound_bytes = 0;
  /// Bytes of the state tensors (graph::state), which follow the arena:
  /// each at its own offset from arena_bytes on, shared with nothing.
  std::size_t state_bytes = 0;

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

template <int Cap>
constexpr std::size_t place(memory_plan<Cap>& p, placement_order order_kind) {
  auto at = [](auto& a, int i) -> auto& { return a[static_cast<std::size_t>(i)]; };
  const int n = p.tensor_count;
  std::array<int, Cap> order{};
  int owners = 0;
  for (int t = 0; t < n; ++t)
    if (at(p.storage, t) == t) at(order, owners++) = t;
  auto size_of_storage = [&](int t) { return at(p.extent, t); };
  auto key = [&](int t) -> std::size_t {
    const std::size_t bytes = size_of_storage(t);
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
    if (size_of_storage(a) != size_of_storage(b)) return size_of_storage(a) > size_of_storage(b);
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
  std::array<int, Cap> live{};  // placed buffers live at the same time as the one being placed
  for (int k = 0; k < owners; ++k) {
    const int t = at(order, k);
    const std::size_t size = size_of_storage(t);
    int live_count = 0;
    for (int q = 0; q < placed_count; ++q) {
      const int u = at(placed, q);
      if (at(p.first, u) <= at(p.last, t) && at(p.first, t) <= at(p.last, u)) at(live, live_count++) = u;
    }
    // The lowest fitting offset is 0 or the aligned end of a buffer live at
    // the same time (only those can be in the way).
    std::size_t best = 0;
    bool found = false;
    for (int c = -1; c < live_count; ++c) {
      const std::size_t candidate =
          c < 0 ? 0 : align_up(at(p.offset, at(live, c)) + size_of_storage(at(live, c)), arena_alignment);
      if (found && candidate >= best) continue;
      bool fits = true;
      for (int q = 0; q < live_count && fits; ++q) {
        const int u = at(live, q);
        fits = !(at(p.offset, u) < candidate + size && candidate < at(p.offset, u) + size_of_storage(u));
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

// The add that node i's output alone feeds, where node i can do it in its
// epilogue (in_place_kind::residual), or -1: node i's unit offers a residual
// epilogue (an int8 convolution), its output is read by one absorbable add
// (not through a reshape) and nothing else, is not the model's output, has
// the add's size, and the add's inputs are distinct and of one shape (the
// epilogue reads the other input where it writes; a broadcasting add reads
// it elsewhere).
template <class G>
constexpr int residual_add(const G& g, int i) {
  const node& n = g.at(i);
  const bool epilogue = visit_unit(n.kind, [&]<class U>() {
    if constexpr (requires { U::residual_epilogue(g, i); }) {
      return U::residual_epilogue(g, i);
    } else {
      return false;
    }
  });
  if (!epilogue || g.is_model_output(n.output)) return -1;
  int add = -1, readers = 0;
  for (int j = i + 1; j < g.node_count; ++j)
    for (int k = 0; k < g.at(j).input_count(); ++k)
      if (g.at(j).inputs[static_cast<std::size_t>(k)] == n.output) {
        ++readers;
        add = j;
      }
  if (readers != 1) return -1;
  const bool absorbable = visit_unit(g.at(add).kind, []<class U>() {
    if constexpr (requires { U::absorbable; }) {
      return U::absorbable;
    } else {
      return false;
    }
  });
  const node& a = g.at(add);
  if (!absorbable || a.inputs[0] == a.inputs[1] || !(g.spec(a.inputs[0]).dims == g.spec(a.inputs[1]).dims) ||
      g.spec(a.output).bytes() != g.spec(n.output).bytes() || g.spec(a.output).type != dtype::int8)
    return -1;
  return add;
}

// What node i's unit offers to run in place on the cores of `cores`.
template <class G>
constexpr in_place_offer in_place_offer_of(const G& g, int i, const core_profile& cores) {
  return visit_unit(g.at(i).kind, [&]<class U>() {
    if constexpr (requires { U::in_place(g, i, cores); }) {
      return U::in_place(g, i, cores);
    } else {
      return in_place_offer{};
    }
  });
}

// Whether tensor t's bytes (through reshapes) are read by an operator after
// step `from` and before step `to`.
template <class G, class Roots>
constexpr bool read_between(const G& g, const Roots& root, int t, int from, int to) {
  for (int j = from + 1; j < to; ++j)
    for (int k = 0; k < g.at(j).input_count(); ++k)
      if (root[static_cast<std::size_t>(g.at(j).inputs[static_cast<std::size_t>(k)])] ==
          root[static_cast<std::size_t>(t)])
        return true;
  return false;
}

// Plans g's arena, running in place the operators `allow` names where their
// units offer it, for the cores of `cores`; leaves storages, lifetimes and
// extents in p, and with place_buffers the offsets and the arena.
template <int Cap, class G, class Allow>
constexpr void plan_storages(const G& g, memory_plan<Cap>& p, const Allow& allow, const core_profile& cores,
                             bool place_buffers = true) {
  const int n = g.tensor_count;
  const int steps = g.node_count;
  auto at = [](auto& a, int i) -> auto& { return a[static_cast<std::size_t>(i)]; };
  p = memory_plan<Cap>{};
  p.tensor_count = n;

  // Each tensor's own lifetime, a reshape's output sharing its input's.
  std::array<int, Cap> root{};  // the tensor whose bytes t's are, through reshapes
  std::array<int, Cap> first{}, last{};
  for (int t = 0; t < n; ++t) {
    const int from = at(g.producer, t);
    at(root, t) = t;
    if (from >= 0 && aliases_input(g.at(from).kind)) at(root, t) = at(root, g.at(from).inputs[0]);
    at(first, t) = from < 0 ? 0 : from;
    at(last, t) = at(first, t);
  }
  for (int i = 0; i < steps; ++i) {
    const node& nd = g.at(i);
    for (int k = 0; k < nd.input_count(); ++k) {
      const int r = at(root, nd.inputs[static_cast<std::size_t>(k)]);
      at(last, r) = std::max(at(last, r), i);
    }
  }
  for (int k = 0; k < g.output_count; ++k) at(last, at(root, g.output_tensor(k))) = steps;
  // Constants stay in flash, state after the arena: no bytes of the arena.
  auto arena_bytes_of = [&](int t) { return g.is_constant(t) || g.is_state(t) ? std::size_t{0} : g.spec(t).bytes(); };
  for (int s = 0; place_buffers && s <= steps; ++s) {  // (a search for what runs in place needs no bound)
    std::size_t live = 0;
    for (int t = 0; t < n; ++t)
      if (at(root, t) == t && at(first, t) <= s && s <= at(last, t)) live += arena_bytes_of(t);
    p.lower_bound_bytes = std::max(p.lower_bound_bytes, live);
  }

  // Storages: each root its own, then operators run in place join their
  // output to their input's storage, at a signed position within it.
  std::array<std::int64_t, Cap> pos{};
  for (int t = 0; t < n; ++t) {
    at(p.storage, t) = at(root, t);
    at(p.first, t) = at(first, t);
    at(p.last, t) = at(last, t);
  }
  for (int i = 0; i < steps; ++i) at(p.fused_into, i) = -1;
  for (int i = 0; i < steps; ++i) {
    if (!at(allow, i)) continue;
    const node& nd = g.at(i);
    if (at(p.in_place, i) == in_place_kind::absorbed) continue;
    int source = -1;  // the input whose bytes the output takes
    std::int64_t shift = 0;
    // An input can give its bytes if its storage is read by nothing after
    // step `step` and is neither a model input (the caller's data) nor a
    // constant (in flash).
    auto dies_at = [&](int x, int step) {
      const int s = at(p.storage, x);
      return !g.is_model_input(s) && !g.is_constant(s) && !g.is_state(s) && at(p.last, s) == step;
    };
    auto dies_here = [&](int x) { return dies_at(x, i); };
    const int add = residual_add(g, i);
    int other = -1;  // the add's input that is not the convolution's output
    if (add >= 0) other = g.at(add).inputs[0] == nd.output ? g.at(add).inputs[1] : g.at(add).inputs[0];
    // The convolution writes the add's output over `other`: which must
    // exist already, not be the convolution's own input, and not be read
    // before the add.
    if (add >= 0 && at(g.producer, other) < i && at(p.storage, other) != at(p.storage, nd.inputs[0]) &&
        dies_at(other, add) && !read_between(g, root, other, i, add)) {
      ++p.in_place_count;
      at(p.in_place, i) = in_place_kind::residual;
      at(p.in_place, add) = in_place_kind::absorbed;
      at(p.fused_into, i) = add;
      const int s = at(p.storage, other);
      at(p.last, s) = std::max(at(p.last, s), at(last, g.at(add).output));
      for (int t = 0; t < n; ++t)
        if (at(root, t) == nd.output || at(root, t) == g.at(add).output) {
          at(p.storage, t) = s;
          at(pos, t) = at(pos, other);
        }
      continue;
    }
    // Else the unit's offer: the input it names (or the first input of the
    // output's dtype and size) if that input dies here.
    const in_place_offer offer = in_place_offer_of(g, i, cores);
    for (int k = 0; offer.kind != in_place_kind::none && k < nd.input_count() && source < 0; ++k) {
      const int x = nd.inputs[static_cast<std::size_t>(k)];
      if (offer.input >= 0 ? k == offer.input && dies_here(x)
                           : dies_here(x) && g.spec(x).type == g.spec(nd.output).type &&
                                 g.spec(x).bytes() == g.spec(nd.output).bytes())
        source = x;
    }
    if (source >= 0) {
      at(p.in_place, i) = offer.kind;
      shift = offer.shift;
    }
    if (source < 0) continue;
    ++p.in_place_count;
    const int s = at(p.storage, source);
    at(p.last, s) = std::max(at(p.last, s), at(last, nd.output));
    for (int t = 0; t < n; ++t)
      if (at(root, t) == nd.output) {
        at(p.storage, t) = s;
        at(pos, t) = at(pos, source) - shift;
      }
  }

  // Each storage spans its members' bytes; positions start at 0.
  std::array<std::int64_t, Cap> lo{}, hi{};
  std::array<bool, Cap> any{};
  for (int t = 0; t < n; ++t) {
    const int st = at(p.storage, t);
    const std::int64_t a = at(pos, t), b = a + static_cast<std::int64_t>(arena_bytes_of(t));
    at(lo, st) = at(any, st) ? std::min(at(lo, st), a) : a;
    at(hi, st) = at(any, st) ? std::max(at(hi, st), b) : b;
    at(any, st) = true;
  }
  for (int t = 0; t < n; ++t) at(pos, t) -= at(lo, at(p.storage, t));
  for (int st = 0; st < n; ++st)
    if (at(p.storage, st) == st) at(p.extent, st) = static_cast<std::size_t>(at(hi, st) - at(lo, st));
  if (!place_buffers) return;

  std::size_t best_arena = 0;
  int best_order = 0;
  for (int k = 0; k < placement_orders; ++k) {
    const std::size_t arena = place(p, static_cast<placement_order>(k));
    if (k == 0 || arena < best_arena) {
      best_arena = arena;
      best_order = k;
    }
  }
  place(p, static_cast<placement_order>(best_order));
  p.arena_bytes = best_arena;
  std::array<std::size_t, Cap> base{};
  for (int s = 0; s < n; ++s) at(base, s) = at(p.offset, s);
  for (int t = 0; t < n; ++t) at(p.offset, t) = at(base, at(p.storage, t)) + static_cast<std::size_t>(at(pos, t));
  // State tensors after the arena, in the order the graph made them.
  for (int t = 0; t < n; ++t)
    if (g.is_state(t)) {
      at(p.offset, t) = p.arena_bytes + p.state_bytes;
      p.state_bytes += align_up(g.spec(t).bytes(), arena_alignment);
    }
}

// The bytes p's storages take at the busiest step, and summed over all
// steps, each its own extent rounded as placement rounds it: what choosing
// which operators run in place weighs.
template <int Cap>
constexpr std::array<std::size_t, 2> storage_bytes(const memory_plan<Cap>& p, int steps) {
  // Each storage adds its bytes at its first step and takes them off after
  // its last: one pass over the storages, one over the steps.
  std::array<std::int64_t, Cap + 2> change{};
  for (int t = 0; t < p.tensor_count; ++t) {
    const auto k = static_cast<std::size_t>(t);
    if (p.storage[k] != t) continue;
    const auto bytes = static_cast<std::int64_t>(align_up(p.extent[k], arena_alignment));
    change[static_cast<std::size_t>(p.first[k])] += bytes;
    change[static_cast<std::size_t>(p.last[k] + 1)] -= bytes;
  }
  std::array<std::size_t, 2> r{};
  std::int64_t live = 0;
  for (int s = 0; s <= steps; ++s) {
    live += change[static_cast<std::size_t>(s)];
    r[0] = std::max(r[0], static_cast<std::size_t>(live));
    r[1] += static_cast<std::size_t>(live);
  }
  return r;
}

}  // namespace detail

/// Plans the arena of a graph. Lifetimes: the inputs are live from step 0,
/// the outputs until after the last step (so the caller can read them),
/// constants take no arena bytes (they are read from flash), every other
/// tensor from the step that writes it to the last step that reads it. Each
/// of a few placement orders (largest first, as TFLite Micro's greedy planner
/// does; first written first; longest lived first; largest size x lifetime
/// first) places buffers first-fit, and the smallest arena wins.
///
/// In place: an operator whose input is read by nothing after it (and is
/// not a model input) writes its output over that input's bytes when its
/// kernel allows it: depthwise convolutions (depth multiplier 1), 1x1
/// convolutions (int8; expanding ones on one core), adds (see
/// in_place_kind). Running every candidate in place can join a long chain
/// of tensors into one storage that grows with each shift, and running one
/// alone can hold its storage's full extent while its input is still
/// written; so a few sets are tried (all candidates; all, less those whose
/// removal lowers the bytes the storages take at the busiest step or, at the
/// same peak, summed over the steps; none, plus those whose addition lowers
/// them), each placed, and the smallest arena is kept (none in place, on a
/// tie: in-place operators restrict how cores split).
/// in_place = false: never in place, so every operator's output is stored
/// and can be observed.
///
/// The cores matter where their caches share lines (core_profile::line_bytes):
/// a depthwise convolution then runs in place only where its channels can
/// still be shared among the cores a line or more at a time, since in place
/// it may not be cut by rows. Other profiles plan alike.
template <class G>
constexpr memory_plan<G::tensor_capacity> plan_memory(const G& g, bool in_place = true,
                                                      const core_profile& cores = core_profile{}) {
  constexpr int cap = G::tensor_capacity;
  memory_plan<cap> best{}, trial{};
  std::array<bool, cap> none{};
  detail::plan_storages(g, best, none, cores);
  if (!in_place) return best;
  // Which operators run in place: every candidate; those kept by removing,
  // one by one in order, each whose removal lowers the bytes the storages
  // take; and those added one by one where adding lowers them. Each set is
  // placed, and the smallest arena wins (none in place, on a tie).
  std::array<bool, cap> all{};
  for (int i = 0; i < g.node_count; ++i) all[static_cast<std::size_t>(i)] = true;
  const auto improves = [](const std::array<std::size_t, 2>& now, const std::array<std::size_t, 2>& was) {
    return now[0] < was[0] || (now[0] == was[0] && now[1] < was[1]);
  };
  std::array<bool, cap> removed = all, added = none;
  detail::plan_storages(g, trial, removed, cores, false);
  std::array<std::size_t, 2> bytes_removed = detail::storage_bytes(trial, g.node_count);
  std::array<std::size_t, 2> bytes_added = detail::storage_bytes(best, g.node_count);
  int count_added = 0;
  for (int i = 0; i < g.node_count; ++i) {
    const auto k = static_cast<std::size_t>(i);
    removed[k] = false;
    detail::plan_storages(g, trial, removed, cores, false);
    if (const auto now = detail::storage_bytes(trial, g.node_count); improves(now, bytes_removed)) {
      bytes_removed = now;
    } else {
      removed[k] = true;
    }
    added[k] = true;
    detail::plan_storages(g, trial, added, cores, false);
    if (const auto now = detail::storage_bytes(trial, g.node_count);
        trial.in_place_count > count_added && improves(now, bytes_added)) {
      bytes_added = now;
      count_added = trial.in_place_count;
    } else {
      added[k] = false;
    }
  }
  for (const auto* set : {&all, &removed, &added}) {
    detail::plan_storages(g, trial, *set, cores);
    if (trial.in_place_count > 0 && trial.arena_bytes < best.arena_bytes) best = trial;
  }
  return best;
}

/// The plan for a memory_mode on the cores of a profile: plan_memory(g,
/// true, cores) for compact, plan_memory(g, false) for observable (no
/// operator in place, no add fused).
template <class G>
constexpr memory_plan<G::tensor_capacity> plan_memory(const G& g, memory_mode mode,
                                                      const core_profile& cores = core_profile{}) {
  return plan_memory(g, mode == memory_mode::compact, cores);
}

}  // namespace weft
