/* File transfers between the controller and a host, as Ansible's action
 * plugins do them, shared by playbooks (pbtask.c) and `drover run`
 * (adhoc.c): copy with a src on the controller, a file or a directory tree
 * (here), and fetch (xfer_fetch.c).
 *
 * The source is found as Ansible's _find_needle finds it (needle.h); a
 * directory is walked as Ansible's _walk_dirs walks it (trailing '/': its
 * contents, else the directory itself; local_follow). Each file is one
 * worker copy: a small one with its bytes in the request (_content_b), a
 * larger one streamed (doc/PROTOCOL.worker, section 10): its SHA-1 goes
 * first, so an unchanged file transfers nothing, and otherwise it is sent
 * in chunks of XFER_CHUNK bytes with at most XFER_WINDOW of them in flight,
 * so the controller's memory stays bounded whatever the file's size.
 * Directories and links of a tree then go through the file module, and the
 * task's result is Ansible's.
 *
 * fetch stats the remote file (SHA-1), compares it with the local copy
 * (dest/<inventory_hostname>/<src>, or dest itself with flat) and, when
 * they differ, reads it in chunks (the worker's "_download", XFER_WINDOW
 * requests in flight) into a temporary file next to the local copy,
 * fsynced and renamed into place.
 *
 * unarchive with a local src streams the archive as copy does (always, and
 * with no checksum first: Ansible transfers it every time) into a staged
 * file the worker's unarchive extracts and removes.
 *
 * script finds the local script (files/) and sends it with the task's
 * arguments to the worker's "_script", which runs it (xfer_script.c). */
#ifndef DROVER_EXEC_XFER_H
#define DROVER_EXEC_XFER_H

#include "data/value.h"
#include "exec/hostconn.h"

/* Files up to this size travel inside the copy request. */
#define XFER_INLINE ((size_t)1 << 20)
/* Bytes per chunk of a streamed file, and chunks sent ahead of replies. */
#define XFER_CHUNK ((size_t)1 << 20)
#define XFER_WINDOW 4

struct xfer_task {
	const char *module;        /* "copy", "unarchive", "fetch" or "script" (short name) */
	const char *host;          /* inventory_hostname, for fetch's dest */
	const struct value *args;  /* templated task arguments (borrowed) */
	const char *role_path;     /* the task's role, or NULL */
	const char *basedir;       /* the play's directory (the cwd for drover run) */
	int check, diff;
	int timeout_s;             /* per request; 0: none */
	const struct value *env;   /* the task's environment, or NULL */
	const struct value *become; /* the requests' "become" map (exec/becomereq.h), or NULL */
};

/* Returns 1 when a task of module (short name) with args is a transfer
 * run here: copy with src, without content or remote_src; unarchive without
 * remote_src; fetch; script. */
int xfer_handles(const char *module, const struct value *args);

/* Runs the transfer t on hc (everything in t is copied). cb is called
 * once, from the loop, with the task's result or with the connection's
 * error, as hostconn_module calls it. */
void xfer_start(struct hostconn *hc, const struct xfer_task *t, hostconn_cb cb, void *arg);

#endif
