/*
 * fuzz_form: application/x-www-form-urlencoded bodies as the pages and the
 * token endpoint parse them (form_parse, form_get), and one urlencoded
 * component decoded in place as HTTP Basic credentials are (form_unescape).
 */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
parse(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "username", "password", "csrf",
	    "code", "grant_type", "redirect_uri", "id_token_hint", "" };
	struct form *f;
	/* An exact-size copy without a terminator: form_parse is bounded by len. */
	char *body = malloc(size > 0 ? size : 1);

	if (body == NULL)
		return;
	if (size > 0)
		memcpy(body, data, size);
	if (form_parse(body, size, &f) == 0) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *v = form_get(f, names[i]);
			if (v != NULL && strlen(v) > size)
				__builtin_trap();
		}
		form_free(f);
	}
	free(body);
}

static void
unescape(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *before = malloc(size + 1);

	if (s != NULL && before != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		memcpy(before, s, size + 1);
		if (form_unescape(s) != 0 && strcmp(s, before) != 0)
			__builtin_trap();	/* -1 leaves s unchanged */
		if (strlen(s) > strlen(before))
			__builtin_trap();
	}
	free(s);
	free(before);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse(data, size);
	unescape(data, size);
	return 0;
}
