// SPDX-License-Identifier: Apache-2.0
// What an operator unit states, and the vocabulary units share with the
// graph, the planner and the executor. Every operator is one struct (its
// unit) in the header of its kernels; weft/ops/registry.hpp lists them, and
// graph, plan, exec and tool code fold over that list instead of naming
// operators. A unit `U` has:
//
//   using options = ...;              // its parameters (std::monostate: none)
//   static constexpr int min_inputs, max_inputs;
//   static constexpr op_family family;
//   static constexpr ops::inferred infer(const operands&, const options&);
//       spec inference and every compile-time check (an error code whose
//       message says what is wrong)
//   static constexpr tile full_tile(const shape& out);
//       the tile of its whole output (an empty tile: it has no kernel, its
//       output is its input's bytes: U::aliases_input)
//   template <class G> static constexpr std::array<divisible, 2>
//       axes(const G&, int i, const cost_model&, in_place_kind);
//       the axes its output may be cut along across cores, with their cost
//   template <class G, class P> static constexpr accesses
//       access(const G&, const P&, int i, const tile&);
//       what one core reads and writes of its tensors for a tile
//   template <class T, class G> static constexpr auto
//       make_args(const G&, int i, const exec::node_tables&);
//       its kernel's arguments on input element type T, all constants
//       prepared (a requantization multiplier is never computed on a device)
//   template <class Isa, class Args> static void run(const Args&, const kernel_io&, tile);
//       its kernel on one tile, always inlined into the operator's step;
//       chooses among its variants by the core's ISA traits
//
// and optionally: `int32_input(k)` (whether input k may be an int32
// activation: an index tensor; other units never see one), `int16_input(k)`
// (the same for int16 activations: the unit has a 16x8 kernel),
// `state_input(k)` (input k is a graph state tensor the kernel reads and
// updates: SVDF's, LSTM's), `window` (operators sliding a window over an NHWC image),
// `row_unit` (elements per tile row when a row is not one), `in_place` (the
// memory plan may write its output over an input), the constant tables it
// prepares (weight_channels, pads_with_zero_point, ...; see exec/prepare.hpp)
// and `shape_key`/`run_shaped` for kernels shared by operators of one shape.
// A unit missing a required member does not compile (concept operator_unit).
#pragma once

#include "weft/core/fixed_point.hpp"
#include "weft/core/tensor_spec.hpp"
#include "weft/ops/common.hpp"
#include "weft/plan/profile.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <variant>

