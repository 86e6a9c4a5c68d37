// SPDX-License-Identifier: Apache-2.0
// A firmware source that calls malloc from a static constructor (kept by the
// linker through .init_array): the no-heap check must refuse to link.
#include <cstdlib>

namespace {
struct allocates_at_start {
  allocates_at_start() : p(std::malloc(16)) {}
  void* p;
} at_start;
}  // namespace
