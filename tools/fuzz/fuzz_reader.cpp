// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the .tflite reader: any byte string must either import
// or be refused with weft::tool::input_error; with ASan and UBSan on, nothing
// else may happen (no crash, no leak, no undefined behaviour). Imports that
// succeed are planned and turned into a header too, as `weft` would, and the
// header must be lexically sound (header_check.hpp): strings from the file
// reach it only inside closed literals and comments, and change nothing else.
#include "codegen.hpp"
#include "header_check.hpp"
#include "model.hpp"
#include "report.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void bad_header(const char* what, const std::string& error, const std::string& header) {
  std::fprintf(stderr, "generated header %s: %s\n---\n%s---\n", what, error.c_str(), header.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace tool = weft::tool;
  try {
    tool::imported_model m = tool::import_tflite({data, size});
    (void)tool::plan_json(m, weft::core_profile::uniform(3));
    (void)tool::plan_svg(m, "fuzz input", weft::core_profile::uniform(2));
    // The file's own bytes stand in for the command-line strings too: the
    // first tensor name as the source file name, and a model name derived
    // from the description, which model_name_from must always make valid
    // (generate_header throws std::invalid_argument, uncaught here, if not).
    const std::string source = m.tensor_names.empty() ? std::string() : m.tensor_names.front();
    const std::string name = tool::model_name_from(m.description);
    const std::string header = tool::generate_header(m, name, source);
    const tool::check::lexed got = tool::check::lex_header(header);
    if (!got.error.empty()) bad_header("is not lexically sound", got.error, header);
    // The same model with every string made harmless must give the same
    // code: model data may change what literals and comments say, nothing
    // else.
    for (auto& n : m.tensor_names) n = "t";
    for (auto& n : m.op_names) n = "op";
    m.description = "d";
    const std::string plain = tool::generate_header(m, name, "s");
    const tool::check::lexed want = tool::check::lex_header(plain);
    if (!want.error.empty()) bad_header("(plain names) is not lexically sound", want.error, plain);
    if (got.skeleton != want.skeleton) bad_header("has code that depends on names", "skeletons differ", header);
  } catch (const tool::input_error&) {
  }
  return 0;
}
