/* Configuration image reader and writer (docs/config-format.md). The reader
 * checks every offset, length and CRC before it uses a byte. */
#include "snn/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "snn/file.h"
#include "snn/protocol.h"

#define HEADER_BYTES SNN_IMAGE_HEADER_BYTES
#define HEADER_CRC_AT SNN_IMAGE_HEADER_CRC_AT
#define ENTRY_BYTES 16u
#define MAX_SECTIONS 64u
#define EXTENSION_TYPES 256u	/* types >= this are optional and skipped */
#define INPUT_FIXED (SNN_IMAGE_NAME_BYTES + 9 * 4)
#define OUTPUT_FIXED (SNN_IMAGE_NAME_BYTES + 3 * 4)

static const char *const section_names[] = {
	"?", "CORES", "BIAS", "SYNAPSES", "ROUTES", "INPUT", "OUTPUT", "META",
};

const char *snn_section_name(unsigned type)
{
	return type >= 1 && type <= SNN_SEC_LAST ? section_names[type] : "EXTENSION";
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

int snn_image_init(snn_image *img, const snn_geometry *geo, snn_diag *diag)
{
	memset(img, 0, sizeof *img);
	img->io.steps = 1;
	img->io.input_scale = 1.0f / 255.0f;
	return snn_config_init(&img->cfg, geo, diag);
}

void snn_image_free(snn_image *img)
{
	snn_config_free(&img->cfg);
	free(img->io.outputs);
	free(img->meta);
	memset(img, 0, sizeof *img);
}

/* ---- metadata ---- */

const char *snn_image_get_meta(const snn_image *img, const char *key, char *buf,
			       size_t bufsz)
{
	size_t klen = strlen(key);
	for (const char *line = img->meta; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > klen && line[klen] == '=' && strncmp(line, key, klen) == 0) {
			size_t vlen = len - klen - 1;
			if (vlen >= bufsz)
				vlen = bufsz - 1;
			memcpy(buf, line + klen + 1, vlen);
			buf[vlen] = '\0';
			return buf;
		}
		line = end ? end + 1 : line + len;
	}
	return NULL;
}

int snn_image_set_meta(snn_image *img, const char *key, const char *value)
{
	if (!*key || strpbrk(key, "=\n") || strchr(value, '\n'))
		return SNN_ERR_ARG;
	size_t klen = strlen(key), old = img->meta ? strlen(img->meta) : 0;
	char *out = malloc(old + klen + strlen(value) + 3);
	if (!out)
		return SNN_ERR_NOMEM;
	size_t n = 0;
	for (const char *line = img->meta; line && *line;) {	/* keep other keys */
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (!(len > klen && line[klen] == '=' && strncmp(line, key, klen) == 0)) {
			memcpy(out + n, line, len);
			n += len;
			out[n++] = '\n';
		}
		line = end ? end + 1 : line + len;
	}
	n += (size_t)sprintf(out + n, "%s=%s\n", key, value);
	free(img->meta);
	img->meta = out;
	return 0;
}

/* ---- writer ---- */

typedef struct buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
} buf;

static void *grow(buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	void *at = b->p + b->len;
	memset(at, 0, n);
	b->len += n;
	return at;
}

static void put_u32(buf *b, uint32_t v)
{
	uint8_t *p = grow(b, 4);
	if (p)
		snn_put32(p, v);
}

static void put_bytes(buf *b, const void *data, size_t n)
{
	uint8_t *p = grow(b, n);
	if (p)
		memcpy(p, data, n);
}

static void put_f32(buf *b, float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	put_u32(b, v);
}

static void put_route(buf *b, const snn_route *r)
{
	uint32_t w[SNN_ROUTE_WORDS];
	snn_route_pack(r, w);
	for (unsigned i = 0; i < SNN_ROUTE_WORDS; i++)
		put_u32(b, w[i]);
}

static void put_name(buf *b, const char *name)
{
	char field[SNN_IMAGE_NAME_BYTES] = {0};
	size_t n = strnlen(name, sizeof field - 1);
	memcpy(field, name, n);
	put_bytes(b, field, sizeof field);
}

