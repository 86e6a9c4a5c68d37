// SPDX-License-Identifier: Apache-2.0
#include "codegen.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <vector>

namespace weft::tool {
namespace {

// ASCII only: std::isalnum would follow the locale, and a byte of a UTF-8
// name must never pass as a letter.
bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool is_identifier(std::string_view s) {
  if (s.empty() || !(ascii_letter(s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return ascii_letter(c) || ascii_digit(c) || c == '_'; });
}

// C++20 keywords and alternative tokens, identifiers with special meaning
// that cannot name a class here, and standard macros that would replace the
// name before the compiler sees it.
constexpr std::string_view unusable_names[] = {
    "alignas",     "alignof",   "and",        "and_eq",    "asm",      "auto",         "bitand",
    "bitor",       "bool",      "break",      "case",      "catch",    "char",         "char8_t",
    "char16_t",    "char32_t",  "class",      "compl",     "concept",  "const",        "consteval",
    "constexpr",   "constinit", "const_cast", "continue",  "co_await", "co_return",    "co_yield",
    "decltype",    "default",   "delete",     "do",        "double",   "dynamic_cast", "else",
    "enum",        "explicit",  "export",     "extern",    "false",    "float",        "for",
    "friend",      "goto",      "if",         "inline",    "int",      "long",         "mutable",
    "namespace",   "new",       "noexcept",   "not",       "not_eq",   "nullptr",      "operator",
    "or",          "or_eq",     "private",    "protected", "public",   "register",     "reinterpret_cast",
    "requires",    "return",    "short",      "signed",    "sizeof",   "static",       "static_assert",
    "static_cast", "struct",    "switch",     "template",  "this",     "thread_local", "throw",
    "true",        "try",       "typedef",    "typeid",    "typename", "union",        "unsigned",
    "using",       "virtual",   "void",       "volatile",  "wchar_t",  "while",        "xor",
    "xor_eq",      "final",     "override",   "import",    "module",   "main",         "NULL",
    "EOF",         "assert",    "errno",      "offsetof",  "stdin",    "stdout",       "stderr",
    "setjmp",      "va_arg",    "va_copy",    "va_end",    "va_start", "std",          "weft",
    "graph"};

// One escaper for literals and comments. Printable ASCII passes; the rest is
// a three-digit octal escape, which (unlike \x) cannot run into a following
// digit. '?' is escaped so "??/" and friends cannot become trigraphs for a
// compiler that still has them. In a comment '*' is escaped too (no "/*" or
// "*/"), and so is '\' as \134: a comment that ended in a backslash would
// splice the next line into it.
std::string escaped(std::string_view text, bool comment) {
  std::string r;
  r.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\' && !comment) {
      r += "\\\\";
    } else if (c == '"') {
      r += "\\\"";
    } else if (c == '?') {
      r += "\\?";
    } else if (c == '\n') {
      r += "\\n";
    } else if (c == '\t') {
      r += "\\t";
    } else if (c >= 0x20 && c < 0x7f && c != '\\' && !(comment && c == '*')) {
      r += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
      r += buf;
    }
  }
  return r;
}

// Floats as hexadecimal literals: exact, so the generated model has the very
// scales the .tflite holds.
std::string float_literal(float f) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%af", static_cast<double>(f));
  return buf;
}

std::string shape_literal(const shape& s) {
  std::string r = "{";
  for (int i = 0; i < s.rank; ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "}";
}

std::string hw_literal(hw v) { return "{" + std::to_string(v.h) + ", " + std::to_string(v.w) + "}"; }

// Everything weft is named with weft:: (no using-directive), so a model
// called `padding` or `int8_weights` cannot shadow what the graph uses.
const char* padding_literal(padding p) { return p == padding::same ? "weft::padding::same" : "weft::padding::valid"; }

const char* activation_literal(activation a) {
  switch (a) {
    case activation::relu:
      return "weft::activation::relu";
    case activation::relu6:
      return "weft::activation::relu6";
    case activation::relu_n1_to_1:
      return "weft::activation::relu_n1_to_1";
    case activation::none:
      break;
  }
  return "weft::activation::none";
}

template <class T>
void write_array(std::ostream& os, const char* type, const std::string& name, const std::vector<T>& v) {
  os << "inline constexpr std::array<" << type << ", " << v.size() << "> " << name << " = {";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i % 24 == 0) os << "\n    ";
    if constexpr (std::is_same_v<T, float>) {
      os << float_literal(v[i]);
    } else {
      os << static_cast<long long>(v[i]);
    }
    os << (i + 1 < v.size() ? "," : "");
  }
  os << "};\n";
}

