// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the .tflite reader: any byte string must either import
// or be refused with weft::tool::input_error; with ASan and UBSan on, nothing
// else may happen (no crash, no leak, no undefined behaviour). Imports that
// succeed are planned and turned into a header too, as `weft` would.
#include "codegen.hpp"
#include "model.hpp"
#include "report.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const weft::tool::imported_model m = weft::tool::import_tflite({data, size});
    (void)weft::tool::plan_json(m, weft::core_profile::uniform(3));
    (void)weft::tool::plan_svg(m, "fuzz input", weft::core_profile::uniform(2));
    (void)weft::tool::generate_header(m, "fuzzed", "fuzz input");
  } catch (const weft::tool::input_error&) {
  }
  return 0;
}
