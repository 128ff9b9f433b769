/* snnhost: list boards, identify a device, load a configuration image and
 * run a data set on it over the host link (docs/snnhost.md). Knows nothing
 * about USB: everything goes through include/snnhost.h. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "snn/encode.h"
#include "snn/image.h"
#include "snnhost.h"
#include "transport.h"

#define PROG "snnhost"
#define EXIT_USAGE 1
#define EXIT_DEVICE 2
#define EXIT_MISMATCH 3

static const char usage_text[] =
	"Usage: snnhost COMMAND [options]\n"
	"Run compiled spiking networks on a device over the host link.\n"
	"\n"
	"Commands:\n"
	"  list                        attached boards: spec, bus, IDs, serial, geometry\n"
	"  info --device D             what the device reports, and a link check\n"
	"  load IMAGE.cfg --device D   load an image (written, read back, compared)\n"
	"  run --device D --config IMAGE.cfg --images X --labels Y [options]\n"
	"                              run a data set; the report of snnsim\n"
	"\n"
	"Devices (--device, -d):\n"
	"  golden[:PROFILE]  the golden model in process (default geometry: the image's)\n"
	"  sim               the Verilated RTL in process\n"
	"  sim:top           rtl/snn_top.v, protocol in RTL (its built geometries only)\n"
	"  sim:uart          a board's design behind its UART, bit by bit (images for\n"
	"                    icebreaker or ulx3s)\n"
	"  usbN              the N-th attached board (snnhost list), e.g. usb0\n"
	"  usb:VID:PID[:SERIAL]  a board by hexadecimal USB IDs\n"
	"\n"
	"Options:\n"
	"  -d, --device D        the device (default usb0)\n"
	"  -c, --config FILE     run: the configuration image\n"
	"  -i, --images FILE     run: IDX file of unsigned-byte inputs (plain or gzip)\n"
	"  -l, --labels FILE     run: IDX file of labels\n"
	"  -T, --steps N         time steps per sample (default: the image's)\n"
	"  -n, --limit N         run only the first N samples (default: all)\n"
	"  -e, --encoding KIND   rate or poisson (default: the image's)\n"
	"  -s, --seed S          Poisson base seed; sample k uses S+k (default 1)\n"
	"      --encode WHERE    auto, device (PIXELS/RUN) or host (INPUT/STEP)\n"
	"                        (default auto: the device when it can)\n"
	"      --timeout MS      longest wait for one reply (default 5000)\n"
	"      --baud B          FTDI UART rate (default 3000000)\n"
	"      --json            print one JSON object instead of the report\n"
	"  -q, --quiet           no progress bar\n"
	"  -h, --help            this text\n"
	"      --version         program and protocol versions\n"
	"\n"
	"Exit status: 0 success; 1 usage error or bad input (including an image\n"
	"that does not fit the device); 2 device or link error (unplugged, timeout,\n"
	"refused request, Ctrl-C), results received so far are printed; 3 the\n"
	"read-back of a loaded image differs from the image.\n";

typedef struct options {
	const char *cmd, *device, *config, *images, *labels;
	long steps, limit, encoding, timeout, baud;
	uint64_t seed;
	int mode, json, quiet;
} options;

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

static long parse_long(const char *s, const char *opt, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		die_usage("%s takes a whole number from %ld to %ld, not '%s'", opt, lo, hi, s);
	return v;
}

static options parse_args(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_VERSION, OPT_TIMEOUT, OPT_BAUD, OPT_ENCODE };
	static const struct option longopts[] = {
		{"device", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"images", required_argument, NULL, 'i'},
		{"labels", required_argument, NULL, 'l'},
		{"steps", required_argument, NULL, 'T'},
		{"limit", required_argument, NULL, 'n'},
		{"encoding", required_argument, NULL, 'e'},
		{"seed", required_argument, NULL, 's'},
		{"encode", required_argument, NULL, OPT_ENCODE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"baud", required_argument, NULL, OPT_BAUD},
		{"json", no_argument, NULL, OPT_JSON},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	options o = {.device = "usb0", .steps = -1, .limit = -1, .encoding = -1, .seed = 1};
	int c;
	while ((c = getopt_long(argc, argv, "d:c:i:l:T:n:e:s:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.device = optarg; break;
		case 'c': o.config = optarg; break;
		case 'i': o.images = optarg; break;
		case 'l': o.labels = optarg; break;
		case 'T': o.steps = parse_long(optarg, "--steps", 1, 1000000); break;
		case 'n': o.limit = parse_long(optarg, "--limit", 0, 1L << 30); break;
		case 'e':
			if (!strcmp(optarg, "rate"))
				o.encoding = SNN_ENC_RATE;
			else if (!strcmp(optarg, "poisson"))
				o.encoding = SNN_ENC_POISSON;
			else
				die_usage("--encoding is rate or poisson, not '%s'", optarg);
			break;
		case 's': o.seed = (uint64_t)parse_long(optarg, "--seed", 0, 1L << 62); break;
		case OPT_ENCODE:
			if (!strcmp(optarg, "auto"))
				o.mode = SNNHOST_MODE_AUTO;
			else if (!strcmp(optarg, "device"))
				o.mode = SNNHOST_MODE_DEVICE;
			else if (!strcmp(optarg, "host"))
				o.mode = SNNHOST_MODE_HOST;
			else
				die_usage("--encode is auto, device or host, not '%s'", optarg);
			break;
		case OPT_TIMEOUT: o.timeout = parse_long(optarg, "--timeout", 1, 3600000); break;
		case OPT_BAUD: o.baud = parse_long(optarg, "--baud", 300, 12000000); break;
		case OPT_JSON: o.json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case OPT_VERSION:
			printf(PROG " 0.1 (host protocol %u, image format %u.%u)\n", SNN_PROTOCOL_VERSION,
			       SNN_IMAGE_VERSION_MAJOR, SNN_IMAGE_VERSION_MINOR);
			exit(0);
		default: die_usage("unknown option");
		}
	}
	if (optind >= argc)
		die_usage("no command given (list, info, load or run)");
	o.cmd = argv[optind++];
	if (!strcmp(o.cmd, "load")) {
		if (optind < argc)
			o.config = argv[optind++];
		if (!o.config)
			die_usage("load: no configuration image given");
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!strcmp(o.cmd, "run") && (!o.config || !o.images || !o.labels))
		die_usage("run needs --config, --images and --labels");
	return o;
}

static int exit_for(int rc)
{
	switch (rc) {
	case 0: return 0;
	case SNNHOST_ERROR_ARG:
	case SNNHOST_ERROR_INPUT:
	case SNNHOST_ERROR_MISMATCH: return EXIT_USAGE;
	case SNNHOST_ERROR_VERIFY: return EXIT_MISMATCH;
	default: return EXIT_DEVICE;
	}
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Ctrl-C: noted from the start of run (a busy machine can take seconds to
 * load), acted on from the first sample: the run stops between requests. */
