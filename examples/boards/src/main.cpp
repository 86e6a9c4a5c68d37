// SPDX-License-Identifier: Apache-2.0
// Firmware that runs any imported model (the header of `weft import`, struct
// `model`) on a board, on WEFT_CORES cores. Semihosting brings the host's
// command line and files:
//   run IN OUT     one inference per record in IN (a record: every model
//                  input's raw bytes, in order; records one after another),
//                  the output records written likewise to OUT
//   bench OUT      one inference on a fixed input with a probe marking, per
//                  core, which operator or wait it is in (a QEMU plugin
//                  counts instructions per mark); writes each core's stack
//                  use to OUT
//   (nothing)      one inference on zeros; prints the first output (up to
//                  64 bytes)
#include "board.hpp"
#include "semihosting.hpp"

#include <model.hpp>

#include <weft/weft.hpp>

#include <cstdint>
#include <cstring>

namespace {

using program = weft::compiled<model, board::profile>;
weft::instance<model, board::profile> net;

constexpr std::uint32_t paint = 0xC0FFEE11u;

// Fill every core's stack with a pattern (core 0's below where it is now),
// so that the deepest use shows afterwards.
void paint_stacks() {
  for (int c = 0; c < board::cores; ++c) {
    auto stack = board::stack_of(c);
    std::uint32_t* end = stack.data() + stack.size();
    if (c == 0)  // leave what main is using alone
      end = reinterpret_cast<std::uint32_t*>(reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)) - 256);
    for (std::uint32_t* p = stack.data(); p < end; ++p) *p = paint;
  }
}

std::size_t stack_used(int c) {
  const auto stack = board::stack_of(c);
  std::size_t untouched = 0;
  while (untouched < stack.size() && stack[untouched] == paint) ++untouched;
  return (stack.size() - untouched) * sizeof(std::uint32_t);
}

char* format(char* at, std::uint32_t v) {
  char digits[24];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + v % 10);
  while ((v /= 10) != 0);
  while (n > 0) *at++ = digits[--n];
  return at;
}

[[noreturn]] void fail(const char* what) {
  semihosting::print("firmware: ");
  semihosting::print(what);
  semihosting::print("\n");
  board::exit(2);
}

constexpr std::size_t in_bytes = program::input_record_bytes;

}  // namespace

// The probe: a store to markers[slot] tells the QEMU plugin which slot
// (operator or wait) this core enters; see compiled::probe_slots.
extern "C" {
[[gnu::used]] volatile std::uint32_t weft_probe_markers[program::probe_slots + 1];
[[gnu::noinline, gnu::used]] void weft_probe_mark(int slot) { weft_probe_markers[slot] = 1; }
}
struct marker_probe {
  static void mark(int slot) { weft_probe_mark(slot); }
};

#if defined(WEFT_MUTATION_NO_WAITS)
// A deliberately broken build for the tests of the tests: every core runs all
// its steps in one go, as if the plan had no waits.
struct no_waits_job {
  program::job inner;
  static constexpr int segments() { return 1; }
  void run(int core, int) const {
    for (int s = 0; s < inner.segments(); ++s) inner.run(core, s);
  }
};
#endif

int main() {
  paint_stacks();
  board::start_secondaries();
  board::executor exec;
  static char line[512];
  const char* argv[8] = {};
  const int argc = semihosting::command_line(line, sizeof line, argv, 8);
  const char* mode = argc > 1 ? argv[1] : "";

  if (std::strcmp(mode, "run") == 0 && argc == 4) {
    const int in = semihosting::open(argv[2], 1);
    if (in < 0) fail("cannot open the input file");
    const long length = semihosting::length(in);
    if (length <= 0 || length % static_cast<long>(in_bytes) != 0)
      fail("the input file does not hold a whole number of the model's inputs");
    const int out = semihosting::open(argv[3], 5);
    if (out < 0) fail("cannot write the output file");
    for (long k = length / static_cast<long>(in_bytes); k > 0; --k) {
      for (int i = 0; i < program::input_count; ++i) {
        const auto bytes = net.input_bytes(i);
        if (semihosting::read(in, bytes.data(), bytes.size()) != bytes.size()) fail("cannot read the input file");
      }
#if defined(WEFT_MUTATION_NO_WAITS)
      exec.execute(no_waits_job{program::job{net.arena().data()}});
#else
      net.invoke(exec);
#endif
      for (int o = 0; o < program::output_count; ++o) {
        const auto bytes = net.output_bytes(o);
        if (!semihosting::write(out, bytes.data(), bytes.size())) fail("cannot write the output file");
      }
    }
    semihosting::close(in);
    semihosting::close(out);
    return 0;
  }

  if (std::strcmp(mode, "bench") == 0 && argc == 3) {
    std::uint32_t state = 0x5EEDu;
    for (int i = 0; i < program::input_count; ++i)
      for (std::byte& b : net.input_bytes(i)) {  // a fixed pseudo-random input
        state = state * 1664525u + 1013904223u;
        b = static_cast<std::byte>(state >> 24);
      }
    net.invoke_probed(exec, marker_probe{});
    weft_probe_mark(program::probe_slots);  // outside inference from here
    char report[256];
    char* p = report;
    for (const char* s = "stack_bytes"; *s != '\0';) *p++ = *s++;
    for (int c = 0; c < board::cores; ++c) {
      *p++ = ' ';
      p = format(p, static_cast<std::uint32_t>(stack_used(c)));
    }
    *p++ = '\n';
    const int out = semihosting::open(argv[2], 5);
    if (out < 0 || !semihosting::write(out, report, static_cast<std::size_t>(p - report)))
      fail("cannot write the report");
    semihosting::close(out);
    return 0;
  }

  // No command line: a smoke run on zeros.
  net.invoke(exec);
  char text[16];
  const auto first = net.output_bytes(0);
  for (std::size_t i = 0; i < first.size() && i < 64; ++i) {
    char* p = text;
    const int v = static_cast<int>(static_cast<std::int8_t>(first[i]));
    if (v < 0) *p++ = '-';
    p = format(p, static_cast<std::uint32_t>(v < 0 ? -v : v));
    *p++ = i + 1 < first.size() && i + 1 < 64 ? ' ' : '\n';
    *p = '\0';
    semihosting::print(text);
  }
  return 0;
}
