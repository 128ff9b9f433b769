/* What a reader of a plot sees, for tests of the tools that draw them:
 * a PNG's size, its coloured pixels and its band boundaries; an SVG's text. */
#ifndef SNN_TEST_PNG_FACTS_H
#define SNN_TEST_PNG_FACTS_H

#include <stddef.h>

typedef struct png_facts {
	int ok;	/* the file decodes as PNG */
	unsigned w, h;
	size_t blue;	/* pixels clearly bluer than grey: data (text and lines are grey) */
	int boundaries;	/* dark lines crossing the column 9 pixels from the right edge */
} png_facts;

png_facts read_png(const char *path);
/* The decoded pixels, 3 bytes (RGB) each, row by row; malloc'd, or NULL. */
unsigned char *read_png_rgb(const char *path);
/* A whole text file (an SVG), NUL-terminated, in a static buffer of 1 MiB
 * that the next call reuses; NULL if it cannot be read. */
const char *read_text(const char *path);
/* dir/name, in one of two buffers used in turn. */
const char *path_in_dir(const char *dir, const char *name);

#endif
