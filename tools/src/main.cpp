// SPDX-License-Identifier: Apache-2.0
// The weft host tool: import a .tflite as a C++ model type, show its plan,
// run it on the host.

#include "codegen.hpp"
#include "host_build.hpp"
#include "model.hpp"
#include "report.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace weft::tool;

namespace {

constexpr const char* usage = R"(usage:
  weft import MODEL.tflite -o MODEL.hpp [--name NAME]
        write a C++ header: the model as a type (struct NAME) with its weights
  weft plan MODEL.tflite [--json]
        print per-operator shapes, arena offsets, arena bytes and lower bound,
        weight bytes and MACs
  weft run MODEL.tflite --input IN.bin --output OUT.bin [--dump DIR]
        compile the model for the host (cached) and run it on IN.bin; with
        --dump, also write every operator's output as DIR/opNNN.bin

Input and output files are raw tensors in the model's dtype and layout.
Exit status: 0 success, 2 bad input or usage, 1 internal failure.
)";

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct arguments {
  std::string command;
  std::string model;
  std::map<std::string, std::string> options;
  bool json = false;
};

arguments parse(int argc, char** argv) {
  arguments a;
  if (argc < 2) throw usage_error("no command given");
  a.command = argv[1];
  const std::map<std::string, std::vector<std::string>> valued = {
      {"import", {"-o", "--output", "--name"}}, {"plan", {}}, {"run", {"--input", "--output", "--dump"}}};
  const auto known = valued.find(a.command);
  if (known == valued.end()) throw usage_error("unknown command '" + a.command + "'");
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json" && a.command == "plan") {
      a.json = true;
    } else if (std::find(known->second.begin(), known->second.end(), arg) != known->second.end()) {
      if (i + 1 >= argc) throw usage_error(arg + " needs a value");
      a.options[arg == "-o" ? "--output" : arg] = argv[++i];
    } else if (!arg.empty() && arg[0] == '-') {
      throw usage_error("unknown option '" + arg + "' for '" + a.command + "'");
    } else if (a.model.empty()) {
      a.model = arg;
    } else {
      throw usage_error("unexpected argument '" + arg + "'");
    }
  }
  if (a.model.empty()) throw usage_error("'" + a.command + "' needs a MODEL.tflite");
  return a;
}

std::string require(const arguments& a, const std::string& option) {
  const auto it = a.options.find(option);
  if (it == a.options.end()) throw usage_error("'" + a.command + "' needs " + option);
  return it->second;
}

// Writes `text` to `path` only as a whole: a temporary file renamed over it.
void write_atomically(const fs::path& path, const std::string& text) {
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

std::string default_name(const std::string& model_path) {
  std::string n = fs::path(model_path).stem().string();
  for (auto& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) n = "model_" + n;
  return n;
}

int run(int argc, char** argv) {
  const arguments a = parse(argc, argv);
  const std::vector<std::uint8_t> bytes = read_file(a.model);
  const imported_model m = import_tflite(bytes);
  const std::string source = fs::path(a.model).filename().string();
  if (a.command == "import") {
    const std::string out = require(a, "--output");
    const std::string name = a.options.count("--name") ? a.options.at("--name") : default_name(a.model);
    if (!valid_model_name(name)) throw usage_error("--name '" + name + "' is not a C++ identifier");
    write_atomically(out, generate_header(m, name, source));
    return 0;
  }
  if (a.command == "plan") {
    std::cout << (a.json ? plan_json(m) : plan_text(m, source));
    return 0;
  }
  // run
  const std::string input = require(a, "--input");
  const std::string output = require(a, "--output");
  std::vector<std::string> args = {input, output};
  if (a.options.count("--dump")) {
    const fs::path dir = a.options.at("--dump");
    fs::create_directories(dir);
    args.push_back(dir.string());
  }
  if (!fs::exists(input)) throw input_error("cannot open input '" + input + "'");
  const fs::path runner = host_runner(m, source, argv[0]);
  return run_program(runner, args);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << usage;
    return 0;
  }
  try {
    return run(argc, argv);
  } catch (const usage_error& e) {
    std::cerr << "weft: " << e.what() << "\n\n" << usage;
    return 2;
  } catch (const input_error& e) {
    std::cerr << "weft: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "weft: internal error: " << e.what() << "\n";
    return 1;
  }
}
