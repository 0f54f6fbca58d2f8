/* Seeded random/shuffle (Python's random.Random) and password_hash
 * (base/pwcrypt): expected values from CPython 3.11, passlib 1.7 and
 * glibc's crypt(3). */
#include "base/pwcrypt.h"
#include "tpl_render.h"

static void test_random_seeded(void)
{
	TR_EQ("{{ 10 | random(seed='abc') }} {{ 100 | random(seed=42) }} {{ 'abc' | random(seed=7) }}", NULL, "8 81 b");
	TR_EQ("{{ 100 | random(10, 5, seed='x') }}", NULL, "60");
	TR_EQ("{{ [1, 2, 3, 4, 5] | shuffle(seed=42) }}", NULL, "[4, 2, 3, 5, 1]");
	TR_ERR("{{ 0 | random(seed=1) }}", NULL, "empty range");
	TR_ERR("{{ [1] | random(1) }}", NULL, "start and step");
}

static void test_random_unseeded(void)
{
	TR_EQ("{{ (10 | random) in range(10) }} {{ [1, 2, 3] | shuffle | sort }}", NULL, "True [1, 2, 3]");
}

static void test_pwcrypt(void)
{
	char out[PWCRYPT_MAX];

	T_EQ_INT(pwcrypt(PWCRYPT_SHA512, "pw", 2, "saltsalt", 0, out), 0);
	T_EQ_STR(out, "$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/");
	T_EQ_INT(pwcrypt(PWCRYPT_MD5, "pw", 2, "saltsalt", 0, out), 0);
	T_EQ_STR(out, "$1$saltsalt$6SNdNaZLKst2LlSm7oPPL1");
	T_EQ_INT(pwcrypt(PWCRYPT_SHA512, "pw", 2, "bad$salt", 0, out), -1);
}

static void test_password_hash(void)
{
	TR_EQ("{{ 'pw' | password_hash('sha512', 'saltsalt', rounds=10000) }}", NULL,
	      "$6$rounds=10000$saltsalt$PCkl82bcVNZUyS5el2MR9Coq8KSFAH2TLAV2NKcVGH1Dq51jMRJNvf2NrUOE/Sv9WOINUlZWqywN9lCRzMZF.1");
	TR_EQ("{{ 'pw' | password_hash('sha512', rounds=1000) | length }}", NULL, "118");
	TR_ERR("{{ 'pw' | password_hash('blowfish') }}", NULL, "does not support");
}

int main(void)
{
	T_RUN(test_random_seeded);
	T_RUN(test_random_unseeded);
	T_RUN(test_pwcrypt);
	T_RUN(test_password_hash);
	return T_DONE();
}
