// SPDX-License-Identifier: Apache-2.0
// A lexical check of the headers `weft import` writes, for the fuzzer and the
// tests: compiling every header the fuzzer produces would be far too slow, so
// this checks, in microseconds, what makes strings from a model file inert.
// The generator only ever writes printable ASCII, // comments, plain string
// literals with simple escapes, and the directives `#pragma once` and
// `#include <...>`; anything else in a header means model data got out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::tool::check {

struct lexed {
  /// The header with each comment's text and each string literal's contents
  /// replaced by '#': what the compiler sees as code. Two headers whose models
  /// differ only in names must have the same skeleton.
  std::string skeleton;
  /// Why the header is not lexically what the generator writes ("" if it is).
  std::string error;
};

namespace detail {

inline bool identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

inline bool directive_ok(std::string_view line) {
  if (line == "#pragma once") return true;
  const std::string_view include = "#include <";
  if (line.substr(0, include.size()) != include || line.back() != '>') return false;
  for (const char c : line.substr(include.size(), line.size() - include.size() - 1))
    if (!(identifier_char(c) || c == '/' || c == '.')) return false;
  return true;
}

}  // namespace detail

inline lexed lex_header(std::string_view h) {
  lexed r;
  auto fail = [&](const std::string& what, std::size_t at) {
    r.error = what + " at byte " + std::to_string(at);
    r.skeleton.clear();
    return r;
  };
  // Raw control characters, tabs, CR, DEL and non-ASCII bytes: none of them
  // is written by the generator, and a CR or a UTF-8 line separator could end
  // a line for some tool.
  for (std::size_t i = 0; i < h.size(); ++i) {
    const auto c = static_cast<unsigned char>(h[i]);
    if (c != '\n' && (c < 0x20 || c > 0x7e)) return fail("raw byte " + std::to_string(c), i);
  }
  if (h.empty() || h.back() != '\n') return fail("no final newline", h.size());
  // "??" is how every trigraph starts (??/ is a backslash before C++17).
  if (const auto at = h.find("??"); at != std::string_view::npos) return fail("\"??\"", at);
  // A backslash at the end of a line splices the next line into it.
  if (const auto at = h.find("\\\n"); at != std::string_view::npos) return fail("line splice", at);

  std::size_t i = 0;
  bool line_start = true;
  while (i < h.size()) {
    const char c = h[i];
    const char next = i + 1 < h.size() ? h[i + 1] : '\0';
    if (c == '/' && next == '/') {
      const std::size_t end = h.find('\n', i);
      const std::string_view text = h.substr(i + 2, end - i - 2);
      if (text.find("/*") != std::string_view::npos || text.find("*/") != std::string_view::npos)
        return fail("\"/*\" or \"*/\" in a line comment", i);
      r.skeleton += "//#";
      i = end;  // the newline is code
      continue;
    }
    if (c == '/' && next == '*') return fail("block comment", i);
    if (c == '*' && next == '/') return fail("comment closer in code", i);
    if (c == '\\') return fail("backslash outside a literal", i);
    if (c == '\'') return fail("character literal or digit separator", i);
    if (c == '#') {
      if (!line_start) return fail("'#' inside a line", i);
      const std::size_t end = h.find('\n', i);
      if (!detail::directive_ok(h.substr(i, end - i))) return fail("unexpected directive", i);
      r.skeleton += h.substr(i, end - i);
      i = end;
      continue;
    }
    if (c == '"') {
      // Only plain literals: a prefix (u8, L, R for raw strings) could change
      // how the contents lex.
      if (i > 0 && detail::identifier_char(h[i - 1])) return fail("prefixed or raw string literal", i);
      std::size_t j = i + 1;
      for (;;) {
        if (j >= h.size() || h[j] == '\n') return fail("string literal not closed on its line", i);
        if (h[j] == '"') break;
        if (h[j] != '\\') {
          ++j;
          continue;
        }
        const char e = j + 1 < h.size() ? h[j + 1] : '\0';
        if (e >= '0' && e <= '7') {
          // Exactly three octal digits, as the generator writes them, so a
          // following digit is never part of the escape by accident.
          for (std::size_t k = 1; k <= 3; ++k)
            if (j + k >= h.size() || h[j + k] < '0' || h[j + k] > '7') return fail("short octal escape", j);
          j += 4;
        } else if (std::string_view("ntr\"\\?").find(e) != std::string_view::npos && e != '\0') {
          j += 2;
        } else {
          return fail("unexpected escape", j);
        }
      }
      if (j + 1 < h.size() && detail::identifier_char(h[j + 1])) return fail("literal suffix", j + 1);
      r.skeleton += "\"#\"";
      i = j + 1;
      line_start = false;
      continue;
    }
    line_start = c == '\n' || (line_start && c == ' ');
    r.skeleton += c;
    ++i;
  }
  return r;
}

}  // namespace weft::tool::check
