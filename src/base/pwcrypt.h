/* Password hashes in the crypt(3) formats Ansible's password_hash filter
 * produces (through passlib or crypt): md5_crypt ("$1$"), sha256_crypt
 * ("$5$") and sha512_crypt ("$6$"), after Ulrich Drepper's SHA-crypt
 * specification and the historic MD5-crypt. */
#ifndef DROVER_BASE_PWCRYPT_H
#define DROVER_BASE_PWCRYPT_H

#include <stddef.h>

#define PWCRYPT_MAX 160 /* bytes of the longest result, with its NUL */

enum pwcrypt_alg {
	PWCRYPT_MD5,
	PWCRYPT_SHA256,
	PWCRYPT_SHA512,
};

/*
 * pwcrypt - hash a password
 *
 * Hashes the pwlen bytes of pw with salt (at most 16 bytes used, 8 for
 * MD5; it must not contain '$') and rounds (SHA only; 0 means the
 * implicit 5000; clamped to 1000..999999999), writing the NUL-terminated
 * "$id$[rounds=N$]salt$hash" to out. "rounds=" is shown when rounds is
 * not the implicit 5000, as passlib shows it. Returns 0, or -1 for a salt
 * with '$' or ':'.
 */
int pwcrypt(enum pwcrypt_alg alg, const char *pw, size_t pwlen, const char *salt, unsigned long rounds,
            char out[PWCRYPT_MAX]);

#endif
