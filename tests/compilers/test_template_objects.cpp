// SPDX-License-Identifier: Apache-2.0
// The compiler defect behind weft's one rule on class-type template
// arguments (docs/compilers.md), reduced: Clang, 14 to at least 20
// (llvm/llvm-project#146272), copies a member of a class-type template
// parameter object from the wrong bytes when the class has padding, so
// `K.r` below reads the bools after r. weft reads such arguments only
// through a static constexpr copy, as `copied` does, and that must hold
// everywhere.
#include <catch2/catch.hpp>

#include <cstdint>

// A named namespace: the template parameter object then has a symbol of its
// own, which check_template_objects.cmake looks for.
namespace template_objects {

struct range {
  std::int32_t min = -128;
  std::int32_t max = 127;
};
struct key {  // a bool before r: padding; member initializers make Clang's copy compact
  bool flag = false;
  range r{};
  bool a = false, b = false;
};

template <key K>
const range& direct() {
  return K.r;  // addresses the template parameter object: what weft never does
}

template <key K>
range copied() {
  static constexpr key k = K;  // weft's way: a copy made at compile time
  return k.r;
}

constexpr key probe{true, {-128, 127}, false, true};

}  // namespace template_objects

using namespace template_objects;

TEST_CASE("a padded class-type template argument read through a constexpr copy keeps its members") {
  const range r = copied<probe>();
  CHECK(r.min == -128);
  CHECK(r.max == 127);
  // For the record: the same member read from the template parameter object.
  const range d = direct<probe>();
  if (d.min != -128 || d.max != 127)
    WARN("this compiler reads a padded template parameter object's member from the wrong bytes (min "
         << d.min << ", max " << d.max << "; llvm/llvm-project#146272)");
}
