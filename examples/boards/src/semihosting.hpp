// SPDX-License-Identifier: Apache-2.0
// Semihosting, enough to read and write host files and print: the firmware
// runs any input a host tool hands it, with no rebuild. (ARM's semihosting
// operation numbers, which QEMU also serves on RISC-V.)
#pragma once

#include "board.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace semihosting {

using word = std::uintptr_t;

inline void print(const char* s) { board::semihost(0x04, s); }  // SYS_WRITE0

/// Opens a host file: mode 1 "rb", 5 "wb". Returns a handle, or -1.
inline int open(const char* path, word mode) {
  const word block[3] = {reinterpret_cast<word>(path), mode, std::strlen(path)};
  return static_cast<int>(board::semihost(0x01, block));
}
inline void close(int fd) {
  const word block[1] = {static_cast<word>(fd)};
  board::semihost(0x02, block);
}
/// Writes all of data; true on success.
inline bool write(int fd, const void* data, std::size_t n) {
  const word block[3] = {static_cast<word>(fd), reinterpret_cast<word>(data), n};
  return board::semihost(0x05, block) == 0;  // returns the bytes not written
}
/// Reads up to n bytes; returns how many it read.
inline std::size_t read(int fd, void* data, std::size_t n) {
  const word block[3] = {static_cast<word>(fd), reinterpret_cast<word>(data), n};
  return n - static_cast<std::size_t>(board::semihost(0x06, block));  // returns the bytes not read
}
inline long length(int fd) {
  const word block[1] = {static_cast<word>(fd)};
  return board::semihost(0x0C, block);  // SYS_FLEN
}
/// The command line QEMU was given (-semihosting-config arg=...), words split
/// on spaces into argv; returns argc.
inline int command_line(char* buf, std::size_t size, const char* argv[], int max_args) {
  word block[2] = {reinterpret_cast<word>(buf), size - 1};
  if (board::semihost(0x15, block) != 0) return 0;  // SYS_GET_CMDLINE
  buf[block[1]] = '\0';
  int argc = 0;
  for (char* p = buf; *p != '\0' && argc < max_args;) {
    while (*p == ' ') *p++ = '\0';
    if (*p == '\0') break;
    argv[argc++] = p;
    while (*p != '\0' && *p != ' ') ++p;
  }
  return argc;
}

}  // namespace semihosting
