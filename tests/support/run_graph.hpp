// SPDX-License-Identifier: Apache-2.0
// Runs a graph built at run time (random shapes, generated models) through
// the same preparation and kernels weft::compiled uses, for tests. This
// run-time dispatch exists only here; the library's run path is compiled.
#pragma once

#include <weft/weft.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

namespace weft::test {

template <class G>
class runtime_program {
 public:
  /// fuse = false: every int8 epilogue takes the general requantization and
  /// adds rescale every element, also where weft::compiled fuses them or
  /// reads tables (to compare the two). in_place = false: the memory plan
  /// runs nothing in place, so every tensor is stored (a reference run).
  /// `cores`: the profile whose memory plan to use (a schedule for several
  /// cores needs theirs: some operators run in place only on one core).
  explicit runtime_program(const G& g, bool fuse = true, bool in_place = true, const core_profile& cores = {})
      : g_(g),
        plan_(plan_memory(g, in_place, cores)),
        requant_(static_cast<std::size_t>(g.node_count)),
        folded_bias_(static_cast<std::size_t>(g.node_count)),
        pad_row_(static_cast<std::size_t>(g.node_count)),
        fused_(static_cast<std::size_t>(g.node_count)),
        add_table_(static_cast<std::size_t>(g.node_count)),
        residual_(static_cast<std::size_t>(g.node_count)) {
    arena_.resize((plan_.arena_bytes + plan_.state_bytes) / sizeof(std::max_align_t) + 1);
    reset_state();
    for (int i = 0; i < g.node_count; ++i) {
      requant_[static_cast<std::size_t>(i)].resize(static_cast<std::size_t>(exec::requant_count(g, i)));
      exec::fill_requant(g, i, requant_[static_cast<std::size_t>(i)].data());
      folded_bias_[static_cast<std::size_t>(i)].resize(static_cast<std::size_t>(exec::folded_bias_count(g, i)));
      exec::fill_folded_bias(g, i, folded_bias_[static_cast<std::size_t>(i)].data());
      pad_row_[static_cast<std::size_t>(i)].resize(static_cast<std::size_t>(exec::pad_row_count(g, i)));
      exec::fill_pad_row(g, i, pad_row_[static_cast<std::size_t>(i)].data());
      if (fuse) {
        add_table_[static_cast<std::size_t>(i)].resize(static_cast<std::size_t>(exec::add_table_count(g, i)));
        exec::fill_add_table(g, i, add_table_[static_cast<std::size_t>(i)].data());
      }
      if (fuse && exec::uses_fused_requant(g, i)) {
        fused_[static_cast<std::size_t>(i)].resize(static_cast<std::size_t>(exec::requant_count(g, i)));
        exec::fill_fused(g, i, fused_[static_cast<std::size_t>(i)].data());
      }
    }
    // Residual convolutions' add arguments, before any core runs: kernels
    // on several threads only read them.
    for (int i = 0; i < g.node_count; ++i) {
      const int add = plan_.fused_into[static_cast<std::size_t>(i)];
      if (add < 0) continue;
      const auto& table = add_table_[static_cast<std::size_t>(add)];
      residual_[static_cast<std::size_t>(i)] = exec::make_args<unit_of<op::add>, std::int8_t>(
          g, add, exec::node_tables{nullptr, nullptr, nullptr, nullptr, table.empty() ? nullptr : table.data()});
    }
  }

  const auto& plan() const { return plan_; }

  /// Sets the state tensors (after the arena) to their initial values
  /// (graph::write_initial_state, as weft::compiled::reset_state).
  void reset_state() {
    for (int t = 0; t < g_.tensor_count; ++t)
      if (g_.is_state(t)) g_.write_initial_state(t, bytes(t).data());
  }
  std::byte* arena() { return reinterpret_cast<std::byte*>(arena_.data()); }

  /// The bytes of tensor t in the arena.
  std::span<std::byte> bytes(int t) {
    return {arena() + plan_.offset[static_cast<std::size_t>(t)], g_.spec(t).bytes()};
  }
  template <class T>
  std::span<T> tensor(int t) {
    return {reinterpret_cast<T*>(arena() + plan_.offset[static_cast<std::size_t>(t)]),
            static_cast<std::size_t>(g_.spec(t).dims.elements())};
  }

  /// Writes model input k.
  template <class T>
  void set_input(std::span<const T> x, int k = 0) {
    std::memcpy(bytes(g_.input_tensor(k)).data(), x.data(), x.size_bytes());
  }

  /// Runs operator i on one tile (nothing for an add a residual
  /// convolution does).
  void run_tile(int i, tile t) {
    if (plan_.in_place[static_cast<std::size_t>(i)] == in_place_kind::absorbed) return;
    visit_unit(g_.at(i).kind, [&]<class U>() {
      if constexpr (!requires { U::aliases_input; }) {
        const dtype in = g_.spec(g_.at(i).inputs[0]).type;
        if (in == dtype::float32) {
          call<U, float>(i, t);
        } else if (in == dtype::int16) {
          // Only units that take int16 (U::int16_input) have int16 kernels.
          if constexpr (requires { U::int16_input(0); }) call<U, std::int16_t>(i, t);
        } else {
          call<U, std::int8_t>(i, t);
        }
      }
    });
  }
  void run_node(int i) { run_tile(i, full_tile(g_, i)); }
  void run() {
    for (int i = 0; i < g_.node_count; ++i) run_node(i);
  }

