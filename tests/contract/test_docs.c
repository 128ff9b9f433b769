/* The specs in docs/ and the constants in include/snn/ must agree: every
 * table row of opcodes, error codes, counters, registers, regions and
 * profiles is parsed from the markdown and compared with the C definition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "snn/config.h"
#include "snn/geometry.h"
#include "snn/image.h"
#include "snn/protocol.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The text of the section that starts with the heading line `heading`. */
static const char *section(const char *doc, const char *heading)
{
	const char *p = doc ? strstr(doc, heading) : NULL;
	return p ? p : "";
}

/* Does a table row "| <num> | `NAME` |" (num decimal or 0x hex) exist in the
 * section text before the next heading? */
static bool has_row(const char *sec, unsigned value, const char *name)
{
	char dec[96], hex[96];
	snprintf(dec, sizeof dec, "| %u | `%s` |", value, name);
	snprintf(hex, sizeof hex, "| `0x%02X` | `%s` |", value, name);
	const char *end = strstr(sec + 1, "\n#");
	for (const char *p = sec; (p = strstr(p, "\n|")) && (!end || p < end); p++)
		if (!strncmp(p + 1, dec, strlen(dec)) || !strncmp(p + 1, hex, strlen(hex)))
			return true;
	return false;
}

int main(void)
{
	char *proto = slurp("docs/host-protocol.md");
	char *fmt = slurp("docs/config-format.md");
	char *geo = slurp("docs/geometry.md");
	char *neuron = slurp("docs/neuron-model.md");

	th_case("docs_present");
	th_expect(proto && fmt && geo && neuron, "docs/*.md readable from the repository root");

	th_case("protocol_opcodes");
	const char *req = section(proto, "## Requests");
	const struct { unsigned op; const char *name; } ops[] = {
		{SNN_OP_IDENTIFY, "IDENTIFY"}, {SNN_OP_RESET, "RESET"}, {SNN_OP_WRITE_MEM, "WRITE_MEM"},
		{SNN_OP_READ_MEM, "READ_MEM"}, {SNN_OP_CHECKSUM, "CHECKSUM"}, {SNN_OP_INPUT, "INPUT"},
		{SNN_OP_STEP, "STEP"}, {SNN_OP_PIXELS, "PIXELS"}, {SNN_OP_RUN, "RUN"},
		{SNN_OP_COUNTERS, "COUNTERS"}, {SNN_OP_ECHO, "ECHO"},
		{SNN_OP_OUTPUT, "OUTPUT"}, {SNN_OP_ERROR, "ERROR"},
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		th_expect(has_row(req, ops[i].op, ops[i].name), "no row 0x%02X %s", ops[i].op, ops[i].name);
		th_expect(!strcmp(snn_op_name(ops[i].op), ops[i].name), "snn_op_name(0x%02X)", ops[i].op);
	}

	th_case("protocol_error_codes");
	const char *errs = section(proto, "## Error codes");
	for (unsigned code = SNN_LERR_CRC; code <= SNN_LERR_OVERFLOW; code++)
		th_expect(has_row(errs, code, snn_link_err_name(code)), "no row for error %u %s", code,
			  snn_link_err_name(code));

	th_case("protocol_counters");
	const char *ctrs = section(proto, "## Counters");
	for (unsigned c = 0; c < SNN_CTR_COUNT; c++)
		th_expect(has_row(ctrs, c, snn_counter_name(c)), "no row for counter %u %s", c,
			  snn_counter_name(c));

	th_case("protocol_frame_constants");
	th_expect(strstr(proto, "`SOF` = `0xA5`") && SNN_FRAME_SOF == 0xA5, "SOF");
	th_expect(strstr(proto, "0 .. 1024") && SNN_FRAME_MAX_PAYLOAD == 1024, "max payload");
	th_expect(strstr(proto, "protocol version (4)") && SNN_PROTOCOL_VERSION == 4, "version");

	th_case("core_registers");
	const char *regs = section(fmt, "### Core registers");
	for (unsigned r = 0; r < SNN_CORE_REGS; r++)
		th_expect(has_row(regs, r, snn_core_reg_name(r)), "no row for register %u %s", r,
			  snn_core_reg_name(r));
	th_expect(SNN_CORE_REGS == 32 && SNN_R_DERIVED == 31, "32 registers, the last DERIVED");
	char modes[120] = "| 0 | `MODE` | ";
	for (unsigned m = 0; m < SNN_MODE_COUNT; m++)
		snprintf(modes + strlen(modes), sizeof modes - strlen(modes), "%s%u %s", m ? ", " : "", m,
			 snn_mode_name(m));
	th_expect(strstr(regs, modes) != NULL, "the MODE row lists every mode as %s", modes);

	th_case("memory_regions");
	const char *map = section(fmt, "## Memory map");
	for (unsigned r = 0; r < SNN_REGION_COUNT; r++)
		th_expect(has_row(map, r, snn_region_name(r)), "no row for region %u %s", r,
			  snn_region_name(r));
	char globals[200] = "";
	for (unsigned g = 0; g < SNN_G_REGS; g++)
		snprintf(globals + strlen(globals), sizeof globals - strlen(globals), "%s`%s`",
			 g ? ", " : "", snn_global_reg_name(g));
	th_expect(strstr(map, globals) != NULL, "global registers listed as %s", globals);

	th_case("image_constants");
	th_expect(strstr(fmt, "magic `\"SNNCFG\\r\\n\"`") && !memcmp(SNN_IMAGE_MAGIC, "SNNCFG\r\n", 8),
		  "magic");
	th_expect(strstr(fmt, "format version, major (2)") && SNN_IMAGE_VERSION_MAJOR == 2, "major");

	th_case("geometry_profiles");
	const char *prof = section(geo, "## Profiles");
	for (unsigned i = 0; i < snn_profile_count(); i++) {
		const snn_profile *p = snn_profile_at(i);
		const snn_geometry *g = &p->geo;
		char row[256];
		snprintf(row, sizeof row, "| `%s` | %u | %u | %u | %u | %u | %u | %u | %u | %u | %u |",
			 p->name, g->n_cores, g->neurons_per_core, g->axons_per_core, g->synapse_words,
			 g->weight_bits, g->membrane_bits, g->bias_bits, g->routes_per_core,
			 g->input_routes, g->max_phases);
		th_expect(strstr(prof, row) != NULL, "profile row missing or different: %s", row);
		snprintf(row, sizeof row, "| `%s` | %u | %u | %u | %u | %u | %u |", p->name, g->neuron_total,
			 g->synapse_total, g->route_total, g->lanes, g->state_words, g->acc_bits);
		th_expect(strstr(prof, row) != NULL, "profile budget row missing or different: %s", row);
		th_expect(snn_geometry_check(g, NULL) == 0, "profile %s within the format limits", p->name);
	}

	th_case("neuron_constants");
	th_expect(strstr(neuron, "`0` .. `15` time steps") && SNN_MAX_REFRACTORY == 15, "refractory");
	th_expect(strstr(neuron, "p * 16843009") != NULL, "Poisson threshold constant");

	free(proto);
	free(fmt);
	free(geo);
	free(neuron);
	return th_done("test_docs");
}
