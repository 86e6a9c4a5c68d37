// SPDX-License-Identifier: Apache-2.0
// The weft host tool: import a .tflite as a C++ model type, show its plan,
// run it on the host.

#include "codegen.hpp"
#include "host_build.hpp"
#include "model.hpp"
#include "report.hpp"
#include "target.hpp"

#include <weft/ports/sse200.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace weft::tool;
using weft::core_profile;
using weft::max_cores;

namespace {

// One entry per command, so that `weft CMD --help` prints just its part.
constexpr const char* import_usage = R"(  weft import MODEL.tflite -o MODEL.hpp [--name NAME]
        write a C++ header: the model as a type (struct NAME) with its weights
)";
constexpr const char* plan_usage = R"(  weft plan MODEL.tflite [--target T] [CORES] [--json] [--svg FILE]
        print per-operator shapes, arena offsets, arena bytes and lower bound,
        weight bytes and MACs, and on several cores each operator's split,
        tiles and MACs per core, where cores wait and the predicted balance;
        --svg draws the schedule and the arena over time
)";
constexpr const char* run_usage =
    R"(  weft run MODEL.tflite --input IN.bin... --output OUT.bin... [--target T] [CORES] [--dump DIR]
           [--size] [--compiler C]
        compile the model for the host or an emulated board (cached) and run
        it: one --input per model input, in order, each file holding one
        inference's tensor or several one after another; one --output per
        model output, or one that receives each inference's outputs one
        after another; with --dump (host), also write every operator's
        output as DIR/opNNN.bin (NNN: the .tflite operator index)
)";
constexpr const char* bench_usage =
    R"(  weft bench MODEL.tflite [--target T] [CORES] [--iterations N] [--json] [--size] [--compiler C]
        host: median latency of one inference; a board: instructions each
        core executes per operator in one inference, the critical path,
        MACs per instruction, arena, flash (code, per-operator constants and
        weights), stack per core
)";
constexpr const char* common_usage = R"(  --size (boards): build the firmware in weft's size configuration
        (WEFT_OPTIMIZE_SIZE, -Os) instead of the speed configuration
  --compiler C: gcc (default; on the host $CXX when set) or clang, for the
        host program or the board firmware
  weft operators: the TensorFlow Lite operators weft reads, one per line
        (builtin name, then weft's operator)
  weft --version, weft --help, weft COMMAND --help

T: host (default), an521 (2x Cortex-M33), an386 (Cortex-M4F), an500
(Cortex-M7), riscv-virt (1 to 8 RV32 harts); boards run in QEMU.
CORES: --cores N (N equal cores, 1 to 8; default 1) or, on the host,
--speeds S1,S2,... (one relative speed per core). On the host each core is a
thread.
Input and output files are raw tensors in the model's dtype and layout.
Cache: $WEFT_CACHE_DIR, else $XDG_CACHE_HOME/weft or ~/.cache/weft.
Exit status: 0 success, 2 bad input or usage, 1 internal failure.
)";

std::string usage() {
  return std::string("usage:\n") + import_usage + plan_usage + run_usage + bench_usage + common_usage;
}

std::string command_usage(const std::string& command) {
  const char* part = command == "import" ? import_usage
                     : command == "plan" ? plan_usage
                     : command == "run"  ? run_usage
                                         : bench_usage;
  return std::string("usage:\n") + part + common_usage;
}

#ifndef WEFT_VERSION
#define WEFT_VERSION "unknown"
#endif

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct arguments {
  std::string command;
  bool help = false;
  std::string model;
  std::map<std::string, std::string> options;
  std::vector<std::string> inputs, outputs;  // run: every --input and --output, in order
  bool json = false;
  bool size = false;
};

