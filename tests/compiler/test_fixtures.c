/* The front end on real exports: every .onnx file in models/fixtures (PyTorch's
 * exporter; for keras_*, Keras 3's through tf2onnx) loads and resolves, and
 * where NAME.ref holds the framework's own logits for the first 100 test images (models/fixtures/README.md), ir_run's
 * logits match them to float rounding: max |diff| < 1e-4 x the largest
 * |logit|. The images are the fixture IDX file whose labels equal the
 * labels in the .ref file. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "ir.h"
#include "snn/encode.h"

#define FIXTURES "models/fixtures"
#define TOLERANCE 1e-4

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

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_fixture(const char *file)
{
	char p[512], refp[512], images_name[512];
	snprintf(p, sizeof p, "%s/%s", FIXTURES, file);
	/* NAME.onnx and NAME_opsetN.onnx share NAME.ref */
	size_t len = strlen(file) - strlen(".onnx");
	const char *opset = strstr(file, "_opset");
	if (opset && (size_t)(opset - file) < len)
		len = (size_t)(opset - file);
	snprintf(refp, sizeof refp, "%s/%.*s.ref", FIXTURES, (int)len, file);

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
	for (size_t i = 0; i < n; i++) {
		check_fixture(files[i]);
		free(files[i]);
	}
	free(files);
	return th_done("test_fixtures");
}
