// SPDX-License-Identifier: Apache-2.0
// A QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts the
// instructions each vCPU executes in each probe slot of a weft firmware:
// weft's probe stores to markers[slot] when a core enters an operator's
// work or a wait, from one small function (weft_probe_mark). The plugin
// watches stores only in that function; the store's address tells it the
// slot, and every instruction is added to its vCPU's current slot. Counts are
// exact and the same from run to run: waiting spins land in wait slots, never
// in an operator's.
//
// Arguments: markers=ADDR slots=N mark_lo=ADDR mark_hi=ADDR out=FILE
// Output: one line per vCPU: "vcpu V: c0 c1 ... cN" (slot N: outside the
// inference).

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// The part of QEMU's plugin API this plugin uses (include/qemu/qemu-plugin.h
// of QEMU 7.2, API version 1), which Debian does not ship.
extern "C" {
using qemu_plugin_id_t = std::uint64_t;
using qemu_plugin_meminfo_t = std::uint32_t;
struct qemu_info_system {  // named: ISO C++ has no anonymous struct in an anonymous union
  int smp_vcpus, max_vcpus;
};
struct qemu_info_t {
  const char* target_name;
  struct {
    int min, cur;
  } version;
  bool system_emulation;
  union {
    qemu_info_system system;
  };
};
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
using vcpu_udata_cb = void (*)(unsigned int vcpu, void* userdata);
using vcpu_mem_cb = void (*)(unsigned int vcpu, qemu_plugin_meminfo_t info, std::uint64_t vaddr, void* userdata);
using tb_trans_cb = void (*)(qemu_plugin_id_t id, qemu_plugin_tb* tb);
using udata_cb = void (*)(qemu_plugin_id_t id, void* userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb);
void qemu_plugin_register_vcpu_tb_exec_cb(qemu_plugin_tb*, vcpu_udata_cb, qemu_plugin_cb_flags, void*);
void qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_insn*, vcpu_udata_cb, qemu_plugin_cb_flags, void*);
void qemu_plugin_register_vcpu_mem_cb(qemu_plugin_insn*, vcpu_mem_cb, qemu_plugin_cb_flags, qemu_plugin_mem_rw, void*);
std::size_t qemu_plugin_tb_n_insns(const qemu_plugin_tb*);
qemu_plugin_insn* qemu_plugin_tb_get_insn(const qemu_plugin_tb*, std::size_t);
std::uint64_t qemu_plugin_insn_vaddr(const qemu_plugin_insn*);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb, void*);
__attribute__((visibility("default"))) extern const int qemu_plugin_version;
}
const int qemu_plugin_version = 1;

namespace {

constexpr int max_vcpus = 64;
constexpr std::size_t max_slots = 4096;

// Plain static storage only: QEMU calls the exit callback after this
// library's static destructors have run.
struct alignas(64) vcpu_state {
  std::size_t slot;
  std::uint64_t counts[max_slots + 1];
};

std::uint64_t markers = 0, mark_lo = 0, mark_hi = 0;
std::size_t slots = 0;  // slot `slots` is outside the inference
char out_path[4096];
int vcpus = 1;
vcpu_state state[max_vcpus];

void count_tb(unsigned int vcpu, void* n) {
  vcpu_state& s = state[vcpu];
  s.counts[s.slot] += reinterpret_cast<std::uintptr_t>(n);
}

void count_insn(unsigned int vcpu, void*) {
  vcpu_state& s = state[vcpu];
  ++s.counts[s.slot];
}

void on_store(unsigned int vcpu, qemu_plugin_meminfo_t, std::uint64_t vaddr, void*) {
  if (vaddr >= markers && vaddr < markers + 4 * (slots + 1))
    state[vcpu].slot = static_cast<std::size_t>((vaddr - markers) / 4);
}

void on_translate(qemu_plugin_id_t, qemu_plugin_tb* tb) {
  const std::size_t n = qemu_plugin_tb_n_insns(tb);
  bool in_mark = false;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t pc = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i));
    in_mark = in_mark || (pc >= mark_lo && pc < mark_hi);
  }
  if (!in_mark) {  // the common case: the whole block belongs to one slot
    qemu_plugin_register_vcpu_tb_exec_cb(tb, count_tb, QEMU_PLUGIN_CB_NO_REGS, reinterpret_cast<void*>(n));
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {  // the slot changes inside: count one by one
    qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    qemu_plugin_register_vcpu_insn_exec_cb(insn, count_insn, QEMU_PLUGIN_CB_NO_REGS, nullptr);
    const std::uint64_t pc = qemu_plugin_insn_vaddr(insn);
    if (pc >= mark_lo && pc < mark_hi)
      qemu_plugin_register_vcpu_mem_cb(insn, on_store, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_W, nullptr);
  }
}

void at_exit(qemu_plugin_id_t, void*) {
  std::FILE* f = std::fopen(out_path, "w");
  if (f == nullptr) return;
  for (int v = 0; v < vcpus; ++v) {
    std::fprintf(f, "vcpu %d:", v);
    for (std::size_t k = 0; k <= slots; ++k) std::fprintf(f, " %" PRIu64, state[v].counts[k]);
    std::fprintf(f, "\n");
  }
  std::fclose(f);
}

}  // namespace

extern "C" [[gnu::visibility("default")]] int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info,
                                                                  int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "markers=", 8) == 0) markers = std::strtoull(a + 8, nullptr, 0);
    if (std::strncmp(a, "slots=", 6) == 0) slots = std::strtoull(a + 6, nullptr, 0);
    if (std::strncmp(a, "mark_lo=", 8) == 0) mark_lo = std::strtoull(a + 8, nullptr, 0);
    if (std::strncmp(a, "mark_hi=", 8) == 0) mark_hi = std::strtoull(a + 8, nullptr, 0);
    if (std::strncmp(a, "out=", 4) == 0) std::snprintf(out_path, sizeof out_path, "%s", a + 4);
  }
  if (markers == 0 || slots == 0 || slots > max_slots || mark_lo >= mark_hi || out_path[0] == '\0') {
    std::fprintf(stderr, "weft_probe: needs markers=, slots= (at most %zu), mark_lo=, mark_hi= and out=\n", max_slots);
    return -1;
  }
  vcpus = info->system_emulation ? info->system.max_vcpus : 1;
  if (vcpus > max_vcpus) vcpus = max_vcpus;
  for (auto& s : state) s.slot = slots;
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, at_exit, nullptr);
  return 0;
}
