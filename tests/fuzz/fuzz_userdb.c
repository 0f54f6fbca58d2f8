/* libFuzzer target for the account modules' parsers: one input is read
 * as /etc/passwd, /etc/group and /etc/shadow text (modules/userdb.c) and
 * as an authorized_keys file and a key_options string
 * (modules/authkey.c), the table written back and every line re-parsed.
 * Any text must give a value, never a crash or a leak. The module sources
 * are compiled in, so the target links with the controller library alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/modules/authkey.c"
#include "../../src/modules/userdb.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *out;
	struct value *db, *m;
	struct authkey_table t;
	size_t len;
	int i;

	memcpy(s, data, size);
	s[size] = '\0';
	for (i = -1; i < 3; i++) {
		db = userdb_parse(s, size, i);
		(void)userdb_group(db, "0");
		m = userdb_member_of(db, "root");
		value_unref(m);
		value_unref(db);
	}
	value_unref(authkey_options(s));
	authkey_table_init(&t);
	if (authkey_table_read(&t, s, size) == 0) {
		out = authkey_table_write(&t, &len);
		authkey_table_fini(&t);
		authkey_table_init(&t);
		(void)authkey_table_read(&t, out, len);
		free(out);
	}
	authkey_table_fini(&t);
	free(s);
	return 0;
}
