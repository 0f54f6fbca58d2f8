/* hostname, as Ansible 2.14's on Linux: the host's name set through the
 * strategy Ansible picks (hostnamectl where systemd runs the host, else by
 * distribution: /etc/hostname on the Debian family, /etc/sysconfig/network
 * on the Red Hat family, /etc/conf.d/hostname on Gentoo, /etc/hostname and
 * "hostname -F" on Alpine), or the one "use" names. The result carries
 * the new hostname facts and, when it changed, a before/after diff. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/facts.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/setup.h"
#include "modules/sysutil.h"

static const struct module_argspec hostname_spec[] = {
	{"name", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"use", MODULE_ARG_STR, NULL, NULL,
	 "alpine,debian,freebsd,generic,macos,macosx,darwin,openbsd,openrc,redhat,sles,solaris,systemd", 0},
};

#define HOSTNAME_NSPEC (sizeof(hostname_spec) / sizeof(hostname_spec[0]))

enum hostname_kind {
	HOSTNAME_UNIMPL,  /* no strategy for this platform */
	HOSTNAME_BASE,    /* "generic": Ansible's abstract strategy, which raises */
	HOSTNAME_OTHER,   /* a strategy for another system (FreeBSD, macOS, Solaris) */
	HOSTNAME_SYSTEMD, /* hostnamectl */
	HOSTNAME_FILE,    /* the name alone in a file */
	HOSTNAME_ALPINE,  /* the file, then hostname -F */
	HOSTNAME_REDHAT,  /* HOSTNAME= in /etc/sysconfig/network */
	HOSTNAME_OPENRC,  /* hostname="..." in /etc/conf.d/hostname */
};

struct hostname_job {
	const struct module_ctx *ctx;
	enum hostname_kind kind;
	const char *file;
	char *bin;         /* hostnamectl or hostname (owned) */
	char *platform;    /* "Linux (Debian)", for the unsupported message (owned) */
	const char *name;
	int changed;
};

/* Distributions and the strategy Ansible's Hostname subclasses give them. */
static const struct {
	const char *dist;
	enum hostname_kind kind;
} hostname_dists[] = {
	{"Redhat", HOSTNAME_REDHAT},  {"Centos", HOSTNAME_REDHAT},     {"Anolis", HOSTNAME_REDHAT},
	{"Cloudlinuxserver", HOSTNAME_REDHAT}, {"Cloudlinux", HOSTNAME_REDHAT}, {"Alinux", HOSTNAME_REDHAT},
	{"Scientific", HOSTNAME_REDHAT}, {"Oracle", HOSTNAME_REDHAT},   {"Virtuozzo", HOSTNAME_REDHAT},
	{"Amazon", HOSTNAME_REDHAT},  {"Altlinux", HOSTNAME_REDHAT},   {"Eurolinux", HOSTNAME_REDHAT},
	{"Debian", HOSTNAME_FILE},    {"Kylin", HOSTNAME_FILE},        {"Cumulus-linux", HOSTNAME_FILE},
	{"Kali", HOSTNAME_FILE},      {"Parrot", HOSTNAME_FILE},       {"Ubuntu", HOSTNAME_FILE},
	{"Linuxmint", HOSTNAME_FILE}, {"Linaro", HOSTNAME_FILE},       {"Devuan", HOSTNAME_FILE},
	{"Raspbian", HOSTNAME_FILE},  {"Uos", HOSTNAME_FILE},          {"Deepin", HOSTNAME_FILE},
	{"Neon", HOSTNAME_FILE},      {"Void", HOSTNAME_FILE},         {"Pop", HOSTNAME_FILE},
	{"Gentoo", HOSTNAME_OPENRC},  {"Alpine", HOSTNAME_ALPINE},
};