const constant_data* find(const imported_model& m, const void* data) {
  for (const auto& c : m.constants)
    if ((!c->i8.empty() && c->i8.data() == data) || (!c->i32.empty() && c->i32.data() == data) ||
        (!c->f32.empty() && c->f32.data() == data) || (!c->i16.empty() && c->i16.data() == data) ||
        (!c->i64.empty() && c->i64.data() == data))
      return c.get();
  return nullptr;
}

std::string constant_expr(const imported_model& m, const constant& c, const std::string& ns) {
  const void* data = c.i8    ? static_cast<const void*>(c.i8)
                     : c.i32 ? static_cast<const void*>(c.i32)
                     : c.i16 ? static_cast<const void*>(c.i16)
                     : c.i64 ? static_cast<const void*>(c.i64)
                             : static_cast<const void*>(c.f32);
  const constant_data* d = find(m, data);
  const std::string arr = ns + "::" + d->name;
  switch (c.spec.type) {
    case dtype::int8:
      if (c.spec.quant.per_channel())
        return "weft::int8_weights(" + arr + ", " + shape_literal(c.spec.dims) + ", " + ns + "::" + d->name +
               "_scales, " + std::to_string(c.spec.quant.axis) + ")";
      if (c.spec.quant.zero_point != 0)
        return "weft::int8_constant(" + arr + ", " + shape_literal(c.spec.dims) + ", " +
               float_literal(c.spec.quant.scale) + ", " + std::to_string(c.spec.quant.zero_point) + ")";
      return "weft::int8_weights(" + arr + ", " + shape_literal(c.spec.dims) + ", " +
             float_literal(c.spec.quant.scale) + ")";
    case dtype::int32:
      if (c.spec.dims.rank != 1) return "weft::int32_constant(" + arr + ", " + shape_literal(c.spec.dims) + ")";
      return "weft::int32_bias(" + arr + ")";
    case dtype::float32:
      return "weft::float32_constant(" + arr + ", " + shape_literal(c.spec.dims) + ")";
    case dtype::int16:
      return "weft::int16_constant(" + arr + ", " + shape_literal(c.spec.dims) + ", " +
             float_literal(c.spec.quant.scale) + ", " + std::to_string(c.spec.quant.zero_point) + ")";
    case dtype::int64:
      return "weft::int64_bias(" + arr + ")";
    case dtype::uint8:
    case dtype::boolean:
      break;  // the reader makes no such constants yet
  }
  throw std::logic_error(std::string("a constant of dtype ") + name_of(c.spec.type) + " has no C++ form yet");
}

std::string quant_literal(const tensor_spec& s) {
  // (int8 and int16 activations, and QUANTIZE's int32 outputs, are quantized.)
  if (s.type == dtype::float32 || (s.quant.scale == 0.0f && s.quant.zero_point == 0)) return "{}";
  return "{" + float_literal(s.quant.scale) + ", " + std::to_string(s.quant.zero_point) + "}";
}

// The factory call making an activation tensor's spec.
std::string tensor_literal(const tensor_spec& spec) {
  const std::string dims = shape_literal(spec.dims);
  const std::string quant = ", " + float_literal(spec.quant.scale) + ", " + std::to_string(spec.quant.zero_point) + ")";
  switch (spec.type) {
    case dtype::int8:
      return "weft::int8_tensor(" + dims + quant;
    case dtype::int16:
      return "weft::int16_tensor(" + dims + quant;
    case dtype::int32:
      return "weft::int32_tensor(" + dims + ")";
    default:
      return "weft::float32_tensor(" + dims + ")";
  }
}

