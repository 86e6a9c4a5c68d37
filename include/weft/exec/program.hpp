// SPDX-License-Identifier: Apache-2.0
// weft::compiled<Model, Profile>: everything the compiler derives from a model
// type for a chip (checks, memory plan, multicore schedule, per-operator kernel
// arguments with their requantization constants) and the job an executor
// runs. No heap, no exceptions, no virtual calls, no floating point on the
// int8 path.
#pragma once

#include "weft/core/error.hpp"
#include "weft/core/view.hpp"
#include "weft/exec/executor.hpp"
#include "weft/exec/prepare.hpp"
#include "weft/graph/graph.hpp"
#include "weft/plan/memory.hpp"
#include "weft/plan/profile.hpp"
#include "weft/plan/schedule.hpp"
#include "weft/plan/tiling.hpp"

#include <array>
#include <cstddef>
#include <span>
#include <utility>

namespace weft {

/// A model type: a class with a `static constexpr` weft::graph named `graph`.
template <class M>
concept model = requires {
  { M::graph.node_count } -> std::convertible_to<int>;
  { M::graph.check() } -> std::same_as<error>;
};

namespace detail {

// Fails to compile with the graph's first error in plain words. The operator
// it concerns is the second template argument (-1: the graph as a whole).
template <error E, int Operator>
struct error_in_operator {
#define WEFT_X(code, text) static_assert(E != error::code || error::code == error::none, "weft: " text);
  WEFT_ERRORS(WEFT_X)
#undef WEFT_X
  static constexpr bool ok = E == error::none;
};

}  // namespace detail

/// A probe that observes nothing (the default): benchmarks pass one that
/// records which slot (operator or wait) each core is in; see probe_slots.
struct no_probe {
  static constexpr void mark(int) {}
};

namespace detail {

// A model's memory plan, evaluated once for all its operators and for every
// profile whose cores plan memory alike (Cores: core_profile::for_memory).
template <class Model, memory_mode Memory = memory_mode::compact, core_profile Cores = core_profile{}>
struct model_memory {
  static constexpr auto value = plan_memory(Model::graph, Memory, Cores);
};

// The constants of operator I of a model, evaluated at compile time and kept
// in flash; they do not depend on the core profile, so every profile of a
// model shares them.
template <class Model, int I, class T>
struct node_constants {
  // A fused epilogue reads fused records where the other reads multipliers.
  static constexpr bool fused = exec::uses_fused_requant(Model::graph, I);
  static constexpr auto requant_size = static_cast<std::size_t>(exec::requant_count(Model::graph, I));
  static constexpr std::array<multiplier, fused ? 0 : requant_size> requant = [] {
    std::array<multiplier, fused ? 0 : requant_size> r{};
    if constexpr (!fused) exec::fill_requant(Model::graph, I, r.data());
    return r;
  }();
  static constexpr std::array<fused_requant, fused ? requant_size : 0> fused_table = [] {
    std::array<fused_requant, fused ? requant_size : 0> f{};
    if constexpr (fused) exec::fill_fused(Model::graph, I, f.data());
    return f;
  }();
  static constexpr std::array<std::int32_t, static_cast<std::size_t>(exec::folded_bias_count(Model::graph, I))>
      folded_bias = [] {
        std::array<std::int32_t, static_cast<std::size_t>(exec::folded_bias_count(Model::graph, I))> b{};
        exec::fill_folded_bias(Model::graph, I, b.data());
        return b;
      }();
  static constexpr std::array<std::int32_t, static_cast<std::size_t>(exec::add_table_count(Model::graph, I))>
      add_table = [] {
        std::array<std::int32_t, static_cast<std::size_t>(exec::add_table_count(Model::graph, I))> t{};
        exec::fill_add_table(Model::graph, I, t.data());
        return t;
      }();
  // Word-aligned: kernels copy it a word at a time (ops::gather_window).
  alignas(4) static constexpr std::array<std::int8_t,
                                         static_cast<std::size_t>(exec::pad_row_count(Model::graph, I))> pad_row = [] {
    std::array<std::int8_t, static_cast<std::size_t>(exec::pad_row_count(Model::graph, I))> r{};
    exec::fill_pad_row(Model::graph, I, r.data());
    return r;
  }();
  // Read only by kernels on DSP cores, so only their firmware keeps it.
  static constexpr std::array<std::int32_t, static_cast<std::size_t>(exec::paired_weights_count(Model::graph, I))>
      paired_weights = [] {
        std::array<std::int32_t, static_cast<std::size_t>(exec::paired_weights_count(Model::graph, I))> w{};
        exec::fill_paired_weights(Model::graph, I, w.data());
        return w;
      }();
  // int8 fully connected layers on packed weights (exec::packs_fc).
  static constexpr bool packed = exec::packs_fc(Model::graph, I);
  static constexpr auto packed_words = static_cast<std::size_t>(exec::packed_fc_words(Model::graph, I));
  static constexpr auto packed_window_count = static_cast<std::size_t>(exec::packed_fc_windows(Model::graph, I));
  static constexpr auto packed_block_count = static_cast<std::size_t>(exec::packed_fc_blocks(Model::graph, I));
  struct packed_tables {
    std::array<std::int32_t, packed_words> words{};
    std::array<std::uint16_t, packed_window_count> windows{};
    std::array<std::int32_t, packed_block_count> block_windows{};
  };
  static constexpr packed_tables packed_fc = [] {
    packed_tables p{};
    exec::fill_packed_fc(Model::graph, I, p.words.data(), p.windows.data(), p.block_windows.data());
    return p;
  }();
  // The kernel's arguments under a memory plan (which says whether the
  // operator runs in place or does the next add), pointing at the tables
  // above: a model compiled with both plans keeps one copy of its tables.
  template <memory_mode Memory, core_profile Cores>
  struct args {
    // A residual convolution points at the arguments of the add it does.
    static constexpr int residual_add = model_memory<Model, Memory, Cores>::value.fused_into[I];
    static constexpr const ops::add_args<std::int8_t>* residual_args = [] {
      if constexpr (residual_add >= 0 && std::is_same_v<T, std::int8_t>) {
        return &node_constants<Model, residual_add, T>::template args<Memory, Cores>::value;
      } else {
        return static_cast<const ops::add_args<std::int8_t>*>(nullptr);
      }
    }();
    static constexpr bool residual_first =
        residual_add >= 0 && Model::graph.at(residual_add).inputs[0] != Model::graph.nodes[I].output;
    static constexpr auto value = exec::make_args<unit_of<Model::graph.nodes[I].kind>, T>(
        Model::graph, I,
        exec::node_tables{requant.data(), folded_bias.data(), pad_row.data(), fused ? fused_table.data() : nullptr,
                          add_table.empty() ? nullptr : add_table.data(), fused,
                          model_memory<Model, Memory, Cores>::value.in_place[I] == in_place_kind::pixels, residual_args,
                          residual_add >= 0, residual_first,
                          residual_add >= 0 && exec::add_table_count(Model::graph, residual_add) > 0, packed,
                          packed ? packed_fc.words.data() : nullptr, packed ? packed_fc.windows.data() : nullptr,
                          packed ? packed_fc.block_windows.data() : nullptr});
    // The arguments of kernels on DSP cores: with the paired weights.
    static constexpr auto dsp_value = [] {
      auto a = value;
      if constexpr (requires { a.paired_weights; }) {
        if (!paired_weights.empty()) a.paired_weights = paired_weights.data();
      }
      return a;
    }();
    template <bool Dsp>
    static constexpr const auto& value_for() {
      if constexpr (Dsp) {
        return dsp_value;
      } else {
        return value;
      }
    }
  };
};

}  // namespace detail

/// Memory: memory_mode::compact (the default) for the smallest arena;
/// memory_mode::observable for a program whose observed run (run with an
/// observer) shows every operator's own output, none fused into the next.
template <model Model, core_profile Profile = core_profile{}, memory_mode Memory = memory_mode::compact>
class compiled {
  static constexpr auto& g = Model::graph;
  static constexpr bool valid = detail::error_in_operator<g.check(), g.err_node>::ok;
  static_assert(Profile.valid(), "weft: a core profile needs 1 to 8 cores, each with a positive speed");

