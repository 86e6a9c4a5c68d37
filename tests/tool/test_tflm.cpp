// SPDX-License-Identifier: Apache-2.0
// The corpus against TensorFlow Lite Micro itself: every op_ model (one
// operator per combination of the parameters weft supports, random shapes,
// weights and quantizations) and every good_ network runs on the same
// seeded random inputs through ../shared/tools/tflm_run (TFLite Micro's
// reference kernels) and through weft's preparation and kernels on 1, 2, 3,
// 4 and 8 cores (float32 inputs in [-1, 1], [-30, 30] for models named
// _wide). int8 outputs must be equal byte for byte; float32 outputs too
// where every operator is element-wise, else within 1e-5 of the largest
// value, as the kernels may sum in another order.
// int32 inputs (gather positions) are drawn inside the axis they index
// (TFLite Micro aborts on others); models named _ties get inputs of few
// values, and NaNs for float32 (ARG_MAX/ARG_MIN's ties and NaN rules).
// int32 outputs must be equal. int16 inputs (16x8 models) are uniform over
// int16 (values -32768 and 32767 included), and int16 outputs must be equal
// byte for byte.
// TFLite Micro aborts on depthwise convolutions without a bias (weft runs
// them); those runs are counted, and any other refusal fails.
#include "model.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

using namespace weft;
namespace fs = std::filesystem;

