/* Bare start for the programs test_rtl_cpu runs on rtl/snn_cpu.v: a stack,
 * main, and its return value stored at the exit address; characters go to
 * the output address. Both addresses are the test harness's (above the
 * program's 64 KiB). */
	.section .text.start
	.globl _start
_start:
	li sp, 0x10000
	call main
	li t0, 0x10004
	sw a0, 0(t0)
1:	j 1b

	.text
	.globl out_char
out_char:
	li t0, 0x10000
	sw a0, 0(t0)
	ret