arguments parse(int argc, char** argv) {
  arguments a;
  if (argc < 2) throw usage_error("no command given");
  a.command = argv[1];
  const std::map<std::string, std::vector<std::string>> valued = {
      {"import", {"-o", "--output", "--name"}},
      {"plan", {"--cores", "--speeds", "--svg", "--target"}},
      {"run", {"--input", "--output", "--dump", "--cores", "--speeds", "--target", "--compiler"}},
      {"bench", {"--cores", "--speeds", "--iterations", "--target", "--compiler"}}};
  const auto known = valued.find(a.command);
  if (known == valued.end()) throw usage_error("unknown command '" + a.command + "'");
  for (int i = 2; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      a.help = true;
      return a;
    }
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json" && (a.command == "plan" || a.command == "bench")) {
      a.json = true;
    } else if (arg == "--size" && (a.command == "run" || a.command == "bench")) {
      a.size = true;
    } else if (std::find(known->second.begin(), known->second.end(), arg) != known->second.end()) {
      if (i + 1 >= argc) throw usage_error(arg + " needs a value");
      if (a.command == "run" && arg == "--input") {
        a.inputs.emplace_back(argv[++i]);
      } else if (a.command == "run" && arg == "--output") {
        a.outputs.emplace_back(argv[++i]);
      } else {
        if (a.options.count(arg == "-o" ? "--output" : arg)) throw usage_error(arg + " is given twice");
        a.options[arg == "-o" ? "--output" : arg] = argv[++i];
      }
    } else if (!arg.empty() && arg[0] == '-') {
      throw usage_error("unknown option '" + arg + "' for '" + a.command + "'");
    } else if (a.model.empty()) {
      a.model = arg;
    } else {
      throw usage_error("unexpected argument '" + arg + "'");
    }
  }
  if (a.model.empty()) throw usage_error("'" + a.command + "' needs a MODEL.tflite");
  if (a.options.count("--compiler") && a.options.at("--compiler") != "gcc" && a.options.at("--compiler") != "clang")
    throw usage_error("--compiler takes gcc or clang, not '" + a.options.at("--compiler") + "'");
  return a;
}

std::string require(const arguments& a, const std::string& option) {
  const auto it = a.options.find(option);
  if (it == a.options.end()) throw usage_error("'" + a.command + "' needs " + option);
  return it->second;
}

// Writes `text` to `path` only as a whole: a temporary file renamed over it.
void check_writable(const std::string& option, const fs::path& path);

void write_atomically(const fs::path& path, const std::string& text) {
  check_writable("", path);
  const fs::path tmp = path.string() + ".weft-tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw input_error("cannot write '" + path.string() + "'");
    }
  }
  fs::rename(tmp, path);
}

// An output the user named must be writable before any work starts (a
// build can take minutes), and a mistake is theirs to fix: input_error.
void check_writable(const std::string& option, const fs::path& path) {
  const std::string what = (option.empty() ? "" : option + " ") + "'" + path.string() + "'";
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw input_error("cannot write " + what + ": it is a folder");
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(folder, ec))
    throw input_error("cannot write " + what + ": '" + folder.string() +
                      (fs::exists(folder, ec) ? "' is not a folder" : "' does not exist"));
  if (::access(folder.c_str(), W_OK) != 0)
    throw input_error("cannot write " + what + ": the folder '" + folder.string() + "' is not writable");
}

// A folder the tool writes into (--dump): created if need be.
void make_folder(const std::string& option, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0)
    throw input_error("cannot write " + option + " '" + dir.string() +
                      "': " + (ec ? ec.message() : std::string("not a writable folder")));
}

int positive(const std::string& option, const std::string& value, int max) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || n < 1 || n > max)
    throw usage_error(option + " takes a whole number from 1 to " + std::to_string(max) + ", not '" + value + "'");
  return n;
}

