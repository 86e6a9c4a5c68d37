// SPDX-License-Identifier: Apache-2.0
// The firmware must not use the heap. The link wraps malloc, free and their
// kin onto these functions, which live in a section the linker script
// requires to be empty: if anything calls one of them (operator new does
// through malloc), the link fails and says why.
#include <cstddef>


extern "C" {
[[gnu::section(".weft_forbidden_heap")]] void* __wrap_malloc(std::size_t) { return nullptr; }
[[gnu::section(".weft_forbidden_heap")]] void* __wrap_calloc(std::size_t, std::size_t) { return nullptr; }
[[gnu::section(".weft_forbidden_heap")]] void* __wrap_realloc(void*, std::size_t) { return nullptr; }
[[gnu::section(".weft_forbidden_heap")]] void __wrap_free(void*) {}
[[gnu::section(".weft_forbidden_heap")]] void* __wrap__malloc_r(void*, std::size_t) { return nullptr; }
[[gnu::section(".weft_forbidden_heap")]] void __wrap__free_r(void*, void*) {}
}