namespace weft {

/// Most inputs (activations) an operator takes: TFLite Micro's
/// concatenation takes up to 10.
inline constexpr int max_inputs = 10;

/// What spec inference sees of an operator being added: its input specs, its
/// constants (never null: an absent bias is an empty constant) and the
/// output quantization the caller gave.
struct operands {
  std::array<tensor_spec, max_inputs> in{};
  int count = 0;
  const constant* weights = nullptr;
  const constant* bias = nullptr;
  quantization out{};
  /// The data of inputs that are graph constants (empty for activations):
  /// what a unit checks of constant operands when the model compiles.
  std::array<constant, max_inputs> consts{};
};

/// One parameter of an operator's options, by name: what the code
/// generator writes and reports print (U::fields lists them all).
template <class O, class M>
struct field {
  const char* name;
  M O::*member;
};
// (Clang 14 deduces no aggregate's arguments without a guide.)
template <class O, class M>
field(const char*, M O::*) -> field<O, M>;

/// Kinds of operators, for pictures and docs.
enum class op_family : std::uint8_t { convolution, depthwise, dense, pooling, elementwise, normalization, movement };

/// The tensors a kernel call reads and writes.
struct kernel_io {
  std::array<const std::byte*, max_inputs> in{};
  std::byte* out = nullptr;
  template <class T>
  [[gnu::always_inline]] const T* input(int k) const {
    return reinterpret_cast<const T*>(in[static_cast<std::size_t>(k)]);
  }
  template <class T>
  [[gnu::always_inline]] T* output() const {
    return reinterpret_cast<T*>(out);
  }
};

/// The arguments of a kernel that has no constants (most float32 ones,
/// maximum and minimum).
struct no_args {};

/// A core's instruction-set extensions, as a type a kernel selects its
/// variant on (built from core_profile's isa flags).
template <bool Dsp>
struct isa_traits {
  static constexpr bool dsp = Dsp;
};
using generic_isa = isa_traits<false>;

// ---------------------------------------------------------------------------
// Memory-plan vocabulary.

/// Offsets in the arena are multiples of this.
inline constexpr std::size_t arena_alignment = 16;

constexpr std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

/// How an operator writes its output over its input's bytes, when its input
/// is read by nothing after it (memory_plan::in_place).
enum class in_place_kind : std::uint8_t {
  none,
  /// Depthwise convolution (depth multiplier 1): the output starts some
  /// pixels before the input, so that output pixel p, written in order,
  /// lands only on input pixels no later output pixel reads. A pixel's
  /// channels read and write only that channel, so cores that split the
  /// channels never touch each other's bytes; a split by rows would.
  shifted,
  /// 1x1 convolution (stride 1): output pixel p replaces input pixel p
  /// (as many output as input channels), or, with more output channels and
  /// one core, the output starts before the input so that pixel p lands
  /// only on input pixels up to p. The kernel reads a block of pixels into a
  /// small buffer before writing their outputs, in order. Cores may split
  /// the pixels (rows), not the channels (each reads every input channel).
  pixels,
  /// Element-wise: each output element replaces the same element of one
  /// input.
  elements,
  /// int8 convolution whose only reader is an add: the convolution does the
  /// add in its epilogue, element by element, with the add's other input,
  /// and writes the sum over that input (memory_plan::fused_into names the
  /// add). Its own output is never stored. Any split.
  residual,
  /// The add a residual convolution does: nothing left to run.
  absorbed,
};

constexpr const char* name_of(in_place_kind k) {
  switch (k) {
    case in_place_kind::shifted:
      return "shifted";
    case in_place_kind::pixels:
      return "pixels";
    case in_place_kind::elements:
      return "elements";
    case in_place_kind::residual:
      return "residual";
    case in_place_kind::absorbed:
      return "absorbed";
    case in_place_kind::none:
      break;
  }
  return "none";
}

/// An operator's offer to run in place (U::in_place): the input whose bytes
/// its output takes, and by how many bytes the output starts before it.
struct in_place_offer {
  in_place_kind kind = in_place_kind::none;
  int input = -1;  // index among the operator's inputs
  std::int64_t shift = 0;
};

// ---------------------------------------------------------------------------
// Schedule vocabulary.

enum class split_axis : std::uint8_t { none, rows, channels };

constexpr const char* name_of(split_axis a) {
  switch (a) {
    case split_axis::rows:
      return "rows";
    case split_axis::channels:
      return "channels";
    case split_axis::none:
      break;
  }
  return "none";
}

/// Estimated cost of work, in multiply-accumulates on a core of speed 1.
/// Rough constants for scalar reference kernels; what matters is their ratio.
struct cost_model {
  std::int64_t per_output = 8;            // requantize, clamp and store one output element
  std::int64_t per_add_element = 16;      // two rescales and a requantization
  std::int64_t per_softmax_element = 48;  // fixed-point exp, twice
  std::int64_t per_tile = 400;            // one kernel call: setup and loop overhead
  std::int64_t per_wait = 600;            // cores waiting for each other once
};

/// How an operator's work divides: `atoms` units along an axis, each costing
/// `per_atom`, plus a fixed cost per tile. Cut along this axis, an operator
/// whose passes each read what every core wrote in the one before (an LSTM's
/// time steps: each needs the whole previous hidden state) runs in `phases`
/// passes, every core its part of each, with a wait after each but the last.
struct divisible {
  split_axis axis = split_axis::none;
  int atoms = 0;
  std::int64_t per_atom = 0;
  int phases = 1;
};

/// Rows and channels of a tensor viewed as a matrix [elements / C, C], with
/// the byte interval they span in the arena: what one core reads or writes
/// of one tensor in one operator.
struct access_region {
  int storage = -1;  // the tensor owning the bytes (a reshape shares its input's)
  int tensor = -1;
  std::size_t base = 0;  // the tensor's first byte in the arena
  int cols = 0;
  int row_lo = 0, row_hi = 0, col_lo = 0, col_hi = 0;
  std::size_t byte_lo = 0, byte_hi = 0;
  /// A read that the operator also writes back (state it keeps): the
  /// schedule treats it as a write too.
  bool updated = false;
};

/// What one core writes and reads of an operator's tensors for one tile.
struct accesses {
  access_region write{};
  std::array<access_region, max_inputs + 1> reads{};
  int read_count = 0;
};

namespace plan_detail {

/// Rows [h0, h1) of an NHWC image as rows of its [elements / C, C] view (all
/// batches; exact for a batch of one, a bounding range otherwise).
constexpr access_region image_rows(const shape& s, int h0, int h1) {
  const int rows_per_image = s[1] * s[2];
  access_region r{};
  r.row_lo = h0 * s[2];
  r.row_hi = (s[0] - 1) * rows_per_image + h1 * s[2];
  return r;
}

/// Region r of tensor t, placed by memory plan `plan`.
template <class G, class P>
constexpr access_region make_region(const G& g, const P& plan, int t, access_region r) {
  // A constant is read from flash and never written: no bytes a core could
  // contend for.
  if (g.is_constant(t)) return access_region{.tensor = t};
  const tensor_spec& s = g.spec(t);
  r.tensor = t;
  r.storage = plan.storage[static_cast<std::size_t>(t)];
  r.cols = s.dims.back();
  const std::size_t base = plan.offset[static_cast<std::size_t>(t)];
  r.base = base;
  const std::size_t esize = size_of(s.type);
  r.byte_lo = base + (static_cast<std::size_t>(r.row_lo) * static_cast<std::size_t>(r.cols) +
                      static_cast<std::size_t>(r.col_lo)) *
                         esize;
  r.byte_hi = base + (static_cast<std::size_t>(r.row_hi - 1) * static_cast<std::size_t>(r.cols) +
                      static_cast<std::size_t>(r.col_hi)) *
                         esize;
  return r;
}

/// All of tensor t.
template <class G, class P>
constexpr access_region whole(const G& g, const P& plan, int t) {
  const shape& s = g.spec(t).dims;
  access_region r{};
  r.row_hi = static_cast<int>(s.elements() / s.back());
  r.col_hi = s.back();
  return make_region(g, plan, t, r);
}

/// Whether cutting the `channels` channels of output `out` among the cores
/// of `cores` has them store into the same cache lines at once
/// (core_profile::line_bytes): an output of several rows, each core's share
/// of a row less than a line. The schedule does not make such cuts, so a
/// depthwise layer, which in place (shifted) may only be cut by channels,
/// runs in place only where this is false.
constexpr bool channel_cut_shares_lines(const tensor_spec& out, std::int64_t channels, const core_profile& cores) {
  const std::int64_t elements = out.dims.elements();
  return elements > out.dims.back() && cores.below_a_line(channels, static_cast<std::int64_t>(out.bytes()) / elements);
}

}  // namespace plan_detail

// ---------------------------------------------------------------------------
// Families: what operators of one shape of work share.

/// Operators that slide a window over an NHWC image (convolutions, pools):
/// a tile is output image rows and channels; either may be cut.
struct windowed_family {
  static constexpr tile full_tile(const shape& s) { return {0, s[1], 0, s[3]}; }

