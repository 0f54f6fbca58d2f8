/* Unit tests for the JSON encoder and decoder. The expected encodings were
 * produced by Python 3's json.dumps (and float repr) and pasted here. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "data/json.h"
#include "t.h"

struct enc_case {
	const char *in;  /* JSON text, decoded first */
	int flags;
	const char *out; /* json.dumps(json.loads(in), ...) */
};

struct float_case {
	double f;
	const char *repr; /* Python's repr(f) */
};

/* Generated with Python: for each input, json.dumps(json.loads(in), sort_keys=,
 * ensure_ascii=, indent=) with the flags shown (ensure_ascii=False unless
 * JSON_ASCII). */
static const struct enc_case enc_cases[] = {
	{"null", 0, "null"},
	{"null", JSON_ASCII, "null"},
	{"true", 0, "true"},
	{"true", JSON_ASCII, "true"},
	{"false", 0, "false"},
	{"false", JSON_ASCII, "false"},
	{"0", 0, "0"},
	{"0", JSON_ASCII, "0"},
	{"-1", 0, "-1"},
	{"-1", JSON_ASCII, "-1"},
	{"9223372036854775807", 0, "9223372036854775807"},
	{"9223372036854775807", JSON_ASCII, "9223372036854775807"},
	{"-9223372036854775808", 0, "-9223372036854775808"},
	{"-9223372036854775808", JSON_ASCII, "-9223372036854775808"},
	{"1.0", 0, "1.0"},
	{"1.0", JSON_ASCII, "1.0"},
	{"-0.0", 0, "-0.0"},
	{"-0.0", JSON_ASCII, "-0.0"},
	{"0.1", 0, "0.1"},
	{"0.1", JSON_ASCII, "0.1"},
	{"1e16", 0, "1e+16"},
	{"1e16", JSON_ASCII, "1e+16"},
	{"1E400", 0, "Infinity"},
	{"1E400", JSON_ASCII, "Infinity"},
	{"-1e400", 0, "-Infinity"},
	{"-1e400", JSON_ASCII, "-Infinity"},
	{"NaN", 0, "NaN"},
	{"NaN", JSON_ASCII, "NaN"},
	{"[NaN, Infinity, -Infinity]", 0, "[NaN, Infinity, -Infinity]"},
	{"[NaN, Infinity, -Infinity]", JSON_SORT_KEYS, "[NaN, Infinity, -Infinity]"},
	{"[NaN, Infinity, -Infinity]", JSON_ASCII, "[NaN, Infinity, -Infinity]"},
	{"[NaN, Infinity, -Infinity]", JSON_INDENT(2), "[\n  NaN,\n  Infinity,\n  -Infinity\n]"},
	{"[NaN, Infinity, -Infinity]", JSON_INDENT(0), "[\nNaN,\nInfinity,\n-Infinity\n]"},
	{"[NaN, Infinity, -Infinity]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "[\n    NaN,\n    Infinity,\n    -Infinity\n]"},
	{"\"\"", 0, "\"\""},
	{"\"\"", JSON_ASCII, "\"\""},
	{"\"abc\"", 0, "\"abc\""},
	{"\"abc\"", JSON_ASCII, "\"abc\""},
	{"\"a\\\"b\\\\c\"", 0, "\"a\\\"b\\\\c\""},
	{"\"a\\\"b\\\\c\"", JSON_ASCII, "\"a\\\"b\\\\c\""},
	{"\"\\n\\r\\t\\b\\f\"", 0, "\"\\n\\r\\t\\b\\f\""},
	{"\"\\n\\r\\t\\b\\f\"", JSON_ASCII, "\"\\n\\r\\t\\b\\f\""},
	{"\"\\u0000\\u0001\\u001f\\u007f\"", 0, "\"\\u0000\\u0001\\u001f\177\""},
	{"\"\\u0000\\u0001\\u001f\\u007f\"", JSON_ASCII, "\"\\u0000\\u0001\\u001f\\u007f\""},
	{"\"\\/\"", 0, "\"/\""},
	{"\"\\/\"", JSON_ASCII, "\"/\""},
	{"\"caf\\u00e9\"", 0, "\"caf\303\251\""},
	{"\"caf\\u00e9\"", JSON_ASCII, "\"caf\\u00e9\""},
	{"\"\303\251\344\270\255\346\226\207\"", 0, "\"\303\251\344\270\255\346\226\207\""},
	{"\"\303\251\344\270\255\346\226\207\"", JSON_ASCII, "\"\\u00e9\\u4e2d\\u6587\""},
	{"\"\\ud83d\\ude00\"", 0, "\"\360\237\230\200\""},
	{"\"\\ud83d\\ude00\"", JSON_ASCII, "\"\\ud83d\\ude00\""},
	{"\"\360\237\230\200\"", 0, "\"\360\237\230\200\""},
	{"\"\360\237\230\200\"", JSON_ASCII, "\"\\ud83d\\ude00\""},
	{"\"\342\200\250\342\200\251\"", 0, "\"\342\200\250\342\200\251\""},
	{"\"\342\200\250\342\200\251\"", JSON_ASCII, "\"\\u2028\\u2029\""},
	{"\"\357\273\277\"", 0, "\"\357\273\277\""},
	{"\"\357\273\277\"", JSON_ASCII, "\"\\ufeff\""},
	{"\"\\uffff\"", 0, "\"\357\277\277\""},
	{"\"\\uffff\"", JSON_ASCII, "\"\\uffff\""},
	{"\"\364\217\277\277\"", 0, "\"\364\217\277\277\""},
	{"\"\364\217\277\277\"", JSON_ASCII, "\"\\udbff\\udfff\""},
	{"[]", 0, "[]"},
	{"[]", JSON_SORT_KEYS, "[]"},
	{"[]", JSON_ASCII, "[]"},
	{"[]", JSON_INDENT(2), "[]"},
	{"[]", JSON_INDENT(0), "[]"},
	{"[]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "[]"},
	{"{}", 0, "{}"},
	{"{}", JSON_SORT_KEYS, "{}"},
	{"{}", JSON_ASCII, "{}"},
	{"{}", JSON_INDENT(2), "{}"},
	{"{}", JSON_INDENT(0), "{}"},
	{"{}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "{}"},
	{"[[]]", 0, "[[]]"},
	{"[[]]", JSON_SORT_KEYS, "[[]]"},
	{"[[]]", JSON_ASCII, "[[]]"},
	{"[[]]", JSON_INDENT(2), "[\n  []\n]"},
	{"[[]]", JSON_INDENT(0), "[\n[]\n]"},
	{"[[]]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "[\n    []\n]"},
	{"[{}]", 0, "[{}]"},
	{"[{}]", JSON_SORT_KEYS, "[{}]"},
	{"[{}]", JSON_ASCII, "[{}]"},
	{"[{}]", JSON_INDENT(2), "[\n  {}\n]"},
	{"[{}]", JSON_INDENT(0), "[\n{}\n]"},
	{"[{}]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "[\n    {}\n]"},
	{"{\"a\": []}", 0, "{\"a\": []}"},
	{"{\"a\": []}", JSON_SORT_KEYS, "{\"a\": []}"},
	{"{\"a\": []}", JSON_ASCII, "{\"a\": []}"},
	{"{\"a\": []}", JSON_INDENT(2), "{\n  \"a\": []\n}"},
	{"{\"a\": []}", JSON_INDENT(0), "{\n\"a\": []\n}"},
	{"{\"a\": []}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "{\n    \"a\": []\n}"},
	{"{\"a\": {}}", 0, "{\"a\": {}}"},
	{"{\"a\": {}}", JSON_SORT_KEYS, "{\"a\": {}}"},
	{"{\"a\": {}}", JSON_ASCII, "{\"a\": {}}"},
	{"{\"a\": {}}", JSON_INDENT(2), "{\n  \"a\": {}\n}"},
	{"{\"a\": {}}", JSON_INDENT(0), "{\n\"a\": {}\n}"},
	{"{\"a\": {}}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "{\n    \"a\": {}\n}"},
	{"[1, 2, 3]", 0, "[1, 2, 3]"},
	{"[1, 2, 3]", JSON_SORT_KEYS, "[1, 2, 3]"},
	{"[1, 2, 3]", JSON_ASCII, "[1, 2, 3]"},
	{"[1, 2, 3]", JSON_INDENT(2), "[\n  1,\n  2,\n  3\n]"},
	{"[1, 2, 3]", JSON_INDENT(0), "[\n1,\n2,\n3\n]"},
	{"[1, 2, 3]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII, "[\n    1,\n    2,\n    3\n]"},
	{"[1, [2, [3, []]]]", 0, "[1, [2, [3, []]]]"},
	{"[1, [2, [3, []]]]", JSON_SORT_KEYS, "[1, [2, [3, []]]]"},
	{"[1, [2, [3, []]]]", JSON_ASCII, "[1, [2, [3, []]]]"},
	{"[1, [2, [3, []]]]", JSON_INDENT(2),
	 "[\n  1,\n  [\n    2,\n    [\n      3,\n      []\n    ]\n  ]\n]"},
	{"[1, [2, [3, []]]]", JSON_INDENT(0), "[\n1,\n[\n2,\n[\n3,\n[]\n]\n]\n]"},
	{"[1, [2, [3, []]]]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "[\n    1,\n    [\n        2,\n        [\n            3,\n            []\n        ]\n    ]\n]"},
	{"{\"a\": 1, \"b\": 2}", 0, "{\"a\": 1, \"b\": 2}"},
	{"{\"a\": 1, \"b\": 2}", JSON_SORT_KEYS, "{\"a\": 1, \"b\": 2}"},
	{"{\"a\": 1, \"b\": 2}", JSON_ASCII, "{\"a\": 1, \"b\": 2}"},
	{"{\"a\": 1, \"b\": 2}", JSON_INDENT(2), "{\n  \"a\": 1,\n  \"b\": 2\n}"},
	{"{\"a\": 1, \"b\": 2}", JSON_INDENT(0), "{\n\"a\": 1,\n\"b\": 2\n}"},
	{"{\"a\": 1, \"b\": 2}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"a\": 1,\n    \"b\": 2\n}"},
	{"{\"b\": 1, \"a\": 2}", 0, "{\"b\": 1, \"a\": 2}"},
	{"{\"b\": 1, \"a\": 2}", JSON_SORT_KEYS, "{\"a\": 2, \"b\": 1}"},
	{"{\"b\": 1, \"a\": 2}", JSON_ASCII, "{\"b\": 1, \"a\": 2}"},
	{"{\"b\": 1, \"a\": 2}", JSON_INDENT(2), "{\n  \"b\": 1,\n  \"a\": 2\n}"},
	{"{\"b\": 1, \"a\": 2}", JSON_INDENT(0), "{\n\"b\": 1,\n\"a\": 2\n}"},
	{"{\"b\": 1, \"a\": 2}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"a\": 2,\n    \"b\": 1\n}"},
	{"{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}", 0,
	 "{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}"},
	{"{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}", JSON_SORT_KEYS,
	 "{\"a\": {\"c\": \"x\", \"d\": [1, {\"y\": true, \"z\": null}]}, \"b\": 1}"},
	{"{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}", JSON_ASCII,
	 "{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}"},
	{"{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}", JSON_INDENT(2),
	 "{\n  \"b\": 1,\n  \"a\": {\n    \"d\": [\n      1,\n      {\n        \"z\": null,\n        \"y\": true\n      }\n    ],\n    \"c\": \"x\"\n  }\n}"},
	{"{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}", JSON_INDENT(0),
	 "{\n\"b\": 1,\n\"a\": {\n\"d\": [\n1,\n{\n\"z\": null,\n\"y\": true\n}\n],\n\"c\": \"x\"\n}\n}"},
	{"{\"b\": 1, \"a\": {\"d\": [1, {\"z\": null, \"y\": true}], \"c\": \"x\"}}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"a\": {\n        \"c\": \"x\",\n        \"d\": [\n            1,\n            {\n                \"y\": true,\n                \"z\": null\n            }\n        ]\n    },\n    \"b\": 1\n}"},
	{"{\"a\": 1, \"b\": 2, \"a\": 3}", 0, "{\"a\": 3, \"b\": 2}"},
	{"{\"a\": 1, \"b\": 2, \"a\": 3}", JSON_SORT_KEYS, "{\"a\": 3, \"b\": 2}"},
	{"{\"a\": 1, \"b\": 2, \"a\": 3}", JSON_ASCII, "{\"a\": 3, \"b\": 2}"},
	{"{\"a\": 1, \"b\": 2, \"a\": 3}", JSON_INDENT(2), "{\n  \"a\": 3,\n  \"b\": 2\n}"},
	{"{\"a\": 1, \"b\": 2, \"a\": 3}", JSON_INDENT(0), "{\n\"a\": 3,\n\"b\": 2\n}"},
	{"{\"a\": 1, \"b\": 2, \"a\": 3}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"a\": 3,\n    \"b\": 2\n}"},
	{"{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}", 0,
	 "{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}"},
	{"{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}", JSON_SORT_KEYS,
	 "{\"\": 5, \"e\": 2, \"z\": 3, \"\303\251\": 1, \"\344\270\255\": 4, \"\357\277\277\": 7, \"\360\237\230\200\": 6}"},
	{"{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}", JSON_ASCII,
	 "{\"\\u00e9\": 1, \"e\": 2, \"z\": 3, \"\\u4e2d\": 4, \"\": 5, \"\\ud83d\\ude00\": 6, \"\\uffff\": 7}"},
	{"{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}", JSON_INDENT(2),
	 "{\n  \"\303\251\": 1,\n  \"e\": 2,\n  \"z\": 3,\n  \"\344\270\255\": 4,\n  \"\": 5,\n  \"\360\237\230\200\": 6,\n  \"\357\277\277\": 7\n}"},
	{"{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}", JSON_INDENT(0),
	 "{\n\"\303\251\": 1,\n\"e\": 2,\n\"z\": 3,\n\"\344\270\255\": 4,\n\"\": 5,\n\"\360\237\230\200\": 6,\n\"\357\277\277\": 7\n}"},
	{"{\"\303\251\": 1, \"e\": 2, \"z\": 3, \"\344\270\255\": 4, \"\": 5, \"\360\237\230\200\": 6, \"\357\277\277\": 7}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"\": 5,\n    \"e\": 2,\n    \"z\": 3,\n    \"\\u00e9\": 1,\n    \"\\u4e2d\": 4,\n    \"\\uffff\": 7,\n    \"\\ud83d\\ude00\": 6\n}"},
	{"{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}", 0,
	 "{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}"},
	{"{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}", JSON_SORT_KEYS,
	 "{\"A\": 4, \"_\": 5, \"a\": 2, \"ab\": 1, \"abc\": 3}"},
	{"{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}", JSON_ASCII,
	 "{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}"},
	{"{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}", JSON_INDENT(2),
	 "{\n  \"ab\": 1,\n  \"a\": 2,\n  \"abc\": 3,\n  \"A\": 4,\n  \"_\": 5\n}"},
	{"{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}", JSON_INDENT(0),
	 "{\n\"ab\": 1,\n\"a\": 2,\n\"abc\": 3,\n\"A\": 4,\n\"_\": 5\n}"},
	{"{\"ab\": 1, \"a\": 2, \"abc\": 3, \"A\": 4, \"_\": 5}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"A\": 4,\n    \"_\": 5,\n    \"a\": 2,\n    \"ab\": 1,\n    \"abc\": 3\n}"},
	{"[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]", 0,
	 "[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]"},
	{"[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]", JSON_SORT_KEYS,
	 "[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]"},
	{"[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]", JSON_ASCII,
	 "[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]"},
	{"[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]", JSON_INDENT(2),
	 "[\n  1.5,\n  2.25,\n  1e-05,\n  1e+22,\n  123456789012345678,\n  0.30000000000000004\n]"},
	{"[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]", JSON_INDENT(0),
	 "[\n1.5,\n2.25,\n1e-05,\n1e+22,\n123456789012345678,\n0.30000000000000004\n]"},
	{"[1.5, 2.25, 1e-05, 1e+22, 123456789012345678, 0.30000000000000004]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "[\n    1.5,\n    2.25,\n    1e-05,\n    1e+22,\n    123456789012345678,\n    0.30000000000000004\n]"},
	{"{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}", 0,
	 "{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}"},
	{"{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}", JSON_SORT_KEYS,
	 "{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}"},
	{"{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}", JSON_ASCII,
	 "{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}"},
	{"{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}", JSON_INDENT(2),
	 "{\n  \"list\": [\n    1,\n    \"two\",\n    3.0,\n    null,\n    false\n  ],\n  \"nested\": {\n    \"k\": [\n      [],\n      {},\n      [\n        []\n      ]\n    ]\n  },\n  \"s\": \"tab\\tquote\\\"\"\n}"},
	{"{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}", JSON_INDENT(0),
	 "{\n\"list\": [\n1,\n\"two\",\n3.0,\nnull,\nfalse\n],\n\"nested\": {\n\"k\": [\n[],\n{},\n[\n[]\n]\n]\n},\n\"s\": \"tab\\tquote\\\"\"\n}"},
	{"{\"list\": [1, \"two\", 3.0, null, false], \"nested\": {\"k\": [[], {}, [[]]]}, \"s\": \"tab\\tquote\\\"\"}", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "{\n    \"list\": [\n        1,\n        \"two\",\n        3.0,\n        null,\n        false\n    ],\n    \"nested\": {\n        \"k\": [\n            [],\n            {},\n            [\n                []\n            ]\n        ]\n    },\n    \"s\": \"tab\\tquote\\\"\"\n}"},
	{"[\" leading\", \"trailing \", \"\\u0041\"]", 0, "[\" leading\", \"trailing \", \"A\"]"},
	{"[\" leading\", \"trailing \", \"\\u0041\"]", JSON_SORT_KEYS,
	 "[\" leading\", \"trailing \", \"A\"]"},
	{"[\" leading\", \"trailing \", \"\\u0041\"]", JSON_ASCII,
	 "[\" leading\", \"trailing \", \"A\"]"},
	{"[\" leading\", \"trailing \", \"\\u0041\"]", JSON_INDENT(2),
	 "[\n  \" leading\",\n  \"trailing \",\n  \"A\"\n]"},
	{"[\" leading\", \"trailing \", \"\\u0041\"]", JSON_INDENT(0),
	 "[\n\" leading\",\n\"trailing \",\n\"A\"\n]"},
	{"[\" leading\", \"trailing \", \"\\u0041\"]", JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ASCII,
	 "[\n    \" leading\",\n    \"trailing \",\n    \"A\"\n]"},
};

static const struct float_case float_cases[] = {
	{0.0, "0.0"},
	{-0.0, "-0.0"},
	{1.0, "1.0"},
	{-1.0, "-1.0"},
	{0.1, "0.1"},
	{0.2, "0.2"},
	{0.1 + 0.2, "0.30000000000000004"},
	{1.0 / 3, "0.3333333333333333"},
	{2.0 / 3, "0.6666666666666666"},
	{1e16, "1e+16"},
	{1e15, "1000000000000000.0"},
	{9999999999999998.0, "9999999999999998.0"},
	{1234567890123456.0, "1234567890123456.0"},
	{12345678901234567.0, "1.2345678901234568e+16"},
	{123456789012345.0, "123456789012345.0"},
	{123.456, "123.456"},
	{5e-324, "5e-324"},
	{1.7976931348623157e308, "1.7976931348623157e+308"},
	{2.2250738585072014e-308, "2.2250738585072014e-308"},
	{1e-05, "1e-05"},
	{0.0001, "0.0001"},
	{0.00012345, "0.00012345"},
	{1.5e-05, "1.5e-05"},
	{1e22, "1e+22"},
	{1e23, "1e+23"},
	{1.5e300, "1.5e+300"},
	{-1.5e-300, "-1.5e-300"},
	{100.0, "100.0"},
	{1e+100, "1e+100"},
	{3.141592653589793, "3.141592653589793"},
	{2.718281828459045, "2.718281828459045"},
	{0.5, "0.5"},
	{0.25, "0.25"},
	{1.0 / 1024, "0.0009765625"},
	{9007199254740992.0, "9007199254740992.0"},
	{9007199254740993.0, "9007199254740992.0"},
	{4.35, "4.35"},
	{2.675, "2.675"},
	{1e-07, "1e-07"},
	{123456.789, "123456.789"},
	{-273.15, "-273.15"},
	{6.02214076e23, "6.02214076e+23"},
	{299792458.0, "299792458.0"},
	{0x1p-1017, "7.120236347223045e-307"},
	{0x1p-957, "8.209073602596753e-289"},
	{0x1p-1074, "5e-324"},
	{0x1p+1023, "8.98846567431158e+307"},
	{0x1.fffffffffffffp-1, "0.9999999999999999"},
	{1e-4, "0.0001"},
	{0.001, "0.001"},
	{1e21, "1e+21"},
	{65536.0, "65536.0"},
	{-5e-324, "-5e-324"},
	{1.1, "1.1"},
	{3.0e-5, "3e-05"},
	{1e-310, "1e-310"},
	{5e-324 * 3, "1.5e-323"},
	{2.2250738585072009e-308, "2.225073858507201e-308"},
	{0x1.0000000000001p-1022, "2.225073858507202e-308"},
	{INFINITY, "inf"},
	{-INFINITY, "-inf"},
	{NAN, "nan"},
};

/* Encodes v with flags and returns the text (static storage, for checks). */
static const char *enc(const struct value *v, int flags)
{
	static struct buf b;
	int r;

	buf_fini(&b);
	buf_init(&b, 0);
	r = json_encode(&b, v, flags);
	T_EQ_INT(r, 0);
	return buf_str(&b);
}

static struct value *dec(const char *text)
{
	struct value *v = NULL;
	struct diag d;
	int r;

	diag_init(&d);
	r = json_decode(text, strlen(text), NULL, &v, &d);
	if (r != 0)
		printf("#   decode of %s failed: %s\n", text, d.msg ? d.msg : "?");
	T_EQ_INT(r, 0);
	diag_fini(&d);
	return v;
}

static void test_encode_python_table(void)
{
	size_t i;
	struct value *v;

	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		v = dec(enc_cases[i].in);
		T_EQ_STR(enc(v, enc_cases[i].flags), enc_cases[i].out);
		value_unref(v);
	}
}

static void test_float_repr_table(void)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(float_cases) / sizeof(float_cases[0]); i++) {
		buf_reset(&b);
		T_EQ_INT(json_put_float(&b, float_cases[i].f), 0);
		T_EQ_STR(buf_str(&b), float_cases[i].repr);
	}
	buf_fini(&b);
}

static void test_encode_special_floats(void)
{
	struct value *l = value_list();

	value_list_push(l, value_float(NAN));
	value_list_push(l, value_float(INFINITY));
	value_list_push(l, value_float(-INFINITY));
	value_list_push(l, value_float(-0.0));
	value_list_push(l, value_float(1e16));
	T_EQ_STR(enc(l, 0), "[NaN, Infinity, -Infinity, -0.0, 1e+16]");
	value_unref(l);
	T_EQ_STR(enc(NULL, 0), "null");
}

static void check_str(const char *s, size_t n, const char *ascii, const char *utf8)
{
	struct value *v = value_strn(s, n);

	T_EQ_STR(enc(v, JSON_ASCII), ascii);
	T_EQ_STR(enc(v, 0), utf8);
	value_unref(v);
}

static void test_encode_utf8_edges(void)
{
	/* Bad bytes become U+FFFD, one per byte. */
	check_str("a\xff" "b", 3, "\"a\\ufffdb\"", "\"a\xef\xbf\xbd" "b\"");
	check_str("\xe2\x82", 2, "\"\\ufffd\\ufffd\"", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	          "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	          "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\xf0\x9f\x98", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	          "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\x80" "x", 2, "\"\\ufffdx\"", "\"\xef\xbf\xbdx\"");
	/* Well-formed edges: 2, 3 and 4 byte limits. */
	check_str("\xc2\x80\xdf\xbf", 4, "\"\\u0080\\u07ff\"", "\"\xc2\x80\xdf\xbf\"");
	check_str("\xe0\xa0\x80\xef\xbf\xbf", 6, "\"\\u0800\\uffff\"", "\"\xe0\xa0\x80\xef\xbf\xbf\"");
	check_str("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8, "\"\\ud800\\udc00\\udbff\\udfff\"",
	          "\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
	check_str("\xf0\x9f\x98\x80", 4, "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"");
	/* NUL, DEL and the line separators Python leaves alone without ensure_ascii. */
	check_str("a\0b", 3, "\"a\\u0000b\"", "\"a\\u0000b\"");
	check_str("\x7f", 1, "\"\\u007f\"", "\"\x7f\"");
	check_str("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"", "\"\xe2\x80\xa8\xe2\x80\xa9\"");
	check_str("\x1f\x1b\x0b", 3, "\"\\u001f\\u001b\\u000b\"", "\"\\u001f\\u001b\\u000b\"");
	check_str("/<>&'", 5, "\"/<>&'\"", "\"/<>&'\"");
	check_str("", 0, "\"\"", "\"\"");
}

static void test_encode_keys(void)
{
	struct value *m = value_map();

	value_map_set(m, "\xff", value_int(1));
	value_map_set(m, "b", value_int(2));
	value_map_set(m, "a\nb", value_int(3));
	T_EQ_STR(enc(m, JSON_ASCII), "{\"\\ufffd\": 1, \"b\": 2, \"a\\nb\": 3}");
	T_EQ_STR(enc(m, JSON_SORT_KEYS), "{\"a\\nb\": 3, \"b\": 2, \"\xef\xbf\xbd\": 1}");
	value_unref(m);
}

static struct value *nested(int depth)
{
	struct value *v = value_int(7), *l;

	while (depth-- > 0) {
		l = value_list();
		value_list_push(l, v);
		v = l;
	}
	return v;
}

static void test_encode_depth(void)
{
	struct value *ok = nested(JSON_MAX_DEPTH), *deep = nested(JSON_MAX_DEPTH + 1);
	struct buf b;
	char *s;
	size_t n;

	buf_init(&b, 0);
	T_EQ_INT(json_encode(&b, ok, 0), 0);
	T_EQ_INT(b.len, 2 * JSON_MAX_DEPTH + 1);
	buf_reset(&b);
	buf_puts(&b, "keep");
	T_EQ_INT(json_encode(&b, deep, JSON_INDENT(1)), ERR_DEPTH);
	T_EQ_STR(buf_str(&b), "keep");
	s = json_encode_str(deep, 0);
	n = strlen(s);
	T_EQ_INT(n, 2 * JSON_MAX_DEPTH + 4);
	T_CHECK(n > 6 && memcmp(s + JSON_MAX_DEPTH, "null]", 5) == 0);
	free(s);
	buf_fini(&b);
	value_unref(ok);
	value_unref(deep);
}

static void test_encode_cap(void)
{
	struct value *v = dec("[1, 2, 3, 4, 5, \"long string\"]");
	struct buf b;

	buf_init(&b, 12);
	buf_puts(&b, "ab");
	T_EQ_INT(json_encode(&b, v, 0), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "ab");
	T_EQ_INT(b.len, 2);
	buf_fini(&b);
	value_unref(v);
}

static void test_encode_str_helper(void)
{
	struct value *v = dec("{\"b\": [1, 2], \"a\": \"\xc3\xa9\"}");
	char *s = json_encode_str(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ASCII);

	T_EQ_STR(s, "{\n  \"a\": \"\\u00e9\",\n  \"b\": [\n    1,\n    2\n  ]\n}");
	free(s);
	value_unref(v);
}

static void check_pos(const struct value *v, uint32_t line, uint32_t col)
{
	T_CHECK(v != NULL);
	if (v == NULL)
		return;
	T_EQ_INT(v->pos.line, line);
	T_EQ_INT(v->pos.col, col);
}

static void test_decode_positions(void)
{
	const char *text = "{\n  \"a\": [1, 2.5,\n        \"x\"],\r\n  \"b\": {\"c\": null}\n}\n";
	struct value *v = NULL, *a, *b;
	struct diag d;

	diag_init(&d);
	T_EQ_INT(json_decode(text, strlen(text), "pos.json", &v, &d), 0);
	T_CHECK(v != NULL && v->type == VALUE_MAP);
	if (v == NULL)
		return;
	check_pos(v, 1, 1);
	T_EQ_STR(v->pos.file, "pos.json");
	check_pos(value_map_key_at(v, 0), 2, 3);
	a = value_map_get(v, "a");
	check_pos(a, 2, 8);
	check_pos(value_list_at(a, 0), 2, 9);
	check_pos(value_list_at(a, 1), 2, 12);
	check_pos(value_list_at(a, 2), 3, 9);
	check_pos(value_map_key_at(v, 1), 4, 3);
	b = value_map_get(v, "b");
	check_pos(b, 4, 8);
	check_pos(value_map_key_at(b, 0), 4, 9);
	check_pos(value_map_get(b, "c"), 4, 14);
	T_CHECK(value_list_at(a, 1)->pos.file == v->pos.file);
	value_unref(v);
	/* A byte order mark is skipped and does not count as a column. */
	v = dec("\xef\xbb\xbf [true]");
	check_pos(v, 1, 2);
	check_pos(value_list_at(v, 0), 1, 3);
	value_unref(v);
	diag_fini(&d);
}

struct err_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	int r, line, col;
	const char *msg;
};

static const struct err_case err_cases[] = {
	{"", 0, ERR_PARSE, 1, 1, "expected a JSON value, found end of input"},
	{"   ", 0, ERR_PARSE, 1, 4, "expected a JSON value, found end of input"},
	{"[1 2]", 0, ERR_PARSE, 1, 4, "expected ',' or ']' after array element, found '2'"},
	{"[1", 0, ERR_PARSE, 1, 3, "expected ',' or ']' after array element, found end of input"},
	{"[1,", 0, ERR_PARSE, 1, 4, "expected a JSON value, found end of input"},
	{"[1,]", 0, ERR_PARSE, 1, 4, "expected a JSON value, found ']'"},
	{"{\"a\" 1}", 0, ERR_PARSE, 1, 6, "expected ':' after object key, found '1'"},
	{"{\"a\":1 \"b\":2}", 0, ERR_PARSE, 1, 8, "expected ',' or '}' after object member, found '\"'"},
	{"{\"a\":1,}", 0, ERR_PARSE, 1, 8, "expected '\"' to start an object key, found '}'"},
	{"{1:2}", 0, ERR_PARSE, 1, 2, "expected '\"' to start an object key, found '1'"},
	{"{", 0, ERR_PARSE, 1, 2, "expected '\"' to start an object key, found end of input"},
	{"{\"a\":", 0, ERR_PARSE, 1, 6, "expected a JSON value, found end of input"},
	{"\"abc", 0, ERR_PARSE, 1, 1, "unterminated string"},
	{"[\"ab\\", 0, ERR_PARSE, 1, 2, "unterminated string"},
	{"\"\\x\"", 0, ERR_PARSE, 1, 2, "invalid escape: backslash followed by 'x'"},
	{"\"\\'\"", 0, ERR_PARSE, 1, 2, "invalid escape: backslash followed by byte 0x27"},
	{"\"\\u12\"", 0, ERR_PARSE, 1, 2, "invalid \\u escape: expected 4 hex digits"},
	{"\"\\u12g4\"", 0, ERR_PARSE, 1, 2, "invalid \\u escape: expected 4 hex digits"},
	{"\"\\u00e", 0, ERR_PARSE, 1, 2, "invalid \\u escape: expected 4 hex digits"},
	{"\"a\tb\"", 0, ERR_PARSE, 1, 3, "invalid control character 0x09 in string"},
	{"[\n\"a\nb\"]", 0, ERR_PARSE, 2, 3, "invalid control character 0x0a in string"},
	{"\"a\0b\"", 5, ERR_PARSE, 1, 3, "invalid control character 0x00 in string"},
	{"01", 0, ERR_PARSE, 1, 1, "invalid number: leading zero"},
	{"-01", 0, ERR_PARSE, 1, 1, "invalid number: leading zero"},
	{"-", 0, ERR_PARSE, 1, 1, "invalid number: expected a digit"},
	{"-a", 0, ERR_PARSE, 1, 1, "invalid number: expected a digit"},
	{"[1.]", 0, ERR_PARSE, 1, 2, "invalid number: expected a digit after '.'"},
	{"1e+", 0, ERR_PARSE, 1, 1, "invalid number: expected a digit in exponent"},
	{"1E", 0, ERR_PARSE, 1, 1, "invalid number: expected a digit in exponent"},
	{".5", 0, ERR_PARSE, 1, 1, "expected a JSON value, found '.'"},
	{"+1", 0, ERR_PARSE, 1, 1, "expected a JSON value, found '+'"},
	{"tru", 0, ERR_PARSE, 1, 1, "expected a JSON value, found 't'"},
	{"nulL", 0, ERR_PARSE, 1, 1, "expected a JSON value, found 'n'"},
	{"nan", 0, ERR_PARSE, 1, 1, "expected a JSON value, found 'n'"},
	{"-Inf", 0, ERR_PARSE, 1, 1, "invalid number: expected a digit"},
	{"'a'", 0, ERR_PARSE, 1, 1, "expected a JSON value, found byte 0x27"},
	{"[1] x", 0, ERR_PARSE, 1, 5, "trailing data after JSON value: 'x'"},
	{"1 2", 0, ERR_PARSE, 1, 3, "trailing data after JSON value: '2'"},
	{"truex", 0, ERR_PARSE, 1, 5, "trailing data after JSON value: 'x'"},
	{"1 \xc3\xa9", 0, ERR_PARSE, 1, 3, "trailing data after JSON value: byte 0xc3"},
	{"1\0", 2, ERR_PARSE, 1, 2, "trailing data after JSON value: byte 0x00"},
	{"{} {}", 0, ERR_PARSE, 1, 4, "trailing data after JSON value: '{'"},
	{"\n\n  }", 0, ERR_PARSE, 3, 3, "expected a JSON value, found '}'"},
	{"[\n1,\n\x01]", 0, ERR_PARSE, 3, 1, "expected a JSON value, found byte 0x01"},
	{"{\"a\":\n  [1,\n   2\n  }", 0, ERR_PARSE, 4, 3,
	 "expected ',' or ']' after array element, found '}'"},
	{"\xef\xbb\xbf", 0, ERR_PARSE, 1, 1, "expected a JSON value, found end of input"},
	{"\xef\xbb", 0, ERR_PARSE, 1, 1, "expected a JSON value, found byte 0xef"},
};

static void test_decode_errors(void)
{
	struct value *v;
	struct diag d;
	size_t i, n;
	int r;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		diag_init(&d);
		v = (struct value *)1;
		n = err_cases[i].len ? err_cases[i].len : strlen(err_cases[i].in);
		r = json_decode(err_cases[i].in, n, NULL, &v, &d);
		if (r != err_cases[i].r || d.line != err_cases[i].line || d.col != err_cases[i].col)
			printf("#   case %zu (%s)\n", i, err_cases[i].in);
		T_EQ_INT(r, err_cases[i].r);
		T_CHECK(v == NULL);
		T_EQ_INT(d.line, err_cases[i].line);
		T_EQ_INT(d.col, err_cases[i].col);
		T_EQ_STR(d.msg, err_cases[i].msg);
		diag_fini(&d);
	}
}

static void test_decode_error_format(void)
{
	struct value *v = NULL;
	struct diag d;
	char *s;

	diag_init(&d);
	T_EQ_INT(json_decode("{\n \"k\": tru }", 13, "vars.json", &v, &d), ERR_PARSE);
	s = diag_format(&d);
	T_EQ_STR(s, "vars.json:2:7: expected a JSON value, found 't'");
	free(s);
	diag_fini(&d);
	/* A NULL diag is allowed. */
	T_EQ_INT(json_decode("[", 1, NULL, &v, NULL), ERR_PARSE);
	T_CHECK(v == NULL);
}

static void test_decode_depth(void)
{
	char *text = malloc(2 * (JSON_MAX_DEPTH + 1) + 1);
	struct value *v = NULL;
	struct diag d;
	int i, n = 0;

	for (i = 0; i < JSON_MAX_DEPTH; i++)
		text[n++] = '[';
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		text[n++] = ']';
	diag_init(&d);
	T_EQ_INT(json_decode(text, (size_t)n, NULL, &v, &d), 0);
	T_EQ_INT(value_len(v), 1);
	value_unref(v);
	/* One more level, through an object this time. */
	n = 0;
	text[n++] = '{';
	memcpy(text + n, "\"k\":", 4);
	n += 4;
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		text[n++] = '[';
	T_EQ_INT(json_decode(text, (size_t)n, NULL, &v, &d), ERR_DEPTH);
	T_CHECK(v == NULL);
	T_EQ_INT(d.line, 1);
	T_EQ_INT(d.col, 5 + JSON_MAX_DEPTH);
	T_EQ_STR(d.msg, "nesting deeper than 512 levels");
	diag_fini(&d);
	free(text);
}

static void test_decode_too_big(void)
{
	size_t n = ((size_t)64 << 20) + 1;
	char *text = malloc(n);
	struct value *v = NULL;
	struct diag d;

	memset(text, ' ', n);
	text[0] = '1';
	diag_init(&d);
	T_EQ_INT(json_decode(text, n, "big.json", &v, &d), ERR_TOOBIG);
	T_CHECK(v == NULL);
	T_CHECK(d.msg != NULL && strstr(d.msg, "larger than the 64 MiB limit") != NULL);
	diag_fini(&d);
	/* Exactly at the limit is accepted. */
	T_EQ_INT(json_decode(text, n - 1, NULL, &v, &d), 0);
	T_CHECK(v != NULL && v->type == VALUE_INT && v->u.i == 1);
	value_unref(v);
	free(text);
}

static void check_num(const char *text, enum value_type t, int64_t i, double f)
{
	struct value *v = dec(text);

	T_CHECK(v != NULL);
	if (v == NULL)
		return;
	if (v->type != t)
		printf("#   %s decoded as %s\n", text, value_type_name(v));
	T_EQ_INT(v->type, t);
	if (t == VALUE_INT)
		T_EQ_INT(v->u.i, i);
	else if (isnan(f))
		T_CHECK(isnan(v->u.f));
	else
		T_CHECK(v->u.f == f && !signbit(v->u.f) == !signbit(f));
	value_unref(v);
}

static void test_decode_numbers(void)
{
	check_num("0", VALUE_INT, 0, 0);
	check_num("-0", VALUE_INT, 0, 0);
	check_num("-0.0", VALUE_FLOAT, 0, -0.0);
	check_num("42", VALUE_INT, 42, 0);
	check_num("9223372036854775807", VALUE_INT, INT64_MAX, 0);
	check_num("-9223372036854775808", VALUE_INT, INT64_MIN, 0);
	check_num("9223372036854775808", VALUE_FLOAT, 0, 9223372036854775808.0);
	check_num("-9223372036854775809", VALUE_FLOAT, 0, -9223372036854775809.0);
	check_num("100000000000000000000000", VALUE_FLOAT, 0, 1e23);
	check_num("1.5", VALUE_FLOAT, 0, 1.5);
	check_num("1e2", VALUE_FLOAT, 0, 100.0);
	check_num("1E-2", VALUE_FLOAT, 0, 0.01);
	check_num("2.5e+3", VALUE_FLOAT, 0, 2500.0);
	check_num("0.1", VALUE_FLOAT, 0, 0.1);
	check_num("1e400", VALUE_FLOAT, 0, INFINITY);
	check_num("-1e400", VALUE_FLOAT, 0, -INFINITY);
	check_num("1e-400", VALUE_FLOAT, 0, 0.0);
	check_num("NaN", VALUE_FLOAT, 0, NAN);
	check_num("Infinity", VALUE_FLOAT, 0, INFINITY);
	check_num("-Infinity", VALUE_FLOAT, 0, -INFINITY);
	check_num(" \t\r\n7 \n", VALUE_INT, 7, 0);
}

static void check_dstr(const char *text, const char *want, size_t wantlen)
{
	struct value *v = dec(text);

	T_CHECK(v != NULL && v->type == VALUE_STR);
	if (v == NULL || v->type != VALUE_STR)
		return;
	if (v->u.s.len != wantlen || memcmp(v->u.s.ptr, want, wantlen) != 0)
		printf("#   %s decoded to %zu bytes \"%s\"\n", text, v->u.s.len, v->u.s.ptr);
	T_EQ_INT(v->u.s.len, wantlen);
	T_CHECK(memcmp(v->u.s.ptr, want, wantlen) == 0);
	T_EQ_INT(v->u.s.ptr[wantlen], 0);
	value_unref(v);
}

static void test_decode_strings(void)
{
	check_dstr("\"\"", "", 0);
	check_dstr("\"plain\"", "plain", 5);
	check_dstr("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	check_dstr("\"\\u00e9\\u00E9\"", "\xc3\xa9\xc3\xa9", 4);
	check_dstr("\"\\u0000x\"", "\0x", 2);
	check_dstr("\"\\u20ac\"", "\xe2\x82\xac", 3);
	check_dstr("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	check_dstr("\"\\ud800\\udc00\"", "\xf0\x90\x80\x80", 4);
	check_dstr("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4);
	/* Lone surrogates become U+FFFD. */
	check_dstr("\"\\ud800\"", "\xef\xbf\xbd", 3);
	check_dstr("\"\\udc00\"", "\xef\xbf\xbd", 3);
	check_dstr("\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A", 4);
	check_dstr("\"\\ud800\\ud800\\udc00\"", "\xef\xbf\xbd\xf0\x90\x80\x80", 7);
	check_dstr("\"\\ud800x\"", "\xef\xbf\xbdx", 4);
	/* Raw UTF-8 passes; bad bytes become U+FFFD each; DEL is not a control. */
	check_dstr("\"\xc3\xa9\xf0\x9f\x98\x80\"", "\xc3\xa9\xf0\x9f\x98\x80", 6);
	check_dstr("\"a\xff\xfe" "b\"", "a\xef\xbf\xbd\xef\xbf\xbd" "b", 8);
	check_dstr("\"\xe2\x82\"", "\xef\xbf\xbd\xef\xbf\xbd", 6);
	check_dstr("\"\x7f\"", "\x7f", 1);
	check_dstr("\"\xe2\x80\xa8\"", "\xe2\x80\xa8", 3);
}

static void test_decode_duplicate_keys(void)
{
	struct value *v = dec("{\"a\": 1, \"b\": 2, \"a\": 3}");

	T_EQ_INT(value_len(v), 2);
	T_EQ_STR(value_cstr(value_map_key_at(v, 0)), "a");
	T_EQ_INT(value_map_val_at(v, 0)->u.i, 3);
	check_pos(value_map_key_at(v, 0), 1, 2);
	check_pos(value_map_val_at(v, 0), 1, 23);
	T_EQ_STR(enc(v, 0), "{\"a\": 3, \"b\": 2}");
	value_unref(v);
}

static void test_decode_large_map(void)
{
	struct buf b;
	struct value *v;
	int i;

	buf_init(&b, 0);
	buf_putc(&b, '{');
	for (i = 0; i < 200; i++)
		buf_printf(&b, "%s\"k%d\": %d", i ? ", " : "", i, i);
	buf_putc(&b, '}');
	v = dec(buf_str(&b));
	T_EQ_INT(value_len(v), 200);
	T_EQ_INT(value_map_get(v, "k137")->u.i, 137);
	T_EQ_STR(enc(v, 0), buf_str(&b));
	value_unref(v);
	buf_fini(&b);
}

static const char *const round_trips[] = {
	"{\"a\": [1, 2.5, \"x\", null, true, false, {}, []], \"b\": {\"c\": \"\\u00e9\\ud83d\\ude00\"}}",
	"[-9223372036854775808, 9223372036854775807, 1e+300, -1e-300, 0.1, -0.0, 1e+16]",
	"[NaN, Infinity, -Infinity, \"\\u0000\\u001f\\u007f\\\"\\\\\"]",
	"{\"\": \"\", \" \": \" \", \"a\\nb\": \"\\t\"}",
	"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
};

static void test_round_trips(void)
{
	struct value *v, *w;
	size_t i;
	int f;

	for (i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
		v = dec(round_trips[i]);
		T_EQ_STR(enc(v, JSON_ASCII), round_trips[i]);
		for (f = 0; f < 16; f++) {
			w = dec(enc(v, (f & 3) | (f & 4 ? JSON_INDENT(f >> 3) : 0)));
			T_CHECK(i == 2 || value_equal(v, w));
			T_EQ_STR(enc(w, JSON_ASCII), round_trips[i]);
			value_unref(w);
		}
		value_unref(v);
	}
}

/* Every prefix and every single-byte corruption of a document must decode or
 * fail cleanly (the ASan build catches what a crash would not). */
static void test_decode_never_crashes(void)
{
	static const char doc[] = "{\"a\": [1, -2.5e+3, \"x\\u00e9\\ud83d\\ude00\\n\", null, true],"
	                          " \"b\": {\"c\": false, \"d\": NaN, \"e\": -Infinity}}";
	static const char bytes[] = "{}[]\":,\\u0e-+.9 \n\xff\x80\x01tfnNI";
	char text[sizeof(doc)];
	struct value *v;
	struct diag d;
	size_t i, j;
	int ok = 0;

	for (i = 0; i < sizeof(doc); i++) {
		diag_init(&d);
		if (json_decode(doc, i, NULL, &v, &d) == 0)
			ok++, value_unref(v);
		else
			T_CHECK(d.msg != NULL && d.line == 1 && d.col >= 1 && (size_t)d.col <= i + 1);
		diag_fini(&d);
	}
	T_EQ_INT(ok, 1);
	for (i = 0; i < sizeof(doc) - 1; i++) {
		for (j = 0; j < sizeof(bytes) - 1; j++) {
			memcpy(text, doc, sizeof(doc));
			text[i] = bytes[j];
			diag_init(&d);
			if (json_decode(text, sizeof(doc) - 1, NULL, &v, &d) == 0)
				value_unref(v);
			else
				T_CHECK(d.msg != NULL && d.line >= 1 && d.col >= 1);
			diag_fini(&d);
		}
	}
}

int main(void)
{
	T_RUN(test_encode_python_table);
	T_RUN(test_float_repr_table);
	T_RUN(test_encode_special_floats);
	T_RUN(test_encode_utf8_edges);
	T_RUN(test_encode_keys);
	T_RUN(test_encode_depth);
	T_RUN(test_encode_cap);
	T_RUN(test_encode_str_helper);
	T_RUN(test_decode_positions);
	T_RUN(test_decode_errors);
	T_RUN(test_decode_error_format);
	T_RUN(test_decode_depth);
	T_RUN(test_decode_too_big);
	T_RUN(test_decode_numbers);
	T_RUN(test_decode_strings);
	T_RUN(test_decode_duplicate_keys);
	T_RUN(test_decode_large_map);
	T_RUN(test_round_trips);
	T_RUN(test_decode_never_crashes);
	return T_DONE();
}