// C++ literals of the types operators' options hold.
std::string literal(hw v) { return hw_literal(v); }
std::string literal(padding p) { return padding_literal(p); }
std::string literal(activation a) { return activation_literal(a); }
std::string literal(const shape& s) { return shape_literal(s); }
std::string literal(float f) { return float_literal(f); }
std::string literal(bool b) { return b ? "true" : "false"; }
std::string literal(int v) { return std::to_string(v); }
std::string literal(dtype t) { return std::string("weft::dtype::") + name_of(t); }
template <class T, std::size_t N>
std::string literal(const std::array<T, N>& a) {
  std::string r = "{";
  for (std::size_t i = 0; i < N; ++i) r += (i ? ", " : "") + literal(a[i]);
  return r + "}";
}

// Options o of unit U as a designated initializer, every field named.
template <class U>
std::string options_literal(const typename U::options& o) {
  std::string r = "{";
  std::apply(
      [&](const auto&... f) {
        bool first = true;
        ((r += (first ? "" : ", ") + std::string(".") + f.name + " = " + literal(o.*(f.member)), first = false), ...);
      },
      U::fields);
  return r + "}";
}

}  // namespace

std::string model_name_problem(const std::string& name) {
  if (!is_identifier(name)) return "is not a C++ identifier (ASCII letters, digits and '_', not starting with a digit)";
  if (std::find(std::begin(unusable_names), std::end(unusable_names), name) != std::end(unusable_names))
    return "is a C++ keyword or a name the generated code or the standard library needs";
  // The struct is at global scope, where every name starting with '_' is
  // reserved; the namespace `name`_data must not hold "__" either.
  if (name[0] == '_' || (name + "_data").find("__") != std::string::npos)
    return "is reserved in C++ (it starts with '_', holds \"__\" or ends with '_')";
  return "";
}

bool valid_model_name(const std::string& name) { return model_name_problem(name).empty(); }

std::string model_name_from(const std::string& text) {
  std::string r;
  for (const char c : text) {
    if (ascii_letter(c) || ascii_digit(c))
      r += c;
    else if (!r.empty() && r.back() != '_')
      r += '_';
  }
  while (!r.empty() && r.back() == '_') r.pop_back();
  if (r.empty()) return "model";
  if (ascii_digit(r[0])) r = "model_" + r;
  if (!valid_model_name(r)) r += "_model";
  return valid_model_name(r) ? r : "model";
}

std::string cpp_string_literal(const std::string& text) { return '"' + escaped(text, false) + '"'; }

std::string comment_text(const std::string& text) { return escaped(text, true); }

