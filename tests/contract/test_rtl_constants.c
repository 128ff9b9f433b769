/* The Verilog and the C headers must agree: every localparam in the .v files
 * of rtl/ and boards/ whose name is one of the protocol's or the memory map's
 * constants is parsed and compared with its definition in include/snn/ (or,
 * for snn_ctrl's I/O registers, rtl/fw/snn_ctrl_io.h, its programs' side),
 * so a number typed in both places cannot drift. Likewise the iCEBreaker
 * profile's 16 geometry fields wherever the RTL builds repeat them (the
 * engine, device and UART-device sets of rtl/mk/, the board core's
 * parameter defaults) against lib/geometry.c's profile. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../harness.h"
#include "snn/config.h"
#include "snn/geometry.h"
#include "snn/protocol.h"
#include "../../rtl/fw/snn_ctrl_io.h"
#include "../../rtl/fw/snn_engine_io.h"
#include "../../rtl/fw/step_accel.h"

/* Verilog name -> C value. A module may use any subset. */
static const struct {
	const char *name;
	unsigned long value;
} known[] = {
	{"OP_IDENTIFY", SNN_OP_IDENTIFY}, {"OP_RESET", SNN_OP_RESET},
	{"OP_WRITE_MEM", SNN_OP_WRITE_MEM}, {"OP_READ_MEM", SNN_OP_READ_MEM},
	{"OP_CHECKSUM", SNN_OP_CHECKSUM}, {"OP_INPUT", SNN_OP_INPUT}, {"OP_STEP", SNN_OP_STEP},
	{"OP_COUNTERS", SNN_OP_COUNTERS}, {"OP_ECHO", SNN_OP_ECHO}, {"OP_OUTPUT", SNN_OP_OUTPUT},
	{"OP_PIXELS", SNN_OP_PIXELS}, {"OP_RUN", SNN_OP_RUN},
	{"OP_ERROR", SNN_OP_ERROR}, {"REPLY_BIT", SNN_REPLY_BIT},
	{"E_CRC", SNN_LERR_CRC}, {"E_LENGTH", SNN_LERR_LENGTH}, {"E_OPCODE", SNN_LERR_OPCODE},
	{"E_ADDRESS", SNN_LERR_ADDRESS}, {"E_ARG", SNN_LERR_ARG}, {"E_CONFIG", SNN_LERR_CONFIG},
	{"E_OVERFLOW", SNN_LERR_OVERFLOW},
	{"REGION_GLOBAL", SNN_REGION_GLOBAL}, {"REGION_CORE", SNN_REGION_CORE},
	{"REGION_BIAS", SNN_REGION_BIAS}, {"REGION_SYNAPSE", SNN_REGION_SYNAPSE},
	{"REGION_ROUTE", SNN_REGION_ROUTE}, {"REGION_INPUT_ROUTE", SNN_REGION_INPUT_ROUTE},
	{"REGION_STATE", SNN_REGION_STATE}, {"R_GLOBAL", SNN_REGION_GLOBAL},
	{"R_INPUT_ROUTE", SNN_REGION_INPUT_ROUTE}, {"R_CORE", SNN_REGION_CORE},
	{"R_BIAS", SNN_REGION_BIAS}, {"R_SYNAPSE", SNN_REGION_SYNAPSE}, {"R_ROUTE", SNN_REGION_ROUTE},
	{"R_STATE", SNN_REGION_STATE},
	{"PROTOCOL_VERSION", SNN_PROTOCOL_VERSION}, {"DEVICE_RTL", SNN_DEVICE_RTL},
	{"DEVICE_FPGA", SNN_DEVICE_FPGA}, {"SOF", SNN_FRAME_SOF},
	{"MAX_PAYLOAD", SNN_FRAME_MAX_PAYLOAD},
	{"STATUS_GOOD", SNN_DECODE_FRAME}, {"STATUS_BAD_CRC", SNN_DECODE_BAD_CRC},
	{"STATUS_BAD_LENGTH", SNN_DECODE_BAD_LENGTH},
	{"CORE_REGS", SNN_CORE_REGS}, {"GLOBAL_REGS", SNN_G_REGS},
	{"IO_DATA", SNN_CTRL_IO_DATA}, {"IO_DATA_CRC", SNN_CTRL_IO_DATA_CRC},
	{"IO_STATUS", SNN_CTRL_IO_STATUS}, {"IO_CRC_CLEAR", SNN_CTRL_IO_CRC_CLEAR},
	{"IO_CRC", SNN_CTRL_IO_CRC}, {"IO_CRC_FEED", SNN_CTRL_IO_CRC_FEED}, {"IO_SPI", SNN_CTRL_IO_SPI},
	{"IO_SPI_CS", SNN_CTRL_IO_SPI_CS}, {"IO_STATUS_RX", SNN_CTRL_STATUS_RX},
	{"IO_STATUS_BUSY", SNN_CTRL_STATUS_BUSY}, {"IO_STATUS_REFUSED", SNN_CTRL_STATUS_REFUSED},
	{"EIO_MEM_SEL", SNN_EIO_MEM_SEL}, {"EIO_MEM_INDEX", SNN_EIO_MEM_INDEX},
	{"EIO_MEM_DATA", SNN_EIO_MEM_DATA}, {"EIO_MEM_STATUS", SNN_EIO_MEM_STATUS},
	{"EIO_CMD", SNN_EIO_CMD}, {"EIO_EVENT", SNN_EIO_EVENT}, {"EIO_STEP", SNN_EIO_STEP},
	{"EIO_INPUT", SNN_EIO_INPUT}, {"EIO_CNT_SEL", SNN_EIO_CNT_SEL}, {"EIO_CNT", SNN_EIO_CNT},
	{"EIO_PIX_INDEX", SNN_EIO_PIX_INDEX}, {"EIO_PIX_VALUE", SNN_EIO_PIX_VALUE},
	{"EIO_ENCODE", SNN_EIO_ENCODE},
	{"SIO_LA_ZERO", SNN_SIO_LA_ZERO},
	{"SIO_SW_LINE", SNN_SIO_SW_LINE}, {"SIO_SW_SLOT", SNN_SIO_SW_SLOT},
	{"SIO_SW_PARAM", SNN_SIO_SW_PARAM}, {"SIO_SW_THR", SNN_SIO_SW_THR}, {"SIO_SW_RUN", SNN_SIO_SW_RUN},
	{"SIO_PIX_INDEX", SNN_SIO_PIX_INDEX},
	{"SIO_PIX_VALUE", SNN_SIO_PIX_VALUE}, {"SIO_ENCODE", SNN_SIO_ENCODE},
	{"SIO_ENC_EVENT", SNN_SIO_ENC_EVENT}, {"SIO_CYCLES", SNN_SIO_CYCLES}, {"SIO_MUL", SNN_SIO_MUL},
	{"SIO_TW_SIZE", SNN_SIO_TW_SIZE}, {"SIO_TW_KERNEL", SNN_SIO_TW_KERNEL},
	{"SIO_TW_PLANE", SNN_SIO_TW_PLANE},
	{"SIO_RR_FROM", SNN_SIO_RR_FROM}, {"SIO_RR_COUNT", SNN_SIO_RR_COUNT}, {"SIO_RR_YX", SNN_SIO_RR_YX},
	{"SIO_RR_C", SNN_SIO_RR_C}, {"SIO_RR_WRAP_X", SNN_SIO_RR_WRAP_X},
	{"SIO_RR_WRAP_Y", SNN_SIO_RR_WRAP_Y}, {"SIO_RR_RUN", SNN_SIO_RR_RUN},
	{"SIO_GT_SIZE", SNN_SIO_GT_SIZE}, {"SIO_GT_SIZE_X", SNN_SIO_GT_SIZE_X},
	{"SIO_GT_AUX", SNN_SIO_GT_AUX}, {"SIO_GT_SYN", SNN_SIO_GT_SYN},
	/* the route run's and the tap walk's coordinate bits (their parameter) */
	{"COORD_BITS", SX_COORD_BITS},
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

/* Names the Verilog gives opcodes, regions, snn_ctrl's, snn_engine_io's and snn_step_io's I/O registers,
 * whichever file they are in (E_ also names FSM states, so error codes are
 * matched by the table only). */
static bool is_protocol_name(const char *name)
{
	return !strncmp(name, "OP_", 3) || !strncmp(name, "REGION_", 7) || !strncmp(name, "IO_", 3) ||
	       !strncmp(name, "EIO_", 4) || !strncmp(name, "SIO_", 4);
}

/* Every "localparam [range] NAME = value" of one file, one per statement
 * (a statement may list several "NAME = value" separated by commas). */
static void check_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[1024];
	for (int ln = 1; fgets(line, sizeof line, f); ln++) {
		/* a localparam, or a module's parameter default (one a line:
		 * its comment dropped) */
		char *p = strstr(line, "localparam"), *comment = strstr(line, "//");
		size_t skip = strlen("localparam");
		if (!p) {
			p = strstr(line, "parameter");
			skip = strlen("parameter");
			if (!p || (comment && comment < p))
				continue;
			if (comment)
				*comment = '\0';
		}
		char *semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		p += skip;
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
			bool found = false;
			for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
				if (strcmp(known[k].name, name))
					continue;
				unsigned long got;
				th_expect(parse_number(v, &got) && got == known[k].value,
					  "%s:%d: %s = %s, include/snn/ says %lu", path, ln, name, v,
					  known[k].value);
				checked++;
				found = true;
			}
			/* an opcode or region the table does not know would
			 * go unchecked: new ones must be added here */
			th_expect(found || !is_protocol_name(name),
				  "%s:%d: %s looks like a protocol constant but is not in this test's "
				  "table (add it with its include/snn/ name)", path, ln, name);
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

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 17];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* The profile's fields in the order of docs/geometry.md. */
static void profile_fields(const snn_geometry *g, unsigned long v[16])
{
	const uint32_t f[16] = {g->n_cores, g->neurons_per_core, g->axons_per_core, g->synapse_words,
				g->weight_bits, g->membrane_bits, g->bias_bits, g->routes_per_core,
				g->input_routes, g->max_phases, g->neuron_total, g->synapse_total,
				g->route_total, g->lanes, g->state_words, g->acc_bits};
	for (int i = 0; i < 16; i++)
		v[i] = f[i];
}

