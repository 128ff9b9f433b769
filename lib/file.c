/* Safe input and output files for every tool (see snn/file.h, docs/files.md). */
#define _XOPEN_SOURCE 700	/* realpath */
#include "snn/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the inputs of this run ---- */

typedef struct seen_file {
	dev_t dev;
	ino_t ino;
	char *path;
} seen_file;

static struct {
	bool on;
	seen_file *files;
	size_t n, cap;
} inputs;

void snn_file_guard_inputs(void)
{
	inputs.on = true;
}

/* Reachable from a global until exit, like the run it describes. */
static void remember_input(const struct stat *st, const char *path)
{
	if (!inputs.on)
		return;
	for (size_t i = 0; i < inputs.n; i++)
		if (inputs.files[i].dev == st->st_dev && inputs.files[i].ino == st->st_ino)
			return;
	if (inputs.n == inputs.cap) {
		size_t cap = inputs.cap ? 2 * inputs.cap : 16;
		seen_file *p = realloc(inputs.files, cap * sizeof *p);
		if (!p)
			return;	/* the explicit checks of snn_output_check still hold */
		inputs.files = p;
		inputs.cap = cap;
	}
	char *copy = strdup(path);
	if (copy)
		inputs.files[inputs.n++] = (seen_file){st->st_dev, st->st_ino, copy};
}

static const seen_file *input_of(const struct stat *st)
{
	for (size_t i = 0; i < inputs.n; i++)
		if (inputs.files[i].dev == st->st_dev && inputs.files[i].ino == st->st_ino)
			return &inputs.files[i];
	return NULL;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* ---- inputs ---- */

int snn_file_open_input(const char *path, uint64_t max_bytes, uint64_t *size, snn_diag *diag)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return snn_fail(diag, SNN_ERR_IO, "%s: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: is %s; only regular files are read", path,
			      file_kind(st.st_mode));
	else if ((uint64_t)st.st_size > max_bytes)
		rc = snn_fail(diag, SNN_ERR_RANGE, "%s: is %llu bytes, more than the %llu this reader takes",
			      path, (unsigned long long)st.st_size, (unsigned long long)max_bytes);
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: %s", path, strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	remember_input(&st, path);
	*size = (uint64_t)st.st_size;
	return fd;
}