static void encode_section(const snn_image *img, unsigned type, buf *b)
{
	const snn_config *cfg = &img->cfg;
	const uint32_t n_cores = cfg->global[SNN_G_N_CORES];
	switch (type) {
	case SNN_SEC_CORES:
		put_u32(b, n_cores);
		for (uint32_t c = 0; c < n_cores; c++)
			for (unsigned r = 0; r < SNN_CORE_REGS; r++)
				put_u32(b, cfg->core[c].reg[r]);
		break;
	case SNN_SEC_BIAS:
		for (uint32_t c = 0; c < n_cores; c++)
			for (uint32_t n = 0; n < cfg->core[c].reg[SNN_R_N_NEURONS]; n++)
				put_u32(b, (uint32_t)cfg->core[c].bias[n]);
		break;
	case SNN_SEC_SYNAPSES:
		for (uint32_t c = 0; c < n_cores; c++)
			for (uint32_t i = 0; i < cfg->core[c].reg[SNN_R_SYN_COUNT]; i++) {
				uint8_t *p = grow(b, 2);
				if (p)
					snn_put16(p, (uint16_t)cfg->core[c].syn[i]);
			}
		break;
	case SNN_SEC_ROUTES:
		for (uint32_t c = 0; c < n_cores; c++)
			for (uint32_t i = 0; i < cfg->core[c].reg[SNN_R_ROUTE_COUNT]; i++)
				put_route(b, &cfg->core[c].route[i]);
		break;
	case SNN_SEC_INPUT:
		put_name(b, img->io.input_name);
		put_u32(b, cfg->global[SNN_G_INPUT_C]);
		put_u32(b, cfg->global[SNN_G_INPUT_H]);
		put_u32(b, cfg->global[SNN_G_INPUT_W]);
		put_u32(b, img->io.encoding);
		put_u32(b, img->io.steps);
		put_f32(b, img->io.input_scale);
		put_f32(b, img->io.input_offset);
		put_u32(b, 0);	/* reserved */
		put_u32(b, cfg->global[SNN_G_INPUT_ROUTES]);
		for (uint32_t i = 0; i < cfg->global[SNN_G_INPUT_ROUTES]; i++)
			put_route(b, &cfg->input_route[i]);
		break;
	case SNN_SEC_OUTPUT:
		put_name(b, img->io.output_name);
		put_u32(b, img->io.readout);
		put_u32(b, 0);	/* reserved */
		put_u32(b, img->io.n_outputs);
		for (uint32_t i = 0; i < img->io.n_outputs; i++) {
			uint8_t *p = grow(b, 4);
			if (p) {
				snn_put16(p, img->io.outputs[i].core);
				snn_put16(p + 2, img->io.outputs[i].neuron);
			}
		}
		break;
	case SNN_SEC_META:
		if (img->meta)
			put_bytes(b, img->meta, strlen(img->meta));
		break;
	}
}

static int validate_io(const snn_image *img, snn_diag *diag);

/* The first core in use with a deconv core, or -1. */
static int first_deconv(const snn_config *cfg)
{
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES] && c < cfg->geo.n_cores; c++)
		if (cfg->core[c].reg[SNN_R_MODE] == SNN_MODE_DECONV)
			return (int)c;
	return -1;
}

/* The first core in use with a DERIVED register set, or -1. */
static int first_derived(const snn_config *cfg)
{
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES] && c < cfg->geo.n_cores; c++)
		if (cfg->core[c].reg[SNN_R_DERIVED])
			return (int)c;
	return -1;
}

/* The first core in use with FLAGS CHAN_BIAS, or -1. */
static int first_chan_bias(const snn_config *cfg)
{
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES] && c < cfg->geo.n_cores; c++)
		if (cfg->core[c].reg[SNN_R_FLAGS] & SNN_F_CHAN_BIAS)
			return (int)c;
	return -1;
}

/* The oldest minor that holds cfg: 2.1 brought deconv cores, 2.2 the
 * DERIVED register, 2.3 FLAGS CHAN_BIAS, so an image without them stays
 * 2.0, readable by readers from before (which refuse register 31 set and
 * FLAGS bits they do not know). */
static uint16_t image_minor(const snn_config *cfg)
{
	return first_chan_bias(cfg) >= 0 ? 3 : first_derived(cfg) >= 0 ? 2 : first_deconv(cfg) >= 0 ? 1 : 0;
}

