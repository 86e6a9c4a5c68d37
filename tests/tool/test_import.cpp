// SPDX-License-Identifier: Apache-2.0
// The .tflite importer: written models read back as the same graph and run
// to the same bits; every file of the bad corpus is refused with its message
// and nothing else; truncated and randomly corrupted files never crash it.
#include "codegen.hpp"
#include "corpus.hpp"
#include "model.hpp"
#include "report.hpp"
#include "support/run_graph.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace weft;

namespace {

template <class G1, class G2>
void require_same_graph(const G1& a, const G2& b) {
  REQUIRE(a.node_count == b.node_count);
  REQUIRE(a.tensor_count == b.tensor_count);
  REQUIRE(a.input_tensor == b.input_tensor);
  REQUIRE(a.output_tensor == b.output_tensor);
  for (int t = 0; t < a.tensor_count; ++t) REQUIRE(a.spec(t) == b.spec(t));
  for (int i = 0; i < a.node_count; ++i) {
    const node& x = a.at(i);
    const node& y = b.at(i);
    REQUIRE(x.kind == y.kind);
    REQUIRE(x.inputs == y.inputs);
    REQUIRE(x.output == y.output);
    REQUIRE(x.macs == y.macs);
    REQUIRE(x.act() == y.act());
    REQUIRE(x.conv.stride == y.conv.stride);
    REQUIRE(x.conv.dilation == y.conv.dilation);
    REQUIRE(x.conv.pad == y.conv.pad);
    REQUIRE(x.depthwise.depth_multiplier == y.depthwise.depth_multiplier);
    REQUIRE(x.pool.filter == y.pool.filter);
    REQUIRE(x.fc.keep_num_dims == y.fc.keep_num_dims);
    REQUIRE(x.weights.spec.dims == y.weights.spec.dims);
    REQUIRE(x.weights.elements() == y.weights.elements());
    const auto n = static_cast<std::size_t>(x.weights.elements());
    if (x.weights.i8) REQUIRE(std::memcmp(x.weights.i8, y.weights.i8, n) == 0);
    if (x.weights.f32) REQUIRE(std::memcmp(x.weights.f32, y.weights.f32, 4 * n) == 0);
    for (int c = 0; c < x.weights.spec.quant.channels; ++c)
      REQUIRE(x.weights.spec.quant.scale_at(c) == y.weights.spec.quant.scale_at(c));
    REQUIRE(x.bias.empty() == y.bias.empty());
    if (x.bias.i32) REQUIRE(std::memcmp(x.bias.i32, y.bias.i32, 4 * static_cast<std::size_t>(x.bias.elements())) == 0);
  }
}

std::string import_error_of(const std::vector<std::uint8_t>& bytes) {
  try {
    (void)tool::import_tflite(bytes);
  } catch (const tool::input_error& e) {
    return e.what();
  }
  return "(imported without error)";
}

}  // namespace

TEST_CASE("written models import as the same graph and compute the same bits", "[tool][import]") {
  for (const auto& m : test::good_models()) {
    INFO(m.name);
    REQUIRE(m.g->check() == error::none);
    const auto bytes = tool::pack(tool::to_tflite(*m.g));
    const tool::imported_model imported = tool::import_tflite(bytes);
    require_same_graph(*m.g, *imported.graph);

    test::rng r(7);
    test::runtime_program a(*m.g);
    test::runtime_program b(*imported.graph);
    const auto in = r.int8s(m.g->input_spec().bytes());
    std::memcpy(a.bytes(m.g->input_tensor).data(), in.data(), in.size());
    std::memcpy(b.bytes(m.g->input_tensor).data(), in.data(), in.size());
    a.run();
    b.run();
    const auto x = a.bytes(m.g->output_tensor), y = b.bytes(imported.graph->output_tensor);
    REQUIRE(std::equal(x.begin(), x.end(), y.begin(), y.end()));
  }
}