static volatile sig_atomic_t g_sigint;
static snnhost *volatile g_running;

static void on_sigint(int sig)
{
	(void)sig;
	g_sigint = 1;
	snnhost_interrupt(g_running);
}

/* Open the device; in-process devices get the image's geometry. */
static int open_device(const options *o, const snn_image *img, snnhost **h)
{
	snnhost_options ho = {.timeout_ms = (unsigned)(o->timeout > 0 ? o->timeout : 0),
			      .baud = (uint32_t)(o->baud > 0 ? o->baud : 0),
			      .geometry = img ? &img->cfg.geo : NULL};
	snn_diag d;
	int rc = snnhost_open(o->device, &ho, h, &d);
	if (rc)
		fprintf(stderr, PROG ": %s\n", d.msg);
	return rc;
}

static void print_geometry(const snn_geometry *g)
{
	printf("geometry   %u cores, %u neurons/core, %u axons/core, %u synapse words, weights "
	       "%u bits, membrane %u bits, bias %u bits, %u routes/core, %u input routes, %u "
	       "phases", g->n_cores, g->neurons_per_core, g->axons_per_core, g->synapse_words,
	       g->weight_bits, g->membrane_bits, g->bias_bits, g->routes_per_core,
	       g->input_routes, g->max_phases);
	if (g->neuron_total || g->synapse_total || g->route_total)
		printf("; budgets %u neurons, %u synapse words, %u routes, %u lanes, %u state words",
		       g->neuron_total, g->synapse_total, g->route_total, g->lanes, g->state_words);
	printf("\n");
}