int snn_image_encode(const snn_image *img, uint8_t **out, size_t *outlen, snn_diag *diag)
{
	*out = NULL;
	*outlen = 0;
	int rc = snn_config_validate(&img->cfg, diag);
	if (rc || (rc = validate_io(img, diag)))
		return rc;
	const unsigned n_sec = SNN_SEC_LAST;
	buf b = {0};
	grow(&b, HEADER_BYTES + n_sec * ENTRY_BYTES);
	for (unsigned t = 1; t <= n_sec; t++) {
		while (b.len % 4)
			grow(&b, 1);
		size_t start = b.len;
		encode_section(img, t, &b);
		if (b.failed)
			break;
		uint8_t *e = b.p + HEADER_BYTES + (t - 1) * ENTRY_BYTES;
		snn_put32(e, t);
		snn_put32(e + 4, (uint32_t)start);
		snn_put32(e + 8, (uint32_t)(b.len - start));
		snn_put32(e + 12, crc32_of(b.p + start, b.len - start));
	}
	while (b.len % 4)
		grow(&b, 1);
	if (b.failed || b.len > 0xFFFFFFFFu) {
		free(b.p);
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory encoding the image");
	}
	memcpy(b.p, SNN_IMAGE_MAGIC, 8);
	snn_put16(b.p + 8, SNN_IMAGE_VERSION_MAJOR);
	snn_put16(b.p + 10, image_minor(&img->cfg));
	snn_put32(b.p + 12, (uint32_t)b.len);
	const uint32_t *g = &img->cfg.geo.n_cores;
	for (unsigned i = 0; i < SNN_GEOMETRY_FIELDS; i++)
		snn_put32(b.p + SNN_IMAGE_GEOMETRY_AT + 4 * i, g[i]);
	snn_put32(b.p + SNN_IMAGE_SECTIONS_AT, n_sec);
	uLong crc = crc32(crc32(0L, Z_NULL, 0), b.p, HEADER_CRC_AT);
	crc = crc32(crc, b.p + HEADER_BYTES, n_sec * ENTRY_BYTES);
	snn_put32(b.p + HEADER_CRC_AT, (uint32_t)crc);
	*out = b.p;
	*outlen = b.len;
	return 0;
}

/* ---- reader ---- */

/* A bounds-checked cursor over one section. */
typedef struct reader {
	const uint8_t *p;
	size_t len, pos, base;	/* base: the section's offset in the file */
	const char *name;
	snn_diag *diag;
	int rc;
} reader;

static bool need(reader *r, size_t n, const char *what)
{
	if (r->rc)
		return false;
	if (r->len - r->pos >= n)
		return true;
	r->rc = snn_fail(r->diag, SNN_ERR_FORMAT,
			 "section %s at offset 0x%zx: %s needs %zu bytes but the section has %zu left",
			 r->name, r->base + r->pos, what, n, r->len - r->pos);
	return false;
}

static uint32_t get_u32(reader *r, const char *what)
{
	if (!need(r, 4, what))
		return 0;
	uint32_t v = snn_get32(r->p + r->pos);
	r->pos += 4;
	return v;
}

static float get_f32(reader *r, const char *what)
{
	uint32_t v = get_u32(r, what);
	float f;
	memcpy(&f, &v, 4);
	return f;
}

static void get_name(reader *r, char *out, const char *what)
{
	out[0] = '\0';
	if (!need(r, SNN_IMAGE_NAME_BYTES, what))
		return;
	memcpy(out, r->p + r->pos, SNN_IMAGE_NAME_BYTES);
	if (!memchr(out, '\0', SNN_IMAGE_NAME_BYTES))
		r->rc = snn_fail(r->diag, SNN_ERR_FORMAT,
				 "section %s at offset 0x%zx: %s is not NUL-terminated",
				 r->name, r->base + r->pos, what);
	r->pos += SNN_IMAGE_NAME_BYTES;
}

static void get_route(reader *r, snn_route *rt)
{
	uint32_t w[SNN_ROUTE_WORDS];
	for (unsigned i = 0; i < SNN_ROUTE_WORDS; i++)
		w[i] = get_u32(r, "a route entry");
	snn_route_unpack(w, rt);
}

