// SPDX-License-Identifier: Apache-2.0
// The four MLPerf Tiny models, imported at build time by weft_add_model, run
// on every golden input on 1 to 8 cores: the output and every intermediate
// tensor must be bit-identical to TensorFlow Lite Micro's reference kernels
// (../shared/golden, see its README).
#include <ad.hpp>
#include <ic.hpp>
#include <kws.hpp>
#include <vww.hpp>

#include "support/shuffled_executor.hpp"

#include <weft/exec/host_threads.hpp>

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

struct golden_case {
  std::vector<std::byte> input, output;
  std::vector<std::pair<int, std::vector<std::byte>>> intermediates;  // (operator, bytes)
};

std::vector<golden_case> load(const std::string& name) {
  const fs::path dir = fs::path(WEFT_GOLDEN_DIR) / name;
  std::vector<golden_case> cases;
  for (int n = 0; fs::exists(dir / ("in_0" + std::to_string(n) + ".bin")); ++n) {
    const std::string id = "0" + std::to_string(n);
    golden_case c{read(dir / ("in_" + id + ".bin")), read(dir / ("out_" + id + ".bin")), {}};
    for (const auto& e : fs::directory_iterator(dir / "intermediates" / ("in_" + id)))
      c.intermediates.emplace_back(std::stoi(e.path().filename().string().substr(2, 3)), read(e.path()));  // opKKK_tT.bin
    cases.push_back(std::move(c));
  }
  REQUIRE(cases.size() == 3);
  return cases;
}

// Every golden input through the model on the profile's cores: the output
// with the plan's own job (on host threads, and on a single thread with the
// cores shuffled in every segment), and every intermediate with the observed
// job.
template <class Model, weft::core_profile Profile, class Executor>
void check_golden(const std::string& name, Executor& exec) {
  using program = weft::compiled<Model, Profile>;
  static weft::instance<Model, Profile> net;
  weft::test::shuffled_executor<Profile.cores> shuffled(17);
  for (const golden_case& c : load(name)) {
    INFO(name << " on " << Profile.cores << " cores");
    REQUIRE(c.input.size() == program::input_spec.bytes());
    auto* in = reinterpret_cast<std::byte*>(net.input().data());
    const auto* out = reinterpret_cast<const std::byte*>(net.output().data());
    for (int pass = 0; pass < 2; ++pass) {
      std::copy(c.input.begin(), c.input.end(), in);
      if (pass == 0) {
        net.invoke(exec);
      } else {
        net.invoke(shuffled);
      }
      REQUIRE(std::equal(c.output.begin(), c.output.end(), out, out + program::output_spec.bytes()));
    }
    std::copy(c.input.begin(), c.input.end(), in);
    std::vector<std::vector<std::byte>> seen(static_cast<std::size_t>(program::operator_count));
    net.invoke(exec, [&](int op, std::span<const std::byte> o) { seen[static_cast<std::size_t>(op)].assign(o.begin(), o.end()); });
    REQUIRE(c.intermediates.size() == static_cast<std::size_t>(program::operator_count));
    for (const auto& [op, bytes] : c.intermediates) {
      INFO("operator " << op);
      // A residual convolution's own output is never stored: the add it
      // does, whose output is compared, is the check.
      if (program::plan.in_place[static_cast<std::size_t>(op)] == weft::in_place_kind::residual) continue;
      REQUIRE(seen[static_cast<std::size_t>(op)] == bytes);
    }
  }
}

template <class Model>
void check_all_profiles(const std::string& name) {
  weft::sequential<1> one;
  check_golden<Model, weft::core_profile{}>(name, one);
  weft::host_threads<2> two;
  check_golden<Model, weft::core_profile::uniform(2)>(name, two);
  check_golden<Model, weft::core_profile::with_speeds({1.0f, 1.6f})>(name, two);
  weft::host_threads<3> three;
  check_golden<Model, weft::core_profile::uniform(3)>(name, three);
  weft::host_threads<4> four;
  check_golden<Model, weft::core_profile::uniform(4)>(name, four);
  check_golden<Model, weft::core_profile::with_speeds({1.0f, 2.0f, 1.0f, 3.0f})>(name, four);
  weft::host_threads<8> eight;
  check_golden<Model, weft::core_profile::uniform(8)>(name, eight);
}

}  // namespace

// On 1, 2, 3, 4 and 8 cores, and on unequal 2- and 4-core profiles.
TEST_CASE("kws: outputs and intermediates are bit-exact with TFLite Micro on 1 to 8 cores", "[golden]") {
  check_all_profiles<kws>("kws");
}
TEST_CASE("vww: outputs and intermediates are bit-exact with TFLite Micro on 1 to 8 cores", "[golden]") {
  check_all_profiles<vww>("vww");
}
TEST_CASE("ic: outputs and intermediates are bit-exact with TFLite Micro on 1 to 8 cores", "[golden]") {
  check_all_profiles<ic>("ic");
}
TEST_CASE("ad: outputs and intermediates are bit-exact with TFLite Micro on 1 to 8 cores", "[golden]") {
  check_all_profiles<ad>("ad");
}

TEST_CASE("the MLPerf plans: vww and ad at their liveness lower bounds, kws and ic below", "[golden][plan]") {
  // Lower bounds from the models' shapes: kws two 25x5x64 tensors; vww the
  // 48x48x8 and 48x48x16 tensors around operator 2; ic three 32x32x16 tensors
  // (the residual branch); ad 640 + 128.
  // kws runs its four depthwise and four 1x1 layers in place: one 25x5x64
  // tensor, which each depthwise moves 7 pixels (448 bytes) down, beside the
  // 49x10 input (490 bytes, 496 aligned): 496 + 8000 + 4 * 448.
  STATIC_REQUIRE(weft::compiled<kws>::arena_lower_bound_bytes == 2 * 25 * 5 * 64);
  STATIC_REQUIRE(weft::compiled<kws>::plan.in_place_count == 8);
  STATIC_REQUIRE(weft::compiled<kws>::arena_bytes == 496 + 8000 + 4 * 448);
  STATIC_REQUIRE(weft::compiled<vww>::arena_bytes == 55296);
  // ic's second convolution of each residual block does the block's add
  // and writes it over the block's input: two 32x32x16 tensors.
  STATIC_REQUIRE(weft::compiled<ic>::arena_lower_bound_bytes == 3 * 32 * 32 * 16);
  STATIC_REQUIRE(weft::compiled<ic>::plan.in_place_count == 3);
  STATIC_REQUIRE(weft::compiled<ic>::arena_bytes == 2 * 32 * 32 * 16);
  STATIC_REQUIRE(weft::compiled<ad>::arena_bytes == 768);
  STATIC_REQUIRE(weft::compiled<vww>::arena_lower_bound_bytes == 48 * 48 * 8 + 48 * 48 * 16);
}
