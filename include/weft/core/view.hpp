// SPDX-License-Identifier: Apache-2.0
// Views with static extents: a pointer plus compile-time sizes, row-major.
// A view costs one pointer; its extents cost nothing.
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace weft {

template <int... E>
struct extents {
  static_assert(((E > 0) && ...), "weft: every extent of a view must be positive");
  static constexpr int rank = sizeof...(E);
  static constexpr std::array<int, sizeof...(E)> values{E...};
  static constexpr std::size_t size = (std::size_t{1} * ... * static_cast<std::size_t>(E));

  /// Row-major offset of an index tuple.
  template <class... I>
  static constexpr std::size_t offset(I... idx) {
    static_assert(sizeof...(I) == rank, "weft: a view takes one index per extent");
    std::size_t off = 0;
    std::size_t k = 0;
    ((off = off * static_cast<std::size_t>(values[k++]) + static_cast<std::size_t>(idx)), ...);
    return off;
  }
};

/// A non-owning view of `Extents::size` elements of T at `data()`.
template <class T, class Extents>
class view {
 public:
  using element_type = T;
  using extents_type = Extents;
  static constexpr int rank = Extents::rank;

  constexpr view() = default;
  constexpr explicit view(T* p) : data_(p) {}

  static constexpr std::size_t size() { return Extents::size; }
  static constexpr int extent(int i) { return Extents::values[static_cast<std::size_t>(i)]; }

  constexpr T* data() const { return data_; }
  constexpr T* begin() const { return data_; }
  constexpr T* end() const { return data_ + Extents::size; }
  constexpr std::span<T, Extents::size> span() const { return std::span<T, Extents::size>(data_, Extents::size); }

  template <class... I>
  constexpr T& operator()(I... idx) const {
    return data_[Extents::offset(idx...)];
  }
  constexpr T& operator[](std::size_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
};

}  // namespace weft
