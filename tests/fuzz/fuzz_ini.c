/* libFuzzer target for data/ini: reading any bytes under the three option
 * sets must never crash or leak; success means a document and no diagnostic,
 * failure the reverse. With configparser's defaults, writing a document back
 * as INI text and reading it again must give the same document. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/ini.h"
#include "data/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ini_check(int r, const struct value *doc, const struct diag *d)
{
	size_t i, j;

	if ((r == 0) != (doc != NULL) || (r != 0) != diag_has(d))
		abort();
	if (doc == NULL)
		return;
	for (i = 0; i < value_len(doc); i++) {
		const struct value *sect = value_map_val_at(doc, i);

		if (sect->type != VALUE_MAP || sect->pos.line == 0)
			abort();
		for (j = 0; j < value_len(sect); j++) {
			const struct value *k = value_map_key_at(sect, j), *v = value_map_val_at(sect, j);
			const char *ks = value_cstr(k);

			if (v->type != VALUE_STR || v->pos.line == 0 || k->pos.line == 0 || *ks == '\0')
				abort();
			for (; *ks; ks++)
				if (*ks >= 'A' && *ks <= 'Z')
					abort();
		}
	}
}

/* Writes doc as INI text: continuation lines indented by a tab. */
static void fuzz_ini_write(const struct value *doc, struct buf *out)
{
	size_t i, j;

	for (i = 0; i < value_len(doc); i++) {
		const struct value *sect = value_map_val_at(doc, i);

		buf_printf(out, "[%s]\n", value_cstr(value_map_key_at(doc, i)));
		for (j = 0; j < value_len(sect); j++) {
			const char *v = value_cstr(value_map_val_at(sect, j)), *nl;

			buf_printf(out, "%s = ", value_cstr(value_map_key_at(sect, j)));
			while ((nl = strchr(v, '\n')) != NULL) {
				buf_put(out, v, (size_t)(nl - v));
				buf_puts(out, "\n");
				v = nl + 1;
				if (*v != '\n' && *v != '\0')
					buf_puts(out, "\t");
			}
			buf_printf(out, "%s\n", v);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ini_opts *modes[] = {NULL, &ini_opts_ansible, &ini_opts_supervisord};
	const char *in = (const char *)data;
	struct value *doc, *again;
	struct diag d;
	struct buf b;
	size_t m;
	int r;

	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		doc = NULL;
		diag_init(&d);
		r = ini_load(in, size, "fuzz.cfg", modes[m], &doc, &d);
		fuzz_ini_check(r, doc, &d);
		diag_fini(&d);
		if (r == 0 && m == 0) {
			buf_init(&b, 0);
			fuzz_ini_write(doc, &b);
			again = NULL;
			r = ini_load(buf_str(&b), b.len, "again.cfg", NULL, &again, &d);
			if (r != 0 || !value_equal(doc, again))
				abort();
			value_unref(again);
			diag_fini(&d);
			buf_fini(&b);
		}
		value_unref(doc);
	}
	return 0;
}