 public:
  using graph_type = std::remove_cvref_t<decltype(Model::graph)>;
  static constexpr int operator_count = g.node_count;
  static constexpr core_profile profile = Profile;
  static constexpr int cores = Profile.cores;
  static constexpr memory_mode memory = Memory;

  /// The memory plan: a tensor's offset in the arena, arena and lower bound.
  static constexpr auto plan = detail::model_memory<Model, Memory, Profile.for_memory()>::value;
  /// Bytes of RAM inference uses besides the stack (activations, input and
  /// output included). Kernels' scratch is on the stack: a DSP convolution's
  /// gathered window, the copy of the pixels an in-place 1x1 convolution
  /// overwrites (at most 2 x ops::max_in_place_channels bytes).
  static constexpr std::size_t arena_bytes = valid ? plan.arena_bytes : 1;
  static constexpr std::size_t arena_lower_bound_bytes = plan.lower_bound_bytes;
  /// Bytes of the model's state (graph::state: an SVDF's or an LSTM's
  /// memory), which follow the arena in the buffer an inference runs on and
  /// keep their values from one inference to the next.
  static constexpr std::size_t state_bytes = valid ? plan.state_bytes : 0;
  /// Bytes of that buffer: the arena, then the state.
  static constexpr std::size_t buffer_bytes = arena_bytes + state_bytes;

