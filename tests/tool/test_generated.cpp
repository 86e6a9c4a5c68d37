// SPDX-License-Identifier: Apache-2.0
// Headers generated at build time (weft_add_model) from the project's own
// corpus compile into model types whose compiled programs reproduce the
// run-time path's outputs, written by corpus_expect. Needs nothing from
// ../shared.
#include <fc_keep_dims.hpp>
#include <float32_binary.hpp>
#include <float32_network.hpp>
#include <int8_binary.hpp>
#include <int8_dilated.hpp>
#include <int8_network.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::vector<char> read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <class Model>
void check(const std::string& name) {
  INFO(name);
  static weft::instance<Model> net;
  const std::string base = std::string(WEFT_CORPUS_DIR) + "/good_" + name;
  const auto in = read(base + ".in.bin");
  const auto want = read(base + ".out.bin");
  REQUIRE(in.size() == weft::compiled<Model>::input_spec.bytes());
  std::memcpy(net.input().data(), in.data(), in.size());
  net.invoke();
  REQUIRE(want.size() == weft::compiled<Model>::output_spec.bytes());
  REQUIRE(std::memcmp(net.output().data(), want.data(), want.size()) == 0);
}

}  // namespace

TEST_CASE("generated model types reproduce the run-time path bit for bit", "[tool][codegen]") {
  check<int8_network>("int8_network");
  check<int8_dilated>("int8_dilated");
  check<float32_network>("float32_network");
  check<fc_keep_dims>("fc_keep_dims");
  check<int8_binary>("int8_binary");
  check<float32_binary>("float32_binary");
}
