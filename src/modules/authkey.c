/* The parsing half of authorized_key (see authkey.h): key lines and
 * option lists read as ansible.posix's module reads them, and the
 * keyed, ranked table it keeps and writes back. */
#include "modules/authkey.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"

/* The key types the module recognises in a line. */
static const char *const authkey_types[] = {
	"sk-ecdsa-sha2-nistp256@openssh.com",
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp256-cert-v01@openssh.com",
	"ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp384-cert-v01@openssh.com",
	"ecdsa-sha2-nistp521",
	"ecdsa-sha2-nistp521-cert-v01@openssh.com",
	"sk-ssh-ed25519@openssh.com",
	"sk-ssh-ed25519-cert-v01@openssh.com",
	"ssh-ed25519",
	"ssh-ed25519-cert-v01@openssh.com",
	"ssh-dss",
	"ssh-rsa",
	"ssh-xmss@openssh.com",
	"ssh-xmss-cert-v01@openssh.com",
	"rsa-sha2-256",
	"rsa-sha2-512",
	"ssh-rsa-cert-v01@openssh.com",
	"rsa-sha2-256-cert-v01@openssh.com",
	"rsa-sha2-512-cert-v01@openssh.com",
	"ssh-dss-cert-v01@openssh.com",
};

static int authkey_is_type(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(authkey_types) / sizeof(authkey_types[0]); i++)
		if (strcmp(s, authkey_types[i]) == 0)
			return 1;
	return 0;
}

/* One run of the option regex ((?:[^,"']|"[^"]*"|'[^']*')+) starting at
 * p: its length, 0 when none starts there. */
static size_t authkey_opt_run(const char *p)
{
	const char *q = p, *close;

	for (;;) {
		if (*q == '\0' || *q == ',')
			break;
		if (*q == '"' || *q == '\'') {
			if ((close = strchr(q + 1, *q)) == NULL)
				break;
			q = close + 1;
		} else {
			q++;
		}
	}
	return (size_t)(q - p);
}

static void authkey_opt_add(struct value *opts, const char *part, size_t n)
{
	struct value *pair = value_list();
	const char *eq = memchr(part, '=', n);

	if (eq != NULL) {
		value_list_push(pair, value_strn(part, (size_t)(eq - part)));
		value_list_push(pair, value_strn(eq + 1, n - (size_t)(eq - part) - 1));
	} else {
		value_list_push(pair, value_strn(part, n));
		value_list_push(pair, value_null());
	}
	value_list_push(opts, pair);
}

struct value *authkey_options(const char *s)
{
	struct value *opts = value_list();
	const char *p = s, *sep = NULL;
	size_t run;
	int first = 1;

	if (s == NULL)
		return opts;
	/* re.split with a capturing group, first and last pieces dropped:
	 * the runs, and the text between two runs unless it is one ",". */
	while (*p != '\0') {
		if ((run = authkey_opt_run(p)) == 0) {
			if (sep == NULL)
				sep = p;
			p++;
			continue;
		}
		if (!first && sep != NULL && !((size_t)(p - sep) == 1 && *sep == ','))
			authkey_opt_add(opts, sep, (size_t)(p - sep));
		authkey_opt_add(opts, p, run);
		first = 0;
		sep = NULL;
		p += run;
	}
	return opts;
}

struct value *authkey_words(const char *s, const char *ws)
{
	struct value *words = value_list();
	size_t n;

	for (;;) {
		s += strspn(s, ws);
		if (*s == '\0')
			return words;
		n = strcspn(s, ws);
		value_list_push(words, value_strn(s, n));
		s += n;
	}
}

static char *authkey_join(const struct value *words, size_t from, size_t to)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = from; i < to; i++) {
		if (i > from)
			buf_puts(&b, " ");
		buf_puts(&b, value_cstr(value_list_at(words, i)));
	}
	return buf_take(&b, NULL);
}

/* "\#" read as "#", as the module does before splitting. */
static char *authkey_unescape(const char *s, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '#')
			continue;
		buf_put(&b, s + i, 1);
	}
	return buf_take(&b, NULL);
}

int authkey_parse(const char *line, size_t n, long rank, struct authkey_entry *e)
{
	char *raw = authkey_unescape(line, n), *opts;
	/* shlex with no quotes and no comments: whitespace splits. */
	struct value *words = authkey_words(raw, " \t\r\n");
	size_t i, nw = value_len(words);
	int r = -1;

	memset(e, 0, sizeof(*e));
	e->rank = rank;
	if (nw > 0 && strcmp(value_cstr(value_list_at(words, 0)), "#") == 0) {
		e->hash = raw;
		raw = NULL;
		e->type = xstrdup("skipped");
		r = 0;
		goto out;
	}
	for (i = 0; i < nw && !authkey_is_type(value_cstr(value_list_at(words, i))); i++)
		;
	/* A type with nothing after it: the module fails on the missing key
	 * body; treated here as a line that is no key. */
	if (i + 1 >= nw)
		goto out;
	opts = i > 0 ? authkey_join(words, 0, i) : NULL;
	e->options = authkey_options(opts);
	free(opts);
	e->type = xstrdup(value_cstr(value_list_at(words, i)));
	e->hash = xstrdup(value_cstr(value_list_at(words, i + 1)));
	e->comment = authkey_join(words, i + 2, nw);
	r = 0;
out:
	free(raw);
	value_unref(words);
	return r;
}