TEST_CASE("every file of the bad corpus is refused with one line naming the problem", "[tool][import][corpus]") {
  for (const auto& bad : test::bad_models()) {
    INFO(bad.name);
    const std::string message = import_error_of(bad.bytes);
    INFO(message);
    REQUIRE(message.find(bad.expect) != std::string::npos);
    REQUIRE(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("truncated and corrupted files are refused, never crash", "[tool][import][corpus]") {
  const auto m = test::int8_network(21, false);
  const auto valid = tool::pack(tool::to_tflite(*m.g));
  for (std::size_t len = 0; len < valid.size(); len += 3) {
    const std::vector<std::uint8_t> cut(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(len));
    REQUIRE_THROWS_AS(tool::import_tflite(cut), tool::input_error);
  }
  test::rng r(99);
  int refused = 0;
  for (int k = 0; k < 3000; ++k) {
    auto b = valid;
    for (int flips = r.uniform(1, 8); flips > 0; --flips)
      b[static_cast<std::size_t>(r.uniform(0, static_cast<int>(b.size()) - 1))] = static_cast<std::uint8_t>(r.next());
    try {
      (void)tool::import_tflite(b);  // a change in weights or scales can still be a valid model
    } catch (const tool::input_error&) {
      ++refused;
    }
  }
  REQUIRE(refused > 0);
}

TEST_CASE("generated headers name the model and hold its constants", "[tool][codegen]") {
  const auto m = test::int8_network(11, false);
  const auto imported = tool::import_tflite(tool::pack(tool::to_tflite(*m.g)));
  const std::string h = tool::generate_header(imported, "tiny", "tiny.tflite");
  REQUIRE(h.find("struct tiny {") != std::string::npos);
  REQUIRE(h.find("namespace tiny_data {") != std::string::npos);
  REQUIRE(h.find("weft::graph<9> g;") != std::string::npos);
  REQUIRE(h.find("op000_weights_scales") != std::string::npos);
  REQUIRE(h.find("g.output(t9);") != std::string::npos);
  REQUIRE(tool::valid_model_name("kws_model"));
  REQUIRE_FALSE(tool::valid_model_name("9lives"));
  REQUIRE_FALSE(tool::valid_model_name("a-b"));
  REQUIRE_FALSE(tool::valid_model_name("_Reserved"));
  REQUIRE_FALSE(tool::valid_model_name(""));
}

TEST_CASE("the plan report gives arena, lower bound, weights and MACs", "[tool][plan]") {
  const auto m = test::int8_network(11, false);
  const auto imported = tool::import_tflite(tool::pack(tool::to_tflite(*m.g)));
  const auto p = plan_memory(*m.g);
  const std::string json = tool::plan_json(imported, core_profile{});
  REQUIRE(json.find("\"arena_bytes\": " + std::to_string(p.arena_bytes)) != std::string::npos);
  REQUIRE(json.find("\"arena_lower_bound_bytes\": " + std::to_string(p.lower_bound_bytes)) != std::string::npos);
  std::int64_t macs = 0;
  std::size_t weights = 0;
  for (int i = 0; i < m.g->node_count; ++i) {
    macs += m.g->at(i).macs;
    weights += (m.g->at(i).weights.empty() ? 0 : m.g->at(i).weights.spec.bytes()) +
               (m.g->at(i).bias.empty() ? 0 : m.g->at(i).bias.spec.bytes());
  }
  REQUIRE(json.find("\"macs\": " + std::to_string(macs)) != std::string::npos);
  REQUIRE(json.find("\"weight_bytes\": " + std::to_string(weights)) != std::string::npos);
  REQUIRE(json.find("\"ops\": [{\"index\": 0, \"op\": \"conv2d\"") != std::string::npos);
  const std::string text = tool::plan_text(imported, "tiny.tflite", core_profile{});
  REQUIRE(text.find("arena bytes:        " + std::to_string(p.arena_bytes)) != std::string::npos);
}
