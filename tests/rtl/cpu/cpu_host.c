/* The host's side of the programs test_rtl_cpu runs: out_char to stdout,
 * so the same C prints what the processor must print. */
#include <stdio.h>

void out_char(int c)
{
	putchar(c);
}
