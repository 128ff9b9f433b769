/* IDX reading (plain and gzip, damaged files) and the input encoders,
 * checked against the closed forms in docs/neuron-model.md. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <math.h>
#include "../harness.h"
#include "snn/encode.h"
#include "snn/image.h"

static char dir[] = "/tmp/snn_encode_test.XXXXXX";

static const char *tmp_path(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void write_file(const char *path, const uint8_t *data, size_t n, bool gz)
{
	if (gz) {
		gzFile f = gzopen(path, "wb");
		gzwrite(f, data, (unsigned)n);
		gzclose(f);
	} else {
		FILE *f = fopen(path, "wb");
		fwrite(data, 1, n, f);
		fclose(f);
	}
}

/* 3 items of 2x2 bytes: big-endian dims, as the MNIST files have. */
static const uint8_t idx3[] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2,
			       1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255};

static void expect_idx_bad(const uint8_t *data, size_t n, const char *want)
{
	const char *path = tmp_path("bad.idx");
	write_file(path, data, n, false);
	snn_idx idx;
	snn_diag d = {""};
	if (th_expect(snn_idx_read(path, &idx, &d) != 0, "bad IDX accepted (wanted \"%s\")", want))
		th_expect(strstr(d.msg, want) && strstr(d.msg, path), "message \"%s\" lacks \"%s\" or the path",
			  d.msg, want);
	else
		snn_idx_free(&idx);
}


/* A gzip file: an IDX header, then `zeros` zero bytes (a bomb when the
 * header promises few). */
static void write_gz_bomb(const char *path, const uint8_t *header, size_t n_header, size_t zeros)
{
	static uint8_t block[1 << 16];
	gzFile f = gzopen(path, "wb9");
	gzwrite(f, header, (unsigned)n_header);
	for (size_t done = 0; done < zeros; done += sizeof block)
		gzwrite(f, block, (unsigned)(zeros - done < sizeof block ? zeros - done : sizeof block));
	gzclose(f);
}

/* Read path in a child and judge by its own peak memory: the header must
 * stop the read before the payload is inflated. Returns the child's exit:
 * 0 refused with want in the message, the peak memory grown by at most
 * max_kb; 1 the wrong outcome; 2 too much memory. */
static int read_in_child(const char *path, const char *want, long max_kb)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		snn_idx idx;
		snn_diag d = {""};
		struct rusage before, after;	/* the growth counts, not the sanitizers' base */
		getrusage(RUSAGE_SELF, &before);
		int rc = snn_idx_read(path, &idx, &d);
		getrusage(RUSAGE_SELF, &after);
		if (rc == 0 || !strstr(d.msg, want)) {
			fprintf(stderr, "child: rc %d: %s\n", rc, d.msg);
			_exit(1);
		}
		_exit(after.ru_maxrss - before.ru_maxrss > max_kb ? 2 : 0);
	}
	int st;
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void count_emit(void *ctx, uint32_t index)
{
	((uint32_t *)ctx)[index]++;
}

