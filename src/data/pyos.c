/* Python's os functions over the value tree. See pyos.h. */
#include "data/pyos.h"

#include <dirent.h>
#include <string.h>

struct value *pyos_listdir(const char *path)
{
	struct value *names;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return NULL;
	names = value_list();
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			value_list_push(names, value_str(de->d_name));
	closedir(d);
	return names;
}
