/* Private to the YAML loader: typing of scalars as PyYAML's SafeLoader does
 * it (the implicit resolver for YAML 1.1 and the constructors behind the
 * explicit tags). */
#ifndef DROVER_DATA_YAML_SCALAR_H
#define DROVER_DATA_YAML_SCALAR_H

#include <stddef.h>

#include "data/value.h"

enum yaml_scalar_kind {
	YAML_SCALAR_STR,
	YAML_SCALAR_NULL,
	YAML_SCALAR_BOOL,
	YAML_SCALAR_INT,
	YAML_SCALAR_FLOAT,
	YAML_SCALAR_TIMESTAMP,
	YAML_SCALAR_MERGE, /* "<<": meaningful only as a mapping key */
	YAML_SCALAR_VALUE, /* "=": a string as a key, an error elsewhere */
};

/* Returns the kind PyYAML's resolver gives the plain scalar s of n bytes. */
enum yaml_scalar_kind yaml_scalar_resolve(const char *s, size_t n);

/* Builds the value of kind from the text s of n bytes, as PyYAML's
 * constructor for that tag would (so "!!int ' 0x1f'" works as it does
 * there). Returns 0 and a new value in *vp, or ERR_PARSE with a static
 * message in *whyp. MERGE and VALUE are not constructible. */
int yaml_scalar_construct(enum yaml_scalar_kind kind, const char *s, size_t n, struct value **vp,
                          const char **whyp);

/* Returns the text a non-string scalar becomes as a mapping key: what
 * Python's json.dumps prints for that key (1 -> "1", true -> "true", None ->
 * "null", 1.5 -> "1.5", inf -> "Infinity"). A new VALUE_STR. */
struct value *yaml_scalar_key_str(const struct value *v);

#endif
