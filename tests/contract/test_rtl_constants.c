/* The Verilog and the C headers must agree: every localparam in the .v files
 * of rtl/ and boards/ whose name is one of the protocol's or the memory map's
 * constants is parsed and compared with its definition in include/snn/, so
 * a number typed in both places cannot drift. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../harness.h"
#include "snn/config.h"
#include "snn/protocol.h"

/* Verilog name -> C value. A module may use any subset. */
static const struct {
	const char *name;
	unsigned long value;
} known[] = {
	{"OP_IDENTIFY", SNN_OP_IDENTIFY}, {"OP_RESET", SNN_OP_RESET},
	{"OP_WRITE_MEM", SNN_OP_WRITE_MEM}, {"OP_READ_MEM", SNN_OP_READ_MEM},
	{"OP_CHECKSUM", SNN_OP_CHECKSUM}, {"OP_INPUT", SNN_OP_INPUT}, {"OP_STEP", SNN_OP_STEP},
	{"OP_COUNTERS", SNN_OP_COUNTERS}, {"OP_ECHO", SNN_OP_ECHO}, {"OP_OUTPUT", SNN_OP_OUTPUT},
	{"OP_ERROR", SNN_OP_ERROR}, {"REPLY_BIT", SNN_REPLY_BIT},
	{"E_CRC", SNN_LERR_CRC}, {"E_LENGTH", SNN_LERR_LENGTH}, {"E_OPCODE", SNN_LERR_OPCODE},
	{"E_ADDRESS", SNN_LERR_ADDRESS}, {"E_ARG", SNN_LERR_ARG}, {"E_CONFIG", SNN_LERR_CONFIG},
	{"E_OVERFLOW", SNN_LERR_OVERFLOW},
	{"REGION_GLOBAL", SNN_REGION_GLOBAL}, {"REGION_CORE", SNN_REGION_CORE},
	{"REGION_BIAS", SNN_REGION_BIAS}, {"REGION_SYNAPSE", SNN_REGION_SYNAPSE},
	{"REGION_ROUTE", SNN_REGION_ROUTE}, {"REGION_INPUT_ROUTE", SNN_REGION_INPUT_ROUTE},
	{"REGION_STATE", SNN_REGION_STATE}, {"R_GLOBAL", SNN_REGION_GLOBAL},
	{"R_INPUT_ROUTE", SNN_REGION_INPUT_ROUTE},
	{"PROTOCOL_VERSION", SNN_PROTOCOL_VERSION}, {"DEVICE_RTL", SNN_DEVICE_RTL},
	{"DEVICE_FPGA", SNN_DEVICE_FPGA}, {"SOF", SNN_FRAME_SOF},
	{"MAX_PAYLOAD", SNN_FRAME_MAX_PAYLOAD},
	{"STATUS_GOOD", SNN_DECODE_FRAME}, {"STATUS_BAD_CRC", SNN_DECODE_BAD_CRC},
	{"STATUS_BAD_LENGTH", SNN_DECODE_BAD_LENGTH},
	{"CORE_REGS", SNN_CORE_REGS}, {"GLOBAL_REGS", SNN_G_REGS},
};

/* A Verilog number: decimal, or [width]'[s]{h,d,b,o}digits. */
static bool parse_number(const char *s, unsigned long *out)
{
	const char *q = strchr(s, '\'');
	char *end;
	if (!q) {
		*out = strtoul(s, &end, 10);
		return end != s;
	}
	q++;
	if (*q == 's' || *q == 'S')
		q++;
	int base = *q == 'h' || *q == 'H' ? 16 : *q == 'b' || *q == 'B' ? 2 : *q == 'o' || *q == 'O' ? 8 : 10;
	char digits[64];
	size_t n = 0;
	for (q++; *q && n + 1 < sizeof digits && (isxdigit((unsigned char)*q) || *q == '_'); q++)
		if (*q != '_')
			digits[n++] = *q;
	digits[n] = '\0';
	*out = strtoul(digits, &end, base);
	return n > 0 && *end == '\0';
}

static int checked;

/* Every "localparam [range] NAME = value" of one file, one per statement
 * (a statement may list several "NAME = value" separated by commas). */
static void check_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[1024];
	for (int ln = 1; fgets(line, sizeof line, f); ln++) {
		char *p = strstr(line, "localparam");
		if (!p)
			continue;
		char *semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		p += strlen("localparam");
		for (char *item = strtok(p, ","); item; item = strtok(NULL, ",")) {
			char *eq = strchr(item, '=');
			if (!eq)
				continue;
			char *e = eq;
			while (e > item && isspace((unsigned char)e[-1]))
				e--;
			char *b = e;
			while (b > item && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
				b--;
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(e - b), b);
			char *v = eq + 1;
			while (isspace((unsigned char)*v))
				v++;
			for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
				if (strcmp(known[k].name, name))
					continue;
				unsigned long got;
				th_expect(parse_number(v, &got) && got == known[k].value,
					  "%s:%d: %s = %s, include/snn/ says %lu", path, ln, name, v,
					  known[k].value);
				checked++;
			}
		}
	}
	fclose(f);
}

static void check_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		char path[600];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if (n > 2 && !strcmp(e->d_name + n - 2, ".v"))
			check_file(path);
		else {
			struct stat st;
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				check_dir(path);
		}
	}
	closedir(d);
}

int main(void)
{
	th_case("rtl_constants_match_headers");
	check_dir("rtl");
	check_dir("boards");
	/* snn_cmd alone names 30 of them: finding fewer means the parser broke. */
	th_expect(checked >= 30, "only %d constants found in rtl/", checked);
	printf("  %d Verilog constants compared with include/snn/\n", checked);
	return th_done("test_rtl_constants");
}
