// SPDX-License-Identifier: Apache-2.0
// Writes an imported model as a C++ header: the weights as constexpr arrays
// (flash) and a struct whose static constexpr graph is the model type.
#pragma once

#include "model.hpp"

#include <string>

namespace weft::tool {

/// True when `name` can name the generated struct (a C++ identifier).
bool valid_model_name(const std::string& name);

/// The header text for `m`, whose struct is called `name`.
std::string generate_header(const imported_model& m, const std::string& name, const std::string& source);

}  // namespace weft::tool
