// SPDX-License-Identifier: Apache-2.0
// The .tflite importer, over the corpus make_corpus.py writes with weft's
// writer: every operator and parameter combination weft supports imports as
// written and computes what the Eigen float reference computes, within the
// tolerance below; every bad file is refused with its message; truncated and
// corrupted files never crash the reader.
#include "../../tools/fuzz/header_check.hpp"
#include "codegen.hpp"
#include "model.hpp"
#include "report.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <weft/reference/eigen.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace weft;

namespace {

namespace fs = std::filesystem;

const std::string corpus = WEFT_CORPUS_DIR;

std::vector<fs::path> corpus_files(const std::string& prefix, const std::string& extension) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.path().filename().string().rfind(prefix, 0) == 0 && e.path().extension() == extension) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string import_error_of(const std::vector<std::uint8_t>& bytes) {
  try {
    (void)tool::import_tflite(bytes);
  } catch (const tool::input_error& e) {
    return e.what();
  }
  return "(imported without error)";
}

const char* activation_name(activation a) {
  switch (a) {
    case activation::relu:
      return "relu";
    case activation::relu6:
      return "relu6";
    case activation::relu_n1_to_1:
      return "relu_n1_to_1";
    case activation::none:
      break;
  }
  return "none";
}

// An operator's parameters in the form make_corpus.py writes them to <file>.ops.
std::string describe(const node& n) {
  hw stride{1, 1}, dilation{1, 1}, filter{1, 1};
  padding pad = padding::valid;
  int multiplier = 1;
  switch (n.kind) {
    case op::conv2d:
      stride = n.opt<conv2d_options>().stride, dilation = n.opt<conv2d_options>().dilation,
      pad = n.opt<conv2d_options>().pad;
      filter = {n.weights.spec.dims[1], n.weights.spec.dims[2]};
      break;
    case op::depthwise_conv2d:
      stride = n.opt<depthwise_conv2d_options>().stride, dilation = n.opt<depthwise_conv2d_options>().dilation,
      pad = n.opt<depthwise_conv2d_options>().pad;
      multiplier = n.opt<depthwise_conv2d_options>().depth_multiplier;
      filter = {n.weights.spec.dims[1], n.weights.spec.dims[2]};
      break;
    case op::average_pool2d:
    case op::max_pool2d:
    case op::l2_pool2d:
      stride = n.opt<pool2d_options>().stride, pad = n.opt<pool2d_options>().pad,
      filter = n.opt<pool2d_options>().filter;
      break;
    case op::transpose_conv:
      stride = n.opt<transpose_conv_options>().stride, pad = n.opt<transpose_conv_options>().pad;
      filter = {n.weights.spec.dims[1], n.weights.spec.dims[2]};
      break;
    default:
      break;
  }
  std::ostringstream s;
  s << name_of(n.kind) << " stride " << stride.h << ' ' << stride.w << " dilation " << dilation.h << ' ' << dilation.w
    << " padding " << (pad == padding::same ? "same" : "valid") << " activation " << activation_name(n.act())
    << " multiplier " << multiplier << " filter " << filter.h << ' ' << filter.w << " keep_num_dims "
    << (n.kind == op::fully_connected && n.opt<fully_connected_options>().keep_num_dims ? 1 : 0) << " bias "
    << (n.bias.empty() ? 0 : 1) << " per_channel "
    << (!n.weights.empty() && n.weights.spec.quant.per_channel() ? 1 : 0);
  return s.str();
}

// A parameter combination, as the coverage check counts them.
std::string stride_class(hw s) { return s.h == 1 && s.w == 1 ? "1" : s.h == s.w ? "square" : "unequal"; }

