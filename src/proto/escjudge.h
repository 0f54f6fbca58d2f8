/* What an escalation tool's words mean (sudo, su, doas on stderr or a pty):
 * a prompt to answer, a missing or refused password, sudo's requiretty.
 * Pure text judgement, kept apart from the process handling of
 * src/worker/escalate.c so that it can be tested and fuzzed alone. */
#ifndef DROVER_PROTO_ESCJUDGE_H
#define DROVER_PROTO_ESCJUDGE_H

enum escjudge_verdict {
	ESCJUDGE_MORE = 0,  /* nothing decisive yet: read on */
	ESCJUDGE_ANSWER,    /* a prompt: write the password now */
	ESCJUDGE_MISSING,   /* a password is needed and none was given */
	ESCJUDGE_INCORRECT, /* the password was refused */
	ESCJUDGE_NEED_TTY,  /* sudo's requiretty: start again on a pty */
};

struct escjudge_state {
	const char *method; /* "sudo", "su" or "doas" */
	const char *prompt; /* sudo's unique -p prompt (NULL for the others) */
	int has_pass;       /* a password was given */
	int sent;           /* it was written already */
	int tty;            /* the tool already has a pty */
	int at_exit;        /* the tool has exited: its last words */
};

/* Judges text, the tool's output since the password was last written (or
 * since it started). A second prompt after the password was sent means it
 * was refused; sudo's "Sorry, try again." counts only at exit, since sudo
 * is stopped at its next prompt, where it still logs the attempt. Never
 * returns ESCJUDGE_ANSWER when the password was sent or is missing, or at
 * exit. */
enum escjudge_verdict escjudge_text(const struct escjudge_state *s, const char *text);

#endif
