/* The become options of `drover run` and `drover playbook` (-b, -K,
 * --become-user, --become-method) over the [privilege_escalation] section
 * of ansible.cfg and its ANSIBLE_BECOME* variables. */
#ifndef DROVER_CLI_BECOMEOPT_H
#define DROVER_CLI_BECOMEOPT_H

#include "cli/opts.h"
#include "exec/adhoc.h"

/* getopt_long codes of the long-only options. */
enum { BECOMEOPT_USER = 300, BECOMEOPT_METHOD = 301 };

#define BECOMEOPT_LONGOPTS                                                                                   \
	{"become", no_argument, NULL, 'b'}, {"ask-become-pass", no_argument, NULL, 'K'},                     \
	        {"become-user", required_argument, NULL, BECOMEOPT_USER},                                    \
	        {"become-method", required_argument, NULL, BECOMEOPT_METHOD}

struct becomeopt {
	int become, ask;               /* -b, -K */
	const char *user, *method;     /* borrowed from argv, or NULL */
};

/* Records option c (with its argument). Returns 1 when c is a become
 * option, else 0. */
int becomeopt_parse(struct becomeopt *b, int c, const char *arg);

/* Fills ao->become from b over the configuration (call after
 * cli_ssh_setup, whose timeout bounds the escalation). With -K or
 * become_ask_pass, asks "BECOME password: " on the terminal: *passp
 * receives the secret (the caller wipes and frees it). Prints errors;
 * returns an exit code. */
int becomeopt_setup(const struct becomeopt *b, const struct cli_opts *co, struct adhoc_opts *ao, char **passp);

#endif
