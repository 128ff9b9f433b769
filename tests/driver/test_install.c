/* make install into a temporary DESTDIR, as a packager runs it: every file
 * in its place, `man snnhost` finds the page, the installed snnhost runs,
 * and a small program built with `pkg-config --cflags --libs snnhost`
 * against the installed headers and libraries opens a device and reads
 * its geometry. The udev rules hold every board of driver/usb.c's table. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "cmd.h"
#include "usb.h"

static char dir[] = "/tmp/snnhost_install.XXXXXX";

static const char program[] =
	"#include <stdio.h>\n"
	"#include <snnhost.h>\n"
	"int main(void)\n"
	"{\n"
	"	snnhost *h;\n"
	"	snn_diag d;\n"
	"	if (snnhost_open(\"golden:icebreaker\", NULL, &h, &d)) {\n"
	"		fprintf(stderr, \"%s\\n\", d.msg);\n"
	"		return 1;\n"
	"	}\n"
	"	printf(\"cores %u, %s\\n\", snnhost_identity_of(h)->geo.n_cores,\n"
	"	       snnhost_error_name(SNNHOST_ERROR_TIMEOUT));\n"
	"	snnhost_close(h);\n"
	"	return 0;\n"
	"}\n";

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	static char out[1 << 16];
	if (!mkdtemp(dir))
		return 1;
	/* Objects built with the sanitizers need them at link time too. */
#if defined(__SANITIZE_ADDRESS__)
	const char *san = "-fsanitize=address,undefined";
#else
	const char *san = "";
#endif

	th_case("make_install");
	int rc = run_cmd(out, sizeof out, "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s install "
			 "BUILD=%s DESTDIR=%s/root PREFIX=/usr", build, dir);
	if (!th_expect(rc == 0, "make install: %s", out))
		return th_done("test_install");
	static const char *const files[] = {
		"usr/bin/snnhost", "usr/bin/snnsim", "usr/bin/snnc", "usr/lib/libsnnhost.a",
		"usr/lib/libsnn.a", "usr/lib/pkgconfig/snnhost.pc", "usr/include/snnhost.h",
		"usr/include/snn/image.h", "usr/share/man/man1/snnhost.1",
		"usr/share/man/man1/snnsim.1", "usr/share/man/man1/snnc.1",
		"usr/lib/udev/rules.d/60-snnhost.rules",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[600];
		snprintf(path, sizeof path, "%s/root/%s", dir, files[i]);
		FILE *f = fopen(path, "r");
		th_expect(f != NULL, "not installed: /%s", files[i]);
		if (f)
			fclose(f);
	}

	th_case("man_pages");
	for (const char *const *p = (const char *const[]){"snnhost", "snnsim", "snnc", NULL}; *p; p++)
		th_expect(run_cmd(out, sizeof out, "MANPATH=%s/root/usr/share/man man -w %s", dir, *p) == 0 &&
				  strstr(out, dir) != NULL, "man -w %s: %s", *p, out);
	th_expect(run_cmd(out, sizeof out, "MANWIDTH=80 man -l %s/root/usr/share/man/man1/snnhost.1 "
			  "", dir) == 0 && strstr(out, "EXIT STATUS") && strstr(out, "usb:VID:PID"),
		  "man snnhost renders: %.300s", out);

	th_case("installed_program_runs");
	th_expect(run_cmd(out, sizeof out, "%s/root/usr/bin/snnhost info -d golden", dir) == 0 &&
			  strstr(out, "profile sim"), "installed snnhost: %s", out);

	th_case("pkg_config_build");
	char src[600];
	snprintf(src, sizeof src, "%s/prog.c", dir);
	FILE *f = fopen(src, "w");
	if (!th_expect(f != NULL, "cannot write %s", src))
		return th_done("test_install");
	fputs(program, f);
	fclose(f);
	rc = run_cmd(out, sizeof out,
		     "export PKG_CONFIG_PATH=%s/root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=%s/root; "
		     "cc -std=c11 -Wall -Wextra -Werror %s %s/prog.c -o %s/prog $(pkg-config --cflags --libs snnhost)",
		     dir, dir, san, dir, dir);
	th_expect(rc == 0, "cc with pkg-config: %s", out);
	if (rc == 0)
		th_expect(run_cmd(out, sizeof out, "%s/prog", dir) == 0 &&
				  strstr(out, "cores 16, SNNHOST_ERROR_TIMEOUT"), "the program: %s", out);

	th_case("library_symbols_prefixed");	/* nothing to clash with a user's names (ASan adds its __odr_asan markers) */
	rc = run_cmd(out, sizeof out, "nm --defined-only -g %s/root/usr/lib/libsnnhost.a | "
		     "awk 'NF == 3 && $3 !~ /^(snnhost_|__odr_asan)/ {print $3}'", dir);
	th_expect(rc == 0 && out[0] == 0, "global symbols without the snnhost_ prefix: %s", out);

	th_case("udev_rules_hold_every_board");
	FILE *r = fopen("driver/udev/60-snnhost.rules", "r");
	static char rules[8192];
	size_t n = r ? fread(rules, 1, sizeof rules - 1, r) : 0;
	rules[n] = 0;
	if (r)
		fclose(r);
	for (unsigned i = 0; i < snnhost_usb_board_count; i++) {
		char want[96];
		snprintf(want, sizeof want, "ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\"",
			 snnhost_usb_boards[i].vid, snnhost_usb_boards[i].pid);
		th_expect(strstr(rules, want) != NULL, "60-snnhost.rules lacks %s (%s)", want,
			  snnhost_usb_boards[i].name);
	}
	run_cmd(out, sizeof out, "rm -rf %s", dir);
	return th_done("test_install");
}
