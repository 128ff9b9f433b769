/* The front end on real exports: every .onnx file in models/fixtures (PyTorch's
 * exporter; for keras_*, Keras 3's through tf2onnx) loads and resolves, and
 * where NAME.ref holds the framework's own logits for the first 100 test images (models/fixtures/README.md), ir_run's
 * logits match them to float rounding: max |diff| < 1e-4 x the largest
 * |logit|. The images are the fixture IDX file whose labels equal the
 * labels in the .ref file. Each fixture exported at opset 13 to 18 is also
 * written again at opset 22, as a newer exporter writes it (ir_version 10,
 * AveragePool's dilations and Cast's saturate spelled out at their
 * defaults: the operators snnc supports kept their meaning from 13 to 22),
 * and held to the same logits. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../harness.h"
#include "ir.h"
#include "onnx_build.h"
#include "snn/encode.h"

#define FIXTURES "models/fixtures"
#define TOLERANCE 1e-4
#define NEW_OPSET 22

static char scratch[64];	/* a directory for the opset-22 copies */

typedef struct ref {
	int n, k;
	int *labels;
	float *logits;	/* n x k */
} ref;

static bool read_ref(const char *path, ref *r)
{
	FILE *f = fopen(path, "r");
	memset(r, 0, sizeof *r);
	if (!f)
		return false;
	bool ok = fscanf(f, "%d %d", &r->n, &r->k) == 2 && r->n > 0 && r->k > 0 && r->n <= 100000 && r->k <= 100000;
	if (ok) {
		r->labels = malloc((size_t)r->n * sizeof *r->labels);
		r->logits = malloc((size_t)r->n * (size_t)r->k * sizeof *r->logits);
		ok = r->labels && r->logits;
	}
	for (int i = 0; ok && i < r->n; i++) {
		ok = fscanf(f, "%d", &r->labels[i]) == 1;
		for (int j = 0; ok && j < r->k; j++)
			ok = fscanf(f, "%f", &r->logits[i * r->k + j]) == 1;
	}
	fclose(f);
	return ok;
}

