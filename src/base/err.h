/* Error codes shared by every layer: negative errno values for system errors,
 * and project codes in a disjoint range below ERR_BASE. err_str() names both. */
#ifndef DROVER_BASE_ERR_H
#define DROVER_BASE_ERR_H

enum err_code {
	ERR_BASE = -10000,
	ERR_INTERNAL = ERR_BASE - 1, /* a bug or an unexpected state */
	ERR_TOOBIG = ERR_BASE - 2,   /* an input exceeded its size cap */
	ERR_PARSE = ERR_BASE - 3,    /* malformed input; a diag says where */
	ERR_PROTO = ERR_BASE - 4,    /* peer broke the worker protocol */
	ERR_VERSION = ERR_BASE - 5,  /* protocol version mismatch */
	ERR_EOF = ERR_BASE - 6,      /* peer closed the stream */
	ERR_TIMEOUT = ERR_BASE - 7,  /* a deadline passed */
	ERR_NOTFOUND = ERR_BASE - 8, /* a named thing does not exist */
	ERR_INVAL = ERR_BASE - 9,    /* an argument is not acceptable */
	ERR_DEPTH = ERR_BASE - 10,   /* nesting exceeded its cap */
	ERR_LAST = ERR_BASE - 11,
};

/* Returns a static description of r (0, -errno or an ERR_* code). */
const char *err_str(int r);

#endif