  /// Sets the state in `buffer` (buffer_bytes) to its initial values
  /// (graph::write_initial_state: a state's initial value, else its byte).
  static void reset_state(std::byte* buffer) {
    [buffer]<int... T>(std::integer_sequence<int, T...>) { (reset_tensor<T>(buffer), ...); }
    (std::make_integer_sequence < int, valid ? g.tensor_count : 0 > {});
  }

 private:
  // (One call per state tensor, on its compile-time index: the graph is not
  // read at run time, so it stays out of flash.)
  template <int T>
  static void reset_tensor(std::byte* buffer) {
    if constexpr (g.is_state(T)) g.write_initial_state(T, buffer + plan.offset[static_cast<std::size_t>(T)]);
  }

 public:
  /// The multicore schedule: each operator's tiles per core, and the waits.
  static constexpr auto schedule = plan_schedule(g, Profile, plan);

  /// The model's inputs and outputs, in the order callers pass and read them.
  static constexpr int input_count = valid ? g.input_count : 0;
  static constexpr int output_count = valid ? g.output_count : 0;
  /// Input K's and output K's spec and byte offset in the arena.
  template <int K = 0>
  static constexpr tensor_spec input_spec_of = valid ? g.input_spec(K) : tensor_spec{};
  template <int K = 0>
  static constexpr tensor_spec output_spec_of = valid ? g.output_spec(K) : tensor_spec{};
  template <int K = 0>
  static constexpr std::size_t input_offset_of = valid ? plan.offset[static_cast<std::size_t>(g.input_tensor(K))] : 0;
  template <int K = 0>
  static constexpr std::size_t output_offset_of = valid ? plan.offset[static_cast<std::size_t>(g.output_tensor(K))] : 0;
  /// The first input's and output's (a model's only ones, often).
  static constexpr tensor_spec input_spec = input_spec_of<0>;
  static constexpr tensor_spec output_spec = output_spec_of<0>;
  static constexpr std::size_t input_offset = input_offset_of<0>;
  static constexpr std::size_t output_offset = output_offset_of<0>;
  using element_type = element_t<input_spec.type>;
  /// Every input's and output's byte offset in the arena and size, by index,
  /// for code that copies them by a run-time index (runners, firmware).
  static constexpr auto input_offsets = [] {
    std::array<std::size_t, max_model_inputs> a{};
    for (int k = 0; k < input_count; ++k)
      a[static_cast<std::size_t>(k)] = plan.offset[static_cast<std::size_t>(g.input_tensor(k))];
    return a;
  }();
  static constexpr auto input_sizes = [] {
    std::array<std::size_t, max_model_inputs> a{};
    for (int k = 0; k < input_count; ++k) a[static_cast<std::size_t>(k)] = g.input_spec(k).bytes();
    return a;
  }();
  static constexpr auto output_offsets = [] {
    std::array<std::size_t, max_model_outputs> a{};
    for (int k = 0; k < output_count; ++k)
      a[static_cast<std::size_t>(k)] = plan.offset[static_cast<std::size_t>(g.output_tensor(k))];
    return a;
  }();
  static constexpr auto output_sizes = [] {
    std::array<std::size_t, max_model_outputs> a{};
    for (int k = 0; k < output_count; ++k) a[static_cast<std::size_t>(k)] = g.output_spec(k).bytes();
    return a;
  }();
  /// Bytes of one inference's inputs, and of its outputs, each tensor after
  /// the other in order (the records runners and firmware read and write).
  static constexpr std::size_t input_record_bytes = [] {
    std::size_t n = 0;
    for (int k = 0; k < input_count; ++k) n += input_sizes[static_cast<std::size_t>(k)];
    return n;
  }();
  static constexpr std::size_t output_record_bytes = [] {
    std::size_t n = 0;
    for (int k = 0; k < output_count; ++k) n += output_sizes[static_cast<std::size_t>(k)];
    return n;
  }();