core_profile cores_of(const arguments& a) {
  const bool an521 = a.options.count("--target") && a.options.at("--target") == "an521";
  if (a.options.count("--cores") && a.options.count("--speeds"))
    throw usage_error("give --cores or --speeds, not both");
  if (a.options.count("--speeds")) {
    core_profile p{0};
    std::stringstream list(a.options.at("--speeds"));
    for (std::string item; std::getline(list, item, ',');) {
      std::size_t used = 0;
      float v = 0;
      try {
        v = std::stof(item, &used);
      } catch (const std::exception&) {  // out of range (1e39) too
        used = 0;
      }
      if (used != item.size() || !std::isfinite(v) || !(v > 0.0f) || p.cores == max_cores)
        throw usage_error("--speeds takes 1 to 8 positive numbers separated by commas, not '" +
                          a.options.at("--speeds") + "'");
      p.speed[static_cast<std::size_t>(p.cores++)] = v;
    }
    if (p.cores == 0) throw usage_error("--speeds needs at least one speed");
    return p;
  }
  core_profile p =
      core_profile::uniform(a.options.count("--cores") ? positive("--cores", a.options.at("--cores"), max_cores) : 1);
  if (an521 && p.cores == 2) p = weft::ports::sse200::profile;  // the chip's own profile: CPU1 has FPU and DSP
  return p;
}

// The cores to plan for: --cores N, or --speeds S1,S2,... (one per core);
// on the host, threads whose caches share lines.
core_profile profile_of(const arguments& a) {
  const core_profile p = cores_of(a);
  const bool host = !a.options.count("--target") || a.options.at("--target") == "host";
  return host ? p.with_shared_lines(weft::host_line_bytes) : p;
}

// The --input files of `weft run`: one per model input, in order, each
// holding that input for one inference or several one after another (the
// same number in every file); with --dump (single_only), exactly one.
// Returns the number of inferences.
std::size_t check_inputs(const imported_model& m, const std::vector<std::string>& inputs, bool single_only) {
  const tool_graph& g = *m.graph;
  if (static_cast<int>(inputs.size()) != g.input_count)
    throw input_error("the model has " + std::to_string(g.input_count) + " input" + (g.input_count == 1 ? "" : "s") +
                      ": give one --input per model input, in order (" + std::to_string(inputs.size()) + " given)");
  std::size_t records = 0;
  for (int k = 0; k < g.input_count; ++k) {
    const std::string& input = inputs[static_cast<std::size_t>(k)];
    std::error_code ec;
    const auto size = fs::file_size(input, ec);
    if (ec) throw input_error("cannot open input '" + input + "'");
    const weft::tensor_spec& in = g.input_spec(k);
    const std::size_t need = in.bytes();
    const std::string what = std::to_string(need) + " bytes (the model's " +
                             (g.input_count == 1 ? std::string() : "input " + std::to_string(k) + ", ") +
                             weft::name_of(in.type) + " " + (g.input_count == 1 ? "input, " : "") +
                             std::to_string(in.dims.elements()) + " elements)";
    if (single_only && size != need)
      throw input_error("--dump takes one inference: '" + input + "' must hold exactly " + what);
    if (size == 0 || size % need != 0)
      throw input_error("input '" + input + "' must hold " + what + " or a whole number of such inputs; it has " +
                        std::to_string(size));
    if (k > 0 && size / need != records)
      throw input_error("the inputs hold different numbers of inferences: '" + inputs[0] + "' holds " +
                        std::to_string(records) + ", '" + input + "' holds " + std::to_string(size / need));
    records = size / need;
  }
  // Inputs the model fixes (a TRANSPOSE_CONV's output_shape left as a model
  // input): TFLite Micro ignores their values and so does weft, so a record
  // that says another shape would give results it did not ask for.
  for (const imported_model::fixed_input& f : m.fixed_inputs) {
    const std::string& input = inputs[static_cast<std::size_t>(f.input)];
    std::ifstream file(input, std::ios::binary);
    std::vector<std::int32_t> got(f.values.size());
    for (std::size_t r = 0; r < records; ++r) {
      file.read(reinterpret_cast<char*>(got.data()), static_cast<std::streamsize>(got.size() * sizeof(std::int32_t)));
      if (!file) throw input_error("cannot read '" + input + "'");
      if (got != f.values) {
        std::string said, want;
        for (std::size_t k = 0; k < got.size(); ++k) {
          said += (k ? ", " : "") + std::to_string(got[k]);
          want += (k ? ", " : "") + std::to_string(f.values[k]);
        }
        throw input_error("input '" + input + "' (model input " + std::to_string(f.input) + ", the " + f.what +
                          ") holds [" + said + "] in inference " + std::to_string(r) + ", but the model's output has " +
                          "the shape [" + want + "]; weft, like TensorFlow Lite Micro, ignores this input and " +
                          "computes that shape");
      }
    }
  }
  return records;
}