void authkey_entry_fini(struct authkey_entry *e)
{
	free(e->hash);
	free(e->type);
	free(e->comment);
	value_unref(e->options);
	memset(e, 0, sizeof(*e));
}

/* The values option key has in opts, in order. */
static struct value *authkey_values_of(const struct value *opts, const char *key)
{
	struct value *vals = value_list(), *pair;
	size_t i;

	for (i = 0; i < value_len(opts); i++) {
		pair = value_list_at(opts, i);
		if (strcmp(value_cstr(value_list_at(pair, 0)), key) == 0)
			value_list_push(vals, value_ref(value_list_at(pair, 1)));
	}
	return vals;
}

/* keydict equality: the same values for each option, in order per option
 * (the options' own order does not count). */
static int authkey_options_equal(const struct value *a, const struct value *b)
{
	struct value *va, *vb;
	size_t i;
	int eq = 1;

	if ((a == NULL) != (b == NULL))
		return 0;
	if (a == NULL)
		return 1;
	if (value_len(a) != value_len(b))
		return 0;
	for (i = 0; i < value_len(a) && eq; i++) {
		va = authkey_values_of(a, value_cstr(value_list_at(value_list_at(a, i), 0)));
		vb = authkey_values_of(b, value_cstr(value_list_at(value_list_at(a, i), 0)));
		eq = value_equal(va, vb);
		value_unref(va);
		value_unref(vb);
	}
	return eq;
}

static int authkey_str_equal(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

int authkey_entry_equal(const struct authkey_entry *a, const struct authkey_entry *b)
{
	return strcmp(a->hash, b->hash) == 0 && strcmp(a->type, b->type) == 0 &&
	       authkey_options_equal(a->options, b->options) && authkey_str_equal(a->comment, b->comment);
}

void authkey_table_init(struct authkey_table *t)
{
	memset(t, 0, sizeof(*t));
}

void authkey_table_fini(struct authkey_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		authkey_entry_fini(&t->e[i]);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

long authkey_table_find(const struct authkey_table *t, const char *hash)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->e[i].hash, hash) == 0)
			return (long)i;
	return -1;
}

void authkey_table_set(struct authkey_table *t, struct authkey_entry *e)
{
	long i = authkey_table_find(t, e->hash);

	if (i >= 0) {
		authkey_entry_fini(&t->e[i]);
		t->e[i] = *e;
	} else {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 16;
			t->e = xreallocarray(t->e, t->cap, sizeof(*t->e));
		}
		t->e[t->n++] = *e;
	}
	memset(e, 0, sizeof(*e));
}

void authkey_table_del(struct authkey_table *t, size_t i)
{
	authkey_entry_fini(&t->e[i]);
	memmove(t->e + i, t->e + i + 1, (t->n - i - 1) * sizeof(*t->e));
	t->n--;
}

int authkey_table_read(struct authkey_table *t, const char *text, size_t len)
{
	struct authkey_entry e;
	const char *p = text, *nl;
	size_t n;
	long rank = 0;

	while (len > 0) {
		if (t->n >= AUTHKEY_MAX_LINES)
			return -1;
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) + 1 : len;
		if (authkey_parse(p, n, rank, &e) != 0) {
			memset(&e, 0, sizeof(e));
			e.hash = xstrndup(p, n);
			e.type = xstrdup("skipped");
			e.rank = rank;
		}
		authkey_table_set(t, &e);
		rank++;
		p += n;
		len -= n;
	}
	return 0;
}

static int authkey_by_rank(const void *a, const void *b)
{
	const struct authkey_entry *x = *(const struct authkey_entry *const *)a;
	const struct authkey_entry *y = *(const struct authkey_entry *const *)b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	/* sorted() is stable: the table's order breaks ties. */
	return x < y ? -1 : x > y;
}

static void authkey_write_entry(struct buf *b, const struct authkey_entry *e)
{
	const struct value *pair;
	size_t i;

	if (strcmp(e->type, "skipped") == 0) {
		buf_puts(b, e->hash);
		return;
	}
	for (i = 0; i < value_len(e->options); i++) {
		pair = value_list_at(e->options, i);
		buf_puts(b, i > 0 ? "," : "");
		buf_puts(b, value_cstr(value_list_at(pair, 0)));
		if (value_cstr(value_list_at(pair, 1)) != NULL)
			buf_printf(b, "=%s", value_cstr(value_list_at(pair, 1)));
	}
	if (value_len(e->options) > 0)
		buf_puts(b, " ");
	buf_printf(b, "%s %s %s\n", e->type, e->hash, e->comment != NULL ? e->comment : "None");
}

char *authkey_table_write(const struct authkey_table *t, size_t *lenp)
{
	const struct authkey_entry **order = xcalloc(t->n + 1, sizeof(*order));
	struct buf b;
	size_t i;

	for (i = 0; i < t->n; i++)
		order[i] = &t->e[i];
	qsort(order, t->n, sizeof(*order), authkey_by_rank);
	buf_init(&b, 0);
	for (i = 0; i < t->n; i++)
		authkey_write_entry(&b, order[i]);
	free(order);
	return buf_take(&b, lenp);
}