  /// Byte offset of tensor t in the arena (not for constants, which are in
  /// flash).
  static constexpr std::size_t offset_of(int t) { return plan.offset[static_cast<std::size_t>(t)]; }

  /// Runs one tile of operator I. Each operator gets a function of its own,
  /// however the schedule groups operators. Convolutions and fully_connected
  /// call a kernel specialized on their shape and shared by every operator of
  /// that kind and shape (kws's four identical pointwise layers run one
  /// copy); the other kernels are inlined here, specialized on all of the
  /// layer's constants.
  template <int I, class Isa = generic_isa>
  [[gnu::noinline]] static void run_tile(std::byte* arena, tile t) {
    constexpr const node& n = g.nodes[I];
    using U = unit_of<g.nodes[I].kind>;
    // (An add a residual convolution does has no tiles, so no run_tile.)
    if constexpr (!aliases_input(n.kind)) {
      using T = element_t<g.spec(n.inputs[0]).type>;
      kernel_io io{};
      [&]<int... K>(std::integer_sequence<int, K...>) { ((io.in[K] = address_of<n.inputs[K]>(arena)), ...); }
      (std::make_integer_sequence<int, n.input_count()>{});
      io.out = arena + offset_of(n.output);
      constexpr auto& args = node_args<I>::template value_for<Isa::dsp>();
      if constexpr (ops::optimize_size) {
        exec::run_generic_kernel<U, Isa, T>(args, io, t);
      } else if constexpr (exec::shares_kernels<U, std::remove_cvref_t<decltype(args)>>) {
        exec::run_shaped_kernel<U, U::shape_key(args), Isa>(args, io.input<T>(0), io.output<T>(), t);
      } else {
        exec::run_kernel<U, Isa, T>(args, io, t);
      }
    }
  }

  /// Core C's steps of operator I (nothing when the schedule gives it none):
  /// its passes [first_phase, end_phase) when it runs in passes
  /// (node_schedule::phases), else all of it.
  template <int C, int I, class Probe = no_probe>
  static void run_step(std::byte* arena, int first_phase, int end_phase) {
    constexpr tile t = schedule.tile_of(I, C);
    if constexpr (!t.empty()) {
      Probe::mark(I);
      // (Nothing of the schedule is read at run time: it stays out of flash.)
      using Isa = isa_traits<Profile.has(C, isa::dsp)>;
      if constexpr (schedule.at(I).phases > 1) {
        run_tile<I, Isa>(arena, t.passes(first_phase, end_phase));
      } else {
        run_tile<I, Isa>(arena, t);
      }
    }
  }
  static constexpr int phases_of(int i) { return schedule.at(i).phases; }

  /// Slots a probe sees: operator I's work is slot I, the wait after segment
  /// s is slot operator_count + s, and slot probe_slots is outside inference.
  /// On several cores those are schedule.waits_per_inference() waits (the
  /// last segment's included), the number `weft plan` reports.
  static constexpr int probe_slots = operator_count + schedule.segments;

  /// The job an executor runs for one inference on `arena`: segment s of core
  /// c is c's steps of the operators between the plan's waits s and s + 1.
  /// A Probe (for benchmarks) is told, on each core, which slot it enters.
  template <class Probe = no_probe>
  struct probed_job {
    std::byte* arena;
    static constexpr int segments() { return schedule.segments; }
    void run(int core, int segment) const {
      segment_steps<Probe>[static_cast<std::size_t>(core)][static_cast<std::size_t>(segment)](arena);
      Probe::mark(operator_count + segment);
    }
    /// After the last wait: outside inference (a core waiting for the next
    /// job is not in this one's last wait).
    static void leave(int) { Probe::mark(probe_slots); }
  };
  using job = probed_job<>;

  /// The job of an observed inference: every operator is its own segment
  /// (one per pass when it runs in passes), followed by one in which core 0
  /// shows the operator's output to the observer (so each output is
  /// complete, and not yet overwritten). With
  /// memory_mode::compact a residual convolution's output is never stored
  /// (plan.in_place): its bytes then hold the add's output so far; with
  /// memory_mode::observable every operator's output is its own.
  template <class Observer>
  struct observed_job {
    std::byte* arena;
    Observer* observe;
    static constexpr int segments() { return static_cast<int>(observed_segments.size()); }
    void run(int core, int segment) const {
      const observed_segment& o = observed_segments[static_cast<std::size_t>(segment)];
      if (o.phase >= 0) {
        node_steps[static_cast<std::size_t>(core)][static_cast<std::size_t>(o.node)](arena, o.phase, o.phase + 1);
      } else if (core == 0) {
        const int out = g.at(o.node).output;
        (*observe)(o.node, std::span<const std::byte>(arena + offset_of(out), g.spec(out).bytes()));
      }
    }
  };