/* Records a step's indices in order: [0] is how many. */
static void list_emit(void *ctx, uint32_t index)
{
	uint32_t *list = ctx;
	list[1 + list[0]++] = index;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snn_idx idx;
	snn_diag d;

	for (int gz = 0; gz < 2; gz++) {
		th_case(gz ? "idx_gzip" : "idx_plain");
		const char *path = tmp_path(gz ? "a.idx.gz" : "a.idx");
		write_file(path, idx3, sizeof idx3, gz);
		if (th_expect(snn_idx_read(path, &idx, &d) == 0, "read: %s", d.msg)) {
			th_expect(idx.ndims == 3 && idx.dims[0] == 3 && idx.dims[1] == 2 && idx.dims[2] == 2,
				  "dims");
			th_expect(idx.count == 3 && idx.item_size == 4, "count %zu item %zu", idx.count,
				  idx.item_size);
			th_expect(!memcmp(idx.data, idx3 + 16, 12), "data bytes");
			snn_idx_free(&idx);
		}
	}

	th_case("idx_missing_bad");
	th_expect(snn_idx_read(tmp_path("absent.idx"), &idx, &d) != 0 && strstr(d.msg, "absent.idx"),
		  "missing file: %s", d.msg);
	uint8_t b[sizeof idx3];
	th_case("idx_magic_bad");
	memcpy(b, idx3, sizeof b);
	b[0] = 1;
	expect_idx_bad(b, sizeof b, "bad magic");
	th_case("idx_type_bad");
	memcpy(b, idx3, sizeof b);
	b[2] = 0x0D;
	expect_idx_bad(b, sizeof b, "element type 0x0d");
	th_case("idx_truncated_bad");
	expect_idx_bad(idx3, sizeof idx3 - 1, "promises 12 data bytes, file has 11");
	th_case("idx_header_truncated_bad");
	expect_idx_bad(idx3, 10, "truncated header");
	th_case("idx_dims_bad");
	memcpy(b, idx3, sizeof b);
	b[3] = 9;
	expect_idx_bad(b, sizeof b, "9 dimensions");

	th_case("idx_no_items_bad");
	{
		const uint8_t empty[] = {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28};
		expect_idx_bad(empty, sizeof empty, "offset 4: dimension 0 is 0: the file holds no items");
		const uint8_t hollow[] = {0, 0, 8, 2, 0, 0, 0, 5, 0, 0, 0, 0};
		expect_idx_bad(hollow, sizeof hollow, "offset 8: dimension 1 is 0");
	}

	/* 64 MiB of zeros after a header that promises 4 bytes: the old reader
	 * inflated it all before looking at the header. */
	th_case("idx_gzip_bomb_not_inflated_bad");
	{
		const uint8_t small[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2};
		write_gz_bomb(tmp_path("bomb.idx.gz"), small, sizeof small, 64u << 20);
		int rc = read_in_child(tmp_path("bomb.idx.gz"), "offset 16: data after the 4 bytes", 32 << 10);
		th_expect(rc == 0, "child exit %d (1: wrong outcome, 2: more than 32 MiB)", rc);
	}
	th_case("idx_header_over_cap_bad");
	{
		const uint8_t huge[] = {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0};	/* 2^32 bytes */
		write_gz_bomb(tmp_path("bomb.idx.gz"), huge, sizeof huge, 64u << 20);
		int rc = read_in_child(tmp_path("bomb.idx.gz"), "offset 8: dimensions promise more than", 32 << 10);
		th_expect(rc == 0, "child exit %d (1: wrong outcome, 2: more than 32 MiB)", rc);
	}
	th_case("idx_claims_more_than_it_holds_bad");
	{	/* 2^29 bytes promised, 1 MiB there: memory follows the content */
		const uint8_t big[] = {0, 0, 8, 2, 0, 0, 0x80, 0, 0, 0, 0x40, 0};
		write_gz_bomb(tmp_path("bomb.idx.gz"), big, sizeof big, 1u << 20);
		int rc = read_in_child(tmp_path("bomb.idx.gz"), "promises 536870912 data bytes, file has 1048576",
				       64 << 10);
		th_expect(rc == 0, "child exit %d (1: wrong outcome, 2: more than 64 MiB)", rc);
	}
	th_case("idx_fifo_bad");
	mkfifo(tmp_path("fifo"), 0600);
	alarm(60);	/* if the open blocks, die rather than hang the suite */
	th_expect(snn_idx_read(tmp_path("fifo"), &idx, &d) != 0 && strstr(d.msg, "is a FIFO"), "FIFO: %s", d.msg);
	alarm(0);

	/* Rate: over T steps an input with value p spikes floor((127 + T p) / 255)
	 * times, and never twice in one step. */
	th_case("rate_counts_closed_form");
	{
		uint8_t pixels[256];
		for (int p = 0; p < 256; p++)
			pixels[p] = (uint8_t)p;
		snn_encoder e;
		snn_encoder_init(&e, SNN_ENC_RATE, 256);
		snn_encoder_start(&e, pixels, 0);
		uint32_t counts[256] = {0}, step_counts[256];
		for (uint32_t t = 1; t <= 600; t++) {
			memset(step_counts, 0, sizeof step_counts);
			snn_encoder_step(&e, count_emit, step_counts);
			for (int p = 0; p < 256; p++) {
				th_expect(step_counts[p] <= 1, "p=%d spiked twice at step %u", p, t);
				counts[p] += step_counts[p];
				th_expect(counts[p] == (127 + t * (uint32_t)p) / 255, "p=%d after %u steps: %u spikes, want %u",
					  p, t, counts[p], (127 + t * (uint32_t)p) / 255);
			}
		}
		th_expect(counts[255] == 600 && counts[0] == 0, "p=255 every step, p=0 never");
		snn_encoder_free(&e);
	}

	th_case("rate_restart_resets_phase");
	{
		uint8_t px[1] = {100};
		snn_encoder e;
		snn_encoder_init(&e, SNN_ENC_RATE, 1);
		uint32_t first[1] = {0}, second[1] = {0};
		snn_encoder_start(&e, px, 0);
		for (int t = 0; t < 7; t++)
			snn_encoder_step(&e, count_emit, first);
		snn_encoder_start(&e, px, 0);
		for (int t = 0; t < 7; t++)
			snn_encoder_step(&e, count_emit, second);
		th_expect(first[0] == second[0] && first[0] == (127 + 700) / 255, "%u vs %u", first[0],
			  second[0]);
		snn_encoder_free(&e);
	}

	/* A new sample's lit pixels replace the last one's (the encoder lists
	 * the pixels above 0 at start), and a step emits ascending indices. */
	th_case("rate_new_sample_relists_pixels");
	{
		uint8_t img_a[4] = {255, 0, 200, 0}, img_b[4] = {0, 255, 0, 128};
		snn_encoder e;
		snn_encoder_init(&e, SNN_ENC_RATE, 4);
		uint32_t list[5];
		snn_encoder_start(&e, img_a, 0);
		list[0] = 0;
		snn_encoder_step(&e, list_emit, list);
		th_expect(list[0] == 2 && list[1] == 0 && list[2] == 2, "sample a, step 1: %u spikes",
			  list[0]);
		snn_encoder_start(&e, img_b, 0);
		list[0] = 0;
		snn_encoder_step(&e, list_emit, list);	/* 127 + 128 = 255: pixel 3 fires too */
		th_expect(list[0] == 2 && list[1] == 1 && list[2] == 3,
			  "sample b, step 1: %u spikes, first %u", list[0], list[1]);
		snn_encoder_free(&e);
	}

	/* Poisson: the k-th draw of splitmix64 from state S decides; check the
	 * frequencies, the extremes and that the seed fixes the train. */
	th_case("poisson_rates_and_seed");
	{
		enum { N = 256, T = 4000 };
		uint8_t pixels[N];
		for (int p = 0; p < N; p++)
			pixels[p] = (uint8_t)p;
		snn_encoder e;
		snn_encoder_init(&e, SNN_ENC_POISSON, N);
		uint32_t counts[N] = {0};
		snn_encoder_start(&e, pixels, 42);
		for (int t = 0; t < T; t++)
			snn_encoder_step(&e, count_emit, counts);
		th_expect(counts[0] == 0, "p=0 spiked %u times", counts[0]);
		th_expect(counts[255] == T, "p=255 spiked %u of %d", counts[255], T);
		for (int p = 1; p < 255; p++) {
			double want = T * p / 255.0, sd = sqrt(want * (1 - p / 255.0));
			th_expect(counts[p] > want - 5 * sd - 1 && counts[p] < want + 5 * sd + 1,
				  "p=%d: %u spikes, expected about %.0f", p, counts[p], want);
		}
		/* The first draw from state 42 decides input 0 at step 0. */
		uint64_t s = 42;
		snn_splitmix64(&s);
		uint64_t draw = snn_splitmix64(&s) >> 32;	/* input 1 */
		uint32_t first[N] = {0};
		snn_encoder_start(&e, pixels, 42);
		snn_encoder_step(&e, count_emit, first);
		th_expect(first[1] == (draw < 1u * 16843009u), "input 1 at step 0 follows draw 2");
		uint32_t again[N] = {0};
		snn_encoder_start(&e, pixels, 42);
		snn_encoder_step(&e, count_emit, again);
		th_expect(!memcmp(first, again, sizeof first), "same seed, same spikes");
		snn_encoder_free(&e);
	}

	th_case("splitmix64_reference_values");
	{	/* Published splitmix64 outputs for seed 1234567. */
		uint64_t s = 1234567;
		const uint64_t want[3] = {6457827717110365317ull, 3203168211198807973ull,
					  9817491932198370423ull};
		for (int i = 0; i < 3; i++) {
			uint64_t got = snn_splitmix64(&s);
			th_expect(got == want[i], "output %d: %llu, want %llu", i, (unsigned long long)got,
				  (unsigned long long)want[i]);
		}
	}

	unlink(tmp_path("a.idx"));
	unlink(tmp_path("a.idx.gz"));
	unlink(tmp_path("bad.idx"));
	unlink(tmp_path("bomb.idx.gz"));
	unlink(tmp_path("fifo"));
	rmdir(dir);
	return th_done("test_encode");
}
