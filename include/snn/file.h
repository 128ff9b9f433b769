/* Files every tool reads and writes, handled one way (docs/files.md): inputs
 * are regular files opened without blocking and bounded in size; outputs
 * replace only regular files, through a temporary file beside them, and
 * never a file the same run reads. */
#ifndef SNN_FILE_H
#define SNN_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "snn/error.h"

/* From now on remember every input this process opens, so that no output
 * can replace one (snn_output_open refuses). The tools call it first thing;
 * library users that rewrite their own files on purpose do not. */
void snn_file_guard_inputs(void);

/* Open path for reading. O_NONBLOCK keeps a FIFO or device from blocking
 * the open; anything but a regular file of at most max_bytes is refused
 * before a byte is read. Returns a blocking descriptor (>= 0) and the size
 * in *size, or a negative snn_err with the path named in diag. */
int snn_file_open_input(const char *path, uint64_t max_bytes, uint64_t *size, snn_diag *diag);

/* Read a whole input file (opened as above) into a malloc'd buffer. */
int snn_file_read_input(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len,
			snn_diag *diag);

/* A file this run reads or writes, and what it is, for messages. */
typedef struct snn_file_use {
	const char *path;	/* NULL: not given this run, skipped */
	const char *what;	/* "the model", "--report" */
} snn_file_use;

/* Before any work: can path (called what) be written? It must be a regular
 * file, or not exist yet in an existing directory, and must not be the same
 * file as any of others (the run's inputs and other outputs: the same
 * device and inode, or the same resolved name). */
int snn_output_check(const char *path, const char *what, const snn_file_use *others, size_t n_others,
		     snn_diag *diag);

/* The same for a tool's whole command line: files[first_output..n) are
 * outputs, each checked against every other file; returns the first
 * failure. */
int snn_outputs_check(const snn_file_use *files, size_t n, size_t first_output, snn_diag *diag);

/* An output being written: content goes to f, a file that mkstemp made in
 * the target's directory; commit renames it over the target. */
typedef struct snn_output {
	FILE *f;
	char *path;	/* as the caller named it, for messages */
	char *target;	/* the file replaced, symbolic links resolved */
	char *tmp;
	mode_t mode;	/* an existing file's permissions, or 0666 under the umask */
} snn_output;

/* Start writing path: checked as snn_output_check (without others), and
 * not an input remembered since snn_file_guard_inputs. */
int snn_output_open(snn_output *o, const char *path, snn_diag *diag);
/* Check every write, give the file its mode, sync, rename it over the
 * target. o is closed whatever happens; on failure nothing is replaced. */
int snn_output_commit(snn_output *o, snn_diag *diag);
/* Drop a started output: the temporary file goes, the target stays. */
void snn_output_abort(snn_output *o);
/* open, one write of len bytes, commit. */
int snn_output_write(const char *path, const void *data, size_t len, snn_diag *diag);

/* Flush standard output: 0 if every write to it succeeded, else a negative
 * snn_err with the reason (a full disk, a closed pipe) in diag. */
int snn_stdout_finish(snn_diag *diag);
/* A tool's exit status once standard output is flushed: status, or when a
 * write there failed (--json into a full disk) the message prefixed with
 * prog on stderr and failure (status if non-zero) instead of success. */
int snn_stdout_status(const char *prog, int status, int failure);

#endif