/* get_distribution(): os-release's ID, capitalized as Python does. */
static char *hostname_distribution(void)
{
	char *text = setup_file("/etc/os-release"), *d, *p;
	struct value *osr;
	const char *id;

	if (text == NULL)
		text = setup_file("/usr/lib/os-release");
	osr = facts_os_release(text != NULL ? text : "");
	id = value_get_str(osr, "ID", "");
	d = id[0] != '\0' ? xstrdup(id) : xstrdup("OtherLinux");
	for (p = d; *p != '\0' && id[0] != '\0'; p++)
		*p = p == d ? (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p) : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (strcmp(d, "Amzn") == 0 || strcmp(d, "Rhel") == 0) {
		free(d);
		d = xstrdup(id[0] == 'a' ? "Amazon" : "Redhat");
	}
	value_unref(osr);
	free(text);
	return d;
}

/* The strategy Ansible's Hostname class picks. */
static void hostname_pick(struct hostname_job *j, const char *use)
{
	static const struct {
		const char *use;
		enum hostname_kind kind;
		const char *file;
	} uses[] = {
		{"alpine", HOSTNAME_ALPINE, "/etc/hostname"}, {"debian", HOSTNAME_SYSTEMD, NULL},
		{"systemd", HOSTNAME_SYSTEMD, NULL},          {"generic", HOSTNAME_BASE, NULL},
		{"openbsd", HOSTNAME_FILE, "/etc/myname"},    {"openrc", HOSTNAME_OPENRC, "/etc/conf.d/hostname"},
		{"redhat", HOSTNAME_REDHAT, "/etc/sysconfig/network"}, {"sles", HOSTNAME_FILE, "/etc/HOSTNAME"},
	};
	char *dist = hostname_distribution(), *ctl = NULL;
	size_t i;

	j->platform = xasprintf("Linux (%s)", dist);
	j->kind = HOSTNAME_UNIMPL;
	if (use != NULL) {
		j->kind = HOSTNAME_OTHER;
		for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
			if (strcmp(use, uses[i].use) == 0)
				j->kind = uses[i].kind, j->file = uses[i].file;
	} else if ((ctl = fileutil_bin_path(j->ctx, "systemctl")) != NULL &&
	           (fileutil_exists("/run/systemd/system/") || fileutil_exists("/dev/.run/systemd/") ||
	            fileutil_exists("/dev/.systemd/"))) {
		j->kind = HOSTNAME_SYSTEMD;
	} else {
		for (i = 0; i < sizeof(hostname_dists) / sizeof(hostname_dists[0]); i++)
			if (strcmp(dist, hostname_dists[i].dist) == 0)
				j->kind = hostname_dists[i].kind;
		j->file = j->kind == HOSTNAME_REDHAT   ? "/etc/sysconfig/network"
		          : j->kind == HOSTNAME_OPENRC ? "/etc/conf.d/hostname"
		                                       : "/etc/hostname";
	}
	free(ctl);
	free(dist);
}

/* Runs the strategy's command with args; its stdout stripped into *outp
 * (heap, may be NULL). Returns NULL or the failure. */
static struct value *hostname_cmd(struct hostname_job *j, const char *a, const char *b, const char *c,
                                  const char *d, char **outp)
{
	char *argv[] = {j->bin, (char *)a, (char *)b, (char *)c, (char *)d, NULL};
	struct value *fail = NULL;
	struct buf out, err;
	int rc;

	sysutil_run(j->ctx, argv, 0, &rc, &out, &err);
	if (rc != 0)
		fail = module_fail(value_map(), "Command failed rc=%d, out=%s, err=%s", rc, buf_str(&out), buf_str(&err));
	else if (outp != NULL)
		*outp = sysparse_strip(buf_ptr(&out), buf_avail(&out));
	buf_fini(&out);
	buf_fini(&err);
	return fail;
}

/* The file's lines, each stripped (get_file_lines); an empty list when
 * the file cannot be read or is empty. */
static struct value *hostname_lines(const char *path)
{
	struct value *lines = value_list();
	char *text = setup_file(path), *p, *nl, *line;

	for (p = text; p != NULL && *p != '\0'; p = nl) {
		nl = p + strcspn(p, "\n");
		line = sysparse_strip(p, (size_t)(nl - p));
		value_list_push(lines, value_str_take(line, strlen(line)));
		if (*nl == '\n')
			nl++;
	}
	free(text);
	return lines;
}