/* The images of the test100 set whose labels are the reference's. */
static bool find_images(const ref *r, snn_idx *images, char *name, size_t namesz)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d))) {
		const char *tag = strstr(e->d_name, "-labels-idx1-ubyte.gz");
		if (!tag)
			continue;
		char p[512];
		snn_idx labels;
		snprintf(p, sizeof p, "%s/%s", FIXTURES, e->d_name);
		if (snn_idx_read(p, &labels, NULL))
			continue;
		found = labels.count >= (size_t)r->n && labels.item_size == 1;
		for (int i = 0; found && i < r->n; i++)
			found = labels.data[i] == r->labels[i];
		snn_idx_free(&labels);
		if (found) {
			int stem = (int)(tag - e->d_name);
			snprintf(p, sizeof p, "%s/%.*s-images-idx3-ubyte.gz", FIXTURES, stem, e->d_name);
			snprintf(name, namesz, "%s", p);
			found = snn_idx_read(p, images, NULL) == 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

static void compare(const ir_graph *g, const ref *r, const snn_idx *images, const char *file)
{
	int out = g->outputs[0];
	ir_values v;
	float *x = malloc(images->item_size * sizeof *x);
	if (!th_expect(ir_numel(&g->tensors[out]) == r->k, "%s: the output has %lld values, the reference %d", file,
		       (long long)ir_numel(&g->tensors[out]), r->k) ||
	    !th_expect(ir_numel(&g->tensors[g->input]) == (int64_t)images->item_size,
		       "%s: the input takes %lld values, the images have %zu", file,
		       (long long)ir_numel(&g->tensors[g->input]), images->item_size) ||
	    !th_expect(x && ir_values_init(g, &v) == 0, "out of memory")) {
		free(x);
		return;
	}
	double scale = 0, worst = 0;
	for (int i = 0; i < r->n * r->k; i++)
		scale = fmax(scale, fabs(r->logits[i]));
	int agree = 0;
	for (int i = 0; i < r->n; i++) {
		for (size_t j = 0; j < images->item_size; j++)
			x[j] = images->data[(size_t)i * images->item_size + j] / 255.0f;
		ir_run(g, &v, x);
		const float *got = v.v[out], *want = r->logits + i * r->k;
		int best_got = 0, best_want = 0;
		for (int j = 0; j < r->k; j++) {
			worst = fmax(worst, fabs(got[j] - want[j]));
			best_got = got[j] > got[best_got] ? j : best_got;
			best_want = want[j] > want[best_want] ? j : best_want;
		}
		agree += best_got == best_want;
	}
	th_expect(worst < TOLERANCE * fmax(scale, 1.0), "%s: max |logit - the framework's| = %g (scale %g)", file, worst,
		  scale);
	th_expect(agree == r->n, "%s: argmax agrees on %d of %d images", file, agree, r->n);
	printf("%s: max |diff| %.3g (largest |logit| %.3g), argmax agrees on %d/%d\n", file, worst, scale, agree, r->n);
	ir_values_free(&v);
	free(x);
}

/* The model at src written to dst at NEW_OPSET; false if it is not a
 * default-domain model of opset 13 to 18 (earlier opsets spell some
 * operators' arguments as attributes) or cannot be read or written. */
static bool write_at_new_opset(const char *src, const char *dst)
{
	FILE *f = fopen(src, "rb");
	uint8_t *buf = NULL;
	long len = -1;
	if (f && !fseek(f, 0, SEEK_END) && (len = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)len)) && fread(buf, 1, (size_t)len, f) != (size_t)len)
		len = -1;
	if (f)
		fclose(f);
	Onnx__ModelProto *m = len > 0 ? onnx__model_proto__unpack(NULL, (size_t)len, buf) : NULL;
	free(buf);
	if (!m)
		return false;
	bool ok = false;
	for (size_t k = 0; k < m->n_opset_import; k++) {
		Onnx__OperatorSetIdProto *o = m->opset_import[k];
		if ((!o->domain || !*o->domain) && o->version >= 13 && o->version <= 18) {
			o->version = NEW_OPSET;
			ok = true;
		}
	}
	m->ir_version = 10;
	for (size_t k = 0; ok && k < m->graph->n_node; k++) {
		Onnx__NodeProto *n = m->graph->node[k];
		bool has_dilations = false, has_saturate = false;
		for (size_t a = 0; a < n->n_attribute; a++) {
			has_dilations |= !strcmp(n->attribute[a]->name, "dilations");
			has_saturate |= !strcmp(n->attribute[a]->name, "saturate");
		}
		if (!strcmp(n->op_type, "AveragePool") && !has_dilations)
			mb_attr_ints(n, "dilations", 2, (const int64_t[]){1, 1});
		if (!strcmp(n->op_type, "Cast") && !has_saturate)
			mb_attr_i(n, "saturate", 1);
	}
	ok = ok && mb_write(&(mb){m, m->graph}, dst) == 0;
	onnx__model_proto__free_unpacked(m, NULL);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load and resolve the model at p; compare with the reference at refp
 * when there is one. */
static void check_model(const char *p, const char *file, const char *refp)
{
	th_case("%s loads and resolves", file);
	ir_graph g;
	snn_diag d;
	int rc = ir_load(p, &g, &d);
	if (!th_expect(rc == 0, "ir_load: %s", d.msg))
		return;
	rc = ir_resolve(&g, false, &d);
	if (th_expect(rc == 0, "ir_resolve: %s", d.msg)) {
		ref r;
		snn_idx images;
		char images_name[512];
		if (read_ref(refp, &r)) {
			th_case("%s matches the framework's logits (%s)", file, refp);
			if (th_expect(find_images(&r, &images, images_name, sizeof images_name),
				      "no fixture IDX file has the labels of %s", refp)) {
				compare(&g, &r, &images, file);
				snn_idx_free(&images);
			}
		}
		free(r.labels);
		free(r.logits);
	}
	ir_free(&g);
}

static void check_fixture(const char *file)
{
	char p[512], refp[512], again[600], label[600];
	snprintf(p, sizeof p, "%s/%s", FIXTURES, file);
	/* NAME.onnx and NAME_opsetN.onnx share NAME.ref */
	size_t len = strlen(file) - strlen(".onnx");
	const char *opset = strstr(file, "_opset");
	if (opset && (size_t)(opset - file) < len)
		len = (size_t)(opset - file);
	snprintf(refp, sizeof refp, "%s/%.*s.ref", FIXTURES, (int)len, file);
	check_model(p, file, refp);

	snprintf(again, sizeof again, "%s/%s", scratch, file);
	snprintf(label, sizeof label, "%s at opset %d", file, NEW_OPSET);
	if (*scratch && write_at_new_opset(p, again)) {
		check_model(again, label, refp);
		unlink(again);
	}
}

int main(void)
{
	DIR *d = opendir(FIXTURES);
	char **files = NULL;
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".onnx")) {
			char **grown = realloc(files, (n + 1) * sizeof *files);
			if (!grown || !(grown[n] = strdup(e->d_name)))
				return 2;
			files = grown;
			n++;
		}
	}
	if (d)
		closedir(d);
	if (n == 0) {
		th_case("no fixtures in " FIXTURES " yet");
		printf("test_fixtures: no .onnx file in " FIXTURES "; nothing to compare\n");
	}
	qsort(files, n, sizeof *files, by_name);
	snprintf(scratch, sizeof scratch, "/tmp/test_fixtures.XXXXXX");
	if (!mkdtemp(scratch))
		*scratch = 0;
	th_case("a directory for the opset-%d copies", NEW_OPSET);
	th_expect(*scratch != 0, "mkdtemp failed");
	for (size_t i = 0; i < n; i++) {
		check_fixture(files[i]);
		free(files[i]);
	}
	free(files);
	if (*scratch)
		rmdir(scratch);
	return th_done("test_fixtures");
}