static const char *profile_name(const snn_geometry *g)
{
	for (unsigned i = 0; i < snn_profile_count(); i++)
		if (!memcmp(&snn_profile_at(i)->geo, g, sizeof *g))
			return snn_profile_at(i)->name;
	return "none";
}

static int cmd_list(const options *o)
{
	snnhost_device_info dev[32];
	size_t n;
	snn_diag d;
	int rc = snnhost_list(dev, 32, &n, &d);
	if (rc) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return exit_for(rc);
	}
	if (!n && !o->json)
		printf("no supported board attached (in-process devices: golden, sim)\n");
	if (o->json)
		printf("[");
	for (size_t i = 0; i < n && i < 32; i++) {
		snnhost *h;
		snnhost_options ho = {.timeout_ms = 1000, .baud = (uint32_t)(o->baud > 0 ? o->baud : 0)};
		int orc = snnhost_open(dev[i].spec, &ho, &h, &d);
		const snnhost_identity *id = orc ? NULL : snnhost_identity_of(h);
		if (o->json) {
			printf("%s{\"device\": \"%s\", \"transport\": \"%s\", \"bus\": %u, \"address\": %u, "
			       "\"vid\": \"%04x\", \"pid\": \"%04x\", \"serial\": \"%s\", \"profile\": \"%s\"}",
			       i ? ", " : "", dev[i].spec, dev[i].transport, dev[i].bus, dev[i].address,
			       dev[i].vid, dev[i].pid, dev[i].serial, id ? profile_name(&id->geo) : "");
		} else {
			printf("%-6s bus %03u device %03u  %04x:%04x  serial %-12s %s\n", dev[i].spec,
			       dev[i].bus, dev[i].address, dev[i].vid, dev[i].pid,
			       dev[i].serial[0] ? dev[i].serial : "-", dev[i].board);
			if (id)
				printf("       %s device, protocol %u, build 0x%08X, profile %s, %u cores\n",
				       snnhost_kind_name(id->kind), id->protocol, id->build_id,
				       profile_name(&id->geo), id->geo.n_cores);
			else
				printf("       not answering: %s\n", d.msg);
		}
		if (!orc)
			snnhost_close(h);
	}
	if (o->json)
		printf("]\n");
	return 0;
}

static int cmd_info(const options *o)
{
	snnhost *h;
	int rc = open_device(o, NULL, &h);
	if (rc)
		return exit_for(rc);
	const snnhost_device_info *inf = snnhost_info(h);
	const snnhost_identity *id = snnhost_identity_of(h);
	printf("device     %s (%s)", inf->spec, inf->board);
	if (inf->vid)
		printf(", %04x:%04x on bus %u address %u%s%s", inf->vid, inf->pid, inf->bus,
		       inf->address, inf->serial[0] ? ", serial " : "", inf->serial);
	printf("\nkind       %s, protocol %u, build id 0x%08X, profile %s\n",
	       snnhost_kind_name(id->kind), id->protocol, id->build_id, profile_name(&id->geo));
	print_geometry(&id->geo);
	uint64_t ctr[SNN_CTR_COUNT];
	if (!(rc = snnhost_counters(h, ctr))) {
		printf("counters  ");
		for (unsigned i = 0; i < SNN_CTR_COUNT; i++)
			printf(" %s %llu", snn_counter_name(i), (unsigned long long)ctr[i]);
		printf("\n");
	}
	/* A link check: 64 ECHO frames of 1024 bytes. */
	uint8_t buf[SNN_FRAME_MAX_PAYLOAD];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	double t0 = now_seconds();
	unsigned k;
	for (k = 0; !rc && k < 64; k++)
		rc = snnhost_echo(h, buf, sizeof buf);
	double t = now_seconds() - t0;
	if (!rc)
		printf("link       ECHO 1024 bytes: %.3f ms a round trip, %.2f MB/s each way\n",
		       1e3 * t / k, t > 0 ? k * 1033.0 / t / 1e6 : 0.0);
	if (rc)
		fprintf(stderr, PROG ": %s\n", snnhost_last_error(h));
	snnhost_close(h);
	return exit_for(rc);
}