std::string generate_header(const imported_model& m, const std::string& name, const std::string& source) {
  if (const std::string problem = model_name_problem(name); !problem.empty())
    throw std::invalid_argument("model name " + cpp_string_literal(name) + " " + problem);
  for (const auto& c : m.constants)  // made by the reader, never from the file: a bug if not an identifier
    if (!is_identifier(c->name)) throw std::logic_error("constant name " + cpp_string_literal(c->name));
  const tool_graph& g = *m.graph;
  const std::string ns = name + "_data";
  auto tensor_name = [&](int id) {
    const auto i = static_cast<std::size_t>(id);
    return i < m.tensor_names.size() ? m.tensor_names[i] : std::string();
  };
  std::ostringstream os;
  os << "// Generated by `weft import` from " << comment_text(source) << ". Do not edit: regenerate it.\n"
     << "// " << g.node_count << " operators; weights in flash as constexpr arrays.\n"
     << "#pragma once\n\n#include <weft/weft.hpp>\n\n#include <array>\n#include <cstdint>\n\n"
     << "namespace " << ns << " {\n"
     << "// Strings from the model file, as escaped literals.\n"
     << "inline constexpr const char* source = " << cpp_string_literal(source) << ";\n"
     << "inline constexpr const char* description = " << cpp_string_literal(m.description) << ";\n"
     << "// The .tflite name of each tensor, by weft tensor id.\n"
     << "inline constexpr std::array<const char*, " << g.tensor_count << "> tensor_names = {";
  for (int t = 0; t < g.tensor_count; ++t) os << (t ? ",\n    " : "\n    ") << cpp_string_literal(tensor_name(t));
  os << "};\n";
  for (const auto& c : m.constants) {
    if (!c->i8.empty()) write_array(os, "std::int8_t", c->name, c->i8);
    if (!c->i32.empty()) write_array(os, "std::int32_t", c->name, c->i32);
    if (!c->f32.empty()) write_array(os, "float", c->name, c->f32);
    if (!c->i16.empty()) write_array(os, "std::int16_t", c->name, c->i16);
    if (!c->i64.empty()) write_array(os, "std::int64_t", c->name, c->i64);
    if (!c->scales.empty()) write_array(os, "float", c->name + "_scales", c->scales);
  }
  os << "}  // namespace " << ns << "\n\n";

  os << "struct " << name << " {\n  static constexpr auto graph = [] {\n"
     << "    weft::graph<" << g.node_count << ", " << g.tensor_count << "> g;\n";
  std::vector<bool> used(static_cast<std::size_t>(g.tensor_count), false);
  for (int k = 0; k < g.output_count; ++k) used[static_cast<std::size_t>(g.output_tensor(k))] = true;
  for (int i = 0; i < g.node_count; ++i)
    for (int k = 0; k < g.at(i).input_count(); ++k)
      used[static_cast<std::size_t>(g.at(i).inputs[static_cast<std::size_t>(k)])] = true;
  // Tensors in the order the graph made them, so that every id is the same.
  for (int t = 0; t < g.tensor_count; ++t) {
    const int from = g.producer[static_cast<std::size_t>(t)];
    const tensor_spec& spec = g.spec(t);
    if (from == from_model_input || from == from_state) {
      const bool input = from == from_model_input;
      os << "    // " << (input ? "input: " : "state: ") << comment_text(tensor_name(t)) << "\n"
         << "    " << (used[static_cast<std::size_t>(t)] ? "" : "[[maybe_unused]] ") << "const weft::tensor_id t" << t
         << " = g." << (input ? "input(" : "state(") << tensor_literal(spec);
      // A state tensor with contents of its own to start from (a resource
      // variable's initial value).
      if (!input && g.has_initial_value(t))
        os << ", " << constant_expr(m, g.constants[static_cast<std::size_t>(t)], ns);
      os << ");\n";
      continue;
    }
    if (from == from_constant) {
      os << "    // constant: " << comment_text(tensor_name(t)) << "\n"
         << "    " << (used[static_cast<std::size_t>(t)] ? "" : "[[maybe_unused]] ") << "const weft::tensor_id t" << t
         << " = g.constant(" << constant_expr(m, g.constants[static_cast<std::size_t>(t)], ns) << ");\n";
      continue;
    }
    const int i = from;
    const node& n = g.at(i);
    const std::string op_name =
        static_cast<std::size_t>(i) < m.op_names.size() ? m.op_names[static_cast<std::size_t>(i)] : "";
    os << "    // operator " << i << ": " << comment_text(op_name) << " -> " << comment_text(tensor_name(t)) << "\n";
    os << "    " << (used[static_cast<std::size_t>(t)] ? "" : "[[maybe_unused]] ") << "const weft::tensor_id t" << t
       << " = ";
    std::string inputs;
    for (int k = 0; k < n.input_count(); ++k)
      inputs += (k ? ", t" : "t") + std::to_string(n.inputs[static_cast<std::size_t>(k)]);
    os << "g.apply<weft::ops::" << name_of(n.kind) << "_op>({" << inputs << "}, ";
    visit_unit(n.kind, [&]<class U>() { os << options_literal<U>(n.opt<typename U::options>()); });
    os << ", " << quant_literal(spec);
    if (!n.weights.empty()) {
      os << ",\n        " << constant_expr(m, n.weights, ns);
      if (!n.bias.empty()) os << ", " << constant_expr(m, n.bias, ns);
    }
    os << ");\n";
  }
  for (int k = 0; k < g.output_count; ++k) os << "    g.output(t" << g.output_tensor(k) << ");\n";
  os << "    return g;\n  }();\n};\n";
  return os.str();
}

}  // namespace weft::tool
