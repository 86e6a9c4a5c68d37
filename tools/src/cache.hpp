// SPDX-License-Identifier: Apache-2.0
// The build cache shared by `weft run` and `weft bench` (host runners and
// board firmware). Several weft processes may use one cache at once, so an
// entry is built in a private temporary folder and published by renaming the
// folder: a reader sees no entry or a whole one, never a half-built one. An
// entry's product is checked (size and hash, recorded last) before each use,
// and a damaged entry is rebuilt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace weft::tool {

/// FNV-1a 64 over a sequence of strings (each followed by a separator, so
/// that "ab","c" and "a","bc" differ).
struct fnv1a {
  std::uint64_t h = 1469598103934665603ull;
  /// Bytes with no separator after them (a file read in pieces).
  void feed(std::string_view bytes);
  void add(const std::string& s);
  /// Every regular file under `root`, in name order: its path relative to
  /// `root`, then its bytes.
  void add_tree(const std::filesystem::path& root);
  std::string hex() const;
};

/// A whole file's bytes (empty when it cannot be read).
std::string read_text(const std::filesystem::path& p);

/// The cache folder: $WEFT_CACHE_DIR, $XDG_CACHE_HOME/weft, ~/.cache/weft or
/// <tmp>/weft-cache.
std::filesystem::path cache_root();

/// The path of `product` inside the cache entry `name`: found and checked,
/// or built by `build` (which must leave the file `product` in the folder it
/// is given and nothing that depends on that folder's path) and published.
/// Throws input_error when the cache folder cannot be written.
std::filesystem::path cached_product(const std::string& name, const std::string& product,
                                     const std::function<void(const std::filesystem::path& folder)>& build);

}  // namespace weft::tool