/* Reject a count before using it to index or allocate. */
static bool count_ok(reader *r, uint64_t count, uint64_t limit, const char *what)
{
	if (r->rc)
		return false;
	if (count <= limit)
		return true;
	r->rc = snn_fail(r->diag, SNN_ERR_RANGE,
			 "section %s at offset 0x%zx: %s %llu exceeds the limit %llu",
			 r->name, r->base + r->pos, what, (unsigned long long)count,
			 (unsigned long long)limit);
	return false;
}

static void decode_cores(reader *r, snn_config *cfg)
{
	uint32_t n = get_u32(r, "the core count");
	if (!count_ok(r, n, cfg->geo.n_cores, "core count"))
		return;
	cfg->global[SNN_G_N_CORES] = n;
	for (uint32_t c = 0; c < n && !r->rc; c++)
		for (unsigned k = 0; k < SNN_CORE_REGS; k++)
			cfg->core[c].reg[k] = get_u32(r, "a core register");
}

/* BIAS, SYNAPSES and ROUTES hold per-core blocks whose sizes CORES gives. */
static void decode_per_core(reader *r, snn_config *cfg, unsigned type)
{
	char what[64];
	for (uint32_t c = 0; c < cfg->global[SNN_G_N_CORES] && !r->rc; c++) {
		snn_core_cfg *k = &cfg->core[c];
		snprintf(what, sizeof what, "core %u", c);
		if (type == SNN_SEC_BIAS) {
			uint32_t n = k->reg[SNN_R_N_NEURONS];
			if (count_ok(r, n, cfg->geo.neurons_per_core, "N_NEURONS") &&
			    need(r, 4ull * n, what))
				for (uint32_t i = 0; i < n; i++)
					k->bias[i] = (int32_t)get_u32(r, what);
		} else if (type == SNN_SEC_SYNAPSES) {
			uint32_t n = k->reg[SNN_R_SYN_COUNT];
			if (count_ok(r, n, cfg->geo.synapse_words, "SYN_COUNT") &&
			    need(r, 2ull * n, what))
				for (uint32_t i = 0; i < n; i++, r->pos += 2)
					k->syn[i] = (int16_t)snn_get16(r->p + r->pos);
		} else {
			uint32_t n = k->reg[SNN_R_ROUTE_COUNT];
			if (count_ok(r, n, cfg->geo.routes_per_core, "ROUTE_COUNT") &&
			    need(r, 16ull * n, what))
				for (uint32_t i = 0; i < n; i++)
					get_route(r, &k->route[i]);
		}
	}
}

static void decode_input(reader *r, snn_image *img)
{
	snn_config *cfg = &img->cfg;
	get_name(r, img->io.input_name, "the input name");
	cfg->global[SNN_G_INPUT_C] = get_u32(r, "INPUT_C");
	cfg->global[SNN_G_INPUT_H] = get_u32(r, "INPUT_H");
	cfg->global[SNN_G_INPUT_W] = get_u32(r, "INPUT_W");
	img->io.encoding = get_u32(r, "the encoding");
	img->io.steps = get_u32(r, "the step count");
	img->io.input_scale = get_f32(r, "the input scale");
	img->io.input_offset = get_f32(r, "the input offset");
	get_u32(r, "a reserved word");
	uint32_t n = get_u32(r, "the input route count");
	if (!count_ok(r, n, cfg->geo.input_routes, "input route count"))
		return;
	cfg->global[SNN_G_INPUT_ROUTES] = n;
	for (uint32_t i = 0; i < n && !r->rc; i++)
		get_route(r, &cfg->input_route[i]);
}

static void decode_output(reader *r, snn_image *img)
{
	get_name(r, img->io.output_name, "the output name");
	img->io.readout = get_u32(r, "the readout mode");
	get_u32(r, "a reserved word");
	uint32_t n = get_u32(r, "the output count");
	if (!count_ok(r, n, (r->len - r->pos) / 4, "output count"))
		return;
	img->io.n_outputs = n;
	img->io.outputs = calloc(n ? n : 1, sizeof *img->io.outputs);
	if (!img->io.outputs) {
		r->rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < n; i++, r->pos += 4) {
		img->io.outputs[i].core = snn_get16(r->p + r->pos);
		img->io.outputs[i].neuron = snn_get16(r->p + r->pos + 2);
	}
}

