// SPDX-License-Identifier: Apache-2.0
// Tensor specs are structural values (template arguments), shapes and views
// behave the same at run time and in constant evaluation.
#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <array>

using namespace weft;

namespace {

template <tensor_spec S>
struct spec_probe {
  static constexpr std::size_t bytes = S.bytes();
};

inline constexpr std::array<float, 3> channel_scales = {0.1f, 0.2f, 0.3f};
inline constexpr std::array<std::int8_t, 3 * 2> weights_data = {1, 2, 3, 4, 5, 6};

// Shapes: element counts, validity, comparison.
constexpr bool shapes_behave() {
  const shape s{1, 49, 10, 1};
  if (s.rank != 4 || s.elements() != 490 || s.back() != 1 || !s.valid()) return false;
  if (shape{2, 0}.valid() || shape{1, 2, 3, 4, 5}.valid() || !(shape{3, 4} == shape{3, 4})) return false;
  if (shape{3, 4} == shape{4, 3} || shape{3} == shape{3, 1}) return false;
  return true;
}

// Views index row-major with static extents.
constexpr bool views_index_row_major() {
  std::array<int, 24> data{};
  for (int i = 0; i < 24; ++i) data[static_cast<std::size_t>(i)] = i;
  view<int, extents<2, 3, 4>> v(data.data());
  if (v(1, 2, 3) != 23 || v(0, 1, 0) != 4 || v(1, 0, 2) != 14) return false;
  v(1, 1, 1) = -1;
  if (data[17] != -1) return false;
  return v.size() == 24 && v.extent(1) == 3 && v.span().size() == 24;
}

}  // namespace

TEST_CASE("tensor specs are structural and usable as template arguments", "[core][spec]") {
  STATIC_REQUIRE(spec_probe<int8_tensor({1, 49, 10, 1}, 0.5f, 83)>::bytes == 490);
  STATIC_REQUIRE(spec_probe<float32_tensor({2, 3})>::bytes == 24);
  constexpr constant w = int8_weights(weights_data, {3, 1, 1, 2}, channel_scales, 0);
  STATIC_REQUIRE(spec_probe<w.spec>::bytes == 6);
  STATIC_REQUIRE(w.spec.quant.per_channel());
  STATIC_REQUIRE(w.spec.quant.scale_at(2) == 0.3f);
  STATIC_REQUIRE(w.provided == 6);
  STATIC_REQUIRE(int8_tensor({4}, 0.5f, 1) != int8_tensor({4}, 0.5f, 2));
}

TEST_CASE("shapes and views give the same answers at run time and at compile time", "[core][spec]") {
  STATIC_REQUIRE(shapes_behave());
  STATIC_REQUIRE(views_index_row_major());
  REQUIRE(shapes_behave());
  REQUIRE(views_index_row_major());
}

TEST_CASE("dtype sizes and names", "[core][spec]") {
  // Each dtype's size is its C++ element type's, and each C++ type maps back.
  auto agrees = []<dtype T>(std::integral_constant<dtype, T>) {
    return size_of(T) == sizeof(element_t<T>) && dtype_v<element_t<T>> == T;
  };
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::int8>{}));
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::int16>{}));
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::int32>{}));
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::int64>{}));
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::uint8>{}));
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::float32>{}));
  STATIC_REQUIRE(agrees(std::integral_constant<dtype, dtype::boolean>{}));
  STATIC_REQUIRE(size_of(dtype::int16) == 2);  // not 4, as every non-int8 type was
  STATIC_REQUIRE(size_of(dtype::int64) == 8);
  STATIC_REQUIRE(tensor_spec{dtype::int16, shape{3, 5}, {}}.bytes() == 30);
  REQUIRE(std::string(name_of(dtype::float32)) == "float32");
  REQUIRE(std::string(name_of(dtype::boolean)) == "bool");
}
