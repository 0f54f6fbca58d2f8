/* The wire value codec (doc/PROTOCOL.worker, section 3). The encoding is
 * canonical, so a decoded body re-encodes to the same bytes; the fuzzer
 * relies on that. */
#include "proto/wire.h"

#include <stdint.h>
#include <string.h>

#include "base/err.h"

static int wire_put_len(struct buf *out, size_t n)
{
	if (n > UINT32_MAX)
		return ERR_TOOBIG;
	return buf_put_u32(out, (uint32_t)n);
}

static int wire_put(struct buf *out, const struct value *v, int depth)
{
	const struct value *k;
	uint64_t bits;
	size_t i;
	int r;

	if (v == NULL)
		return buf_putc(out, 'N');
	switch (v->type) {
	case VALUE_NULL:
		return buf_putc(out, 'N');
	case VALUE_BOOL:
		return buf_putc(out, v->u.b ? 'T' : 'F');
	case VALUE_INT:
		if ((r = buf_putc(out, 'I')) != 0)
			return r;
		return buf_put_u64(out, (uint64_t)v->u.i);
	case VALUE_FLOAT:
		memcpy(&bits, &v->u.f, sizeof(bits));
		if ((r = buf_putc(out, 'D')) != 0)
			return r;
		return buf_put_u64(out, bits);
	case VALUE_STR:
		if ((r = buf_putc(out, 'S')) != 0 || (r = wire_put_len(out, v->u.s.len)) != 0)
			return r;
		return buf_put(out, v->u.s.ptr, v->u.s.len);
	case VALUE_LIST:
		if (depth >= WIRE_MAX_DEPTH)
			return ERR_DEPTH;
		if ((r = buf_putc(out, 'L')) != 0 || (r = wire_put_len(out, v->u.l.len)) != 0)
			return r;
		for (i = 0; i < v->u.l.len; i++)
			if ((r = wire_put(out, v->u.l.items[i], depth + 1)) != 0)
				return r;
		return 0;
	case VALUE_MAP:
		if (depth >= WIRE_MAX_DEPTH)
			return ERR_DEPTH;
		if ((r = buf_putc(out, 'M')) != 0 || (r = wire_put_len(out, v->u.m.len)) != 0)
			return r;
		for (i = 0; i < v->u.m.len; i++) {
			k = v->u.m.ents[i].key;
			if ((r = wire_put_len(out, k->u.s.len)) != 0 ||
			    (r = buf_put(out, k->u.s.ptr, k->u.s.len)) != 0 ||
			    (r = wire_put(out, v->u.m.ents[i].val, depth + 1)) != 0)
				return r;
		}
		return 0;
	}
	return ERR_INTERNAL;
}

int wire_encode(struct buf *out, const struct value *v)
{
	size_t len = out->len;
	int r;

	/* A failed encoding leaves out as it was, so a caller can fall back to
	 * a smaller value in the same buffer. */
	if ((r = wire_put(out, v, 0)) != 0) {
		out->len = len;
		if (out->data != NULL)
			out->data[len] = '\0';
	}
	return r;
}

struct wire_in {
	const unsigned char *p;
	size_t left;
};

static int wire_get_u32(struct wire_in *in, uint32_t *vp)
{
	if (in->left < 4)
		return ERR_PROTO;
	*vp = buf_get_u32(in->p);
	in->p += 4;
	in->left -= 4;
	return 0;
}

static int wire_get_u64(struct wire_in *in, uint64_t *vp)
{
	if (in->left < 8)
		return ERR_PROTO;
	*vp = buf_get_u64(in->p);
	in->p += 8;
	in->left -= 8;
	return 0;
}

static int wire_get(struct wire_in *in, int depth, struct value **vp);

static int wire_get_list(struct wire_in *in, int depth, struct value **vp)
{
	struct value *l = NULL, *item;
	uint32_t n, i;
	int r = ERR_INTERNAL;

	if ((r = wire_get_u32(in, &n)) != 0)
		goto out;
	/* Every element takes at least its tag byte. */
	if (n > in->left) {
		r = ERR_PROTO;
		goto out;
	}
	l = value_list();
	for (i = 0; i < n; i++) {
		if ((r = wire_get(in, depth + 1, &item)) != 0)
			goto out;
		value_list_push(l, item);
	}
	*vp = l;
	l = NULL;
	r = 0;
out:
	value_unref(l);
	return r;
}

static int wire_get_map(struct wire_in *in, int depth, struct value **vp)
{
	struct value *m = NULL, *val;
	uint32_t n, i, klen;
	const char *key;
	int r = ERR_INTERNAL;

	if ((r = wire_get_u32(in, &n)) != 0)
		goto out;
	/* Every entry takes at least a key length and a tag byte. */
	if (n > in->left / 5) {
		r = ERR_PROTO;
		goto out;
	}
	m = value_map();
	for (i = 0; i < n; i++) {
		if ((r = wire_get_u32(in, &klen)) != 0)
			goto out;
		if (klen > in->left) {
			r = ERR_PROTO;
			goto out;
		}
		key = (const char *)in->p;
		in->p += klen;
		in->left -= klen;
		if (value_map_find(m, key, klen) >= 0) {
			r = ERR_PROTO;
			goto out;
		}
		if ((r = wire_get(in, depth + 1, &val)) != 0)
			goto out;
		value_map_set_key(m, value_strn(key, klen), val);
	}
	*vp = m;
	m = NULL;
	r = 0;
out:
	value_unref(m);
	return r;
}

static int wire_get(struct wire_in *in, int depth, struct value **vp)
{
	uint64_t u;
	uint32_t n;
	double d;
	int tag, r;

	*vp = NULL;
	if (in->left < 1)
		return ERR_PROTO;
	tag = *in->p++;
	in->left--;
	switch (tag) {
	case 'N':
		*vp = value_null();
		return 0;
	case 'T':
	case 'F':
		*vp = value_bool(tag == 'T');
		return 0;
	case 'I':
		if ((r = wire_get_u64(in, &u)) != 0)
			return r;
		*vp = value_int((int64_t)u);
		return 0;
	case 'D':
		if ((r = wire_get_u64(in, &u)) != 0)
			return r;
		memcpy(&d, &u, sizeof(d));
		*vp = value_float(d);
		return 0;
	case 'S':
		if ((r = wire_get_u32(in, &n)) != 0)
			return r;
		if (n > in->left)
			return ERR_PROTO;
		*vp = value_strn((const char *)in->p, n);
		in->p += n;
		in->left -= n;
		return 0;
	case 'L':
		if (depth >= WIRE_MAX_DEPTH)
			return ERR_DEPTH;
		return wire_get_list(in, depth, vp);
	case 'M':
		if (depth >= WIRE_MAX_DEPTH)
			return ERR_DEPTH;
		return wire_get_map(in, depth, vp);
	default:
		return ERR_PROTO;
	}
}

int wire_decode(const char *p, size_t len, struct value **vp)
{
	struct wire_in in = {(const unsigned char *)p, len};
	struct value *v = NULL;
	int r = ERR_INTERNAL;

	*vp = NULL;
	if ((r = wire_get(&in, 0, &v)) != 0)
		goto out;
	if (in.left != 0) {
		r = ERR_PROTO;
		goto out;
	}
	*vp = v;
	v = NULL;
	r = 0;
out:
	value_unref(v);
	return r;
}
