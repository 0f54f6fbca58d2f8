/* Descriptions for error codes. */
#include "base/err.h"

#include <string.h>

const char *err_str(int r)
{
	switch (r) {
	case 0: return "success";
	case ERR_INTERNAL: return "internal error";
	case ERR_TOOBIG: return "too big";
	case ERR_PARSE: return "parse error";
	case ERR_PROTO: return "protocol error";
	case ERR_VERSION: return "protocol version mismatch";
	case ERR_EOF: return "end of stream";
	case ERR_TIMEOUT: return "timed out";
	case ERR_NOTFOUND: return "not found";
	case ERR_INVAL: return "invalid argument";
	case ERR_DEPTH: return "nested too deeply";
	default: break;
	}
	if (r < 0 && r > ERR_BASE)
		return strerror(-r);
	return "unknown error";
}