static int read_image(const char *path, snn_image *img)
{
	snn_diag d;
	if (snn_image_read_file(path, img, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_load(const options *o)
{
	snn_image img;
	if (read_image(o->config, &img))
		return EXIT_USAGE;
	snnhost *h;
	int rc = open_device(o, &img, &h);
	if (!rc) {
		double t0 = now_seconds();
		rc = snnhost_load(h, &img);
		double t = now_seconds() - t0;
		snnhost_stats st;
		snnhost_get_stats(h, &st);
		if (rc)
			fprintf(stderr, PROG ": %s: %s\n", o->config, snnhost_last_error(h));
		else
			printf("loaded %s on %s: written and read back in %.3f s, %llu bytes out, "
			       "%llu in, %llu requests\n", o->config, o->device, t,
			       (unsigned long long)st.bytes_out, (unsigned long long)st.bytes_in,
			       (unsigned long long)st.requests);
		snnhost_close(h);
	}
	snn_image_free(&img);
	return exit_for(rc);
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void progress(size_t k, size_t n, size_t correct, double t)
{
	char bar[31];
	size_t fill = n ? 30 * k / n : 30;
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r" PROG ": [%s] %zu/%zu samples, accuracy %.2f %%, %.1f samples/s ", bar,
		k, n, k ? 100.0 * correct / k : 0.0, t > 0 ? k / t : 0.0);
}

typedef struct report {
	const char *model, *device;
	size_t n, correct;
	uint32_t steps, encoding, readout, n_out;
	const uint32_t *confusion;
	uint64_t ctr[SNN_CTR_COUNT], input_events;
	double seconds, lat_max;
	snnhost_stats st;
	const snnhost_identity *id;
	const char *mode;
} report;

static void print_report(const report *r, int json)
{
	double per = r->n ? 1.0 / (double)r->n : 0.0;
	double accuracy = r->n ? (double)r->correct / (double)r->n : 0.0;
	if (json) {
		printf("{\"model\": ");
		print_json_string(r->model);
		printf(", \"images\": %zu, \"steps\": %u, \"encoding\": \"%s\", "
		       "\"readout\": \"%s\", \"accuracy\": %.6f, \"correct\": %zu, "
		       "\"sops_per_image\": %.1f, \"spikes_per_image\": %.1f, "
		       "\"input_events_per_image\": %.1f, \"seconds\": %.4f, \"engine\": \"%s\", "
		       "\"cycles_per_image\": %.1f, \"device\": ",
		       r->n, r->steps, r->encoding == SNN_ENC_RATE ? "rate" : "poisson",
		       r->readout == SNN_READOUT_SPIKES ? "spikes" : "membrane", accuracy, r->correct,
		       (double)r->ctr[SNN_CTR_SYNOPS] * per, (double)r->ctr[SNN_CTR_SPIKES] * per,
		       (double)r->input_events * per, r->seconds, snnhost_kind_name(r->id->kind),
		       (double)r->ctr[SNN_CTR_CYCLES] * per);
		print_json_string(r->device);
		printf(", \"encode\": \"%s\", \"images_per_second\": %.2f, \"bytes_out\": %llu, "
		       "\"bytes_in\": %llu, \"latency_ms\": %.4f, \"latency_max_ms\": %.4f, "
		       "\"confusion\": [", r->mode, r->seconds > 0 ? r->n / r->seconds : 0.0,
		       (unsigned long long)r->st.bytes_out, (unsigned long long)r->st.bytes_in,
		       r->n ? 1e3 * r->seconds / r->n : 0.0, 1e3 * r->lat_max);
		for (uint32_t a = 0; a < r->n_out; a++) {
			printf("%s[", a ? ", " : "");
			for (uint32_t b = 0; b < r->n_out; b++)
				printf("%s%u", b ? ", " : "", r->confusion[(size_t)a * r->n_out + b]);
			printf("]");
		}
		printf("]}\n");
		return;
	}
	printf("model      %s\n", r->model);
	printf("device     %s: %s device, protocol %u, build id 0x%08X; input encoded on the %s\n",
	       r->device, snnhost_kind_name(r->id->kind), r->id->protocol, r->id->build_id, r->mode);
	printf("samples    %zu, %u steps each, %s encoding, %s readout\n", r->n, r->steps,
	       r->encoding == SNN_ENC_RATE ? "rate" : "Poisson",
	       r->readout == SNN_READOUT_SPIKES ? "spike-count" : "membrane");
	printf("accuracy   %.2f %% (%zu/%zu)\n", 100.0 * accuracy, r->correct, r->n);
	printf("per sample %.0f synaptic ops, %.0f spikes, %.0f input events",
	       (double)r->ctr[SNN_CTR_SYNOPS] * per, (double)r->ctr[SNN_CTR_SPIKES] * per,
	       (double)r->input_events * per);
	if (r->ctr[SNN_CTR_CYCLES])
		printf(", %.0f clock cycles", (double)r->ctr[SNN_CTR_CYCLES] * per);
	printf("\nwall time  %.3f s (%.1f samples/s), latency %.3f ms a sample (max %.3f)\n",
	       r->seconds, r->seconds > 0 ? r->n / r->seconds : 0.0,
	       r->n ? 1e3 * r->seconds / r->n : 0.0, 1e3 * r->lat_max);
	printf("link       %llu bytes out, %llu bytes in (%.0f and %.0f a sample), %llu requests\n",
	       (unsigned long long)r->st.bytes_out, (unsigned long long)r->st.bytes_in,
	       (double)r->st.bytes_out * per, (double)r->st.bytes_in * per,
	       (unsigned long long)r->st.requests);
	printf("confusion  (rows: label, columns: predicted)\n      ");
	for (uint32_t b = 0; b < r->n_out; b++)
		printf("%6u", b);
	printf("\n");
	for (uint32_t a = 0; a < r->n_out; a++) {
		printf("%6u", a);
		for (uint32_t b = 0; b < r->n_out; b++)
			printf("%6u", r->confusion[(size_t)a * r->n_out + b]);
		printf("\n");
	}
}

/* Each sample's outcome as it arrives. */
typedef struct tally {
	report *r;
	const uint8_t *labels;
	size_t n;
	bool bar;
	double t0, last, prev;
} tally;

static void on_sample(void *ctx, size_t k, const snnhost_sample *s)
{
	tally *t = ctx;
	report *r = t->r;
	double now = now_seconds();
	if (now - t->prev > r->lat_max)
		r->lat_max = now - t->prev;
	t->prev = now;
	r->input_events += s->input_events;
	r->mode = s->device_encoded ? "device" : "host";
	((uint32_t *)r->confusion)[(size_t)t->labels[k] * r->n_out + s->cls]++;
	r->correct += s->cls == t->labels[k];
	r->n = k + 1;
	if (t->bar && (now - t->last > 0.2 || k + 1 == t->n)) {
		progress(k + 1, t->n, r->correct, now - t->t0);
		t->last = now;
	}
}

static int cmd_run(const options *o)
{
	snn_diag d;
	snn_image img;
	snn_idx images = {0}, labels = {0};
	if (read_image(o->config, &img))
		return EXIT_USAGE;
	int status = EXIT_USAGE;
	uint32_t *confusion = NULL;
	snnhost *h = NULL;
	if (snn_idx_read(o->images, &images, &d) || snn_idx_read(o->labels, &labels, &d)) {
		fprintf(stderr, PROG ": %s\n", d.msg);
		goto out;
	}
	const snn_config *cfg = &img.cfg;
	size_t in_size = (size_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
			 cfg->global[SNN_G_INPUT_W];
	uint32_t n_out = img.io.n_outputs;
	if (images.item_size != in_size) {
		fprintf(stderr, PROG ": %s: items have %zu values but %s expects %ux%ux%u = %zu inputs\n",
			o->images, images.item_size, o->config, cfg->global[SNN_G_INPUT_C],
			cfg->global[SNN_G_INPUT_H], cfg->global[SNN_G_INPUT_W], in_size);
		goto out;
	}
	if (labels.item_size != 1 || labels.count != images.count) {
		fprintf(stderr, PROG ": %s: expected %zu one-byte labels, found %zu of %zu bytes\n",
			o->labels, images.count, labels.count, labels.item_size);
		goto out;
	}
	size_t n = o->limit >= 0 && (size_t)o->limit < images.count ? (size_t)o->limit : images.count;
	for (size_t i = 0; i < n; i++)
		if (labels.data[i] >= n_out) {
			fprintf(stderr, PROG ": %s: offset %zu: label %u, but the model has %u outputs\n",
				o->labels, 8 + i, labels.data[i], n_out);
			goto out;
		}
	confusion = calloc((size_t)n_out * n_out + 1, sizeof *confusion);
	if (!confusion) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	struct sigaction sa = {.sa_handler = on_sigint};
	sigaction(SIGINT, &sa, NULL);
	int rc = open_device(o, &img, &h);
	if (!rc && (rc = snnhost_load(h, &img)))
		fprintf(stderr, PROG ": %s: %s\n", o->config, snnhost_last_error(h));
	if (rc) {
		status = exit_for(rc);
		goto out;
	}
	g_running = h;
	if (g_sigint)
		snnhost_interrupt(h);
	snnhost_run_options ro = {.steps = o->steps > 0 ? (uint32_t)o->steps : img.io.steps,
				  .encoding = o->encoding >= 0 ? (int)o->encoding : (int)img.io.encoding,
				  .mode = o->mode};
	report r = {.model = o->config, .device = o->device, .n_out = n_out, .steps = ro.steps,
		    .encoding = (uint32_t)ro.encoding, .readout = img.io.readout,
		    .confusion = confusion, .id = snnhost_identity_of(h), .mode = "host"};
	snnhost_stats st0;
	snnhost_get_stats(h, &st0);	/* the load's bytes are not the run's */
	tally t = {.r = &r, .labels = labels.data, .n = n, .bar = !o->quiet && isatty(2) && n > 1,
		   .t0 = now_seconds()};
	t.last = t.prev = t.t0;
	ro.seed = o->seed;
	rc = snnhost_run_batch(h, images.data, n, &ro, on_sample, &t);
	size_t k = r.n;
	r.seconds = now_seconds() - t.t0;
	if (t.bar)
		fputc('\n', stderr);
	if (rc == SNNHOST_ERROR_INTERRUPTED)
		fprintf(stderr, PROG ": interrupted after %zu samples; the device is reset\n", k);
	else if (rc)
		fprintf(stderr, PROG ": sample %zu: %s (%s)\n", k, snnhost_last_error(h),
			snnhost_error_name(rc));
	int crc = snnhost_counters(h, r.ctr);
	if (crc && !rc)
		fprintf(stderr, PROG ": reading the counters: %s\n", snnhost_last_error(h));
	snnhost_get_stats(h, &r.st);
	r.st.bytes_out -= st0.bytes_out;
	r.st.bytes_in -= st0.bytes_in;
	r.st.requests -= st0.requests;
	if (rc && k && rc != SNNHOST_ERROR_INTERRUPTED)
		fprintf(stderr, PROG ": the report of the %zu samples run before the failure:\n", k);
	if (!rc || k)
		print_report(&r, o->json);
	status = exit_for(rc ? rc : crc);
out:
	g_running = NULL;
	snnhost_close(h);
	free(confusion);
	snn_idx_free(&images);
	snn_idx_free(&labels);
	snn_image_free(&img);
	return status;
}

int main(int argc, char **argv)
{
	options o = parse_args(argc, argv);
	snnhost_enable_sim();
	if (!strcmp(o.cmd, "list"))
		return cmd_list(&o);
	if (!strcmp(o.cmd, "info"))
		return cmd_info(&o);
	if (!strcmp(o.cmd, "load"))
		return cmd_load(&o);
	if (!strcmp(o.cmd, "run"))
		return cmd_run(&o);
	die_usage("unknown command '%s' (list, info, load or run)", o.cmd);
}
