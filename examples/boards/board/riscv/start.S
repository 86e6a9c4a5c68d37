/* SPDX-License-Identifier: Apache-2.0
   Entry of every hart on QEMU virt (-bios none: all harts jump here at once).
   Each hart gets its own stack (STACK_SHIFT bytes apart) and a trap vector,
   then calls hart_entry(hartid), which never returns. Harts beyond the
   stacks park for good. */
#define MAX_HARTS 8
#define STACK_SHIFT 14          /* 16 KiB per hart; link.ld agrees */

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    csrr    a0, mhartid
    li      t0, MAX_HARTS
    bgeu    a0, t0, 2f
    la      sp, __stack_top
    slli    t0, a0, STACK_SHIFT
    sub     sp, sp, t0
    la      t0, trap_entry
    csrw    mtvec, t0
    call    hart_entry
2:  wfi
    j       2b

    .balign 4
trap_entry:                     /* any trap is a bug: report it and stop */
    csrr    a0, mcause
    csrr    a1, mepc
    call    trap_report
1:  j       1b