/* The name the host has now; *namep (heap; NULL: Python's None). */
static struct value *hostname_get(struct hostname_job *j, int permanent, char **namep)
{
	struct value *lines;
	const char *l;
	size_t i;

	*namep = NULL;
	switch (j->kind) {
	case HOSTNAME_SYSTEMD:
		return hostname_cmd(j, permanent ? "--static" : "--transient", "status", NULL, NULL, namep);
	case HOSTNAME_FILE:
	case HOSTNAME_ALPINE:
		*namep = fileutil_isfile(j->file) && (*namep = setup_file(j->file)) != NULL ? *namep : xstrdup("");
		return NULL;
	case HOSTNAME_REDHAT:
		lines = hostname_lines(j->file);
		for (i = 0; i < value_len(lines) && *namep == NULL; i++)
			if (strncmp(l = value_cstr(value_list_at(lines, i)), "HOSTNAME", 8) == 0)
				*namep = strchr(l, '=') != NULL ? sysparse_strip(strchr(l, '=') + 1, strlen(strchr(l, '=') + 1)) : NULL;
		value_unref(lines);
		return *namep != NULL ? NULL
		                      : module_fail(value_map(), "Unable to locate HOSTNAME entry in %s", j->file);
	case HOSTNAME_OPENRC:
		lines = hostname_lines(j->file);
		if (!fileutil_isfile(j->file))
			*namep = xstrdup("");
		for (i = 0; i < value_len(lines) && *namep == NULL; i++)
			if (strncmp(l = value_cstr(value_list_at(lines, i)), "hostname=", 9) == 0)
				*namep = sysutil_strip_chars(strlen(l) >= 10 ? l + 10 : "", "\"");
		value_unref(lines);
		return NULL;
	case HOSTNAME_BASE:
		return module_crash("NotImplementedError");
	default:
		return module_fail(value_map(), j->kind == HOSTNAME_OTHER ? "this hostname strategy is not for %s"
		                                                          : "hostname module cannot be used on platform %s",
		                   j->platform);
	}
}

/* The file's new text for a permanent name. */
static void hostname_text(const struct hostname_job *j, struct buf *text)
{
	struct value *lines;
	const char *l, *p, *nl, *q;
	struct buf raw;
	int found = 0;
	size_t i;

	if (j->kind == HOSTNAME_REDHAT) {
		/* The other lines are kept as they are, ends and all. */
		if (fileutil_read(j->file, FILEUTIL_MAX_TEXT, &raw) != 0)
			buf_reset(&raw);
		for (p = buf_str(&raw); *p != '\0'; p = nl) {
			nl = p + strcspn(p, "\n");
			nl += *nl == '\n';
			q = p + strspn(p, " \t\r\v\f");
			if (strncmp(q, "HOSTNAME", 8) == 0)
				buf_printf(text, "HOSTNAME=%s\n", j->name), found = 1;
			else
				buf_put(text, p, (size_t)(nl - p));
		}
		if (!found)
			buf_printf(text, "HOSTNAME=%s\n", j->name);
		buf_fini(&raw);
	} else if (j->kind == HOSTNAME_OPENRC) {
		lines = hostname_lines(j->file);
		for (i = 0; i < value_len(lines); i++) {
			l = value_cstr(value_list_at(lines, i));
			if (!found && strncmp(l, "hostname=", 9) == 0)
				buf_printf(text, "%shostname=\"%s\"", i > 0 ? "\n" : "", j->name), found = 1;
			else
				buf_printf(text, "%s%s", i > 0 ? "\n" : "", l);
		}
		buf_putc(text, '\n');
		value_unref(lines);
	} else {
		buf_printf(text, "%s\n", j->name);
	}
}

static struct value *hostname_set(struct hostname_job *j, int permanent)
{
	struct value *fail = NULL;
	struct buf text;