// A folder of the tool's own for one command, removed with everything in it.
struct scratch_folder {
  fs::path path;
  scratch_folder() {
    std::string pattern = (fs::temp_directory_path() / "weft-run-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder");
    path = pattern;
  }
  ~scratch_folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  scratch_folder(const scratch_folder&) = delete;
  scratch_folder& operator=(const scratch_folder&) = delete;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw input_error("cannot read '" + path + "'");
  return data;
}

// The runner and the firmware read one file of records (every model input's
// bytes, in order, per inference) and write one of output records: these
// join the --input files into it and split it into the --output files.
std::string join_records(const std::vector<std::string>& files, const std::vector<std::size_t>& sizes,
                         std::size_t records) {
  std::vector<std::string> data;
  for (const std::string& f : files) data.push_back(read_all(f));
  std::string joined;
  for (std::size_t r = 0; r < records; ++r)
    for (std::size_t k = 0; k < files.size(); ++k) joined.append(data[k], r * sizes[k], sizes[k]);
  return joined;
}

void split_records(const std::string& joined, const std::vector<std::size_t>& sizes,
                   const std::vector<std::string>& files) {
  std::size_t record = 0;
  for (const std::size_t n : sizes) record += n;
  const std::size_t records = record == 0 ? 0 : joined.size() / record;
  std::size_t at = 0;
  std::vector<std::string> parts(files.size());
  for (std::size_t r = 0; r < records; ++r)
    for (std::size_t k = 0; k < files.size(); ++k) {
      parts[k].append(joined, at, sizes[k]);
      at += sizes[k];
    }
  for (std::size_t k = 0; k < files.size(); ++k) write_atomically(files[k], parts[k]);
}

// Runs `program` (runner or firmware) on the --input files, leaving its
// outputs in the --output files: directly where the model has one input and
// one --output, else through joined and split files in a scratch folder.
int run_with_files(const imported_model& m, const arguments& a, std::size_t records,
                   const std::function<int(const std::string&, const std::string&)>& program) {
  const tool_graph& g = *m.graph;
  if (a.outputs.size() != 1 && static_cast<int>(a.outputs.size()) != g.output_count)
    throw input_error("the model has " + std::to_string(g.output_count) + " outputs: give one --output per model " +
                      "output, in order, or one for all of them (" + std::to_string(a.outputs.size()) + " given)");
  if (a.inputs.size() == 1 && a.outputs.size() == 1) return program(a.inputs[0], a.outputs[0]);
  scratch_folder scratch;
  std::string input = a.inputs[0];
  if (a.inputs.size() > 1) {
    std::vector<std::size_t> sizes;
    for (int k = 0; k < g.input_count; ++k) sizes.push_back(g.input_spec(k).bytes());
    input = (scratch.path / "inputs.bin").string();
    write_atomically(input, join_records(a.inputs, sizes, records));
  }
  const std::string output = a.outputs.size() == 1 ? a.outputs[0] : (scratch.path / "outputs.bin").string();
  const int status = program(input, output);
  if (status == 0 && a.outputs.size() > 1) {
    std::vector<std::size_t> sizes;
    for (int k = 0; k < g.output_count; ++k) sizes.push_back(g.output_spec(k).bytes());
    split_records(read_all(output), sizes, a.outputs);
  }
  return status;
}

std::string default_name(const std::string& model_path) {
  return model_name_from(fs::path(model_path).stem().string());
}

