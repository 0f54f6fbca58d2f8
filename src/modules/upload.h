/* Streamed uploads (doc/PROTOCOL.worker, section 10): a file larger than
 * one request arrives in chunks, each a request of the internal module
 * "_upload", into a temporary file the worker keeps open until the copy
 * request that uses it. The contents never sit in memory whole: each chunk
 * is written and hashed (SHA-1 and MD5, the checksums copy reports) as it
 * arrives.
 *
 * A staged file is a dot file created O_EXCL, mode 0600, named
 * ".<base>.drover-up.<pid>.XXXXXX" in the destination's directory when that
 * exists (so the copy can rename it into place), else in the worker's
 * temporary directory. Staged files still open when the worker exits (the
 * controller went away mid-transfer) are removed at exit, and a staged
 * file left by a worker that was killed outright is removed by the next
 * upload into the same directory: no partial file outlives a transfer. */
#ifndef DROVER_MODULES_UPLOAD_H
#define DROVER_MODULES_UPLOAD_H

#include <stdint.h>

#include "base/digest.h"

/* The most chunk bytes one "_upload" request may carry. */
#define UPLOAD_CHUNK_MAX ((size_t)8 << 20)
/* Uploads a worker holds open at once. */
#define UPLOAD_MAX_OPEN 64

/* A finished upload handed to its user (upload_take). */
struct upload_file {
	int fd;                          /* owned; open for writing, offset at the end */
	char *path;                      /* owned; the staged file (still on disk) */
	uint64_t size;
	char sha1[DIGEST_MAX_HEX + 1];
	char md5[DIGEST_MAX_HEX + 1];
};

/*
 * upload_open - start an upload for a file to be written as dest
 *
 * Creates the staged file (see above) and returns 0 with *handlep, a
 * positive number the chunks name; or -errno with *errp (heap) saying what
 * failed, in Python's OSError words.
 */
int upload_open(const char *dest, int64_t *handlep, char **errp);

/*
 * upload_take - end an upload and hand its file over
 *
 * Returns 0 with *f filled (the caller renames or removes f->path and
 * releases f with upload_file_fini), or ERR_NOTFOUND when no upload has
 * that handle (it failed, or was never opened).
 */
int upload_take(int64_t handle, struct upload_file *f);

/* Removes the staged file (when path is not NULL), closes fd, frees path.
 * Accepts a zeroed or already released struct. */
void upload_file_fini(struct upload_file *f);

#endif
