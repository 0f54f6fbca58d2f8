/* Unit tests for playbook/kv: Ansible's argument-string splitting, parsing
 * and joining. The tables' expected results are ansible-core 2.14's own
 * output (split_args, parse_kv, parse_kv with check_raw, join_args), printed
 * by tests/unit/kv_cases.py and pasted here; the other tests cover what
 * Ansible does not define (positions, caps, unsupported escapes). */
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/value.h"
#include "playbook/kv.h"
#include "t.h"

/* One input and its expected results, rendered as Python's
 * json.dumps(ensure_ascii=False) would, or "!" and the error message. */
struct kv_case {
	const char *in;
	size_t len;
	const char *split, *parse, *raw;
};

static const struct kv_case kv_cases[] = {
	{"a=b", 3,
	 "[\"a=b\"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a=b\"}"},
	{"a=b c=d", 7,
	 "[\"a=b\", \"c=d\"]",
	 "{\"a\": \"b\", \"c\": \"d\"}",
	 "{\"_raw_params\": \"a=b c=d\"}"},
	{"a=\"b c\" d=e", 11,
	 "[\"a=\\\"b c\\\"\", \"d=e\"]",
	 "{\"a\": \"b c\", \"d\": \"e\"}",
	 "{\"_raw_params\": \"a=\\\"b c\\\" d=e\"}"},
	{"a='b c' d=e", 11,
	 "[\"a='b c'\", \"d=e\"]",
	 "{\"a\": \"b c\", \"d\": \"e\"}",
	 "{\"_raw_params\": \"a='b c' d=e\"}"},
	{"a=\"b \\\"c\\\" d\"", 13,
	 "[\"a=\\\"b \\\\\\\"c\\\\\\\" d\\\"\"]",
	 "{\"a\": \"b \\\"c\\\" d\"}",
	 "{\"_raw_params\": \"a=\\\"b \\\\\\\"c\\\\\\\" d\\\"\"}"},
	{"a='it\\'s'", 9,
	 "[\"a='it\\\\'s'\"]",
	 "{\"a\": \"it's\"}",
	 "{\"_raw_params\": \"a='it\\\\'s'\"}"},
	{"msg=\"a=b\"", 9,
	 "[\"msg=\\\"a=b\\\"\"]",
	 "{\"msg\": \"a=b\"}",
	 "{\"_raw_params\": \"msg=\\\"a=b\\\"\"}"},
	{"a=b=c", 5,
	 "[\"a=b=c\"]",
	 "{\"a\": \"b=c\"}",
	 "{\"_raw_params\": \"a=b=c\"}"},
	{"a\\=b=c", 6,
	 "[\"a\\\\=b=c\"]",
	 "{\"a\\\\=b\": \"c\"}",
	 "{\"_raw_params\": \"a\\\\=b=c\"}"},
	{"a\\=b", 4,
	 "[\"a\\\\=b\"]",
	 "{\"_raw_params\": \"a=b\"}",
	 "{\"_raw_params\": \"a=b\"}"},
	{"=a", 2,
	 "[\"=a\"]",
	 "{\"_raw_params\": \"=a\"}",
	 "{\"_raw_params\": \"=a\"}"},
	{"a=", 2,
	 "[\"a=\"]",
	 "{\"a\": \"\"}",
	 "{\"_raw_params\": \"a=\"}"},
	{"a= b", 4,
	 "[\"a=\", \"b\"]",
	 "{\"a\": \"\", \"_raw_params\": \"b\"}",
	 "{\"_raw_params\": \"a= b\"}"},
	{"a=b  c=d", 8,
	 "[\"a=b \", \"c=d\"]",
	 "{\"a\": \"b\", \"c\": \"d\"}",
	 "{\"_raw_params\": \"a=b  c=d\"}"},
	{"a=b   c=d", 9,
	 "[\"a=b  \", \"c=d\"]",
	 "{\"a\": \"b\", \"c\": \"d\"}",
	 "{\"_raw_params\": \"a=b   c=d\"}"},
	{"a=b ", 4,
	 "[\"a=b \"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a=b \"}"},
	{" a=b", 4,
	 "[\"a=b\"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a=b\"}"},
	{"  a=b", 5,
	 "!Unable to parse argument string",
	 "!Unable to parse argument string",
	 "!Unable to parse argument string"},
	{" ", 1,
	 "!Unable to parse argument string",
	 "!Unable to parse argument string",
	 "!Unable to parse argument string"},
	{"", 0,
	 "[]",
	 "{}",
	 "{}"},
	{"msg=a\\nb", 8,
	 "[\"msg=a\\\\nb\"]",
	 "{\"msg\": \"a\\nb\"}",
	 "{\"_raw_params\": \"msg=a\\\\nb\"}"},
	{"msg=\"a\\tb\"", 10,
	 "[\"msg=\\\"a\\\\tb\\\"\"]",
	 "{\"msg\": \"a\\tb\"}",
	 "{\"_raw_params\": \"msg=\\\"a\\\\tb\\\"\"}"},
	{"msg=\\x41\\u00e9\\U0001F600", 24,
	 "[\"msg=\\\\x41\\\\u00e9\\\\U0001F600\"]",
	 "{\"msg\": \"A\303\251\360\237\230\200\"}",
	 "{\"_raw_params\": \"msg=\\\\x41\\\\u00e9\\\\U0001F600\"}"},
	{"msg=\\\\n", 7,
	 "[\"msg=\\\\\\\\n\"]",
	 "{\"msg\": \"\\\\n\"}",
	 "{\"_raw_params\": \"msg=\\\\\\\\n\"}"},
	{"msg=caf\303\251", 9,
	 "[\"msg=caf\303\251\"]",
	 "{\"msg\": \"caf\303\251\"}",
	 "{\"_raw_params\": \"msg=caf\303\251\"}"},
	{"k=\302\240v\342\200\203", 8,
	 "[\"k=\302\240v\342\200\203\"]",
	 "{\"k\": \"v\"}",
	 "{\"_raw_params\": \"k=\302\240v\342\200\203\"}"},
	{"k=\tv\t", 5,
	 "[\"k=\\tv\\t\"]",
	 "{\"k\": \"v\"}",
	 "{\"_raw_params\": \"k=\\tv\\t\"}"},
	{"echo hi", 7,
	 "[\"echo\", \"hi\"]",
	 "{\"_raw_params\": \"echo hi\"}",
	 "{\"_raw_params\": \"echo hi\"}"},
	{"echo hi creates=/x", 18,
	 "[\"echo\", \"hi\", \"creates=/x\"]",
	 "{\"creates\": \"/x\", \"_raw_params\": \"echo hi\"}",
	 "{\"creates\": \"/x\", \"_raw_params\": \"echo hi\"}"},
	{"echo hi chdir=/tmp removes=/y executable=/bin/bash warn=no", 58,
	 "[\"echo\", \"hi\", \"chdir=/tmp\", \"removes=/y\", \"executable=/bin/bash\", \"warn=no\"]",
	 "{\"chdir\": \"/tmp\", \"removes\": \"/y\", \"executable\": \"/bin/bash\", \"warn\": \"no\", \"_raw_params\": \"echo hi\"}",
	 "{\"chdir\": \"/tmp\", \"removes\": \"/y\", \"executable\": \"/bin/bash\", \"warn\": \"no\", \"_raw_params\": \"echo hi\"}"},
	{"echo a=b", 8,
	 "[\"echo\", \"a=b\"]",
	 "{\"a\": \"b\", \"_raw_params\": \"echo\"}",
	 "{\"_raw_params\": \"echo a=b\"}"},
	{"stdin=hello stdin_add_newline=no strip_empty_ends=yes cat", 57,
	 "[\"stdin=hello\", \"stdin_add_newline=no\", \"strip_empty_ends=yes\", \"cat\"]",
	 "{\"stdin\": \"hello\", \"stdin_add_newline\": \"no\", \"strip_empty_ends\": \"yes\", \"_raw_params\": \"cat\"}",
	 "{\"stdin\": \"hello\", \"stdin_add_newline\": \"no\", \"strip_empty_ends\": \"yes\", \"_raw_params\": \"cat\"}"},
	{"{{ a }}", 7,
	 "[\"{{ a }}\"]",
	 "{\"_raw_params\": \"{{ a }}\"}",
	 "{\"_raw_params\": \"{{ a }}\"}"},
	{"msg=\"{{ a }}\"", 13,
	 "[\"msg=\\\"{{ a }}\\\"\"]",
	 "{\"msg\": \"{{ a }}\"}",
	 "{\"_raw_params\": \"msg=\\\"{{ a }}\\\"\"}"},
	{"msg={{ a | default(\"x y\") }}", 28,
	 "[\"msg={{ a | default(\\\"x y\\\") }}\"]",
	 "{\"msg\": \"{{ a | default(\\\"x y\\\") }}\"}",
	 "{\"_raw_params\": \"msg={{ a | default(\\\"x y\\\") }}\"}"},
	{"msg={{ a }} b={{ c }}", 21,
	 "[\"msg={{ a }}\", \"b={{ c }}\"]",
	 "{\"msg\": \"{{ a }}\", \"b\": \"{{ c }}\"}",
	 "{\"_raw_params\": \"msg={{ a }} b={{ c }}\"}"},
	{"{% if x %}a=b{% endif %}", 24,
	 "[\"{% if x %}a=b{% endif %}\"]",
	 "{\"{% if x %}a\": \"b{% endif %}\"}",
	 "{\"_raw_params\": \"{% if x %}a=b{% endif %}\"}"},
	{"{% if x == 1 %} y=2 {% endif %}", 31,
	 "[\"{% if x == 1 %}\", \"y=2\", \"{% endif %}\"]",
	 "{\"{% if x\": \"= 1 %}\", \"y\": \"2\", \"_raw_params\": \"{% endif %}\"}",
	 "{\"_raw_params\": \"{% if x == 1 %} y=2 {% endif %}\"}"},
	{"x={# c o m #}y", 14,
	 "[\"x={# c o m #}y\"]",
	 "{\"x\": \"{# c o m #}y\"}",
	 "{\"_raw_params\": \"x={# c o m #}y\"}"},
	{"{{ {{ a }} }}", 13,
	 "[\"{{ {{ a }} }}\"]",
	 "{\"_raw_params\": \"{{ {{ a }} }}\"}",
	 "{\"_raw_params\": \"{{ {{ a }} }}\"}"},
	{"{{ a", 4,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {{ a",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {{ a",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {{ a"},
	{"a=\"b", 4,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a=\"b",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a=\"b",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a=\"b"},
	{"a='b", 4,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='b",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='b",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='b"},
	{"}} a=b", 6,
	 "[\"}}\", \"a=b\"]",
	 "{\"a\": \"b\", \"_raw_params\": \"}}\"}",
	 "{\"_raw_params\": \"}} a=b\"}"},
	{"a\nb", 3,
	 "[\"a\\n\", \"b\"]",
	 "{\"_raw_params\": \"a\\nb\"}",
	 "{\"_raw_params\": \"a\\nb\"}"},
	{"a=1\nb=2", 7,
	 "[\"a=1\\n\", \"b=2\"]",
	 "{\"a\": \"1\", \"b\": \"2\"}",
	 "{\"_raw_params\": \"a=1\\nb=2\"}"},
	{"msg=\"line1\nline2\"", 17,
	 "[\"msg=\\\"line1\\nline2\\\"\"]",
	 "{\"msg\": \"line1\\nline2\"}",
	 "{\"_raw_params\": \"msg=\\\"line1\\nline2\\\"\"}"},
	{"a \\\nb", 5,
	 "[\"a\", \"b\"]",
	 "{\"_raw_params\": \"a b\"}",
	 "{\"_raw_params\": \"a b\"}"},
	{"a=1 \\\nb=2", 9,
	 "[\"a=1\", \"b=2\"]",
	 "{\"a\": \"1\", \"b\": \"2\"}",
	 "{\"_raw_params\": \"a=1 b=2\"}"},
	{"\nfoo", 4,
	 "!Unable to parse argument string",
	 "!Unable to parse argument string",
	 "!Unable to parse argument string"},
	{"a\n\nb", 4,
	 "[\"a\\n\\n\", \"b\"]",
	 "{\"_raw_params\": \"a\\n\\nb\"}",
	 "{\"_raw_params\": \"a\\n\\nb\"}"},
	{"a\n", 2,
	 "[\"a\\n\"]",
	 "{\"_raw_params\": \"a\\n\"}",
	 "{\"_raw_params\": \"a\\n\"}"},
	{"a=\"x  y\"", 8,
	 "[\"a=\\\"x  y\\\"\"]",
	 "{\"a\": \"x  y\"}",
	 "{\"_raw_params\": \"a=\\\"x  y\\\"\"}"},
	{"a=\"x\" \"y z\"", 11,
	 "[\"a=\\\"x\\\"\", \"\\\"y z\\\"\"]",
	 "{\"a\": \"x\", \"_raw_params\": \"\\\"y z\\\"\"}",
	 "{\"_raw_params\": \"a=\\\"x\\\" \\\"y z\\\"\"}"},
	{"a=b a=c", 7,
	 "[\"a=b\", \"a=c\"]",
	 "{\"a\": \"c\"}",
	 "{\"_raw_params\": \"a=b a=c\"}"},
	{"b=1 a=2 b=3", 11,
	 "[\"b=1\", \"a=2\", \"b=3\"]",
	 "{\"b\": \"3\", \"a\": \"2\"}",
	 "{\"_raw_params\": \"b=1 a=2 b=3\"}"},
	{"_raw_params=x y", 15,
	 "[\"_raw_params=x\", \"y\"]",
	 "{\"_raw_params\": \"y\"}",
	 "{\"_raw_params\": \"_raw_params=x y\"}"},
	{"a=\"b\"c", 6,
	 "[\"a=\\\"b\\\"c\"]",
	 "{\"a\": \"\\\"b\\\"c\"}",
	 "{\"_raw_params\": \"a=\\\"b\\\"c\"}"},
	{"a='b\"", 5,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='b\"",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='b\"",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='b\""},
	{"a=\"b\\\"\"", 7,
	 "[\"a=\\\"b\\\\\\\"\\\"\"]",
	 "{\"a\": \"b\\\"\"}",
	 "{\"_raw_params\": \"a=\\\"b\\\\\\\"\\\"\"}"},
	{"a=\"\"", 4,
	 "[\"a=\\\"\\\"\"]",
	 "{\"a\": \"\"}",
	 "{\"_raw_params\": \"a=\\\"\\\"\"}"},
	{"a='' b=\"\"", 9,
	 "[\"a=''\", \"b=\\\"\\\"\"]",
	 "{\"a\": \"\", \"b\": \"\"}",
	 "{\"_raw_params\": \"a='' b=\\\"\\\"\"}"},
	{"a=\\'b\\'", 7,
	 "[\"a=\\\\'b\\\\'\"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a=\\\\'b\\\\'\"}"},
	{"path=/tmp/x state=directory mode=0755", 37,
	 "[\"path=/tmp/x\", \"state=directory\", \"mode=0755\"]",
	 "{\"path\": \"/tmp/x\", \"state\": \"directory\", \"mode\": \"0755\"}",
	 "{\"_raw_params\": \"path=/tmp/x state=directory mode=0755\"}"},
	{"chdir=/tmp", 10,
	 "[\"chdir=/tmp\"]",
	 "{\"chdir\": \"/tmp\"}",
	 "{\"chdir\": \"/tmp\"}"},
	{"\"creates=/x\"", 12,
	 "[\"\\\"creates=/x\\\"\"]",
	 "{\"\\\"creates\": \"/x\\\"\"}",
	 "{\"_raw_params\": \"\\\"creates=/x\\\"\"}"},
	{"a\\==b", 5,
	 "[\"a\\\\==b\"]",
	 "{\"a\\\\=\": \"b\"}",
	 "{\"_raw_params\": \"a\\\\==b\"}"},
	{"x\\\\=y", 5,
	 "[\"x\\\\\\\\=y\"]",
	 "{\"_raw_params\": \"x=y\"}",
	 "{\"_raw_params\": \"x=y\"}"},
	{"\\\"a b\\\"", 7,
	 "[\"\\\\\\\"a\", \"b\\\\\\\"\"]",
	 "{\"_raw_params\": \"\\\\\\\"a b\\\\\\\"\"}",
	 "{\"_raw_params\": \"\\\\\\\"a b\\\\\\\"\"}"},
	{"'a b'", 5,
	 "[\"'a b'\"]",
	 "{\"_raw_params\": \"'a b'\"}",
	 "{\"_raw_params\": \"'a b'\"}"},
	{"\"a 'b' c\"", 9,
	 "[\"\\\"a 'b' c\\\"\"]",
	 "{\"_raw_params\": \"\\\"a 'b' c\\\"\"}",
	 "{\"_raw_params\": \"\\\"a 'b' c\\\"\"}"},
	{"'a \"b' c\"", 9,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: 'a \"b' c\"",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: 'a \"b' c\"",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: 'a \"b' c\""},
	{"a\\\\\"b c\"", 8,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a\\\\\"b c\"",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a\\\\\"b c\"",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: a\\\\\"b c\""},
	{"{{a}}={{b}}", 11,
	 "[\"{{a}}={{b}}\"]",
	 "{\"{{a}}\": \"{{b}}\"}",
	 "{\"_raw_params\": \"{{a}}={{b}}\"}"},
	{"a={{ b }}c d", 12,
	 "[\"a={{ b }}c\", \"d\"]",
	 "{\"a\": \"{{ b }}c\", \"_raw_params\": \"d\"}",
	 "{\"_raw_params\": \"a={{ b }}c d\"}"},
	{"{{ 'a b' }}", 11,
	 "[\"{{ 'a b' }}\"]",
	 "{\"_raw_params\": \"{{ 'a b' }}\"}",
	 "{\"_raw_params\": \"{{ 'a b' }}\"}"},
	{"{% raw %}{{ x y {% endraw %}", 28,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {% raw %}{{ x y {% endraw %}",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {% raw %}{{ x y {% endraw %}",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {% raw %}{{ x y {% endraw %}"},
	{"a=\\u00", 6,
	 "[\"a=\\\\u00\"]",
	 "{\"a\": \"\\\\u00\"}",
	 "{\"_raw_params\": \"a=\\\\u00\"}"},
	{"a=\\xZZ", 6,
	 "[\"a=\\\\xZZ\"]",
	 "{\"a\": \"\\\\xZZ\"}",
	 "{\"_raw_params\": \"a=\\\\xZZ\"}"},
	{"a=\\q", 4,
	 "[\"a=\\\\q\"]",
	 "{\"a\": \"\\\\q\"}",
	 "{\"_raw_params\": \"a=\\\\q\"}"},
	{"echo \\N{BULLET}", 15,
	 "[\"echo\", \"\\\\N{BULLET}\"]",
	 "{\"_raw_params\": \"echo \\\\N{BULLET}\"}",
	 "{\"_raw_params\": \"echo \\\\N{BULLET}\"}"},
	{"a=\\x00b", 7,
	 "[\"a=\\\\x00b\"]",
	 "{\"a\": \"\\u0000b\"}",
	 "{\"_raw_params\": \"a=\\\\x00b\"}"},
	{"a=\\ud800", 8,
	 "[\"a=\\\\ud800\"]",
	 "{\"a\": \"\355\240\200\"}",
	 "{\"_raw_params\": \"a=\\\\ud800\"}"},
	{"a=\015", 3,
	 "[\"a=\\r\"]",
	 "{\"a\": \"\"}",
	 "{\"_raw_params\": \"a=\\r\"}"},
	{"a=b\tc=d", 7,
	 "[\"a=b\\tc=d\"]",
	 "{\"a\": \"b\\tc=d\"}",
	 "{\"_raw_params\": \"a=b\\tc=d\"}"},
	{"k=v\\", 4,
	 "[\"k=v\\\\\"]",
	 "{\"k\": \"v\\\\\"}",
	 "{\"_raw_params\": \"k=v\\\\\"}"},
	{"\\", 1,
	 "[]",
	 "{}",
	 "{}"},
	{"a \\ b", 5,
	 "[\"a\", \"b\"]",
	 "{\"_raw_params\": \"a b\"}",
	 "{\"_raw_params\": \"a b\"}"},
	{"\"a \\ b\"", 7,
	 "[\"\\\"a \\\\ b\\\"\"]",
	 "{\"_raw_params\": \"\\\"a \\\\ b\\\"\"}",
	 "{\"_raw_params\": \"\\\"a \\\\ b\\\"\"}"},
	{"a=1 # comment", 13,
	 "[\"a=1\", \"#\", \"comment\"]",
	 "{\"a\": \"1\", \"_raw_params\": \"# comment\"}",
	 "{\"_raw_params\": \"a=1 # comment\"}"},
	{"{{ a }} {{ b }}", 15,
	 "[\"{{ a }}\", \"{{ b }}\"]",
	 "{\"_raw_params\": \"{{ a }} {{ b }}\"}",
	 "{\"_raw_params\": \"{{ a }} {{ b }}\"}"},
	{"x={{ a }}\ny={{ b }}", 19,
	 "[\"x={{ a }}\\n\", \"y={{ b }}\"]",
	 "{\"x\": \"{{ a }}\", \"y\": \"{{ b }}\"}",
	 "{\"_raw_params\": \"x={{ a }}\\ny={{ b }}\"}"},
	{"{{ a\n}}", 7,
	 "[\"{{ a\\n\\n}}\"]",
	 "{\"_raw_params\": \"{{ a\\n\\n}}\"}",
	 "{\"_raw_params\": \"{{ a\\n\\n}}\"}"},
	{"\303\251=b", 4,
	 "[\"\303\251=b\"]",
	 "{\"\303\251\": \"b\"}",
	 "{\"_raw_params\": \"\303\251=b\"}"},
	{"\320\272\320\273\321\216\321\207=\320\267\320\275\320\260\321\207\320\265\320\275\320\270\320\265", 25,
	 "[\"\320\272\320\273\321\216\321\207=\320\267\320\275\320\260\321\207\320\265\320\275\320\270\320\265\"]",
	 "{\"\320\272\320\273\321\216\321\207\": \"\320\267\320\275\320\260\321\207\320\265\320\275\320\270\320\265\"}",
	 "{\"_raw_params\": \"\320\272\320\273\321\216\321\207=\320\267\320\275\320\260\321\207\320\265\320\275\320\270\320\265\"}"},
	{"a\\x3db", 6,
	 "[\"a\\\\x3db\"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a\\\\x3db\"}"},
	{"creates=/x chdir=/y echo", 24,
	 "[\"creates=/x\", \"chdir=/y\", \"echo\"]",
	 "{\"creates\": \"/x\", \"chdir\": \"/y\", \"_raw_params\": \"echo\"}",
	 "{\"creates\": \"/x\", \"chdir\": \"/y\", \"_raw_params\": \"echo\"}"},
	{"warn=yes  echo  hi", 18,
	 "[\"warn=yes \", \"echo \", \"hi\"]",
	 "{\"warn\": \"yes\", \"_raw_params\": \"echo  hi\"}",
	 "{\"warn\": \"yes\", \"_raw_params\": \"echo  hi\"}"},
	{"a=' b '", 7,
	 "[\"a=' b '\"]",
	 "{\"a\": \" b \"}",
	 "{\"_raw_params\": \"a=' b '\"}"},
	{"a= 'b' ", 7,
	 "[\"a=\", \"'b' \"]",
	 "{\"a\": \"\", \"_raw_params\": \"'b' \"}",
	 "{\"_raw_params\": \"a= 'b' \"}"},
	{"{%a%} {%b", 9,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {%a%} {%b",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {%a%} {%b",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {%a%} {%b"},
	{"{#", 2,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {#",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {#",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: {#"},
	{"#}", 2,
	 "[\"#}\"]",
	 "{\"_raw_params\": \"#}\"}",
	 "{\"_raw_params\": \"#}\"}"},
	{"x={{ '\"' }}", 11,
	 "[\"x={{ '\\\"' }}\"]",
	 "{\"x\": \"{{ '\\\"' }}\"}",
	 "{\"_raw_params\": \"x={{ '\\\"' }}\"}"},
	{"\"{{\" a", 6,
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: \"{{\" a",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: \"{{\" a",
	 "!failed at splitting arguments, either an unbalanced jinja2 block or quotes: \"{{\" a"},
	{"a = b", 5,
	 "[\"a\", \"=\", \"b\"]",
	 "{\"_raw_params\": \"a = b\"}",
	 "{\"_raw_params\": \"a = b\"}"},
	{"x=\"a\nb\" y", 9,
	 "[\"x=\\\"a\\nb\\\"\", \"y\"]",
	 "{\"x\": \"a\\nb\", \"_raw_params\": \"y\"}",
	 "{\"_raw_params\": \"x=\\\"a\\nb\\\" y\"}"},
	{"a=\\\n", 4,
	 "[\"a=\\\\\\n\"]",
	 "{\"a\": \"\\\\\"}",
	 "{\"_raw_params\": \"a=\\\\\\n\"}"},
	{"a=b \\", 5,
	 "[\"a=b\"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a=b\"}"},
	{"echo 'hi there' creates=\"/tmp/a b\"", 34,
	 "[\"echo\", \"'hi there'\", \"creates=\\\"/tmp/a b\\\"\"]",
	 "{\"creates\": \"/tmp/a b\", \"_raw_params\": \"echo 'hi there'\"}",
	 "{\"creates\": \"/tmp/a b\", \"_raw_params\": \"echo 'hi there'\"}"},
	{"a=\\\\\\\\", 6,
	 "[\"a=\\\\\\\\\\\\\\\\\"]",
	 "{\"a\": \"\\\\\\\\\"}",
	 "{\"_raw_params\": \"a=\\\\\\\\\\\\\\\\\"}"},
	{"a=\\\\\\=b", 7,
	 "[\"a=\\\\\\\\\\\\=b\"]",
	 "{\"a\": \"\\\\\\\\=b\"}",
	 "{\"_raw_params\": \"a=\\\\\\\\\\\\=b\"}"},
	{"a=\\x3d", 6,
	 "[\"a=\\\\x3d\"]",
	 "{\"a\": \"=\"}",
	 "{\"_raw_params\": \"a=\\\\x3d\"}"},
	{"a\343\200\200=b\343\200\200", 9,
	 "[\"a\343\200\200=b\343\200\200\"]",
	 "{\"a\": \"b\"}",
	 "{\"_raw_params\": \"a\343\200\200=b\343\200\200\"}"},
	{"\\n=x", 4,
	 "[\"\\\\n=x\"]",
	 "{\"\": \"x\"}",
	 "{\"_raw_params\": \"\\\\n=x\"}"},
	{"'a=b'", 5,
	 "[\"'a=b'\"]",
	 "{\"'a\": \"b'\"}",
	 "{\"_raw_params\": \"'a=b'\"}"},
	{"a=\"b\" c", 7,
	 "[\"a=\\\"b\\\"\", \"c\"]",
	 "{\"a\": \"b\", \"_raw_params\": \"c\"}",
	 "{\"_raw_params\": \"a=\\\"b\\\" c\"}"},
	{"a=\"b=c d\"", 9,
	 "[\"a=\\\"b=c d\\\"\"]",
	 "{\"a\": \"b=c d\"}",
	 "{\"_raw_params\": \"a=\\\"b=c d\\\"\"}"},
	{"a=b\000c d=\000", 9,
	 "[\"a=b\\u0000c\", \"d=\\u0000\"]",
	 "{\"a\": \"b\\u0000c\", \"d\": \"\\u0000\"}",
	 "{\"_raw_params\": \"a=b\\u0000c d=\\u0000\"}"},
	{"{{ a\n\n\n}}", 9,
	 "[\"{{ a\\n\\n\\n\\n\\n\\n}}\"]",
	 "{\"_raw_params\": \"{{ a\\n\\n\\n\\n\\n\\n}}\"}",
	 "{\"_raw_params\": \"{{ a\\n\\n\\n\\n\\n\\n}}\"}"},
	{"{{ a\nb c\n}}", 11,
	 "[\"{{ a\\nb c\\n\\n}}\"]",
	 "{\"_raw_params\": \"{{ a\\nb c\\n\\n}}\"}",
	 "{\"_raw_params\": \"{{ a\\nb c\\n\\n}}\"}"},
};

struct kv_join_case {
	const char *items[4];
	size_t n;
	const char *want;
};

static const struct kv_join_case kv_join_cases[] = {
	{{NULL}, 0, ""},
	{{"a"}, 1, "a"},
	{{"a", "b"}, 2, "a b"},
	{{"a\n", "b"}, 2, "a\nb"},
	{{"", "b"}, 2, "b"},
	{{"a", ""}, 2, "a "},
	{{"a ", "b"}, 2, "a  b"},
	{{"a\n", "", "c"}, 3, "a\nc"},
	{{"x=1", "y=\"a b\"", "\n", "z"}, 4, "x=1 y=\"a b\" \nz"},
};

/* Renders a string as JSON the way Python's json.dumps(ensure_ascii=False) does. */
static void kv_render_str(struct buf *b, const struct value *s)
{
	size_t i;
	unsigned char c;

	buf_putc(b, '"');
	for (i = 0; i < s->u.s.len; i++) {
		c = (unsigned char)s->u.s.ptr[i];
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c == '\b')
			buf_puts(b, "\\b");
		else if (c == '\f')
			buf_puts(b, "\\f");
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

static char *kv_render(const struct value *v)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_putc(&b, v->type == VALUE_MAP ? '{' : '[');
	for (i = 0; i < value_len(v); i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		if (v->type == VALUE_MAP) {
			kv_render_str(&b, value_map_key_at(v, i));
			buf_puts(&b, ": ");
			kv_render_str(&b, value_map_val_at(v, i));
		} else {
			kv_render_str(&b, value_list_at(v, i));
		}
	}
	buf_putc(&b, v->type == VALUE_MAP ? '}' : ']');
	return buf_take(&b, NULL);
}

/* Runs one mode (0 split, 1 parse, 2 parse with check_raw) on an input and
 * renders the result or the error. */
static char *kv_run(const char *in, size_t len, int mode)
{
	struct value *v = NULL;
	struct diag d;
	char *out;
	int r;

	diag_init(&d);
	if (mode == 0)
		r = kv_split(in, len, &v, &d);
	else
		r = kv_parse(in, len, mode == 2, &v, &d);
	if (r == 0) {
		T_CHECK(!diag_has(&d));
		out = kv_render(v);
	} else {
		T_EQ_INT(r, ERR_PARSE);
		T_CHECK(v == NULL);
		T_CHECK(d.file == NULL && d.line >= 1 && d.col >= 1);
		out = xasprintf("!%s", d.msg ? d.msg : "(no message)");
	}
	value_unref(v);
	diag_fini(&d);
	return out;
}

/* Reports one TAP line for checks made outside a T_RUN function. */
static void kv_tap(const char *what, size_t i, int before)
{
	t_count++;
	if (t_failed_checks != before)
		t_failures++;
	printf("%sok %d - %s %zu\n", t_failed_checks != before ? "not " : "", t_count, what, i);
	fflush(stdout);
}

static void kv_table(void)
{
	const struct kv_case *c;
	const char *want;
	char *got;
	size_t i;
	int mode, before;

	for (i = 0; i < sizeof(kv_cases) / sizeof(kv_cases[0]); i++) {
		c = &kv_cases[i];
		before = t_failed_checks;
		for (mode = 0; mode < 3; mode++) {
			want = mode == 0 ? c->split : mode == 1 ? c->parse : c->raw;
			got = kv_run(c->in, c->len, mode);
			if (strcmp(got, want) != 0) {
				printf("#   input %zu mode %d: got %s\n#   expected %s\n", i, mode, got, want);
				t_failed_checks++;
			}
			free(got);
		}
		kv_tap("ansible table row", i, before);
	}
}

static void kv_join_table(void)
{
	const struct kv_join_case *c;
	struct value *l;
	char *got;
	size_t i, j;
	int before;

	for (i = 0; i < sizeof(kv_join_cases) / sizeof(kv_join_cases[0]); i++) {
		c = &kv_join_cases[i];
		before = t_failed_checks;
		l = value_list();
		for (j = 0; j < c->n; j++)
			value_list_push(l, value_str(c->items[j]));
		got = kv_join(l);
		T_EQ_STR(got, c->want);
		free(got);
		value_unref(l);
		kv_tap("ansible join row", i, before);
	}
}

static void kv_check_pos(const struct value *v, uint32_t line, uint32_t col)
{
	T_EQ_INT(v->pos.line, line);
	T_EQ_INT(v->pos.col, col);
	T_CHECK(v->pos.file == NULL);
}

static void test_split_positions(void)
{
	static const char in[] = "a=1  b=2\n c=\"x y\" {{ d }}";
	struct value *l = NULL;
	struct diag d;

	diag_init(&d);
	T_EQ_INT(kv_split(in, sizeof(in) - 1, &l, &d), 0);
	T_EQ_INT(value_len(l), 4);
	if (value_len(l) == 4) {
		T_EQ_STR(value_cstr(value_list_at(l, 1)), "b=2\n");
		kv_check_pos(value_list_at(l, 0), 1, 1);
		kv_check_pos(value_list_at(l, 1), 1, 6);
		kv_check_pos(value_list_at(l, 2), 2, 2);
		kv_check_pos(value_list_at(l, 3), 2, 10);
	}
	value_unref(l);
	diag_fini(&d);
}

static void test_parse_positions(void)
{
	static const char in[] = "echo hi\n creates=/x";
	struct value *m = NULL;
	struct diag d;

	diag_init(&d);
	T_EQ_INT(kv_parse(in, sizeof(in) - 1, 1, &m, &d), 0);
	T_EQ_INT(value_len(m), 2);
	if (value_len(m) == 2) {
		T_EQ_STR(value_cstr(value_map_key_at(m, 0)), "creates");
		kv_check_pos(value_map_key_at(m, 0), 2, 2);
		kv_check_pos(value_map_val_at(m, 0), 2, 2);
		T_EQ_STR(value_cstr(value_map_val_at(m, 1)), "echo hi\n");
		kv_check_pos(value_map_val_at(m, 1), 1, 1);
	}
	value_unref(m);
	diag_fini(&d);
}

/* Expects in to fail with an error at line:col starting with msg in every
 * mode (0 split, 1 parse, 2 parse with check_raw) but those set in ok_modes. */
static void kv_expect_error(const char *in, int line, int col, const char *msg, int ok_modes)
{
	struct value *v = NULL;
	struct diag d;
	int mode, r;

	for (mode = 0; mode < 3; mode++) {
		diag_init(&d);
		r = mode == 0 ? kv_split(in, strlen(in), &v, &d)
		              : kv_parse(in, strlen(in), mode == 2, &v, &d);
		if (ok_modes & 1 << mode) {
			T_EQ_INT(r, 0);
		} else {
			T_EQ_INT(r, ERR_PARSE);
			T_CHECK(v == NULL);
			T_EQ_INT(d.line, line);
			T_EQ_INT(d.col, col);
			T_CHECK(d.msg != NULL && strncmp(d.msg, msg, strlen(msg)) == 0);
		}
		value_unref(v);
		v = NULL;
		diag_fini(&d);
	}
}

static void test_error_positions(void)
{
	const char *unbal = "failed at splitting arguments";

	kv_expect_error("a=1 b=\"x", 1, 7, unbal, 0);
	kv_expect_error("x {{ y", 1, 3, unbal, 0);
	kv_expect_error("a=1\nb='x y", 2, 3, unbal, 0);
	kv_expect_error("{{ a }} {% if", 1, 9, unbal, 0);
	kv_expect_error("a=\"x {{", 1, 3, unbal, 0);
	kv_expect_error("{{ a \"b\" }} {{ c 'd", 1, 13, unbal, 0);
	kv_expect_error("  a", 1, 1, "Unable to parse argument string", 0);
	kv_expect_error(" ", 1, 1, "Unable to parse argument string", 0);
	kv_expect_error("\nfoo", 1, 1, "Unable to parse argument string", 0);
	kv_expect_error(" \\\n  x", 2, 1, "Unable to parse argument string", 0);
}

static void test_unbalanced_message(void)
{
	struct value *v = NULL;
	struct diag d;
	char *s;

	diag_init(&d);
	T_EQ_INT(kv_parse("echo 'a\nb", 9, 1, &v, &d), ERR_PARSE);
	s = diag_format(&d);
	T_EQ_STR(s, "failed at splitting arguments, either an unbalanced jinja2 block or quotes: "
	            "echo 'a\nb");
	free(s);
	diag_fini(&d);
}

/* Ansible rejects \U past U+10FFFF in every word, even free-form ones. */
static void test_bad_codepoint(void)
{
	kv_expect_error("a=\\U00110000", 1, 3, "cannot decode escape \\U00110000", 1);
	kv_expect_error("echo\n x\\UFFFFFFFF", 2, 3, "cannot decode escape \\UFFFFFFFF", 1);
}

/* Character names are refused only where the decoded text is used. */
static void test_named_escape(void)
{
	char *s;

	kv_expect_error("a=b c=\\N{BULLET}", 1, 7, "cannot decode escape \\N{...}", 1 | 4);
	kv_expect_error("x\\=\\N{BULLET}", 1, 4, "cannot decode escape \\N{...}", 1);
	s = kv_run("a=\\N{BULLET}", 12, 2);
	T_EQ_STR(s, "{\"_raw_params\": \"a=\\\\N{BULLET}\"}");
	free(s);
	s = kv_run("echo \\N{BULLET} \\N{", 19, 1);
	T_EQ_STR(s, "{\"_raw_params\": \"echo \\\\N{BULLET} \\\\N{\"}");
	free(s);
	/* An unclosed or empty name is no escape: what follows still decodes. */
	s = kv_run("a=\\N{\\x41 b=\\N{}\\n", 18, 1);
	T_EQ_STR(s, "{\"a\": \"\\\\N{A\", \"b\": \"\\\\N{}\"}");
	free(s);
}

static void test_empty_and_null(void)
{
	struct value *v = NULL;
	struct diag d;

	diag_init(&d);
	T_EQ_INT(kv_split(NULL, 0, &v, &d), 0);
	T_CHECK(v != NULL && v->type == VALUE_LIST && value_len(v) == 0);
	value_unref(v);
	T_EQ_INT(kv_parse(NULL, 0, 1, &v, &d), 0);
	T_CHECK(v != NULL && v->type == VALUE_MAP && value_len(v) == 0);
	value_unref(v);
	/* A NULL diag is allowed: the error code alone is returned. */
	T_EQ_INT(kv_parse("a='", 3, 0, &v, NULL), ERR_PARSE);
	T_CHECK(v == NULL);
	T_CHECK(!diag_has(&d));
	diag_fini(&d);
}

/* The first error recorded in a diag stays. */
static void test_diag_kept(void)
{
	struct value *v = NULL;
	struct diag d;

	diag_init(&d);
	diag_set(&d, "f.yml", 3, 4, "earlier");
	T_EQ_INT(kv_split("'", 1, &v, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "earlier");
	T_EQ_INT(d.line, 3);
	diag_fini(&d);
}

static void test_too_big(void)
{
	struct value *v = NULL;
	struct diag d;
	char *big = malloc(KV_MAX_ARGS + 1);

	T_CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'a', KV_MAX_ARGS + 1);
	big[1] = '=';
	diag_init(&d);
	T_EQ_INT(kv_parse(big, KV_MAX_ARGS + 1, 0, &v, &d), ERR_TOOBIG);
	T_CHECK(v == NULL && diag_has(&d));
	diag_fini(&d);
	T_EQ_INT(kv_parse(big, KV_MAX_ARGS, 0, &v, &d), 0);
	T_EQ_INT(value_len(value_map_get(v, "a")), KV_MAX_ARGS - 2);
	value_unref(v);
	diag_fini(&d);
	free(big);
}

static void test_join_rejects(void)
{
	struct value *l = value_list();
	struct value *m = value_map();

	T_CHECK(kv_join(NULL) == NULL);
	T_CHECK(kv_join(m) == NULL);
	value_list_push(l, value_str("a"));
	value_list_push(l, value_int(1));
	T_CHECK(kv_join(l) == NULL);
	value_unref(l);
	value_unref(m);
}

int main(void)
{
	kv_table();
	kv_join_table();
	T_RUN(test_split_positions);
	T_RUN(test_parse_positions);
	T_RUN(test_error_positions);
	T_RUN(test_unbalanced_message);
	T_RUN(test_bad_codepoint);
	T_RUN(test_named_escape);
	T_RUN(test_empty_and_null);
	T_RUN(test_diag_kept);
	T_RUN(test_too_big);
	T_RUN(test_join_rejects);
	return T_DONE();
}