// `broadcast`: the operator's two inputs differ in shape.
std::string combination(const node& n, dtype t, bool broadcast) {
  std::ostringstream s;
  s << name_of(n.kind) << ' ' << name_of(t);
  switch (n.kind) {
    case op::conv2d:
      s << " stride " << stride_class(n.opt<conv2d_options>().stride) << " dilation "
        << stride_class(n.opt<conv2d_options>().dilation) << ' '
        << (n.opt<conv2d_options>().pad == padding::same ? "same" : "valid");
      break;
    case op::depthwise_conv2d:
      s << " stride " << stride_class(n.opt<depthwise_conv2d_options>().stride) << " dilation "
        << stride_class(n.opt<depthwise_conv2d_options>().dilation) << ' '
        << (n.opt<depthwise_conv2d_options>().pad == padding::same ? "same" : "valid") << " multiplier "
        << (n.opt<depthwise_conv2d_options>().depth_multiplier == 1 ? "1" : "n");
      break;
    case op::average_pool2d:
    case op::max_pool2d:
      s << " stride " << stride_class(n.opt<pool2d_options>().stride) << ' '
        << (n.opt<pool2d_options>().pad == padding::same ? "same" : "valid");
      break;
    case op::fully_connected:
      s << (n.opt<fully_connected_options>().keep_num_dims ? " keep_num_dims" : "")
        << (n.bias.empty() ? " no_bias" : "") << (n.weights.spec.quant.per_channel() ? " per_channel" : "");
      break;
    case op::softmax:
      s << (n.opt<softmax_options>().beta == 1.0f ? " beta_1" : " beta_other");
      break;
    default:
      break;
  }
  if (broadcast) s << " broadcast";
  s << ' ' << activation_name(n.act());
  return s.str();
}

// Every combination the corpus must hold, from weft's own enumerations.
std::set<std::string> required_combinations() {
  std::set<std::string> want;
  const char* strides[] = {"1", "square", "unequal"};
  const char* pads[] = {"same", "valid"};
  const activation acts[] = {activation::none, activation::relu, activation::relu6, activation::relu_n1_to_1};
  for (dtype t : {dtype::int8, dtype::float32}) {
    const std::string d = name_of(t);
    for (activation a : acts) {
      const std::string act = activation_name(a);
      for (const char* s : strides) {
        for (const char* p : pads) {
          for (const char* dl : strides) {
            want.insert("conv2d " + d + " stride " + s + " dilation " + dl + " " + p + " " + act);
            for (const char* m : {"1", "n"})
              want.insert("depthwise_conv2d " + d + " stride " + s + " dilation " + dl + " " + p + " multiplier " + m +
                          " " + act);
          }
          want.insert("average_pool2d " + d + " stride " + s + " " + p + " " + act);
          want.insert("max_pool2d " + d + " stride " + s + " " + p + " " + act);
        }
      }
      for (const char* keep : {"", " keep_num_dims"})
        for (const char* bias : {"", " no_bias"})
          for (const char* pc :
               (t == dtype::int8 ? std::vector<const char*>{"", " per_channel"} : std::vector<const char*>{""}))
            want.insert("fully_connected " + d + keep + bias + pc + " " + act);
      // Element-wise operators of two inputs, on inputs of one shape (every
      // fused activation of those that have one) and broadcasting.
      for (const char* k : {"add", "sub", "mul", "div"}) want.insert(std::string(k) + " " + d + " " + act);
    }
    for (const char* k : {"add", "sub", "mul", "div", "squared_difference", "maximum", "minimum"}) {
      want.insert(std::string(k) + " " + d + " none");
      want.insert(std::string(k) + " " + d + " broadcast none");
    }
    want.insert("softmax " + d + " beta_1 none");
    want.insert("softmax " + d + " beta_other none");
    want.insert("reshape " + d + " none");
  }
  return want;
}

// The largest per-operator differences seen, to hold against the reference's
// stated reference::operator_tolerance.
struct agreement {
  double worst_int8_lsb = 0;
  double worst_float_rel = 0;
};

