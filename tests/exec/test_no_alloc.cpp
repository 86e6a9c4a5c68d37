// SPDX-License-Identifier: Apache-2.0
// Inference allocates nothing: operator new and (outside sanitizer builds,
// which own malloc) the malloc family are replaced by counting versions, and
// the count must not move while models run.
#include "support/models.hpp"

#include <weft/weft.hpp>

#include <cstdio>
#include <cstdlib>
#include <new>

// The replacements below pair operator new with malloc and delete with free
// on purpose; GCC cannot see that and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
int* volatile probe = nullptr;  // keeps the deliberate allocation below from being elided
bool counting = false;
std::size_t allocations = 0;
void note() {
  if (counting) ++allocations;
}
}  // namespace

void* operator new(std::size_t n) {
  note();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  note();
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

// GCC says so with macros, Clang with __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WEFT_SANITIZED_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WEFT_SANITIZED_MALLOC 1
#endif

#if !defined(WEFT_SANITIZED_MALLOC)
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void* malloc(std::size_t n) {
  note();
  return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t s) {
  note();
  return __libc_calloc(n, s);
}
extern "C" void* realloc(void* p, std::size_t n) {
  note();
  return __libc_realloc(p, n);
}
#endif

int main() {
  static weft::instance<weft::test::residual_model> net;
  for (std::size_t i = 0; i < net.input().size(); ++i) net.input()[i] = static_cast<std::int8_t>(i * 31);
  // The check itself must be able to fail: an allocation while counting shows.
  counting = true;
  probe = new int(1);
  counting = false;
  delete probe;
  if (allocations == 0) {
    std::printf("FAIL: the allocation counter did not see a deliberate allocation\n");
    return 1;
  }
#if !defined(WEFT_SANITIZED_MALLOC)
  // And malloc itself, where this build counts it (not under sanitizers).
  allocations = 0;
  counting = true;
  void* volatile raw = std::malloc(16);
  counting = false;
  std::free(raw);
  if (allocations == 0) {
    std::printf("FAIL: the malloc counter did not see a deliberate malloc\n");
    return 1;
  }
  std::printf("operator new and malloc are counted\n");
#else
  std::printf("operator new is counted (malloc belongs to the sanitizer in this build)\n");
#endif
  allocations = 0;
  std::size_t observed = 0;
  counting = true;
  for (int k = 0; k < 100; ++k) net.invoke([&](int, std::span<const std::byte> out) { observed += out.size(); });
  counting = false;
  std::printf("%zu allocations during 100 inferences (%zu output bytes observed)\n", allocations, observed);
  return allocations == 0 && observed > 0 ? 0 : 1;
}
