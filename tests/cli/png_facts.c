/* Reading plots back with libpng (see png_facts.h). */
#include "png_facts.h"

#include <png.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *decode(const char *path, png_image *im)
{
	memset(im, 0, sizeof *im);
	im->version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(im, path))
		return NULL;
	im->format = PNG_FORMAT_RGB;
	uint8_t *px = malloc(PNG_IMAGE_SIZE(*im));
	if (px && png_image_finish_read(im, NULL, px, 0, NULL))
		return px;
	png_image_free(im);
	free(px);
	return NULL;
}

unsigned char *read_png_rgb(const char *path)
{
	png_image im;
	return decode(path, &im);
}

png_facts read_png(const char *path)
{
	png_facts f = {0};
	png_image im;
	uint8_t *px = decode(path, &im);
	if (px) {
		f.ok = 1;
		f.w = im.width;
		f.h = im.height;
		for (size_t i = 0; i < (size_t)im.width * im.height; i++) {
			const uint8_t *p = px + 3 * i;
			f.blue += p[2] > p[0] + 40 && p[2] > p[1] + 40;
		}
		for (unsigned y = 0, dark = 0; y < im.height && im.width >= 9; y++) {
			const uint8_t *p = px + 3 * ((size_t)y * im.width + im.width - 9);
			unsigned now = p[0] < 90 && p[1] < 90 && p[2] < 90;
			f.boundaries += now && !dark;
			dark = now;
		}
	}
	free(px);
	return f;
}

const char *read_text(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
	fclose(f);
	return buf;
}

const char *path_in_dir(const char *dir, const char *name)
{
	static char buf[2][512];
	static int k;
	k ^= 1;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}