template <class G>
agreement check_against_reference(const G& g, std::uint64_t seed) {
  test::rng r(seed);
  test::runtime_program p(g, true, false);  // every operator's output stored
  const tensor_spec& in = g.input_spec();
  std::vector<double> input(static_cast<std::size_t>(in.dims.elements()));
  if (in.type == dtype::int8) {
    const auto q = r.int8s(input.size());
    p.template set_input<std::int8_t>(q);
  } else {
    const auto f = r.floats(input.size(), -2.0, 2.0);
    p.template set_input<float>(f);
  }
  // Every tensor of the run, as real values, read as soon as it is written
  // (a later operator may reuse its bytes, or run in place over them).
  std::vector<std::vector<double>> real(static_cast<std::size_t>(g.tensor_count));
  auto keep = [&](int t) {
    const tensor_spec& s = g.spec(t);
    auto& v = real[static_cast<std::size_t>(t)];
    if (s.type == dtype::int8) {
      for (std::int8_t q : p.template tensor<std::int8_t>(t))
        v.push_back(static_cast<double>(s.quant.scale) * (q - s.quant.zero_point));
    } else {
      for (float f : p.template tensor<float>(t)) v.push_back(f);
    }
  };
  keep(g.input_tensor());
  for (int i = 0; i < g.node_count; ++i) {
    p.run_node(i);
    keep(g.at(i).output);
  }
  const auto ref = reference::evaluate_all(g, real[static_cast<std::size_t>(g.input_tensor())],
                                           {.fake_quantize = true, .operands = &real});
  agreement a;
  for (int i = 0; i < g.node_count; ++i) {
    const int t = g.at(i).output;
    const tensor_spec& s = g.spec(t);
    const auto& got = real[static_cast<std::size_t>(t)];
    const auto& want = ref[static_cast<std::size_t>(t)];
    REQUIRE(got.size() == want.size());
    double largest = 0;
    for (double w : want) largest = std::max(largest, std::abs(w));
    for (std::size_t k = 0; k < got.size(); ++k) {
      const double d = std::abs(got[k] - want[k]);
      if (s.type == dtype::int8)
        a.worst_int8_lsb = std::max(a.worst_int8_lsb, d / static_cast<double>(s.quant.scale));
      else
        a.worst_float_rel = std::max(a.worst_float_rel, d / std::max(largest, 1e-30));
    }
  }
  return a;
}

}  // namespace

TEST_CASE("every generated operator combination imports as written and agrees with the float reference",
          "[tool][import]") {
  const auto files = corpus_files("op_", ".tflite");
  const auto networks = corpus_files("good_", ".tflite");
  REQUIRE(files.size() > 500);
  REQUIRE(networks.size() >= 4);
  std::set<std::string> seen;
  agreement worst;
  std::uint64_t seed = 1;
  for (const auto* list : {&files, &networks}) {
    for (const fs::path& file : *list) {
      INFO(file.filename().string());
      const tool::imported_model m = tool::import_tflite(tool::read_file(file.string()));
      const auto& g = *m.graph;
      // The graph holds the operators as the writer wrote them.
      std::istringstream ops(read_text(fs::path(file).replace_extension(".ops")));
      std::string line;
      int i = 0;
      while (std::getline(ops, line)) {
        REQUIRE(i < g.node_count);
        CHECK(describe(g.at(i)) == line);
        const node& n = g.at(i);
        seen.insert(combination(n, g.spec(n.inputs[0]).type,
                                n.input_count() == 2 && !(g.spec(n.inputs[0]).dims == g.spec(n.inputs[1]).dims)));
        ++i;
      }
      REQUIRE(i == g.node_count);
      // Each operator computes what the reference computes from the same
      // inputs (operators the Eigen reference does not model are held to
      // TensorFlow Lite Micro itself by test_tflm).
      bool modeled = true;
      // (The reference models no 16x8 operator.)
      for (int k = 0; k < g.node_count; ++k)
        modeled = modeled && reference::models(g, k) && g.spec(g.at(k).inputs[0]).type != dtype::int16;
      for (int run = 0; modeled && run < 3; ++run) {
        const agreement a = check_against_reference(g, seed++);
        CHECK(a.worst_int8_lsb <= reference::operator_tolerance::int8_lsb + 1e-6);
        CHECK(a.worst_float_rel <= reference::operator_tolerance::float_relative);
        worst.worst_int8_lsb = std::max(worst.worst_int8_lsb, a.worst_int8_lsb);
        worst.worst_float_rel = std::max(worst.worst_float_rel, a.worst_float_rel);
      }
    }
  }
  // The corpus covers every combination weft supports.
  std::vector<std::string> missing;
  for (const auto& c : required_combinations())
    if (!seen.count(c)) missing.push_back(c);
  INFO("missing combinations: " << missing.size() << (missing.empty() ? "" : ", e.g. " + missing.front()));
  REQUIRE(missing.empty());
  WARN("largest difference from the reference: " << worst.worst_int8_lsb << " LSB (int8), " << worst.worst_float_rel
                                                 << " of the largest value (float32)");
}

