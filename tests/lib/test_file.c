/* The file module (docs/files.md): inputs only from regular files, outputs
 * only onto regular or new files through a random temporary name, keeping
 * modes, never onto an input. Expectations come from stat(2), not from the
 * module. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../harness.h"
#include "snn/file.h"

static char dir[] = "/tmp/snn_file_test.XXXXXX";

static const char *in_dir(const char *name)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool has_text(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
	fclose(f);
	return !strcmp(buf, text);
}

static int entries_in_dir(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : st.st_mode & 07777;
}

static void expect_write_refused(const char *path, const char *want)
{
	snn_diag d = {""};
	th_expect(snn_output_write(path, "new", 3, &d) != 0, "writing %s was accepted", path);
	th_expect(strstr(d.msg, want) && strstr(d.msg, path), "message \"%s\" lacks \"%s\" or the path", d.msg,
		  want);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	alarm(60);	/* a blocking open would hang the suite: let it die instead */
	snn_diag d;

	th_case("output_new_file_under_umask");
	mode_t old_mask = umask(027);
	th_expect(snn_output_write(in_dir("new.txt"), "hello", 5, &d) == 0, "write: %s", d.msg);
	th_expect(mode_of(in_dir("new.txt")) == 0640, "mode %o, umask 027 wants 0640", mode_of(in_dir("new.txt")));
	th_expect(has_text(in_dir("new.txt"), "hello"), "content");
	umask(old_mask);

	th_case("output_keeps_existing_mode");
	put_text(in_dir("secret.txt"), "old");
	chmod(in_dir("secret.txt"), 0600);
	th_expect(snn_output_write(in_dir("secret.txt"), "new", 3, &d) == 0, "write: %s", d.msg);
	th_expect(mode_of(in_dir("secret.txt")) == 0600, "mode %o, want the old 0600", mode_of(in_dir("secret.txt")));
	th_expect(has_text(in_dir("secret.txt"), "new"), "content replaced");

	th_case("output_onto_fifo_bad");
	mkfifo(in_dir("fifo"), 0600);
	expect_write_refused(in_dir("fifo"), "is a FIFO");
	struct stat st;
	th_expect(!stat(in_dir("fifo"), &st) && S_ISFIFO(st.st_mode), "the FIFO was replaced");

	th_case("output_onto_device_bad");
	const char *dev = th_scratch_device(in_dir("null"));
	if (dev) {
		expect_write_refused(dev, "is a character device");
		th_expect(!stat(dev, &st) && S_ISCHR(st.st_mode), "%s was replaced", dev);
	}

	th_case("output_onto_directory_bad");
	mkdir(in_dir("sub"), 0700);
	expect_write_refused(in_dir("sub"), "is a directory");

	th_case("output_through_symlink_keeps_link");
	put_text(in_dir("real.txt"), "old");
	symlink("real.txt", in_dir("link.txt"));
	th_expect(snn_output_write(in_dir("link.txt"), "new", 3, &d) == 0, "write: %s", d.msg);
	th_expect(!lstat(in_dir("link.txt"), &st) && S_ISLNK(st.st_mode), "the link was replaced by a file");
	th_expect(has_text(in_dir("real.txt"), "new"), "the file behind the link holds the content");

	th_case("output_dangling_symlink_bad");
	symlink("missing.txt", in_dir("dangling.txt"));
	expect_write_refused(in_dir("dangling.txt"), "symbolic link to a missing file");
	th_expect(access(in_dir("missing.txt"), F_OK) != 0, "a file was created through the link");

	/* The old writers used OUT.tmp: a link planted there redirected them. */
	th_case("output_planted_tmp_link_ignored");
	put_text(in_dir("victim.txt"), "victim");
	symlink("victim.txt", in_dir("out.txt.tmp"));
	th_expect(snn_output_write(in_dir("out.txt"), "new", 3, &d) == 0, "write: %s", d.msg);
	th_expect(has_text(in_dir("victim.txt"), "victim"), "the planted link's target was written");
	th_expect(has_text(in_dir("out.txt"), "new"), "content");

	th_case("output_abort_leaves_nothing");
	int before = entries_in_dir();
	snn_output o;
	th_expect(snn_output_open(&o, in_dir("secret.txt"), &d) == 0, "open: %s", d.msg);
	fputs("half", o.f);
	snn_output_abort(&o);
	th_expect(has_text(in_dir("secret.txt"), "new"), "the target changed");
	th_expect(entries_in_dir() == before, "a temporary file was left: %d entries, %d before",
		  entries_in_dir(), before);

	th_case("output_missing_directory_bad");
	expect_write_refused(in_dir("nodir/x.txt"), "nodir");

	th_case("input_fifo_refused_without_blocking");
	uint8_t *data;
	size_t len;
	d.msg[0] = '\0';
	th_expect(snn_file_read_input(in_dir("fifo"), 1000, &data, &len, &d) != 0 && strstr(d.msg, "is a FIFO"),
		  "reading a FIFO: %s", d.msg);

	th_case("input_directory_bad");
	th_expect(snn_file_read_input(dir, 1000, &data, &len, &d) != 0 && strstr(d.msg, "is a directory"),
		  "reading a directory: %s", d.msg);

	th_case("input_device_bad");
	th_expect(snn_file_read_input("/dev/zero", 1000, &data, &len, &d) != 0 &&
			  strstr(d.msg, "character device"),
		  "reading /dev/zero: %s", d.msg);

	th_case("input_size_cap_bad");
	th_expect(snn_file_read_input(in_dir("victim.txt"), 5, &data, &len, &d) == SNN_ERR_RANGE &&
			  strstr(d.msg, "6 bytes") && strstr(d.msg, "victim.txt"),
		  "a 6-byte file over a 5-byte cap: %s", d.msg);

	th_case("input_read");
	int rc = snn_file_read_input(in_dir("victim.txt"), 6, &data, &len, &d);
	th_expect(rc == 0 && len == 6 && !memcmp(data, "victim", 6), "read: %s", d.msg);
	if (rc == 0)
		free(data);

	th_case("check_output_against_others");
	link(in_dir("victim.txt"), in_dir("hardlink.txt"));
	const snn_file_use uses[] = {{in_dir("hardlink.txt"), "the model"}, {NULL, "unused"}};
	th_expect(snn_output_check(in_dir("victim.txt"), "-o", uses, 2, &d) != 0 && strstr(d.msg, "the model") &&
			  strstr(d.msg, "-o"),
		  "a hard link of an input: %s", d.msg);
	const snn_file_use twin[] = {{in_dir("./fresh.txt"), "--report"}};
	th_expect(snn_output_check(in_dir("fresh.txt"), "-o", twin, 1, &d) != 0 && strstr(d.msg, "--report"),
		  "two new outputs of one name: %s", d.msg);
	const snn_file_use other[] = {{in_dir("other.txt"), "--report"}, {in_dir("victim.txt"), "the model"}};
	th_expect(snn_output_check(in_dir("fresh.txt"), "-o", other, 2, &d) == 0, "distinct files: %s", d.msg);

	th_case("output_onto_input_of_run_bad");
	snn_file_guard_inputs();
	th_expect(snn_file_read_input(in_dir("victim.txt"), 100, &data, &len, &d) == 0, "read: %s", d.msg);
	free(data);
	expect_write_refused(in_dir("hardlink.txt"), "the same file as the input");
	th_expect(has_text(in_dir("victim.txt"), "victim"), "the input was replaced");

	const char *names[] = {"null", "new.txt", "secret.txt", "fifo", "real.txt", "link.txt", "dangling.txt",
			       "victim.txt", "out.txt.tmp", "out.txt", "hardlink.txt"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(in_dir(names[i]));
	rmdir(in_dir("sub"));
	rmdir(dir);
	return th_done("test_file");
}