namespace {

std::vector<char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const void* data, std::size_t size) {
  std::ofstream out(p, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

std::string quoted(const fs::path& p) {
  std::string r = "'";
  for (char c : p.string()) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

// TFLite Micro's outputs of `model` on `inputs` (one file per model input),
// one per model output, or none when tflm_run refuses the model (its
// message is then in `why`).
std::vector<std::vector<char>> tflm_outputs(const fs::path& model, const std::vector<fs::path>& inputs, int outputs,
                                            const fs::path& work, std::string& why) {
  const fs::path log = work / "tflm.log";
  std::string command = quoted(WEFT_TFLM_RUN) + " " + quoted(model);
  for (const fs::path& in : inputs) command += " --input " + quoted(in);
  std::vector<fs::path> out;
  for (int k = 0; k < outputs; ++k) {
    out.push_back(work / ("tflm_out" + std::to_string(k) + ".bin"));
    fs::remove(out.back());
    command += " --output " + quoted(out.back());
  }
  command += " > " + quoted(log) + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    const auto text = read_bytes(log);
    why.assign(text.begin(), text.end());
    return {};
  }
  std::vector<std::vector<char>> r;
  for (const fs::path& p : out) r.push_back(read_bytes(p));
  return r;
}

// The one kind of model weft runs and TFLite Micro refuses (it aborts): a
// depthwise convolution without a bias, which converters never write.
template <class G>
bool tflm_refuses(const G& g) {
  for (int i = 0; i < g.node_count; ++i)
    if (g.at(i).kind == op::depthwise_conv2d && g.at(i).bias.empty()) return true;
  return false;
}

// The positions an int32 model input t may hold: below the size of every
// axis a gather reading it indexes.
template <class G>
int index_bound(const G& g, int t) {
  int bound = 1 << 30;
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    if (n.kind != op::gather || n.inputs[1] != t) continue;
    const shape& in = g.spec(n.inputs[0]).dims;
    const auto r = ops::gather_op::resolve(in, g.spec(t).dims, n.opt<gather_options>());
    bound = std::min(bound, in[r.axis]);
  }
  return bound;
}

struct worst_float {
  double relative = 0;
};

// Whether every operator of g is element-wise: its float32 kernels then
// compute each output as TFLite Micro does (same operations, same libm
// functions), so float32 outputs must be equal byte for byte too.
template <class G>
bool elementwise_only(const G& g) {
  for (int i = 0; i < g.node_count; ++i)
    if (family_of(g.at(i).kind) != op_family::elementwise) return false;
  return true;
}

// Output `got` of weft against TFLite Micro's `want`: byte for byte for
// int8 (and for float32 where `exact`).
void compare_output(std::span<const std::byte> got, const std::vector<char>& want, dtype type, bool exact,
                    worst_float& worst) {
  REQUIRE(got.size() == want.size());
  if (type == dtype::int8 || type == dtype::int16 || type == dtype::int32 || exact) {
    const bool same = std::memcmp(got.data(), want.data(), want.size()) == 0;
    if (!same) {
      std::size_t k = 0;
      while (got[k] == static_cast<std::byte>(want[k])) ++k;
      if (type == dtype::int32) {
        std::int32_t a = 0, b = 0;
        std::memcpy(&a, got.data() + k / 4 * 4, 4);
        std::memcpy(&b, want.data() + k / 4 * 4, 4);
        FAIL_CHECK("first difference at int32 " << k / 4 << ": weft " << a << ", TFLite Micro " << b);
      } else if (type == dtype::int16) {
        std::int16_t a = 0, b = 0;
        std::memcpy(&a, got.data() + k / 2 * 2, 2);
        std::memcpy(&b, want.data() + k / 2 * 2, 2);
        FAIL_CHECK("first difference at int16 " << k / 2 << ": weft " << a << ", TFLite Micro " << b);
      } else if (type == dtype::int8) {
        FAIL_CHECK("first difference at byte " << k << ": weft " << static_cast<int>(static_cast<std::int8_t>(got[k]))
                                               << ", TFLite Micro "
                                               << static_cast<int>(static_cast<std::int8_t>(want[k])));
      } else {
        float a = 0, b = 0;
        std::memcpy(&a, got.data() + k / 4 * 4, 4);
        std::memcpy(&b, want.data() + k / 4 * 4, 4);
        FAIL_CHECK("first difference at float " << k / 4 << ": weft " << a << ", TFLite Micro " << b);
      }
    }
    return;
  }
  std::vector<float> a(want.size() / 4), b(want.size() / 4);
  std::memcpy(a.data(), got.data(), want.size());
  std::memcpy(b.data(), want.data(), want.size());
  double largest = 0;
  for (float x : b) largest = std::max(largest, static_cast<double>(std::fabs(x)));
  double diff = 0;
  for (std::size_t k = 0; k < a.size(); ++k) diff = std::max(diff, static_cast<double>(std::fabs(a[k] - b[k])));
  const double relative = diff / std::max(largest, 1e-30);
  worst.relative = std::max(worst.relative, relative);
  CHECK(relative <= 1e-5);
}

// The core counts every model runs on, and the cost model of each: on 3
// cores, cutting and waiting cost nothing, so that every operator that can
// be cut is (small models are not worth cutting at the default costs, and
// an LSTM's per-step cut is only taken for large enough steps).
constexpr std::array<int, 5> core_counts{1, 2, 3, 4, 8};
constexpr cost_model costs_for(int cores) {
  return cores == 3 ? cost_model{.per_tile = 0, .per_wait = 0} : cost_model{};
}

// weft's outputs of graph g on each sample (raw bytes, one per model
// input) with the schedule for `cores` equal cores, compared with TFLite
// Micro's. The plan and the prepared program serve every sample, as they
// serve every inference on a device.
template <class G>
void compare_on_cores(const G& g, const std::vector<std::vector<std::vector<char>>>& inputs,
                      const std::vector<std::vector<std::vector<char>>>& want, int cores, worst_float& worst) {
  INFO(cores << " cores");
  const auto s =
      std::make_unique<schedule<G::capacity>>(plan_schedule(g, core_profile::uniform(cores), costs_for(cores)));
  test::runtime_program<G> run(g, true, true, core_profile::uniform(cores));
  for (std::size_t sample = 0; sample < inputs.size(); ++sample) {
    INFO("sample " << sample);
    run.reset_state();  // each tflm_run starts from the initial state
    for (int k = 0; k < g.input_count; ++k)
      std::memcpy(run.bytes(g.input_tensor(k)).data(), inputs[sample][static_cast<std::size_t>(k)].data(),
                  inputs[sample][static_cast<std::size_t>(k)].size());
    run.run_scheduled(*s, [&](int) {
      std::array<int, max_cores> order{};
      for (int c = 0; c < max_cores; ++c) order[static_cast<std::size_t>(c)] = c;
      return order;
    });
    for (int k = 0; k < g.output_count; ++k) {
      INFO("output " << k);
      compare_output(run.bytes(g.output_tensor(k)), want[sample][static_cast<std::size_t>(k)], g.output_spec(k).type,
                     elementwise_only(g), worst);
    }
  }
}

// The corpus in `shards` parts (every shards-th model from `shard` on), so
// that CTest runs them side by side.
constexpr int shards = 4;

void compare_corpus_shard(int shard) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(WEFT_CORPUS_DIR)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".tflite" && (name.rfind("op_", 0) == 0 || name.rfind("good_", 0) == 0))
      files.push_back(e.path());
  }
  // WEFT_TFLM_MATCH=text: only the models whose name holds text (while
  // working on an operator); the counts below then do not apply.
  const char* match = std::getenv("WEFT_TFLM_MATCH");
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > 500);
  const fs::path work = fs::temp_directory_path() / ("weft_tflm_" + std::to_string(::getpid()));
  fs::create_directories(work);
  worst_float worst;
  int int8_models = 0, int16_models = 0, float_models = 0, several_io = 0, compared = 0, refused = 0;
  for (std::size_t index = static_cast<std::size_t>(shard); index < files.size(); index += shards) {
    const fs::path& file = files[index];
    if (match != nullptr && file.filename().string().find(match) == std::string::npos) continue;
    INFO(file.filename().string());
    const tool::imported_model m = tool::import_tflite(tool::read_file(file.string()));
    const auto& g = *m.graph;
    (g.input_spec().type == dtype::int8    ? int8_models
     : g.input_spec().type == dtype::int16 ? int16_models
                                           : float_models) += 1;
    if (g.input_count > 1 || g.output_count > 1) ++several_io;
    std::vector<std::vector<std::vector<char>>> samples, wants;
    for (std::uint64_t sample = 0; sample < 2; ++sample) {
      // Seeded by the model's place in the corpus: a model gets the same
      // inputs whichever shard runs it.
      test::rng r(0x7F1A + 2 * index + sample);
      std::vector<std::vector<char>> inputs;
      std::vector<fs::path> in_files;
      for (int k = 0; k < g.input_count; ++k) {
        const tensor_spec& in = g.input_spec(k);
        std::vector<char>& input = inputs.emplace_back(in.bytes());
        const bool ties = file.filename().string().find("_ties") != std::string::npos;
        if (in.type == dtype::int32) {
          const int bound = index_bound(g, g.input_tensor(k));
          std::vector<std::int32_t> x(input.size() / 4);
          for (auto& v : x) v = r.uniform(0, bound - 1);
          std::memcpy(input.data(), x.data(), input.size());
        } else if (in.type == dtype::int16) {
          std::vector<std::int16_t> x(input.size() / 2);
          for (auto& v : x) v = static_cast<std::int16_t>(r.uniform(-32768, 32767));
          if (ties)
            for (auto& v : x) v = static_cast<std::int16_t>(v % 3);
          std::memcpy(input.data(), x.data(), input.size());
        } else if (in.type == dtype::int8) {
          auto x = r.int8s(input.size());
          if (ties)
            for (auto& v : x) v = static_cast<std::int8_t>(v % 3);
          std::memcpy(input.data(), x.data(), x.size());
        } else if (ties) {
          auto x = r.floats(input.size() / 4, -1.0, 1.0);
          for (auto& v : x) v = v < -0.6f ? std::numeric_limits<float>::quiet_NaN() : std::round(v);
          std::memcpy(input.data(), x.data(), input.size());
        } else {
          // Models named _wide (unary functions) get inputs up to where
          // their float32 kernels saturate or switch formulas.
          const double reach = file.filename().string().find("_wide") != std::string::npos ? 30.0 : 1.0;
          const auto x = r.floats(input.size() / 4, -reach, reach);
          std::memcpy(input.data(), x.data(), input.size());
        }
        in_files.push_back(work / ("in" + std::to_string(k) + ".bin"));
        write_bytes(in_files.back(), input.data(), input.size());
      }
      std::string why;
      auto want = tflm_outputs(file, in_files, g.output_count, work, why);
      if (want.empty()) {
        INFO("tflm_run: " << why);
        REQUIRE(tflm_refuses(g));
        ++refused;
        continue;
      }
      ++compared;
      samples.push_back(std::move(inputs));
      wants.push_back(std::move(want));
    }
    if (samples.empty()) continue;
    for (int cores : core_counts) compare_on_cores(g, samples, wants, cores, worst);
  }
  fs::remove_all(work);
  if (match == nullptr) REQUIRE(compared > 1000 / shards);
  REQUIRE(several_io >= 2);
  WARN("shard " << shard << " of " << shards << ": " << int8_models << " int8, " << int16_models << " int16 and "
                << float_models << " float32 models (" << several_io
                << " with several inputs or outputs), 2 inputs each: " << compared
                << " runs compared on 1, 2, 3, 4 and 8 cores, " << refused
                << " refused by TFLite Micro (depthwise without bias); largest float32 difference: " << worst.relative
                << " of the largest output");
}

