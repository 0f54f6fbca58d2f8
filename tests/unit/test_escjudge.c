/* The words of sudo, su and doas as the escalation reads them
 * (proto/escjudge.h), with the texts those tools print. */
#include "proto/escjudge.h"
#include "t.h"

#define PROMPT "[drover become 0123456789abcdef] password:"

static struct escjudge_state st(const char *method, int has_pass, int sent)
{
	struct escjudge_state s = {method, PROMPT, has_pass, sent, 0, 0};

	return s;
}

static void test_sudo(void)
{
	struct escjudge_state s = st("sudo", 1, 0);

	T_EQ_INT(escjudge_text(&s, ""), ESCJUDGE_MORE);
	T_EQ_INT(escjudge_text(&s, "[drover become 0123"), ESCJUDGE_MORE);
	T_EQ_INT(escjudge_text(&s, PROMPT), ESCJUDGE_ANSWER);
	/* Another tool's prompt is not ours. */
	T_EQ_INT(escjudge_text(&s, "[sudo] password for x: "), ESCJUDGE_MORE);
	s.sent = 1;
	T_EQ_INT(escjudge_text(&s, "Sorry, try again.\n"), ESCJUDGE_MORE);
	T_EQ_INT(escjudge_text(&s, "Sorry, try again.\n" PROMPT), ESCJUDGE_INCORRECT);
	s.at_exit = 1;
	T_EQ_INT(escjudge_text(&s, "Sorry, try again.\nsudo: 1 incorrect password attempt\n"), ESCJUDGE_INCORRECT);
	s = st("sudo", 0, 0);
	T_EQ_INT(escjudge_text(&s, "sudo: a password is required\n"), ESCJUDGE_MISSING);
	T_EQ_INT(escjudge_text(&s, PROMPT), ESCJUDGE_MISSING);
	T_EQ_INT(escjudge_text(&s, "sudo: sorry, you must have a tty to run sudo\n"), ESCJUDGE_NEED_TTY);
	s.tty = 1;
	T_EQ_INT(escjudge_text(&s, "sudo: sorry, you must have a tty to run sudo\n"), ESCJUDGE_MORE);
}

static void test_su_doas(void)
{
	struct escjudge_state s = st("su", 1, 0);

	T_EQ_INT(escjudge_text(&s, "Password: "), ESCJUDGE_ANSWER);
	s.sent = 1;
	T_EQ_INT(escjudge_text(&s, "su: Authentication failure\n"), ESCJUDGE_INCORRECT);
	s = st("su", 0, 0);
	T_EQ_INT(escjudge_text(&s, "Password: "), ESCJUDGE_MISSING);
	s = st("doas", 1, 0);
	T_EQ_INT(escjudge_text(&s, "doas (u@h) password: "), ESCJUDGE_ANSWER);
	T_EQ_INT(escjudge_text(&s, "doas: Authorization failed\n"), ESCJUDGE_INCORRECT);
	T_EQ_INT(escjudge_text(&s, "doas: Authorization required\n"), ESCJUDGE_MISSING);
	/* A prompt nobody can answer any more is not answered. */
	s.at_exit = 1;
	T_EQ_INT(escjudge_text(&s, "doas (u@h) password: "), ESCJUDGE_MORE);
}

int main(void)
{
	T_RUN(test_sudo);
	T_RUN(test_su_doas);
	return T_DONE();
}
