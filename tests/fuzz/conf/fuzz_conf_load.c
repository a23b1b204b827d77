/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: any bytes given as a configuration must be either loaded or
 * refused with errors, without crashing, leaking or reading out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errors = {0};
	struct conf_model *model = NULL;
	char *text = malloc(size + 1);
	FILE *sink;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_load_string(text, "fuzz.conf", &model, &errors) == 0) {
		/* A loaded model must be complete enough to print. */
		if (errors.n != 0)
			abort();
		sink = fopen("/dev/null", "w");
		if (sink != NULL) {
			conf_print_summary(model, sink);
			fclose(sink);
		}
		conf_free(model);
	} else if (model != NULL || errors.n == 0) {
		abort(); /* refused without saying why, or half-loaded */
	}
	conf_errors_clear(&errors);
	free(text);
	return 0;
}