TEST_CASE("every file of the bad corpus is refused with one line per problem", "[tool][import][corpus]") {
  const auto files = corpus_files("bad_", ".tflite");
  REQUIRE(files.size() >= 20);
  auto lines_of = [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
    return lines;
  };
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    const auto expect = lines_of(read_text(fs::path(file).replace_extension(".expect")));
    REQUIRE(!expect.empty());
    const std::string message = import_error_of(tool::read_file(file.string()));
    INFO(message);
    // One line per expected line (several only where the file has several
    // problems of one kind: unsupported operators), each with its words.
    const auto got = lines_of(message);
    REQUIRE(got.size() == expect.size());
    REQUIRE(message.back() != '\n');
    for (std::size_t k = 0; k < got.size(); ++k) REQUIRE(got[k].find(expect[k]) != std::string::npos);
  }
}

TEST_CASE("truncated and corrupted files are refused, never crash", "[tool][import][corpus]") {
  const auto valid = tool::read_file(corpus + "/good_int8_network.tflite");
  REQUIRE_NOTHROW(tool::import_tflite(valid));
  // Cutting only the zero padding after the last string's terminator leaves a valid file;
  // every cut into the bytes before it must be refused.
  std::size_t meaningful = valid.size();
  while (meaningful > 0 && valid[meaningful - 1] == 0) --meaningful;
  ++meaningful;  // the string terminator
  REQUIRE(meaningful + 16 > valid.size());
  for (std::size_t len = 0; len < meaningful; len += 3) {
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
  const auto imported = tool::import_tflite(tool::read_file(corpus + "/good_int8_network.tflite"));
  const std::string h = tool::generate_header(imported, "tiny", "tiny.tflite");
  REQUIRE(h.find("struct tiny {") != std::string::npos);
  REQUIRE(h.find("namespace tiny_data {") != std::string::npos);
  REQUIRE(h.find("weft::graph<9, 10> g;") != std::string::npos);  // 9 operators, 10 tensors
  REQUIRE(h.find("op000_weights_scales") != std::string::npos);
  REQUIRE(h.find("g.output(t9);") != std::string::npos);
  REQUIRE(tool::valid_model_name("kws_model"));
  REQUIRE_FALSE(tool::valid_model_name("9lives"));
  REQUIRE_FALSE(tool::valid_model_name("a-b"));
  REQUIRE_FALSE(tool::valid_model_name("_Reserved"));
  REQUIRE_FALSE(tool::valid_model_name(""));
  REQUIRE(tool::check::lex_header(h).error.empty());
}

TEST_CASE("model names are identifiers that are not keywords or reserved", "[tool][codegen][names]") {
  for (const char* ok : {"kws_model", "model", "Model2", "a_b", "x9", "mainly", "int8", "classy"})
    REQUIRE(tool::valid_model_name(ok));
  for (const char* bad : {"int", "class", "delete", "and",  "xor_eq", "co_await",    "char8_t", "final", "import",
                          "std", "weft",  "graph",  "NULL", "assert", "_x",          "_X",      "a__b",  "a_",
                          "__",  "",      "9lives", "a-b",  "a b",    "caf\xc3\xa9", "a\nb",    "a;b",   "a\\"}) {
    INFO(bad);
    REQUIRE_FALSE(tool::valid_model_name(bad));
    REQUIRE_FALSE(tool::model_name_problem(bad).empty());
  }
  // Names made from file names are always valid.
  REQUIRE(tool::model_name_from("int") == "int_model");
  REQUIRE(tool::model_name_from("9lives") == "model_9lives");
  REQUIRE(tool::model_name_from("x\nint main(){return 1;}") == "x_int_main_return_1");
  REQUIRE(tool::model_name_from("__") == "model");
  REQUIRE(tool::model_name_from("_X_") == "X");
  REQUIRE(tool::model_name_from("caf\xc3\xa9 model") == "caf_model");
  REQUIRE(tool::model_name_from("weft") == "weft_model");
  for (const char* text : {"", "int", "a__b_", "\n\n", "?\?/", "_Z", "delete.tflite", "9", "std"}) {
    INFO(text);
    REQUIRE(tool::valid_model_name(tool::model_name_from(text)));
  }
  const auto imported = tool::import_tflite(tool::read_file(corpus + "/good_int8_network.tflite"));
  REQUIRE_THROWS_AS(tool::generate_header(imported, "class", "x.tflite"), std::invalid_argument);
  REQUIRE_THROWS_AS(tool::generate_header(imported, "a\nint x;", "x.tflite"), std::invalid_argument);
}

TEST_CASE("strings become escaped literals and comments that cannot end early", "[tool][codegen][names]") {
  using tool::comment_text;
  using tool::cpp_string_literal;
  REQUIRE(cpp_string_literal("plain name/1") == "\"plain name/1\"");
  REQUIRE(cpp_string_literal(std::string("a\"b\\c\n\x01?\xff\0"
                                         "7",
                                         11)) == R"("a\"b\\c\n\001\?\377\0007")");
  REQUIRE(cpp_string_literal("?\?/") == R"("\?\?/")");
  REQUIRE(comment_text("*/ x /*") == R"(\052/ x /\052)");
  REQUIRE(comment_text("ends in \\") == R"(ends in \134)");
  REQUIRE(comment_text("a\nb\rc") == R"(a\nb\015c)");
  REQUIRE(comment_text("caf\xc3\xa9") == R"(caf\303\251)");
}

TEST_CASE("the header checker finds what would let names out", "[tool][codegen][names]") {
  using tool::check::lex_header;
  REQUIRE(lex_header("#pragma once\n#include <weft/weft.hpp>\n// ok \\052/\nconst char* s = \"a\\n\\001\";\n")
              .error.empty());
  for (const char* bad : {"const char* s = \"a\nb\";\n", "// x */ y\n", "// x /* y\n", "// ends \\\nint x;\n",
                          "/* block */\n", "int x; */\n", "// ?\?/\n", "// tab\t\n", "// caf\xc3\xa9\n",
                          "const char* s = R\"(x)\";\n", "const char* s = \"\\x41\";\n", "char c = 'a';\n",
                          "int x; #define y\n", "#define y 1\n", "const char* s = \"a\";", "// \r\n"}) {
    INFO(bad);
    REQUIRE_FALSE(lex_header(bad).error.empty());
  }
}

TEST_CASE("strings from the file reach the header only inside literals and comments", "[tool][codegen][names]") {
  auto imported = tool::import_tflite(tool::read_file(corpus + "/good_int8_network.tflite"));
  const std::vector<std::string> hostile = {
      "x\n[[maybe_unused]] static int weft_pwned = __builtin_printf(\"PWNED\");\n//",
      "*/ int after_close; /*",
      "ends in a backslash \\",
      "?\?/",
      "#error directive",
      std::string("NUL\0inside\x80\xff\x7f\r\t", 15),
      "caf\xc3\xa9 \xe2\x80\xa8",
      "\"",
      "R\"(raw",
      "int"};
  const std::string plain = tool::generate_header(imported, "hostile", "hostile.tflite");
  for (std::size_t i = 0; i < imported.tensor_names.size(); ++i) imported.tensor_names[i] = hostile[i % hostile.size()];
  for (std::size_t i = 0; i < imported.op_names.size(); ++i) imported.op_names[i] = hostile[(i + 3) % hostile.size()];
  imported.description = hostile[0] + hostile[2];
  for (const std::string& source : hostile) {
    INFO(source);
    const std::string h = tool::generate_header(imported, "hostile", source);
    const auto got = tool::check::lex_header(h);
    INFO(got.error);
    REQUIRE(got.error.empty());
    const auto want = tool::check::lex_header(plain);
    REQUIRE(want.error.empty());
    REQUIRE(got.skeleton == want.skeleton);
    REQUIRE(h.find("inline constexpr const char* source = " + tool::cpp_string_literal(source) + ";\n") !=
            std::string::npos);
  }
  const std::string h = tool::generate_header(imported, "hostile", "x.tflite");
  REQUIRE(h.find("inline constexpr const char* description = " + tool::cpp_string_literal(imported.description)) !=
          std::string::npos);
  REQUIRE(h.find("\"x\\n[[maybe_unused]] static int weft_pwned = __builtin_printf(\\\"PWNED\\\");\\n//\"") !=
          std::string::npos);
}

TEST_CASE("the plan report gives arena, lower bound, weights and MACs", "[tool][plan]") {
  const auto imported = tool::import_tflite(tool::read_file(corpus + "/good_int8_network.tflite"));
  const auto& g = *imported.graph;
  const auto p = plan_memory(g);
  const std::string json = tool::plan_json(imported, core_profile{});
  REQUIRE(json.find("\"arena_bytes\": " + std::to_string(p.arena_bytes)) != std::string::npos);
  REQUIRE(json.find("\"arena_lower_bound_bytes\": " + std::to_string(p.lower_bound_bytes)) != std::string::npos);
  std::int64_t macs = 0;
  std::size_t weights = 0;
  for (int i = 0; i < g.node_count; ++i) {
    macs += g.at(i).macs;
    weights += (g.at(i).weights.empty() ? 0 : g.at(i).weights.spec.bytes()) +
               (g.at(i).bias.empty() ? 0 : g.at(i).bias.spec.bytes());
  }
  REQUIRE(g.at(0).macs == 6 * 10 * 8 * (3 * 3 * 3));  // the first conv: [1,6,10,8] outputs of 3x3x3 windows
  REQUIRE(json.find("\"macs\": " + std::to_string(macs)) != std::string::npos);
  REQUIRE(json.find("\"weight_bytes\": " + std::to_string(weights)) != std::string::npos);
  REQUIRE(json.find("\"ops\": [{\"index\": 0, \"op\": \"conv2d\"") != std::string::npos);
  const std::string text = tool::plan_text(imported, "tiny.tflite", core_profile{});
  REQUIRE(text.find("arena bytes:        " + std::to_string(p.arena_bytes)) != std::string::npos);
  // On host threads the arena is the one planned for cores that share lines.
  constexpr auto host2 = core_profile::uniform(2).with_shared_lines(host_line_bytes);
  REQUIRE(tool::plan_json(imported, host2)
              .find("\"arena_bytes\": " + std::to_string(plan_memory(g, memory_mode::compact, host2).arena_bytes)) !=
          std::string::npos);
}