static void decode_meta(reader *r, snn_image *img)
{
	if (memchr(r->p, '\0', r->len)) {
		r->rc = snn_fail(r->diag, SNN_ERR_FORMAT, "section META at offset 0x%zx: contains a NUL byte",
				 r->base);
		return;
	}
	img->meta = malloc(r->len + 1);
	if (!img->meta) {
		r->rc = snn_fail(r->diag, SNN_ERR_NOMEM, "out of memory");
		return;
	}
	memcpy(img->meta, r->p, r->len);
	img->meta[r->len] = '\0';
	r->pos = r->len;
}

static int validate_io(const snn_image *img, snn_diag *diag)
{
	const snn_io_map *io = &img->io;
	const snn_config *cfg = &img->cfg;
	if (io->encoding > SNN_ENC_POISSON)
		return snn_fail(diag, SNN_ERR_RANGE, "section INPUT: unknown encoding %u", io->encoding);
	if (io->steps < 1 || io->steps > 1000000)
		return snn_fail(diag, SNN_ERR_RANGE, "section INPUT: step count %u is outside 1..1000000",
				io->steps);
	if (!memchr(io->input_name, '\0', sizeof io->input_name) ||
	    !memchr(io->output_name, '\0', sizeof io->output_name))
		return snn_fail(diag, SNN_ERR_FORMAT, "input or output name is not NUL-terminated");
	if (io->readout > SNN_READOUT_MEMBRANE)
		return snn_fail(diag, SNN_ERR_RANGE, "section OUTPUT: unknown readout mode %u", io->readout);
	if (io->n_outputs < 1)
		return snn_fail(diag, SNN_ERR_RANGE, "section OUTPUT: no outputs");
	for (uint32_t i = 0; i < io->n_outputs; i++) {
		const snn_output_ref *o = &io->outputs[i];
		if (o->core >= cfg->global[SNN_G_N_CORES] ||
		    cfg->core[o->core].reg[SNN_R_MODE] == SNN_MODE_OFF ||
		    o->neuron >= cfg->core[o->core].reg[SNN_R_N_NEURONS])
			return snn_fail(diag, SNN_ERR_RANGE,
					"section OUTPUT: output %u refers to core %u neuron %u, which does not exist",
					i, o->core, o->neuron);
	}
	return 0;
}

static int decode_header(const uint8_t *b, size_t len, snn_geometry *geo, uint32_t *n_sec,
			 snn_diag *diag)
{
	if (len < HEADER_BYTES)
		return snn_fail(diag, SNN_ERR_FORMAT,
				"file is %zu bytes, shorter than the %u-byte header", len, HEADER_BYTES);
	if (memcmp(b, SNN_IMAGE_MAGIC, 8))
		return snn_fail(diag, SNN_ERR_FORMAT,
				"offset 0x0: bad magic (not a configuration image, or mangled in text mode)");
	uint16_t major = snn_get16(b + 8), minor = snn_get16(b + 10);
	if (major != SNN_IMAGE_VERSION_MAJOR)
		return snn_fail(diag, SNN_ERR_FORMAT,
				"offset 0x8: format version %u.%u, this reader reads %u.x", major, minor,
				SNN_IMAGE_VERSION_MAJOR);
	uint32_t total = snn_get32(b + 12);
	if (total != len)
		return snn_fail(diag, SNN_ERR_FORMAT,
				"offset 0xc: header says %u bytes but the file has %zu (truncated or padded)",
				total, len);
	*n_sec = snn_get32(b + SNN_IMAGE_SECTIONS_AT);
	if (*n_sec > MAX_SECTIONS || HEADER_BYTES + (size_t)*n_sec * ENTRY_BYTES > len)
		return snn_fail(diag, SNN_ERR_FORMAT,
				"offset 0x%x: section count %u does not fit the file",
				SNN_IMAGE_SECTIONS_AT, *n_sec);
	uLong crc = crc32(crc32(0L, Z_NULL, 0), b, HEADER_CRC_AT);
	crc = crc32(crc, b + HEADER_BYTES, *n_sec * ENTRY_BYTES);
	if ((uint32_t)crc != snn_get32(b + HEADER_CRC_AT))
		return snn_fail(diag, SNN_ERR_FORMAT,
				"offset 0x%x: header CRC mismatch (stored 0x%08x, computed 0x%08x)",
				HEADER_CRC_AT, snn_get32(b + HEADER_CRC_AT), (uint32_t)crc);
	uint32_t *g = &geo->n_cores;
	for (unsigned i = 0; i < SNN_GEOMETRY_FIELDS; i++)
		g[i] = snn_get32(b + SNN_IMAGE_GEOMETRY_AT + 4 * i);
	snn_diag gd;
	if (snn_geometry_check(geo, &gd) || snn_geometry_check_profiles(geo, &gd))
		return snn_fail(diag, SNN_ERR_FORMAT, "offset 0x%x: %s", SNN_IMAGE_GEOMETRY_AT, gd.msg);
	return 0;
}