int run(int argc, char** argv) {
  const arguments a = parse(argc, argv);
  if (a.help) {
    std::cout << command_usage(a.command);
    return 0;
  }
  const core_profile profile = profile_of(a);
  const std::string compiler = a.options.count("--compiler") ? a.options.at("--compiler") : "";
  {
    std::error_code ec;
    if (fs::is_directory(a.model, ec)) throw input_error("'" + a.model + "' is a folder, not a .tflite file");
  }
  // Outputs are checked before the (possibly long) build.
  for (const std::string& out : a.outputs) check_writable("--output", out);
  if (a.options.count("--svg")) check_writable("--svg", a.options.at("--svg"));
  for (const std::string& in : a.inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) throw input_error("--input '" + in + "' is a folder, not a file");
    if (!fs::exists(in, ec)) throw input_error("cannot open input '" + in + "': no such file");
  }
  if (a.command == "run" && a.inputs.empty()) throw usage_error("'run' needs --input");
  if (a.command == "run" && a.outputs.empty()) throw usage_error("'run' needs --output");
  const std::vector<std::uint8_t> bytes = read_file(a.model);
  const imported_model m = import_tflite(bytes);
  const std::string source = fs::path(a.model).filename().string();
  if (a.command == "import") {
    const std::string out = require(a, "--output");
    check_writable("-o", out);
    const std::string name = a.options.count("--name") ? a.options.at("--name") : default_name(a.model);
    if (const std::string problem = model_name_problem(name); !problem.empty())
      throw usage_error("--name " + cpp_string_literal(name) + " " + problem);
    write_atomically(out, generate_header(m, name, source));
    return 0;
  }
  if (a.command == "plan") {
    if (a.options.count("--target") && a.options.at("--target") != "host") {
      const board_target& t = target_named(a.options.at("--target"));
      if (a.options.count("--speeds")) throw usage_error("--speeds is for the host; a board's cores are its own");
      if (profile.cores > t.max_cores)
        throw input_error(t.name + " has " + std::to_string(t.max_cores) + (t.max_cores == 1 ? " core" : " cores"));
    }
    if (a.options.count("--svg")) write_atomically(a.options.at("--svg"), plan_svg(m, source, profile));
    std::cout << (a.json ? plan_json(m, profile) : plan_text(m, source, profile));
    return 0;
  }
  const std::string target = a.options.count("--target") ? a.options.at("--target") : "host";
  if (target != "host") {
    const board_target& t = target_named(target);
    if (a.options.count("--speeds")) throw usage_error("--speeds is for the host; a board's cores are its own");
    if (a.options.count("--dump")) throw usage_error("--dump is for the host");
    const fs::path elf = firmware_for(m, source, t, profile.cores, argv[0], a.size, compiler);
    if (a.command == "bench") {
      const target_bench b = bench_on_target(m, elf, t, profile.cores, argv[0]);
      std::cout << (a.json ? bench_json(b, t, source) : bench_text(b, m, t, source));
      return 0;
    }
    const std::size_t records = check_inputs(m, a.inputs, false);
    const int status = run_with_files(m, a, records, [&](const std::string& in, const std::string& out) {
      return run_on_target(elf, t, profile.cores, in, out);
    });
    if (status == 2) throw input_error("the firmware refused the input '" + a.inputs[0] + "'");
    if (status != 0)
      throw std::runtime_error("the firmware exited with status " + std::to_string(status) + " on " + target);
    return 0;
  }
  if (a.size) throw usage_error("--size is for a board target (the host build is the speed configuration)");
  if (a.command == "bench") {
    const int iterations =
        a.options.count("--iterations") ? positive("--iterations", a.options.at("--iterations"), 1000000) : 200;
    const fs::path runner = host_runner(m, source, profile, argv[0], compiler);
    std::string out;
    if (const int status = run_program(runner, {"--bench", std::to_string(iterations)}, out); status != 0)
      return status;
    long long median = 0, fastest = 0;
    int n = 0;
    if (std::sscanf(out.c_str(), "%lld %lld %d", &median, &fastest, &n) != 3)
      throw std::runtime_error("the benchmark printed '" + out + "'");
    const plan_summary sum = summarize(m, profile);
    const auto s = schedule_of(m, profile);
    if (a.json) {
      std::cout << "{\"target\": \"host\", \"model\": " << json_string(source) << ", \"cores\": " << profile.cores
                << ", \"macs\": " << sum.macs << ", \"median_ns\": " << median << ", \"min_ns\": " << fastest
                << ", \"iterations\": " << n << ", \"arena_bytes\": " << sum.arena_bytes
                << ", \"state_bytes\": " << sum.state_bytes << ", \"predicted_balance\": " << s->imbalance() << "}\n";
    } else {
      std::printf(
          "%s on the host, %d %s: median %.3f ms per inference (fastest %.3f ms, %d inferences), %lld MACs, "
          "arena %zu bytes, state %zu bytes\n",
          source.c_str(), profile.cores, profile.cores == 1 ? "core" : "cores", static_cast<double>(median) / 1e6,
          static_cast<double>(fastest) / 1e6, n, static_cast<long long>(sum.macs), sum.arena_bytes, sum.state_bytes);
    }
    return 0;
  }
  // run
  const std::size_t records = check_inputs(m, a.inputs, a.options.count("--dump") != 0);
  if (a.options.count("--dump")) make_folder("--dump", a.options.at("--dump"));
  const fs::path runner = host_runner(m, source, profile, argv[0], compiler);
  const int status = run_with_files(m, a, records, [&](const std::string& in, const std::string& out) {
    std::vector<std::string> args = {in, out};
    if (a.options.count("--dump")) args.push_back(a.options.at("--dump"));
    return run_program(runner, args);
  });
  if (status == 0 && a.options.count("--dump")) {
    // The runner names each output by weft's operator; the user knows the
    // .tflite's (an operator the import folded away, a PAD, has none), as
    // tflm_run names them: opNNN.bin, or opNNN_K.bin for output K of an
    // operator with several (SPLIT). Views the import adds on the way (the
    // reshapes of a PACK) write no .tflite tensor: their files go. Weft
    // indices and .tflite ones differ both ways, so every file first takes
    // a temporary name.
    const fs::path dir = a.options.at("--dump");
    const int count = static_cast<int>(m.source_op.size());
    auto weft_name = [&](int i, const char* suffix) {
      char name[32];
      std::snprintf(name, sizeof name, "op%03d%s", i, suffix);
      return dir / name;
    };
    for (int i = 0; i < count; ++i) fs::rename(weft_name(i, ".bin"), weft_name(i, ".weft"));
    for (int i = 0; i < count; ++i) {
      const int to = m.source_op[static_cast<std::size_t>(i)], k = m.source_output[static_cast<std::size_t>(i)];
      if (k == internal_output) {
        fs::remove(weft_name(i, ".weft"));
        continue;
      }
      char name[32];
      if (k == sole_output)
        std::snprintf(name, sizeof name, "op%03d.bin", to);
      else
        std::snprintf(name, sizeof name, "op%03d_%d.bin", to, k);
      fs::rename(weft_name(i, ".weft"), dir / name);
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << usage();
    return 0;
  }
  if (argc == 2 && std::string(argv[1]) == "--version") {
    std::cout << "weft " << WEFT_VERSION << "\n";
    return 0;
  }
  if (argc == 2 && std::string(argv[1]) == "operators") {
    for (const auto& [builtin, weft_name] : supported_operators()) std::cout << builtin << " " << weft_name << "\n";
    return 0;
  }
  try {
    return run(argc, argv);
  } catch (const usage_error& e) {
    // One line and where to look, not the whole usage: the mistake stays visible.
    const std::string command = argc >= 2 ? argv[1] : "";
    const bool known = command == "import" || command == "plan" || command == "run" || command == "bench";
    std::cerr << "weft: error: " << e.what() << "\nrun 'weft " << (known ? command + " " : std::string())
              << "--help' for usage\n";
    return 2;
  } catch (const input_error& e) {
    // Some mistakes come several at once (every unsupported operator kind):
    // one line each.
    std::istringstream lines(e.what());
    for (std::string line; std::getline(lines, line);) std::cerr << "weft: error: " << line << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "weft: internal error: " << e.what() << "\n";
    return 1;
  }
}
