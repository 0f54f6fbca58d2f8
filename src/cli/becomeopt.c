/* Become options of the command line and the configuration. */
#include "cli/becomeopt.h"

#include <stddef.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/config.h"

int becomeopt_parse(struct becomeopt *b, int c, const char *arg)
{
	switch (c) {
	case 'b': b->become = 1; return 1;
	case 'K': b->ask = 1; return 1;
	case BECOMEOPT_USER: b->user = arg; return 1;
	case BECOMEOPT_METHOD: b->method = arg; return 1;
	default: return 0;
	}
}

int becomeopt_setup(const struct becomeopt *b, const struct cli_opts *co, struct adhoc_opts *ao, char **passp)
{
	struct becomereq_defaults *d = &ao->become;

	*passp = NULL;
	d->become = b->become || config_bool(co->cfg, CONFIG_DEFAULT_BECOME);
	d->user = b->user != NULL ? b->user : config_str(co->cfg, CONFIG_DEFAULT_BECOME_USER);
	d->method = b->method != NULL ? b->method : config_str(co->cfg, CONFIG_DEFAULT_BECOME_METHOD);
	d->flags = config_str(co->cfg, CONFIG_DEFAULT_BECOME_FLAGS);
	d->exe = config_str(co->cfg, CONFIG_DEFAULT_BECOME_EXE);
	d->timeout_s = ao->connect_timeout_ms > 0 ? (int)((ao->connect_timeout_ms + 999) / 1000) : 0;
	if (b->ask || config_bool(co->cfg, CONFIG_DEFAULT_BECOME_ASK_PASS)) {
		if ((*passp = cli_prompt_secret("BECOME password: ")) == NULL) {
			log_error("-K: no terminal to ask for the become password on");
			return EXIT_OPTIONS;
		}
		d->pass = *passp;
	}
	return EXIT_OK;
}
