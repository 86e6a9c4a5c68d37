// SPDX-License-Identifier: Apache-2.0
// The four MLPerf Tiny models, imported at build time by weft_add_model, run
// on every golden input: the output and every intermediate tensor must be
// bit-identical to TensorFlow Lite Micro's reference kernels
// (../shared/golden, see its README).
#include <ad.hpp>
#include <ic.hpp>
#include <kws.hpp>
#include <vww.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::byte> read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::transform(c.begin(), c.end(), b.begin(), [](char x) { return static_cast<std::byte>(x); });
  return b;
}

template <class Model>
void check_golden(const std::string& name) {
  using program = weft::compiled<Model>;
  const fs::path dir = fs::path(WEFT_GOLDEN_DIR) / name;
  static weft::instance<Model> net;
  int inputs = 0;
  for (int n = 0; fs::exists(dir / ("in_0" + std::to_string(n) + ".bin")); ++n) {
    const std::string id = "0" + std::to_string(n);
    const auto input = read(dir / ("in_" + id + ".bin"));
    REQUIRE(input.size() == program::input_spec.bytes());
    std::copy(input.begin(), input.end(), reinterpret_cast<std::byte*>(net.input().data()));
    std::vector<std::vector<std::byte>> seen(static_cast<std::size_t>(program::operator_count));
    net.invoke([&](int op, std::span<const std::byte> out) {
      seen[static_cast<std::size_t>(op)].assign(out.begin(), out.end());
    });

    const auto expected = read(dir / ("out_" + id + ".bin"));
    const auto* out = reinterpret_cast<const std::byte*>(net.output().data());
    INFO(name << " in_" << id);
    REQUIRE(std::equal(expected.begin(), expected.end(), out, out + program::output_spec.bytes()));

    int intermediates = 0;
    for (const auto& e : fs::directory_iterator(dir / "intermediates" / ("in_" + id))) {
      const std::string file = e.path().filename().string();  // opKKK_tT.bin
      const int op = std::stoi(file.substr(2, 3));
      INFO("operator " << op << " (" << file << ")");
      REQUIRE(op < program::operator_count);
      const auto golden = read(e.path());
      REQUIRE(seen[static_cast<std::size_t>(op)] == golden);
      ++intermediates;
    }
    REQUIRE(intermediates == program::operator_count);
    ++inputs;
  }
  REQUIRE(inputs == 3);
}

}  // namespace

TEST_CASE("kws: outputs and intermediates are bit-exact with TFLite Micro", "[golden]") { check_golden<kws>("kws"); }
TEST_CASE("vww: outputs and intermediates are bit-exact with TFLite Micro", "[golden]") { check_golden<vww>("vww"); }
TEST_CASE("ic: outputs and intermediates are bit-exact with TFLite Micro", "[golden]") { check_golden<ic>("ic"); }
TEST_CASE("ad: outputs and intermediates are bit-exact with TFLite Micro", "[golden]") { check_golden<ad>("ad"); }

TEST_CASE("the MLPerf plans meet their liveness lower bounds", "[golden][plan]") {
  // Lower bounds from the models' shapes: kws two 25x5x64 tensors; vww the
  // 48x48x8 and 48x48x16 tensors around operator 2; ic three 32x32x16 tensors
  // (the residual branch); ad 640 + 128.
  STATIC_REQUIRE(weft::compiled<kws>::arena_bytes == 16000);
  STATIC_REQUIRE(weft::compiled<vww>::arena_bytes == 55296);
  STATIC_REQUIRE(weft::compiled<ic>::arena_bytes == 49152);
  STATIC_REQUIRE(weft::compiled<ad>::arena_bytes == 768);
  STATIC_REQUIRE(weft::compiled<vww>::arena_lower_bound_bytes == 48 * 48 * 8 + 48 * 48 * 16);
}