int snn_file_read_input(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len,
			snn_diag *diag)
{
	*data = NULL;
	*len = 0;
	uint64_t size;
	int fd = snn_file_open_input(path, max_bytes, &size, diag);
	if (fd < 0)
		return fd;
	/* The size is a hint (the file may change): read to the end, capped. */
	size_t cap = (size_t)size + 1, n = 0;
	uint8_t *buf = malloc(cap);
	int rc = buf ? 0 : snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	while (!rc) {
		if (n == cap) {
			size_t more = cap * 2 > max_bytes + 1 ? (size_t)max_bytes + 1 : cap * 2;
			uint8_t *p = more > cap ? realloc(buf, more) : NULL;
			if (!p) {
				rc = more > cap ? snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path)
						: snn_fail(diag, SNN_ERR_RANGE, "%s: grew beyond the %llu bytes this reader takes",
							   path, (unsigned long long)max_bytes);
				break;
			}
			buf = p;
			cap = more;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = snn_fail(diag, SNN_ERR_IO, "%s: read failed: %s", path, strerror(errno));
		else if (r == 0)
			break;
		else
			n += (size_t)r;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* ---- outputs ---- */

/* Where path leads: the file, symbolic links followed (*exists), and its
 * resolved name (malloc'd): realpath of an existing file, the resolved
 * directory plus the last component for a new one. */
static int resolve(const char *path, const char *what, char **canon, struct stat *st, bool *exists,
		   snn_diag *diag)
{
	*canon = NULL;
	*exists = false;
	if (!*path)
		return snn_fail(diag, SNN_ERR_ARG, "%s: the file name is empty", what);
	if (!stat(path, st)) {
		*exists = true;
		if (!(*canon = realpath(path, NULL)))
			return snn_fail(diag, SNN_ERR_IO, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (errno != ENOENT)
		return snn_fail(diag, SNN_ERR_IO, "%s: %s", path, strerror(errno));
	struct stat lst;
	if (!lstat(path, &lst))
		return snn_fail(diag, SNN_ERR_IO, "%s: a symbolic link to a missing file; not followed", path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return snn_fail(diag, SNN_ERR_ARG, "%s: names a directory, not a file", path);
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	char *dir_real = dir ? realpath(dir, NULL) : NULL;
	int rc = 0;
	struct stat dst;
	if (!dir)
		rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	else if (!dir_real)
		rc = snn_fail(diag, SNN_ERR_IO, "%s: directory %s: %s", path, dir, strerror(errno));
	else if (stat(dir_real, &dst) || !S_ISDIR(dst.st_mode))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: %s is not a directory", path, dir);
	else if (!(*canon = malloc(strlen(dir_real) + strlen(base) + 2)))
		rc = snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	else
		sprintf(*canon, "%s/%s", strcmp(dir_real, "/") ? dir_real : "", base);
	free(dir);
	free(dir_real);
	return rc;
}

/* The checks every output gets: what path leads to may be replaced. */
static int output_target(const char *path, char **canon, struct stat *st, bool *exists, snn_diag *diag)
{
	int rc = resolve(path, path, canon, st, exists, diag);
	if (rc)
		return rc;
	if (*exists && !S_ISREG(st->st_mode))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: is %s; outputs replace only regular files", path,
			      file_kind(st->st_mode));
	const seen_file *in = *exists && !rc ? input_of(st) : NULL;
	if (in)
		rc = snn_fail(diag, SNN_ERR_ARG, "%s: is the same file as the input %s; refusing to replace it",
			      path, in->path);
	if (!rc) {	/* the rename needs the directory */
		char *slash = strrchr(*canon, '/');
		char *dir = strndup(*canon, slash == *canon ? 1 : (size_t)(slash - *canon));
		if (dir && access(dir, W_OK | X_OK))
			rc = snn_fail(diag, SNN_ERR_IO, "%s: cannot write in %s: %s", path, dir, strerror(errno));
		free(dir);
	}
	if (rc) {
		free(*canon);
		*canon = NULL;
	}
	return rc;
}

int snn_output_check(const char *path, const char *what, const snn_file_use *others, size_t n_others,
		     snn_diag *diag)
{
	char *canon;
	struct stat st;
	bool exists;
	snn_diag d;
	int rc = output_target(path, &canon, &st, &exists, &d);
	if (rc)
		return snn_fail(diag, rc, "%s (%s)", d.msg, what);
	for (size_t i = 0; i < n_others && !rc; i++) {
		if (!others[i].path)
			continue;
		char *other;
		struct stat ost;
		bool oexists;
		if (resolve(others[i].path, others[i].what, &other, &ost, &oexists, NULL))
			continue;	/* an input that is not there fails when it is read */
		bool same = exists && oexists ? st.st_dev == ost.st_dev && st.st_ino == ost.st_ino
					      : !strcmp(canon, other);
		if (same)
			rc = snn_fail(diag, SNN_ERR_ARG, "%s (%s) is the same file as %s (%s); refusing to %s it",
				      path, what, others[i].path, others[i].what, oexists ? "replace" : "write twice to");
		free(other);
	}
	free(canon);
	return rc;
}

int snn_outputs_check(const snn_file_use *files, size_t n, size_t first_output, snn_diag *diag)
{
	snn_file_use *others = malloc((n ? n : 1) * sizeof *others);
	if (!others)
		return snn_fail(diag, SNN_ERR_NOMEM, "out of memory");
	int rc = 0;
	for (size_t i = first_output; i < n && !rc; i++) {
		if (!files[i].path)
			continue;
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			if (j != i)
				others[k++] = files[j];
		rc = snn_output_check(files[i].path, files[i].what, others, k, diag);
	}
	free(others);
	return rc;
}

static mode_t creation_mode(void)
{
	mode_t mask = umask(0);	/* the only way to read it; set straight back */
	umask(mask);
	return 0666 & ~mask;
}

int snn_output_open(snn_output *o, const char *path, snn_diag *diag)
{
	memset(o, 0, sizeof *o);
	struct stat st;
	bool exists;
	int rc = output_target(path, &o->target, &st, &exists, diag);
	if (rc)
		return rc;
	o->mode = exists ? st.st_mode & 0777 : creation_mode();
	o->path = strdup(path);
	size_t n = strlen(o->target) + sizeof ".tmp.XXXXXX";
	if (!o->path || !(o->tmp = malloc(n))) {
		snn_output_abort(o);
		return snn_fail(diag, SNN_ERR_NOMEM, "%s: out of memory", path);
	}
	snprintf(o->tmp, n, "%s.tmp.XXXXXX", o->target);
	int fd = mkstemp(o->tmp);	/* O_EXCL: never through a planted file or link */
	if (fd < 0) {
		rc = snn_fail(diag, SNN_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
			      strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		snn_output_abort(o);
		return rc;
	}
	if (!(o->f = fdopen(fd, "wb"))) {
		rc = snn_fail(diag, SNN_ERR_IO, "%s: %s", path, strerror(errno));
		close(fd);
		snn_output_abort(o);
	}
	return rc;
}

void snn_output_abort(snn_output *o)
{
	if (o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	free(o->path);
	memset(o, 0, sizeof *o);
}

int snn_output_commit(snn_output *o, snn_diag *diag)
{
	int rc = 0;
	if (fflush(o->f) || ferror(o->f))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: write failed: %s", o->path, strerror(errno));
	else if (fchmod(fileno(o->f), o->mode) || fsync(fileno(o->f)))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: %s", o->path, strerror(errno));
	FILE *f = o->f;
	o->f = NULL;
	if (fclose(f) && !rc)
		rc = snn_fail(diag, SNN_ERR_IO, "%s: close failed: %s", o->path, strerror(errno));
	/* The target may have changed while the content was made. */
	struct stat st;
	if (!rc && !stat(o->target, &st) && !S_ISREG(st.st_mode))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: is %s; outputs replace only regular files", o->path,
			      file_kind(st.st_mode));
	if (!rc && rename(o->tmp, o->target))
		rc = snn_fail(diag, SNN_ERR_IO, "%s: cannot rename the temporary file: %s", o->path,
			      strerror(errno));
	if (!rc) {
		free(o->tmp);
		o->tmp = NULL;
	}
	snn_output_abort(o);
	return rc;
}

int snn_output_write(const char *path, const void *data, size_t len, snn_diag *diag)
{
	snn_output o;
	int rc = snn_output_open(&o, path, diag);
	if (rc)
		return rc;
	if (len && fwrite(data, 1, len, o.f) != len) {
		rc = snn_fail(diag, SNN_ERR_IO, "%s: write failed: %s", path, strerror(errno));
		snn_output_abort(&o);
		return rc;
	}
	return snn_output_commit(&o, diag);
}

int snn_stdout_finish(snn_diag *diag)
{
	int err = fflush(stdout) ? errno : 0;
	if (err || ferror(stdout))
		return snn_fail(diag, SNN_ERR_IO, "standard output: write failed: %s",
				err ? strerror(err) : "an earlier write failed");
	return 0;
}

int snn_stdout_status(const char *prog, int status, int failure)
{
	snn_diag d;
	if (!snn_stdout_finish(&d))
		return status;
	fprintf(stderr, "%s: %s\n", prog, d.msg);
	return status ? status : failure;
}