  template <class G>
  static constexpr std::array<divisible, 2> window_axes(const G& g, int i, std::int64_t per_output,
                                                        in_place_kind in_place) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const std::int64_t outputs = out.elements();
    std::array<divisible, 2> a{};
    a[0] = {split_axis::rows, out[1], per_output * (outputs / out[1])};
    a[1] = {split_axis::channels, out[3], per_output * (outputs / out[3])};
    if (in_place == in_place_kind::shifted) a[0].axis = split_axis::none;
    if (in_place == in_place_kind::pixels) a[1].axis = split_axis::none;
    return a;
  }

  /// A core's accesses for tile t of node i with window w: the output rows
  /// and channels it writes, the input rows its window reaches (every input
  /// channel when all_input_channels, else the channels its outputs come
  /// from), and a residual convolution's add operand where it writes.
  template <class G, class P>
  static constexpr accesses window_access(const G& g, const P& plan, int i, const tile& t,
                                          const ops::window_geometry& wg, bool all_input_channels) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const shape& in = g.spec(n.inputs[0]).dims;
    accesses a{};
    access_region w = plan_detail::image_rows(out, t.row_begin, t.row_end);
    w.col_lo = t.ch_begin;
    w.col_hi = t.ch_end;
    a.write = plan_detail::make_region(g, plan, n.output, w);
    const int mult = wg.depth_multiplier;
    int lo = t.row_begin * wg.stride_h - n.pad.h;
    int hi = (t.row_end - 1) * wg.stride_h - n.pad.h + (wg.k_h - 1) * wg.dil_h + 1;
    lo = lo < 0 ? 0 : lo;
    hi = hi > in[1] ? in[1] : hi;
    access_region r = plan_detail::image_rows(in, lo, hi < lo ? lo : hi);
    if (all_input_channels) {
      r.col_hi = in[3];
    } else {
      r.col_lo = t.ch_begin / mult;
      r.col_hi = (t.ch_end - 1) / mult + 1;
    }
    a.reads[0] = plan_detail::make_region(g, plan, n.inputs[0], r);
    a.read_count = 1;
    const int add = plan.fused_into[static_cast<std::size_t>(i)];
    if (add >= 0) {
      // A residual convolution also reads the add's other input where it
      // writes (the same elements of a tensor of the same shape).
      const auto& sum = g.at(add);
      a.reads[1] = plan_detail::make_region(g, plan, sum.inputs[0] == n.output ? sum.inputs[1] : sum.inputs[0], w);
      a.read_count = 2;
    }
    return a;
  }
};