/* 16 numbers after `key` in path, separated by sep: compared with want. */
static void check_list(const char *path, const char *key, char sep, const unsigned long want[16])
{
	char *text = slurp(path);
	const char *p = text ? strstr(text, key) : NULL;
	if (!th_expect(p != NULL, "%s: no '%s'", path, key))
		return;
	p += strlen(key);
	for (int i = 0; i < 16; i++) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (!th_expect(end != p, "%s: '%s' has only %d numbers", path, key, i))
			return;
		th_expect(v == want[i], "%s: '%s' field %d is %lu, the profile's %lu", path,
			  key, i, v, want[i]);
		p = end;
		if (i < 15 && *p == sep)
			p++;
	}
}

/* The defaults of the parameters named in the board core, as the profile. */
static void check_params(const char *path, const unsigned long want[16])
{
	static const char *const names[16] = {"N_CORES", "NEURONS", "AXONS", "SYN_WORDS",
		"WEIGHT_BITS", "MEMBRANE_BITS", "BIAS_BITS", "ROUTES", "INPUT_ROUTES", "MAX_PHASES",
		"NEURON_TOTAL", "SYN_TOTAL", "ROUTE_TOTAL", "LANES", "STATE_WORDS", "ACC_BITS"};
	char *text = slurp(path);
	if (!th_expect(text != NULL, "%s: unreadable", path))
		return;
	for (int i = 0; i < 16; i++) {
		char key[64];
		snprintf(key, sizeof key, "parameter %s = ", names[i]);
		const char *p = strstr(text, key);
		if (!p && (i == 13 || i == 14)) {	/* not a parameter: the engine's 8 lanes, 8 state words */
			th_expect(want[i] == 8, "%s: no %s, and the profile's is %lu, not the engine's 8", path,
				  names[i], want[i]);
			continue;
		}
		if (th_expect(p != NULL, "%s: no %s", path, key))
			th_expect(strtoul(p + strlen(key), NULL, 10) == want[i],
				  "%s: %s defaults to %lu, the profile's %lu", path, names[i],
				  strtoul(p + strlen(key), NULL, 10), want[i]);
	}
}