// Random bytes for input spec `in`: int8 values, or float32 in [-1, 1].
std::vector<char> random_input(const tensor_spec& in, test::rng& r) {
  std::vector<char> bytes(in.bytes());
  if (in.type == dtype::int8) {
    const auto x = r.int8s(bytes.size());
    std::memcpy(bytes.data(), x.data(), x.size());
  } else {
    const auto x = r.floats(bytes.size() / 4, -1.0, 1.0);
    std::memcpy(bytes.data(), x.data(), bytes.size());
  }
  return bytes;
}

}  // namespace

// TFLite Micro's runner invokes a model once per process, so state kept
// across invocations is checked through the corpus's pairs: each stream_
// model (an SVDF) and its op_..._chained model (the same SVDF twice, on two
// inputs, sharing the state, in one invocation). weft's two inferences of
// the stream model, one after the other, must give the chained model's two
// outputs; after reset_state the first inference gives the first again.
TEST_CASE("state carries from one inference to the next, as TensorFlow Lite Micro's shared variable tensors",
          "[tool][tflm]") {
  const fs::path work = fs::temp_directory_path() / ("weft_tflm_stream_" + std::to_string(::getpid()));
  fs::create_directories(work);
  int pairs = 0;
  for (const auto& e : fs::directory_iterator(WEFT_CORPUS_DIR)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".tflite" || name.rfind("stream_", 0) != 0) continue;
    INFO(name);
    const fs::path twice = fs::path(WEFT_CORPUS_DIR) / ("op_" + name.substr(7));
    const tool::imported_model once_model = tool::import_tflite(tool::read_file(e.path().string()));
    const tool::imported_model twice_model = tool::import_tflite(tool::read_file(twice.string()));
    const auto& g = *once_model.graph;
    REQUIRE(g.input_count == 1);
    REQUIRE(twice_model.graph->input_count == 2);
    test::rng r(0x57AE + static_cast<std::uint64_t>(pairs));
    const std::vector<std::vector<char>> frames{random_input(g.input_spec(), r), random_input(g.input_spec(), r)};
    std::vector<fs::path> in_files;
    for (std::size_t k = 0; k < frames.size(); ++k) {
      in_files.push_back(work / ("frame" + std::to_string(k) + ".bin"));
      write_bytes(in_files.back(), frames[k].data(), frames[k].size());
    }
    std::string why;
    const auto want = tflm_outputs(twice, in_files, 2, work, why);
    INFO("tflm_run: " << why);
    REQUIRE(want.size() == 2);
    worst_float worst;
    for (int cores : core_counts) {
      INFO(cores << " cores");
      const auto s = std::make_unique<schedule<tool::tool_graph::capacity>>(
          plan_schedule(g, core_profile::uniform(cores), costs_for(cores)));
      test::runtime_program<tool::tool_graph> run(g, true, true, core_profile::uniform(cores));
      auto infer = [&](std::size_t frame, std::size_t expected) {
        std::memcpy(run.bytes(g.input_tensor()).data(), frames[frame].data(), frames[frame].size());
        run.run_scheduled(*s, [&](int) {
          std::array<int, max_cores> order{};
          for (int c = 0; c < max_cores; ++c) order[static_cast<std::size_t>(c)] = c;
          return order;
        });
        compare_output(run.bytes(g.output_tensor()), want[expected], g.output_spec().type, false, worst);
      };
      infer(0, 0);
      infer(1, 1);  // the state the first left
      run.reset_state();
      infer(0, 0);
    }
    ++pairs;
  }
  fs::remove_all(work);
  REQUIRE(pairs >= 9);
}

TEST_CASE("corpus models, part 1 of 4, equal TFLite Micro's reference kernels on 1 to 8 cores", "[tool][tflm]") {
  compare_corpus_shard(0);
}
TEST_CASE("corpus models, part 2 of 4, equal TFLite Micro's reference kernels on 1 to 8 cores", "[tool][tflm]") {
  compare_corpus_shard(1);
}
TEST_CASE("corpus models, part 3 of 4, equal TFLite Micro's reference kernels on 1 to 8 cores", "[tool][tflm]") {
  compare_corpus_shard(2);
}
TEST_CASE("corpus models, part 4 of 4, equal TFLite Micro's reference kernels on 1 to 8 cores", "[tool][tflm]") {
  compare_corpus_shard(3);
}