/// One cut along the rows of the output's [elements / C, C] view, each row
/// costing C x `per_element`: how row-wise, data-moving and element-wise
/// operators divide.
template <class G>
constexpr std::array<divisible, 2> rows_of_output(const G& g, int i, std::int64_t per_element) {
  const shape& out = g.spec(g.at(i).output).dims;
  std::array<divisible, 2> a{};
  a[0] = {split_axis::rows, static_cast<int>(out.elements() / out.back()), out.back() * per_element};
  return a;
}

/// Operators computing each row of a [rows, C] view of their output from
/// rows of their input (fully_connected, softmax): a tile is rows and
/// channels of that view.
struct row_family {
  static constexpr tile full_tile(const shape& s) {
    return {0, static_cast<int>(s.elements() / s.back()), 0, s.back()};
  }

  /// A core writes its tile; it reads every input whole (whole_input) or
  /// the same rows of its one input.
  template <class G, class P>
  static constexpr accesses row_access(const G& g, const P& plan, int i, const tile& t, bool whole_input) {
    const auto& n = g.at(i);
    accesses a{};
    access_region w{};
    w.row_lo = t.row_begin;
    w.row_hi = t.row_end;
    w.col_lo = t.ch_begin;
    w.col_hi = t.ch_end;
    a.write = plan_detail::make_region(g, plan, n.output, w);
    if (whole_input) {
      for (int k = 0; k < n.input_count(); ++k)
        a.reads[static_cast<std::size_t>(k)] = plan_detail::whole(g, plan, n.inputs[static_cast<std::size_t>(k)]);
      a.read_count = n.input_count();
      return a;
    }
    access_region r = w;
    r.col_lo = 0;
    r.col_hi = g.spec(n.inputs[0]).dims.back();
    a.reads[0] = plan_detail::make_region(g, plan, n.inputs[0], r);
    a.read_count = 1;
    return a;
  }
};

/// Operators that move or gather data (pad, transpose, reductions): a tile
/// is whole rows of the output's [elements / C, C] view; a core may read any
/// of the input.
struct movement_family : row_family {
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return row_access(g, plan, i, t, true);
  }
};

/// A shape of rank <= 4 as 4-D, ones in front.
constexpr shape as_4d(const shape& s) {
  shape r{1, 1, 1, 1};
  for (int i = 0; i < s.rank; ++i) r[4 - s.rank + i] = s[i];
  return r;
}

/// Element-wise operators: a tile is a range of the output's elements (its
/// rows), each computed from the same element of every input; cores cut it
/// by whole rows of the last axis.
struct elementwise_family {
  static constexpr tile full_tile(const shape& s) { return {0, static_cast<int>(s.elements()), 0, 1}; }
  /// A tile row is one element; a cut is along rows of the last axis.
  static constexpr int row_unit(const shape& out) { return out.back(); }

  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    const auto& n = g.at(i);
    const int c = g.spec(n.output).dims.back();
    accesses a{};
    access_region r{};
    r.row_lo = t.row_begin / c;
    r.row_hi = (t.row_end + c - 1) / c;
    r.col_lo = r.row_hi - r.row_lo == 1 ? t.row_begin % c : 0;
    r.col_hi = r.row_hi - r.row_lo == 1 ? (t.row_end - 1) % c + 1 : c;
    a.write = plan_detail::make_region(g, plan, n.output, r);
    for (int k = 0; k < n.input_count(); ++k)
      a.reads[static_cast<std::size_t>(k)] =
          plan_detail::make_region(g, plan, n.inputs[static_cast<std::size_t>(k)], r);
    a.read_count = n.input_count();
    return a;
  }
};

}  // namespace weft