/* A board Makefile's engine set: the 16 fields but lanes and state words
 * (the engine's 8 and 8, which the profile must say). */
static void check_board_set(const char *path, const char *key, const unsigned long want[16])
{
	th_expect(want[13] == 8 && want[14] == 8, "%s: the profile's lanes %lu and state words %lu "
		  "are not the engine's 8 and 8", path, want[13], want[14]);
	char *text = slurp(path);
	const char *p = text ? strstr(text, key) : NULL;
	if (!th_expect(p != NULL, "%s: no '%s'", path, key))
		return;
	p += strlen(key);
	static const int field[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15};
	for (int i = 0; i < 14; i++) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (!th_expect(end != p, "%s: '%s' has only %d numbers", path, key, i))
			return;
		th_expect(v == want[field[i]], "%s: '%s' field %d is %lu, the profile's %lu", path, key,
			  field[i], v, want[field[i]]);
		p = end + (*end == ':');
	}
}

int main(void)
{
	th_case("icebreaker_profile_in_rtl_builds");
	const snn_profile *ib = snn_profile_find("icebreaker");
	if (th_expect(ib != NULL, "no icebreaker profile")) {
		unsigned long want[16];
		profile_fields(&ib->geo, want);
		check_list("rtl/mk/array.mk", "icebreaker:", ':', want);
		check_list("rtl/mk/cmd.mk", "icebreaker:", ':', want);
		check_list("rtl/mk/uart.mk", "ibdev:16:", ':', want);
		check_params("boards/icebreaker/snn_icebreaker_core.v", want);
	}

	th_case("ulx3s_profile_in_rtl_builds");
	const snn_profile *ux = snn_profile_find("ulx3s");
	if (th_expect(ux != NULL, "no ulx3s profile")) {
		unsigned long want[16];
		profile_fields(&ux->geo, want);
		check_list("rtl/mk/array.mk", "ulx3s:", ':', want);
		check_board_set("boards/ulx3s/Makefile", "ENGINE_SETS := profile:", want);
		check_list("rtl/mk/uart.mk", "ulxdev:10:", ':', want);
		check_params("boards/ulx3s/snn_ulx3s_core.v", want);
	}

	th_case("rtl_constants_match_headers");
	check_dir("rtl");
	check_dir("boards");
	/* snn_cmd alone names 30 of them: finding fewer means the parser broke. */
	th_expect(checked >= 30, "only %d constants found in rtl/", checked);
	printf("  %d Verilog constants compared with include/snn/\n", checked);
	return th_done("test_rtl_constants");
}
