// SPDX-License-Identifier: Apache-2.0
// Unary element-wise operators at points worked out by hand from TFLite's
// formulas and the real functions (test_tflm holds every operator to
// TFLite Micro itself on random models), and the float helpers that build
// their constants at compile time against the host's libm.
#include "support/random.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

using namespace weft;

namespace {

// One unary operator U on a [1, 8] int8 input, compiled, with the input and
// output quantizations Q::in and Q::out (a type: Clang 14 takes no float
// template arguments).
template <class U, class Q>
struct unary_model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(int8_tensor({1, 8}, Q::in.scale, Q::in.zero_point));
    g.output(g.template apply<U>({x}, {}, Q::out));
    return g;
  }();
};

struct sixteenths_to_logistic {
  static constexpr quantization in{1.0f / 16, 0}, out{1.0f / 256, -128};
};
struct sixteenths_to_other_scale {
  static constexpr quantization in{1.0f / 16, 0}, out{0.3f, -128};
};
struct sixteenths_to_tanh {
  static constexpr quantization in{1.0f / 16, 0}, out{1.0f / 128, 0};
};
struct sixteenths_to_other {
  static constexpr quantization in{1.0f / 16, 0}, out{0.3f, 17};
};
struct tenths_shifted {
  static constexpr quantization in{0.1f, -10}, out{0.5f, 3};
};
struct tenths {
  static constexpr quantization in{0.1f, 0}, out{0.1f, 0};
};

template <class Model>
std::vector<int> run(const std::array<int, 8>& x) {
  static instance<Model> net;
  for (std::size_t i = 0; i < x.size(); ++i) net.input()[i] = static_cast<std::int8_t>(x[i]);
  net.invoke();
  return {net.output().begin(), net.output().end()};
}

}  // namespace

TEST_CASE("int8 LOGISTIC and TANH give TFLite's values, on their fixed output scales", "[ops][unary]") {
  // Input scale 1/16: x = 16 is 1.0. LOGISTIC writes round(256 p) - 128, TANH
  // round(128 t): logistic(1) = 0.731059 -> 187 - 128 = 59, logistic(-1) =
  // 0.268941 -> 69 - 128 = -59, tanh(1) = 0.761594 -> 97. Beyond the input
  // radius (15 * 2^27 / 2^24 = 120 steps) the results saturate.
  const std::array<int, 8> x{0, 16, -16, 127, -128, 8, -8, 1};
  // logistic(0.5) = 0.622459 -> 159 - 128 = 31; logistic(1/16) = 0.515620 -> 132 - 128 = 4.
  const std::vector<int> logistic{0, 59, -59, 127, -128, 31, -31, 4};
  REQUIRE(run<unary_model<ops::logistic_op, sixteenths_to_logistic>>(x) == logistic);
  // TFLite Micro never reads the output scale: the same bytes.
  REQUIRE(run<unary_model<ops::logistic_op, sixteenths_to_other_scale>>(x) == logistic);
  // tanh(0.5) = 0.462117 -> 59; tanh(1/16) = 0.062419 -> 8.
  const std::vector<int> tanh{0, 97, -97, 127, -128, 59, -59, 8};
  REQUIRE(run<unary_model<ops::tanh_op, sixteenths_to_tanh>>(x) == tanh);
  // ... nor its scale or zero point.
  REQUIRE(run<unary_model<ops::tanh_op, sixteenths_to_other>>(x) == tanh);
}

TEST_CASE("int8 RELU6 clamps raw values between the input's zero and six", "[ops][unary]") {
  // Input scale 0.1, zero point -10: six is round(6 / 0.1) - 10 = 50. The
  // output quantization (0.5, 3) is not used.
  REQUIRE(run<unary_model<ops::relu6_op, tenths_shifted>>({100, -50, 20, 50, 51, -10, -11, 127}) ==
          std::vector<int>{50, -10, 20, 50, 50, -10, -10, 50});
}

TEST_CASE("int8 ELU's table is e^x - 1 below zero, rounded to the output", "[ops][unary]") {
  // Scales 0.1: x = -10 is -1.0, e^-1 - 1 = -0.632 -> -6; x = -128 is -12.8,
  // -0.999997 -> -10; x = -1 is -0.1, -0.0952 -> -1; x = -5: -0.393 -> -4.
  REQUIRE(run<unary_model<ops::elu_op, tenths>>({-10, -128, -1, -5, 0, 5, 127, -20}) ==
          std::vector<int>{-6, -10, -1, -4, 0, 5, 127, -9});
}

namespace {
struct cast_model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(float32_tensor({1, 8}));
    g.output(g.apply<ops::cast_op>({x}, {.to_float = false}, {0.5f, 3}));
    return g;
  }();
};
}  // namespace

TEST_CASE("CAST from float32 to int8 keeps the low byte of the truncated value", "[ops][unary]") {
  // As TFLite Micro on x86: toward zero, the low byte (200 -> -56, 300 ->
  // 44), 0 for NaN and beyond int32 (INT32_MIN's low byte); the output's
  // quantization is not used.
  static instance<cast_model> net;
  const std::array<float, 8> x{1.7f, -1.7f, 128.5f, 200.7f, -129.5f, 300.0f, 1e10f, std::nanf("")};
  std::copy(x.begin(), x.end(), net.input().begin());
  net.invoke();
  REQUIRE(std::vector<int>(net.output().begin(), net.output().end()) ==
          std::vector<int>{1, -1, -128, -56, 127, 44, 0, 0});
}

TEST_CASE("the compile-time float helpers equal the host's libm", "[ops][unary]") {
  test::rng r(31);
  auto uniform = [&](double lo, double hi) { return lo + r.real() * (hi - lo); };
  SECTION("fma_exact rounds a * b + c once, as std::fma") {
    for (int i = 0; i < 200000; ++i) {
      const double a = uniform(-1e3, 1e3), b = uniform(-1e3, 1e3);
      // Every third c nearly cancels the product, the others at random scales.
      const double c = i % 3 == 0 ? -a * b * (1 + uniform(-1e-12, 1e-12)) : uniform(-1e6, 1e6);
      REQUIRE(std::bit_cast<std::uint64_t>(ops::fma_exact(a, b, c)) == std::bit_cast<std::uint64_t>(std::fma(a, b, c)));
    }
  }
  SECTION("sqrt_float is sqrtf") {
    for (std::uint32_t bits = 1; bits < 0x7f800000u; bits += 4099) {
      const float x = std::bit_cast<float>(bits);
      REQUIRE(ops::sqrt_float(x) == std::sqrt(x));
    }
  }
  SECTION("expf_glibc is expf on glibc's x86-64 FMA variant") {
#if defined(__GLIBC__) && defined(__x86_64__)
    if (!__builtin_cpu_supports("fma")) {
      WARN("skipped: this CPU runs glibc's expf without FMA, whose last bits expf_glibc does not follow");
      return;
    }
    // Every 97th float of [-20, 0), where ELU's tables need it exact
    // (all of them were checked once, in about two minutes).
    for (std::uint32_t bits = 0x80000001u; bits <= std::bit_cast<std::uint32_t>(-20.0f); bits += 97) {
      const float x = std::bit_cast<float>(bits);
      REQUIRE(std::bit_cast<std::uint32_t>(ops::expf_glibc(x)) == std::bit_cast<std::uint32_t>(std::exp(x)));
    }
#else
    WARN("skipped: the host's expf is not glibc's x86-64 one");
#endif
  }
}
