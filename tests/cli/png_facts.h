/* What a reader of a plot sees, for tests of the tools that draw them:
 * a PNG's size, its coloured pixels and its band boundaries. */
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

#endif