  /// Runs one inference on `arena` (buffer_bytes, aligned to arena_alignment:
  /// the arena, then the state), which holds input K at input_offset_of<K>; output K is left at
  /// output_offset_of<K>. The executor must have the profile's number of cores.
  template <executor E>
  static void run(std::byte* arena, E& exec) {
    static_assert(E::cores == cores, "weft: the executor's core count differs from the model's core profile");
    exec.execute(job{arena});
  }

  /// Same, telling the probe which operator or wait each core is in.
  template <executor E, class Probe>
  static void run_probed(std::byte* arena, E& exec, Probe) {
    static_assert(E::cores == cores, "weft: the executor's core count differs from the model's core profile");
    exec.execute(probed_job<Probe>{arena});
  }

  /// Same, calling observe(operator, output bytes) after each operator.
  template <executor E, class Observer>
  static void run(std::byte* arena, E& exec, Observer&& observe) {
    static_assert(E::cores == cores, "weft: the executor's core count differs from the model's core profile");
    exec.execute(observed_job<std::remove_reference_t<Observer>>{arena, &observe});
  }

 private:
  template <class T>
  static T* tensor(std::byte* arena, int t) {
    return reinterpret_cast<T*>(arena + offset_of(t));
  }

  // Where tensor t's bytes are: in the arena, or in flash for a constant.
  template <int t>
  [[gnu::always_inline]] static const std::byte* address_of(const std::byte* arena) {
    if constexpr (g.is_constant(t)) {
      return g.constant_bytes(t);
    } else {
      return arena + offset_of(t);
    }
  }

  template <int I>
  using node_args = typename detail::node_constants<
      Model, I, element_t<g.spec(g.nodes[I].inputs[0]).type>>::template args<Memory, Profile.for_memory()>;

  // Segment S on core C (schedule::passes_in says which passes of each
  // operator).
  template <int C, int S, class Probe>
  static void run_segment(std::byte* arena) {
    constexpr int first = schedule.segment_begin[static_cast<std::size_t>(S)];
    [arena]<int... K>(std::integer_sequence<int, K...>) { (run_passes<C, S, first + K, Probe>(arena), ...); }
    (std::make_integer_sequence<int, schedule.segment_end(S) - first>{});
  }
  template <int C, int S, int I, class Probe>
  static void run_passes(std::byte* arena) {
    constexpr std::array<int, 2> passes = schedule.passes_in(S, I);
    run_step<C, I, Probe>(arena, passes[0], passes[1]);
  }

  // An observed inference's segments: each pass of each operator, then its
  // observation (phase -1).
  struct observed_segment {
    int node = 0, phase = -1;
  };
  static constexpr auto observed_segments = [] {
    constexpr int count = [] {
      int n = 0;
      for (int i = 0; i < operator_count; ++i) n += phases_of(i) + 1;
      return n;
    }();
    std::array<observed_segment, static_cast<std::size_t>(count)> a{};
    std::size_t k = 0;
    for (int i = 0; i < operator_count; ++i) {
      for (int ph = 0; ph < phases_of(i); ++ph) a[k++] = {i, ph};
      a[k++] = {i, -1};
    }
    return a;
  }();

  using step_fn = void (*)(std::byte*);
  using node_step_fn = void (*)(std::byte*, int, int);

