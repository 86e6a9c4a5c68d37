// SPDX-License-Identifier: Apache-2.0
// Writes an imported model as a C++ header: the weights as constexpr arrays
// (flash) and a struct whose static constexpr graph is the model type.
#pragma once

#include "model.hpp"

#include <string>

namespace weft::tool {

/// Why `name` cannot name the generated struct, or "" when it can: it must
/// be a C++ identifier that is not a keyword or alternative token, is not
/// reserved at global scope (no leading underscore, no "__"; nor is the
/// namespace `name`_data) and is not `std` or `weft`.
std::string model_name_problem(const std::string& name);

/// True when `name` can name the generated struct (model_name_problem is "").
bool valid_model_name(const std::string& name);

/// A valid model name made from any text (a file's stem): other characters
/// become '_', runs of '_' shrink to one, and a name that would still be
/// refused gets a "model_" prefix or "_model" suffix.
std::string model_name_from(const std::string& text);

/// `text` as a C++ string literal, quotes included: printable ASCII stays,
/// everything else (control characters, bytes >= 0x80, NUL) is an escape, and
/// '?' is escaped so that no trigraph can form.
std::string cpp_string_literal(const std::string& text);

/// `text` made safe inside a // comment: the escapes of cpp_string_literal,
/// plus '*' escaped, so no newline, line splice, trigraph, "/*" or "*/" can
/// come from it.
std::string comment_text(const std::string& text);

/// The header text for `m`, whose struct is called `name` (which must be
/// valid_model_name; std::invalid_argument otherwise). Strings from the file
/// (tensor and operator names, the description) and `source` reach the
/// header only through cpp_string_literal and comment_text.
std::string generate_header(const imported_model& m, const std::string& name, const std::string& source);

}  // namespace weft::tool
