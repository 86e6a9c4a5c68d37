// SPDX-License-Identifier: Apache-2.0
// The unary element-wise family: operators of one input whose output
// element e is a function of input element e alone (activations, math
// functions, QUANTIZE, DEQUANTIZE, CAST). The family does the rest of an
// operator unit (weft/ops/unit.hpp): the tile is a range of output
// elements, cores cut it by rows of the last axis, the output may take the
// input's bytes, and the kernel is one loop. A unit U of this family
// derives from unary_family<U> and states only its arithmetic:
//
//   using options = ...;  static constexpr auto fields = ...;
//   static constexpr ops::inferred infer(const operands&, const options&);
//   template <class T, class G> static constexpr auto element_args(const G&, int i);
//       the constants of its per-element function on input element type T,
//       all prepared at compile time
//   static auto element(const Args&, T x);
//       one output element (its type is the output's element type), for the
//       Args element_args<T> makes (an overload per input type it takes, or
//       a template constrained to them: the kernels of every unit are
//       instantiated on both int8 and float32 inputs)
//
// and optionally `static constexpr bool tabulated = true`: where input and
// output are int8, the family evaluates `element` on each of the 256 int8
// values at compile time and the kernel looks outputs up in that table
// (operators whose per-element arithmetic is long: LOGISTIC, TANH, ...), and
// `static constexpr std::int64_t element_cost(const cost_model&, dtype in)`,
// the cost of one element where it is above the default (a float32
// transcendental function). A unit whose output type is an option rather
// than a function of its input type (CAST) states its own `run`.
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>
#include <type_traits>

namespace weft::ops {

/// An int8 -> int8 function as a table: at[x + 128] is f(x).
struct int8_table {
  std::array<std::int8_t, 256> at{};
};

/// The output spec of a unary operator that keeps its input's dtype and
/// shape, for int8 with the output quantization the caller gave; the error
/// if the input's dtype is not one the operator takes (int8_ok: it has an
/// int8 kernel; float32 always).
/// int16 reaches only units that take it (U::int16_input).
constexpr inferred same_type_output(const operands& x, bool int8_ok) {
  const tensor_spec& in = x.in[0];
  if (in.type == dtype::int8 && !int8_ok) return {.err = error::float_only};
  if (in.type != dtype::int8 && in.type != dtype::float32 && in.type != dtype::int16)
    return {.err = error::unsupported_dtype};
  if (error e = check_output_quantization(in, x.out); e != error::none) return {.err = e};
  inferred r{};
  r.out = output_spec(in, in.dims, x.out);
  return r;
}

/// Whether TFLite's MultiplyByQuantizedMultiplier can apply m: it shifts
/// left by m's shift, so at most 31 (a larger one, from an input scale 2^31
/// times the output's, is undefined in C++; weft refuses it).
constexpr bool can_apply(multiplier m) { return m.shift <= 31; }

/// The multiplier of an int8 rescale from `in` to `out` as TFLite's
/// element-wise kernels compute it: the scales divided in float.
constexpr multiplier float_rescale(const quantization& in, const quantization& out) {
  return quantize_multiplier(static_cast<double>(in.scale / out.scale));
}

/// same_type_output for an operator whose int8 kernel rescales by
/// float_rescale (RELU, ABS): refuses a multiplier TFLite cannot apply.
constexpr inferred rescaled_output(const operands& x) {
  const inferred r = same_type_output(x, true);
  if (r.err == error::none && x.in[0].type != dtype::float32 && !can_apply(float_rescale(x.in[0].quant, x.out)))
    return {.err = error::scale_out_of_range};
  return r;
}

/// Cost of one float32 element through a libm function (expf, tanhf, ...).
constexpr std::int64_t transcendental_cost(const cost_model& m, dtype in) {
  return in == dtype::float32 ? m.per_softmax_element : m.per_output;
}

template <class U>
struct unary_family : elementwise_family {
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::elementwise;

  /// Cut by rows of the last axis; each element costs the same.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    if constexpr (requires { U::element_cost(m, dtype::int8); }) {
      return rows_of_output(g, i, U::element_cost(m, g.spec(g.at(i).inputs[0]).type));
    } else {
      return rows_of_output(g, i, m.per_output);
    }
  }

  /// Each output element replaces its own input element, read just before:
  /// in place wherever the input dies here and has the output's dtype and
  /// size (the memory plan checks both).
  template <class G>
  static constexpr in_place_offer in_place(const G&, int, const core_profile&) {
    return {in_place_kind::elements, -1, 0};
  }

  template <class T, class G>
  static constexpr auto make_args(const G& g, int i, const auto&) {
    if constexpr (requires { U::tabulated; } && std::is_same_v<T, std::int8_t>) {
      // (Tabulated units have int8 outputs on int8 inputs.)
      const auto a = U::template element_args<T>(g, i);
      int8_table table{};
      for (int x = -128; x < 128; ++x)
        table.at[static_cast<std::size_t>(x + 128)] = U::element(a, static_cast<std::int8_t>(x));
      return table;
    } else {
      return U::template element_args<T>(g, i);
    }
  }

  template <class Isa, class T, class Args>
  [[gnu::always_inline]] static void run(const Args& a, const kernel_io& io, tile t) {
    const T* in = io.input<T>(0);
    if constexpr (std::is_same_v<Args, int8_table>) {
      std::int8_t* out = io.output<std::int8_t>();
      for (int e = t.row_begin; e < t.row_end; ++e) out[e] = a.at[static_cast<std::uint8_t>(in[e] + 128)];
    } else if constexpr (requires { U::element(a, *in); }) {
      using O = decltype(U::element(a, in[0]));
      O* out = io.output<O>();
      for (int e = t.row_begin; e < t.row_end; ++e) out[e] = U::element(a, in[e]);
    }
  }
};

/// A unary operator TFLite Micro has for float32 only: no options, no
/// constants; U states its `element(no_args, float)`.
template <class U>
struct float_unary_family : unary_family<U> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};

  static constexpr inferred infer(const operands& x, const options&) { return same_type_output(x, false); }

  template <class T, class G>
  static constexpr no_args element_args(const G&, int) {
    return {};
  }
};

}  // namespace weft::ops
