// SPDX-License-Identifier: Apache-2.0
// A tensor shape of rank 0 to 4 as a structural value (usable as a template
// argument), row-major, NHWC for images.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace weft {

inline constexpr int max_rank = 4;

struct shape {
  std::array<int, max_rank> dims{};
  int rank = 0;

  constexpr shape() = default;
  constexpr shape(std::initializer_list<int> d) {
    for (int v : d) {
      if (rank < max_rank) dims[static_cast<std::size_t>(rank)] = v;
      ++rank;  // a rank above max_rank is kept so that validation can name it
    }
  }

  constexpr int operator[](int i) const { return dims[static_cast<std::size_t>(i)]; }
  constexpr int& operator[](int i) { return dims[static_cast<std::size_t>(i)]; }
  /// The last dimension (channels for NHWC), 1 for a scalar.
  constexpr int back() const { return rank > 0 ? (*this)[rank - 1] : 1; }

  constexpr std::int64_t elements() const {
    std::int64_t n = 1;
    for (int i = 0; i < rank && i < max_rank; ++i) n *= (*this)[i];
    return n;
  }
  constexpr bool valid() const {
    if (rank < 0 || rank > max_rank) return false;
    for (int i = 0; i < rank; ++i)
      if ((*this)[i] <= 0) return false;
    return true;
  }

  friend constexpr bool operator==(const shape& a, const shape& b) {
    if (a.rank != b.rank) return false;
    for (int i = 0; i < a.rank && i < max_rank; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
};

}  // namespace weft