  /// Core c's steps of segment seg of schedule s.
  template <class S>
  void run_core_segment(const S& s, int core, int seg) {
    for (int i = s.segment_begin[static_cast<std::size_t>(seg)]; i < s.segment_end(seg); ++i) {
      const auto passes = s.passes_in(seg, i);
      if (!s.tile_of(i, core).empty()) run_tile(i, s.tile_of(i, core, passes[0], passes[1]));
    }
  }

  /// Runs the graph as schedule s plans it, segment by segment, the cores of
  /// each segment in the order order(segment) gives (a permutation).
  template <class S, class Order>
  void run_scheduled(const S& s, Order order) {
    for (int seg = 0; seg < s.segments; ++seg) {
      const std::array<int, max_cores> cores = order(seg);
      for (int k = 0; k < s.profile.cores; ++k) run_core_segment(s, cores[static_cast<std::size_t>(k)], seg);
    }
  }

  /// The schedule as a job for a real executor.
  template <class S>
  struct scheduled_job {
    runtime_program* program;
    const S* s;
    int segments() const { return s->segments; }
    void run(int core, int seg) const { program->run_core_segment(*s, core, seg); }
  };
  template <class S>
  scheduled_job<S> job(const S& s) {
    return {this, &s};
  }

 private:
  const G& g_;
  memory_plan<G::tensor_capacity> plan_;
  std::vector<std::vector<multiplier>> requant_;
  std::vector<std::vector<std::int32_t>> folded_bias_;
  std::vector<std::vector<std::int8_t>> pad_row_;
  std::vector<std::vector<fused_requant>> fused_;     // empty where the epilogue is not fused
  std::vector<std::vector<std::int32_t>> add_table_;  // empty where an add has none
  std::vector<ops::add_args<std::int8_t>> residual_;  // per residual convolution: its add's arguments
  std::vector<std::max_align_t> arena_;

  // The arguments of the add residual convolution i does (null elsewhere),
  // and whether the add's other input is its first.
  const ops::add_args<std::int8_t>* residual_args(int i) const {
    return plan_.fused_into[static_cast<std::size_t>(i)] < 0 ? nullptr : &residual_[static_cast<std::size_t>(i)];
  }
  bool residual_first(int i) const {
    const int add = plan_.fused_into[static_cast<std::size_t>(i)];
    return add >= 0 && g_.at(add).inputs[0] != g_.at(i).output;
  }

  template <class U, class T>
  void call(int i, tile t) {
    const node& n = g_.at(i);
    const auto a = exec::make_args<U, T>(
        g_, i,
        exec::node_tables{
            requant_[static_cast<std::size_t>(i)].data(), folded_bias_[static_cast<std::size_t>(i)].data(),
            pad_row_[static_cast<std::size_t>(i)].data(),
            fused_[static_cast<std::size_t>(i)].empty() ? nullptr : fused_[static_cast<std::size_t>(i)].data(),
            add_table_[static_cast<std::size_t>(i)].empty() ? nullptr : add_table_[static_cast<std::size_t>(i)].data(),
            !fused_[static_cast<std::size_t>(i)].empty(),
            plan_.in_place[static_cast<std::size_t>(i)] == in_place_kind::pixels, residual_args(i),
            plan_.fused_into[static_cast<std::size_t>(i)] >= 0, residual_first(i),
            residual_args(i) != nullptr && residual_args(i)->table != nullptr});
    kernel_io io{};
    for (int k = 0; k < n.input_count(); ++k) {
      const int x = n.inputs[static_cast<std::size_t>(k)];
      io.in[static_cast<std::size_t>(k)] = g_.is_constant(x) ? g_.constant_bytes(x) : bytes(x).data();
    }
    io.out = bytes(n.output).data();
    exec::run_kernel<U, generic_isa, T>(a, io, t);
  }
};

/// Owns the arrays a run-time graph's constants point at.
struct constant_store {
  std::vector<std::vector<std::int8_t>> i8;
  std::vector<std::vector<std::int32_t>> i32;
  std::vector<std::vector<float>> f32;

  constant int8_weights(std::vector<std::int8_t> data, shape s, std::vector<float> scales, int axis) {
    f32.push_back(std::move(scales));
    i8.push_back(std::move(data));
    const auto& sc = f32.back();
    constant c{{dtype::int8, s, {sc[0], 0, sc.data(), sc.size() > 1 ? static_cast<int>(sc.size()) : 0, axis}}};
    c.i8 = i8.back().data();
    c.provided = static_cast<std::int64_t>(i8.back().size());
    return c;
  }
  constant int32_bias(std::vector<std::int32_t> data) {
    i32.push_back(std::move(data));
    constant c{{dtype::int32, shape{static_cast<int>(i32.back().size())}, {}}};
    c.i32 = i32.back().data();
    c.provided = static_cast<std::int64_t>(i32.back().size());
    return c;
  }
  constant int32(std::vector<std::int32_t> data, shape s) {
    i32.push_back(std::move(data));
    constant c{{dtype::int32, s, {}}};
    c.i32 = i32.back().data();
    c.provided = static_cast<std::int64_t>(i32.back().size());
    return c;
  }
  constant float32(std::vector<float> data, shape s) {
    f32.push_back(std::move(data));
    constant c{{dtype::float32, s, {}}};
    c.f32 = f32.back().data();
    c.provided = static_cast<std::int64_t>(f32.back().size());
    return c;
  }
};

}  // namespace weft::test