/* Bytes outside every section (alignment padding) carry no CRC, so they
 * must be zero: then every byte of an image is checked by something. */
static int check_gaps(const uint8_t *b, size_t len, size_t data_start, const size_t *where,
		      const size_t *size, const bool *seen, const size_t *ext_where, const size_t *ext_size,
		      size_t n_ext, snn_diag *diag)
{
	for (size_t at = data_start; at < len; at++) {
		if (!b[at])
			continue;
		bool covered = false;
		for (unsigned t = 1; t <= SNN_SEC_LAST && !covered; t++)
			covered = seen[t] && at >= where[t] && at < where[t] + size[t];
		for (size_t e = 0; e < n_ext && !covered; e++)
			covered = at >= ext_where[e] && at < ext_where[e] + ext_size[e];
		if (!covered)
			return snn_fail(diag, SNN_ERR_FORMAT,
					"offset 0x%zx: non-zero byte outside every section", at);
	}
	return 0;
}

/* Section order of decoding: CORES first, since the others depend on it. */
static const unsigned decode_order[] = {
	SNN_SEC_CORES, SNN_SEC_INPUT, SNN_SEC_BIAS, SNN_SEC_SYNAPSES, SNN_SEC_ROUTES,
	SNN_SEC_OUTPUT, SNN_SEC_META,
};