  // Dispatch tables from a run-time (core, segment) or (core, operator) to the
  // compile-time steps.
  template <int C, class Probe, int... S>
  static constexpr std::array<step_fn, sizeof...(S)> segment_row(std::integer_sequence<int, S...>) {
    return {&run_segment<C, S, Probe>...};
  }
  template <int C, int... I>
  static constexpr std::array<node_step_fn, sizeof...(I)> node_row(std::integer_sequence<int, I...>) {
    return {&run_step<C, I>...};
  }
  template <class Probe, int... C>
  static constexpr auto segment_table(std::integer_sequence<int, C...>) {
    return std::array<std::array<step_fn, schedule.segments>, cores>{
        segment_row<C, Probe>(std::make_integer_sequence<int, schedule.segments>{})...};
  }
  template <int... C>
  static constexpr auto node_table(std::integer_sequence<int, C...>) {
    return std::array<std::array<node_step_fn, operator_count>, cores>{
        node_row<C>(std::make_integer_sequence<int, operator_count>{})...};
  }
  template <class Probe>
  static constexpr auto segment_steps = segment_table<Probe>(std::make_integer_sequence<int, cores>{});
  static constexpr auto node_steps = node_table(std::make_integer_sequence<int, cores>{});
};

namespace detail {
template <class T, class S, std::size_t... I>
constexpr auto make_view(T* p, std::index_sequence<I...>) {
  return view<T, extents<S::value.dims.dims[I]...>>(p);
}
template <tensor_spec Spec>
struct spec_holder {
  static constexpr tensor_spec value = Spec;
};
}  // namespace detail

/// A model ready to run: its arena (one static buffer, arena_bytes long) and
/// views of its input and output. Declare it `static` on a device.
template <model Model, core_profile Profile = core_profile{}, memory_mode Memory = memory_mode::compact>
class instance {
 public:
  using program = compiled<Model, Profile, Memory>;
  using element_type = typename program::element_type;

  instance() { reset(); }

  /// Input K (in the model's order; the first by default), with the model's
  /// static extents and element type.
  template <int K = 0>
  auto input() {
    static_assert(K >= 0 && K < program::input_count, "weft: the model has no input of this index");
    constexpr tensor_spec spec = program::template input_spec_of<K>;
    using I = element_t<spec.type>;
    return detail::make_view<I, detail::spec_holder<spec>>(
        reinterpret_cast<I*>(arena_.data() + program::template input_offset_of<K>),
        std::make_index_sequence<static_cast<std::size_t>(spec.dims.rank)>{});
  }
  /// Output K (the first by default), valid after invoke().
  template <int K = 0>
  auto output() {
    static_assert(K >= 0 && K < program::output_count, "weft: the model has no output of this index");
    constexpr tensor_spec spec = program::template output_spec_of<K>;
    using O = element_t<spec.type>;
    return detail::make_view<O, detail::spec_holder<spec>>(
        reinterpret_cast<O*>(arena_.data() + program::template output_offset_of<K>),
        std::make_index_sequence<static_cast<std::size_t>(spec.dims.rank)>{});
  }

  /// Input k's and output k's bytes, by a run-time index (k in
  /// [0, program::input_count) and [0, program::output_count)).
  std::span<std::byte> input_bytes(int k) {
    return {arena_.data() + program::input_offsets[static_cast<std::size_t>(k)],
            program::input_sizes[static_cast<std::size_t>(k)]};
  }
  std::span<const std::byte> output_bytes(int k) const {
    return {arena_.data() + program::output_offsets[static_cast<std::size_t>(k)],
            program::output_sizes[static_cast<std::size_t>(k)]};
  }

  /// Runs inference on what the inputs hold, on the executor's cores. Does
  /// not allocate.
  template <executor E>
  void invoke(E& exec) {
    program::run(arena_.data(), exec);
  }
  /// Same, telling `probe` which operator or wait each core is in.
  template <executor E, class Probe>
  void invoke_probed(E& exec, Probe probe) {
    program::run_probed(arena_.data(), exec, probe);
  }
  /// Same, showing each operator's output to observe(operator, bytes).
  template <executor E, class Observer>
  void invoke(E& exec, Observer&& observe) {
    program::run(arena_.data(), exec, observe);
  }
  /// Single-core models run on the calling thread.
  void invoke() requires(Profile.cores == 1) {
    sequential<1> s;
    program::run(arena_.data(), s);
  }
  template <class Observer>
  void invoke(Observer&& observe) requires(Profile.cores == 1 && !executor<std::remove_cvref_t<Observer>>) {
    sequential<1> s;
    program::run(arena_.data(), s, observe);
  }

  /// Sets the model's state (program::state_bytes, kept from one inference
  /// to the next) to its initial values, as at construction: a stream
  /// starts over.
  void reset() { program::reset_state(arena_.data()); }

  /// The buffer inference runs on: the arena, then the state.
  std::span<std::byte, program::buffer_bytes> arena() { return arena_; }

 private:
  alignas(arena_alignment) std::array<std::byte, program::buffer_bytes> arena_{};
};

}  // namespace weft