	if (j->kind == HOSTNAME_SYSTEMD) {
		if (strlen(j->name) > 64)
			return module_fail(value_map(), "name cannot be longer than 64 characters on systemd servers, try a "
			                                "shorter name");
		return permanent ? hostname_cmd(j, "--pretty", "--static", "set-hostname", j->name, NULL)
		                 : hostname_cmd(j, "--transient", "set-hostname", j->name, NULL, NULL);
	}
	if (!permanent)
		return j->kind == HOSTNAME_ALPINE ? hostname_cmd(j, "-F", j->file, NULL, NULL, NULL) : NULL;
	buf_init(&text, FILEUTIL_MAX_TEXT);
	hostname_text(j, &text);
	if (sysutil_write(j->ctx, j->file, buf_ptr(&text), buf_avail(&text), &fail) != 0)
		value_map_set(fail, "msg", value_strf("failed to update hostname: %s", value_get_str(fail, "msg", "")));
	buf_fini(&text);
	return fail;
}

/* update_current_hostname or update_permanent_hostname. */
static struct value *hostname_update(struct hostname_job *j, int permanent)
{
	struct value *fail;
	char *now = NULL;

	if ((fail = hostname_get(j, permanent, &now)) == NULL && (now == NULL || strcmp(now, j->name) != 0)) {
		if (!j->ctx->check)
			fail = hostname_set(j, permanent);
		j->changed = 1;
	}
	free(now);
	return fail;
}

/* The result: changed, name, the hostname facts, and the diff. */
static struct value *hostname_result(const struct hostname_job *j, const char *current, const char *permanent)
{
	struct value *res = value_map(), *facts = value_map(), *diff;
	const char *before, *dot;
	struct utsname u;
	char *fqdn;

	value_map_set(res, "changed", value_bool(j->changed));
	value_map_set(res, "name", value_str(j->name));
	value_map_set(facts, "ansible_hostname", value_strn(j->name, strcspn(j->name, ".")));
	value_map_set(facts, "ansible_nodename", value_str(j->name));
	fqdn = setup_fqdn(uname(&u) == 0 ? u.nodename : "");
	dot = strchr(fqdn, '.');
	value_map_set(facts, "ansible_fqdn", value_str(fqdn));
	value_map_set(facts, "ansible_domain", value_str(dot != NULL ? dot + 1 : ""));
	free(fqdn);
	value_map_set(res, "ansible_facts", facts);
	if (j->changed) {
		before = current == NULL || strcmp(j->name, current) != 0 ? current : permanent;
		diff = value_map();
		value_map_set(diff, "after", value_strf("hostname = %s\n", j->name));
		value_map_set(diff, "before", value_strf("hostname = %s\n", before != NULL ? before : "None"));
		value_map_set(res, "diff", diff);
	}
	return res;
}

static struct value *hostname_work(struct hostname_job *j)
{
	struct value *fail;
	char *current = NULL, *permanent = NULL;
	int first = j->kind == HOSTNAME_SYSTEMD;

	if ((j->kind == HOSTNAME_SYSTEMD && (j->bin = sysutil_bin(j->ctx, "hostnamectl", &fail)) == NULL) ||
	    (j->kind == HOSTNAME_ALPINE && !j->ctx->check && (j->bin = sysutil_bin(j->ctx, "hostname", &fail)) == NULL))
		return fail;
	/* systemd's strategy sets the permanent name first. */
	if ((fail = hostname_get(j, 0, &current)) == NULL && (fail = hostname_get(j, 1, &permanent)) == NULL &&
	    (fail = hostname_update(j, first)) == NULL && (fail = hostname_update(j, !first)) == NULL)
		fail = hostname_result(j, current, permanent);
	free(current);
	free(permanent);
	return fail;
}

MODULE_DEFINE(hostname, hostname_run, MODULE_CHECK_MODE)
struct value *hostname_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *warnings = value_list();
	struct hostname_job j;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	if (module_params_spec(ctx, "ansible.legacy.hostname", hostname_spec, HOSTNAME_NSPEC, NULL, warnings, &params,
	                       &res) != 0)
		goto done;
	j.name = value_get_str(params, "name", "");
	hostname_pick(&j, value_get_str(params, "use", NULL));
	res = hostname_work(&j);
	module_finish(res, params, warnings);
done:
	free(j.bin);
	free(j.platform);
	value_unref(params);
	value_unref(warnings);
	return res;
}