int snn_image_decode(const uint8_t *b, size_t len, snn_image *img, snn_diag *diag)
{
	memset(img, 0, sizeof *img);
	snn_geometry geo;
	uint32_t n_sec = 0;
	int rc = decode_header(b, len, &geo, &n_sec, diag);
	if (rc)
		return rc;
	size_t where[SNN_SEC_LAST + 1] = {0}, size[SNN_SEC_LAST + 1] = {0};
	bool seen[SNN_SEC_LAST + 1] = {false};
	size_t ext_where[MAX_SECTIONS], ext_size[MAX_SECTIONS], n_ext = 0;
	size_t data_start = HEADER_BYTES + (size_t)n_sec * ENTRY_BYTES;
	for (uint32_t i = 0; i < n_sec; i++) {
		const uint8_t *e = b + HEADER_BYTES + i * ENTRY_BYTES;
		size_t at = HEADER_BYTES + i * ENTRY_BYTES;
		uint32_t type = snn_get32(e), off = snn_get32(e + 4), n = snn_get32(e + 8);
		if (off < data_start || off % 4 || off > len || n > len - off)
			return snn_fail(diag, SNN_ERR_FORMAT,
					"offset 0x%zx: section %s spans 0x%x+%u, outside the data area 0x%zx..0x%zx",
					at, snn_section_name(type), off, n, data_start, len);
		if (crc32_of(b + off, n) != snn_get32(e + 12))
			return snn_fail(diag, SNN_ERR_FORMAT,
					"section %s at offset 0x%x: CRC mismatch (data damaged)",
					snn_section_name(type), off);
		if (type >= EXTENSION_TYPES) {	/* skipped, but its bytes are its own */
			ext_where[n_ext] = off;
			ext_size[n_ext++] = n;
			continue;
		}
		if (type < 1 || type > SNN_SEC_LAST)
			return snn_fail(diag, SNN_ERR_FORMAT, "offset 0x%zx: unknown section type %u", at, type);
		if (seen[type])
			return snn_fail(diag, SNN_ERR_FORMAT, "offset 0x%zx: section %s appears twice", at,
					snn_section_name(type));
		for (unsigned t = 1; t <= SNN_SEC_LAST; t++)
			if (seen[t] && off < where[t] + size[t] && where[t] < (size_t)off + n)
				return snn_fail(diag, SNN_ERR_FORMAT, "section %s at offset 0x%x overlaps section %s",
						snn_section_name(type), off, snn_section_name(t));
		seen[type] = true;
		where[type] = off;
		size[type] = n;
	}
	for (unsigned t = 1; t <= SNN_SEC_LAST; t++)
		if (!seen[t] && t != SNN_SEC_META)
			return snn_fail(diag, SNN_ERR_FORMAT, "section %s is missing", snn_section_name(t));
	if ((rc = check_gaps(b, len, data_start, where, size, seen, ext_where, ext_size, n_ext, diag)))
		return rc;
	if ((rc = snn_image_init(img, &geo, diag)))
		return rc;
	for (size_t i = 0; i < sizeof decode_order / sizeof decode_order[0] && !rc; i++) {
		unsigned t = decode_order[i];
		if (!seen[t])
			continue;
		reader r = {b + where[t], size[t], 0, where[t], snn_section_name(t), diag, 0};
		switch (t) {
		case SNN_SEC_CORES: decode_cores(&r, &img->cfg); break;
		case SNN_SEC_INPUT: decode_input(&r, img); break;
		case SNN_SEC_OUTPUT: decode_output(&r, img); break;
		case SNN_SEC_META: decode_meta(&r, img); break;
		default: decode_per_core(&r, &img->cfg, t); break;
		}
		if (!r.rc && r.pos != r.len)
			r.rc = snn_fail(diag, SNN_ERR_FORMAT,
					"section %s at offset 0x%zx: %zu unexpected bytes after the content",
					r.name, r.base + r.pos, r.len - r.pos);
		rc = r.rc;
	}
	/* before 2.2, register 31 was reserved: an older image gets its DERIVED
	 * words here, as its writer would have written them now */
	uint16_t minor = snn_get16(b + 10);
	if (!rc && minor < 2 && first_derived(&img->cfg) >= 0)
		rc = snn_fail(diag, SNN_ERR_FORMAT,
			      "offset 0xa: format version 2.%u has register 31 reserved (format 2.2 "
			      "brought DERIVED), but core %d sets it", minor, first_derived(&img->cfg));
	if (!rc && minor < 2)
		for (uint32_t c = 0; c < img->cfg.global[SNN_G_N_CORES] && c < geo.n_cores; c++)
			img->cfg.core[c].reg[SNN_R_DERIVED] = snn_core_derived(&img->cfg, c);
	snn_diag vd;
	if (!rc && (rc = snn_config_validate(&img->cfg, &vd)))
		snn_fail(diag, rc, "invalid configuration: %s", vd.msg);
	if (!rc && snn_get16(b + 10) < 3 && first_chan_bias(&img->cfg) >= 0)
		rc = snn_fail(diag, SNN_ERR_FORMAT,
			      "offset 0xa: format version 2.%u has no FLAGS CHAN_BIAS (format 2.3 brought it), "
			      "but core %d sets it", snn_get16(b + 10), first_chan_bias(&img->cfg));
	if (!rc && snn_get16(b + 10) < 1 && first_deconv(&img->cfg) >= 0)
		rc = snn_fail(diag, SNN_ERR_FORMAT,
			      "offset 0xa: format version 2.%u has no deconv cores (format 2.1 brought them), "
			      "but core %d is one", snn_get16(b + 10), first_deconv(&img->cfg));
	if (!rc && (rc = validate_io(img, &vd)))
		snn_fail(diag, rc, "%s", vd.msg);
	if (rc)
		snn_image_free(img);
	return rc;
}

/* ---- files ---- */

int snn_image_write_file(const snn_image *img, const char *path, snn_diag *diag)
{
	uint8_t *data;
	size_t len;
	snn_diag d;
	int rc = snn_image_encode(img, &data, &len, &d);
	if (rc)
		return snn_fail(diag, rc, "%s: %s", path, d.msg);
	rc = snn_output_write(path, data, len, diag);
	free(data);
	return rc;
}

int snn_image_read_file(const char *path, snn_image *img, snn_diag *diag)
{
	memset(img, 0, sizeof *img);
	uint8_t *data;
	size_t len;
	int rc = snn_file_read_input(path, SNN_IMAGE_MAX_BYTES, &data, &len, diag);
	if (rc)
		return rc;
	snn_diag d;
	if ((rc = snn_image_decode(data, len, img, &d)))
		snn_fail(diag, rc, "%s: %s", path, d.msg);
	free(data);
	return rc;
}
