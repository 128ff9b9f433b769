/* JSON fields of the tools' --json output, for the driver tests (cmd.h). */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double json_num(const char *json, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\": ", key);
	const char *p = strstr(json, pat);
	return p ? atof(p + strlen(pat)) : -1.0;
}

int json_field(const char *json, const char *key, char *out, size_t cap)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\": ", key);
	const char *p = strstr(json, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	size_t n = 0;
	int depth = 0;
	for (; p[n]; n++) {
		char c = p[n];
		if (c == '[' || c == '{')
			depth++;
		else if (c == ']' || c == '}') {
			if (depth == 0)
				break;
			depth--;
		} else if (c == ',' && depth == 0)
			break;
	}
	if (n + 1 > cap)
		return -1;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}
