/* Unit tests of the resource name grammar (reference §4.1, §4.3). */
#include <string.h>

#include "flom.h"
#include "rsrc_name.h"

typedef struct {
	const char *name;
	rsrc_type type;
} name_case;

static const name_case classify_cases[] = {
	/* simple */
	{ "_RESOURCE", RSRC_SIMPLE },
	{ "RA123", RSRC_SIMPLE },
	{ "puppetrun", RSRC_SIMPLE },
	{ "a", RSRC_SIMPLE },
	{ "_RESOURCEx", RSRC_INVALID },
	{ "_resource", RSRC_INVALID },
	{ "1abc", RSRC_INVALID },
	{ "a_b", RSRC_INVALID },
	{ "a-b", RSRC_INVALID },
	{ "a b", RSRC_INVALID },
	{ "", RSRC_INVALID },
	{ "caf\xc3\xa9", RSRC_INVALID },  /* ASCII letters only, any locale */
	/* numeric */
	{ "foo[2]", RSRC_NUMERIC },
	{ "RA123[23]", RSRC_NUMERIC },
	{ "a[007]", RSRC_NUMERIC },
	{ "a[2147483647]", RSRC_NUMERIC },
	{ "a[2147483648]", RSRC_INVALID },     /* over FLOM_NUMERIC_MAX */
	{ "a[99999999999999999999999]", RSRC_INVALID },
	{ "a[0]", RSRC_INVALID },
	{ "a[000]", RSRC_INVALID },
	{ "a[]", RSRC_INVALID },
	{ "a[-1]", RSRC_INVALID },
	{ "a[1]x", RSRC_INVALID },
	{ "a[1", RSRC_INVALID },
	{ "a[1][2]", RSRC_INVALID },
	{ "[1]", RSRC_INVALID },
	/* set */
	{ "red.green.blue", RSRC_SET },
	{ "a.b", RSRC_SET },
	{ "a1.b2.c3", RSRC_SET },
	{ "a.", RSRC_INVALID },
	{ ".a", RSRC_INVALID },
	{ "a..b", RSRC_INVALID },
	{ "a.1b", RSRC_INVALID },
	{ "a.b[2]", RSRC_INVALID },
	/* hierarchical */
	{ "/apple", RSRC_HIER },
	{ "/apple/pear", RSRC_HIER },
	{ "/apple/pear/banana", RSRC_HIER },
	{ "/a b/c-d_e/[x]", RSRC_HIER },
	{ "/", RSRC_INVALID },
	{ "/a/", RSRC_INVALID },
	{ "//a", RSRC_INVALID },
	{ "/a//b", RSRC_INVALID },
	{ "a/b", RSRC_INVALID },
	/* sequence */
	{ "_s_a[1]", RSRC_SEQUENCE },
	{ "_S_bar[3]", RSRC_SEQUENCE },
	{ "_s_a1b[10]", RSRC_SEQUENCE },
	{ "_s_a", RSRC_INVALID },
	{ "_s_1a[1]", RSRC_INVALID },
	{ "_x_a[1]", RSRC_INVALID },
	{ "_s_a[0]", RSRC_INVALID },
	{ "_S_a[2147483648]", RSRC_INVALID },
	/* timestamp */
	{ "_t_foo.%D.%T[4]", RSRC_TIMESTAMP },
	{ "_t_a%S#fff[1]", RSRC_TIMESTAMP },
	{ "_t_%S[1]", RSRC_TIMESTAMP },
	{ "_t_#f%H[1]", RSRC_TIMESTAMP },
	{ "_t_a%H:%M[2]", RSRC_TIMESTAMP },
	{ "_t_.%S[1]", RSRC_INVALID },           /* F cannot start with '.' */
	{ "_t_a%S", RSRC_INVALID },
	{ "_t_a%S[0]", RSRC_INVALID },
	{ "_t_a-%S[1]", RSRC_INVALID },
	{ "_t_invalid%a%A%b%B%d%D%e%E%F%G%g%h%j%m%p%P%u%U%V%w%W%x%y%Y%z%Z[1]",
	  RSRC_INVALID },                        /* no fine enough field */
	{ "_t_invalid%a%A%b%B%d%D%e%E%F%G%g%h%j%m%p%P%u%U%V%w%W%x%y%Y%z%Z#f[1]",
	  RSRC_TIMESTAMP },
	{ "_t_a%%S[1]", RSRC_INVALID },          /* "%%S" is a literal, no seconds */
};

static void test_classify(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(classify_cases); i++) {
		const name_case *c = &classify_cases[i];
		rsrc_type got = rsrc_name_classify(c->name);

		if (got != c->type)
			g_error("classify(\"%s\") = %s, expected %s", c->name,
				rsrc_type_name(got), rsrc_type_name(c->type));
	}
	g_assert_cmpint(rsrc_name_classify(NULL), ==, RSRC_INVALID);
}

static void test_type_names(void)
{
	g_assert_cmpstr(rsrc_type_name(RSRC_SIMPLE), ==, "simple");
	g_assert_cmpstr(rsrc_type_name(RSRC_NUMERIC), ==, "numeric");
	g_assert_cmpstr(rsrc_type_name(RSRC_SET), ==, "set");
	g_assert_cmpstr(rsrc_type_name(RSRC_HIER), ==, "hierarchical");
	g_assert_cmpstr(rsrc_type_name(RSRC_SEQUENCE), ==, "sequence");
	g_assert_cmpstr(rsrc_type_name(RSRC_TIMESTAMP), ==, "timestamp");
	g_assert_cmpstr(rsrc_type_name(RSRC_INVALID), ==, "invalid");
}

/* Exactly FLOM_RESOURCE_NAME_MAX bytes is valid, one more is not. */
static void test_length_bound(void)
{
	g_autofree char *max = g_strnfill(FLOM_RESOURCE_NAME_MAX, 'a');
	g_autofree char *over = g_strnfill(FLOM_RESOURCE_NAME_MAX + 1, 'a');
	g_autofree char *hier = g_strnfill(FLOM_RESOURCE_NAME_MAX + 1, 'a');
	gint64 cap = 0;

	hier[0] = '/';
	g_assert_cmpint(rsrc_name_classify(max), ==, RSRC_SIMPLE);
	g_assert_cmpint(rsrc_name_classify(over), ==, RSRC_INVALID);
	g_assert_cmpint(rsrc_name_classify(hier), ==, RSRC_INVALID);
	hier[FLOM_RESOURCE_NAME_MAX] = '\0';
	g_assert_cmpint(rsrc_name_classify(hier), ==, RSRC_HIER);

	/* a long numeric name stays numeric up to the bound */
	memcpy(max + FLOM_RESOURCE_NAME_MAX - 3, "[9]", 3);
	g_assert_cmpint(rsrc_name_classify(max), ==, RSRC_NUMERIC);
	g_assert_cmpint(rsrc_name_capacity(max, &cap), ==, 0);
	g_assert_cmpint(cap, ==, 9);
}

static void test_capacity(void)
{
	gint64 cap = -7;

	g_assert_cmpint(rsrc_name_capacity("foo[2]", &cap), ==, 0);
	g_assert_cmpint(cap, ==, 2);
	g_assert_cmpint(rsrc_name_capacity("_s_a[10]", &cap), ==, 0);
	g_assert_cmpint(cap, ==, 10);
	g_assert_cmpint(rsrc_name_capacity("_t_%S[4]", &cap), ==, 0);
	g_assert_cmpint(cap, ==, 4);
	g_assert_cmpint(rsrc_name_capacity("a[0012]", &cap), ==, 0);
	g_assert_cmpint(cap, ==, 12);
	g_assert_cmpint(rsrc_name_capacity("a[2147483647]", &cap), ==, 0);
	g_assert_cmpint(cap, ==, FLOM_NUMERIC_MAX);

	cap = -7;
	g_assert_cmpint(rsrc_name_capacity("a[2147483648]", &cap), ==, -1);
	g_assert_cmpint(rsrc_name_capacity("a[0]", &cap), ==, -1);
	g_assert_cmpint(rsrc_name_capacity("a", &cap), ==, -1);
	g_assert_cmpint(rsrc_name_capacity("a[]", &cap), ==, -1);
	g_assert_cmpint(rsrc_name_capacity("a[1x]", &cap), ==, -1);
	g_assert_cmpint(rsrc_name_capacity("a[1]b", &cap), ==, -1);
	g_assert_cmpint(rsrc_name_capacity(NULL, &cap), ==, -1);
	g_assert_cmpint(cap, ==, -7);    /* untouched on failure */
}

static void test_transactional(void)
{
	g_assert_true(rsrc_name_is_transactional("_S_a[1]"));
	g_assert_false(rsrc_name_is_transactional("_s_a[1]"));
	g_assert_false(rsrc_name_is_transactional("S_a[1]"));
	g_assert_false(rsrc_name_is_transactional(NULL));
}

static void test_set_elements(void)
{
	g_auto(GStrv) e = rsrc_name_set_elements("red.green.blue");
	g_auto(GStrv) none = rsrc_name_set_elements("red");
	GString *big = g_string_new("a");
	GString *over;

	g_assert_nonnull(e);
	g_assert_cmpuint(g_strv_length(e), ==, 3);
	g_assert_cmpstr(e[0], ==, "red");
	g_assert_cmpstr(e[1], ==, "green");
	g_assert_cmpstr(e[2], ==, "blue");
	g_assert_null(none);

	/* FLOM_SET_ELEMENTS_MAX elements are accepted, one more is not */
	for (int i = 1; i < FLOM_SET_ELEMENTS_MAX / 2; i++)
		g_string_append(big, ".b");
	g_assert_cmpint(rsrc_name_classify(big->str), ==, RSRC_SET);
	{
		g_auto(GStrv) be = rsrc_name_set_elements(big->str);

		g_assert_cmpuint(g_strv_length(be), ==, FLOM_SET_ELEMENTS_MAX / 2);
	}
	g_string_free(big, TRUE);

	/* FLOM_SET_ELEMENTS_MAX one-letter elements need 2047 bytes: within
	 * FLOM_RESOURCE_NAME_MAX the name bound refuses a set before the element
	 * bound can; the longest set that fits is accepted, one more is not */
	over = g_string_new("a");
	for (int i = 1; i < FLOM_SET_ELEMENTS_MAX + 1 && over->len + 2 <= FLOM_RESOURCE_NAME_MAX; i++)
		g_string_append(over, ".b");
	g_assert_cmpint(rsrc_name_classify(over->str), ==, RSRC_SET);
	g_string_append(over, ".b");
	g_assert_cmpint(rsrc_name_classify(over->str), ==, RSRC_INVALID);
	g_assert_null(rsrc_name_set_elements(over->str));
	g_string_free(over, TRUE);
}

static void test_timestamp_format(void)
{
	g_autofree char *f1 = rsrc_name_timestamp_format("_t_foo.%D.%T[4]");
	g_autofree char *f2 = rsrc_name_timestamp_format("_t_a%S#fff[1]");
	g_autofree char *f3 = rsrc_name_timestamp_format("_s_a[1]");
	g_autofree char *f4 = rsrc_name_timestamp_format("_t_a%S");

	g_assert_cmpstr(f1, ==, "foo.%D.%T");
	g_assert_cmpstr(f2, ==, "a%S#fff");
	g_assert_null(f3);
	g_assert_null(f4);
}

typedef struct {
	const char *format;
	int rc;
	gint64 grain_us;
} grain_case;

static const grain_case grain_cases[] = {
	{ "%S", 0, G_TIME_SPAN_SECOND },
	{ "%M", 0, G_TIME_SPAN_MINUTE },
	{ "%H", 0, G_TIME_SPAN_HOUR },
	{ "%S#f", 0, 100 * G_TIME_SPAN_MILLISECOND },
	{ "%M#ff", 0, 100 * G_TIME_SPAN_MILLISECOND },  /* the kept rule */
	{ "%H#fff", 0, 100 * G_TIME_SPAN_MILLISECOND },
	{ "#ffffff", 0, 100 * G_TIME_SPAN_MILLISECOND },
	{ "%c", 0, G_TIME_SPAN_SECOND },
	{ "%r", 0, G_TIME_SPAN_SECOND },
	{ "%s", 0, G_TIME_SPAN_SECOND },
	{ "%T", 0, G_TIME_SPAN_SECOND },
	{ "%X", 0, G_TIME_SPAN_SECOND },
	{ "%EX", 0, G_TIME_SPAN_SECOND },
	{ "%OS", 0, G_TIME_SPAN_SECOND },
	{ "%R", 0, G_TIME_SPAN_MINUTE },
	{ "%I", 0, G_TIME_SPAN_HOUR },
	{ "a%H:%M:%S", 0, G_TIME_SPAN_SECOND },
	{ "a%H:%M", 0, G_TIME_SPAN_MINUTE },
	{ "%D", -1, 0 },
	{ "%%S", -1, 0 },
	{ "%%%S", 0, G_TIME_SPAN_SECOND },
	{ "abc", -1, 0 },
	{ "", -1, 0 },
	{ "%", -1, 0 },
};

static void test_timestamp_grain(void)
{
	gint64 grain = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(grain_cases); i++) {
		const grain_case *c = &grain_cases[i];
		int rc;

		grain = -1;
		rc = rsrc_name_timestamp_grain(c->format, &grain);
		if (rc != c->rc || (rc == 0 && grain != c->grain_us))
			g_error("grain(\"%s\") = %d/%" G_GINT64_FORMAT ", expected %d/%" G_GINT64_FORMAT,
				c->format, rc, grain, c->rc, c->grain_us);
	}
	g_assert_cmpint(rsrc_name_timestamp_grain(NULL, &grain), ==, -1);
}

static void test_hier_depth(void)
{
	GString *name = g_string_new(NULL);

	for (int i = 0; i < FLOM_HIER_DEPTH_MAX; i++)
		g_string_append(name, "/a");
	g_assert_cmpint(rsrc_name_classify(name->str), ==, RSRC_HIER);
	g_string_append(name, "/a");
	g_assert_cmpint(rsrc_name_classify(name->str), ==, RSRC_INVALID);
	g_string_free(name, TRUE);
}

static void test_hier_root(void)
{
	g_autofree char *r1 = rsrc_name_hier_root("/a/b");
	g_autofree char *r2 = rsrc_name_hier_root("/apple");
	g_autofree char *r3 = rsrc_name_hier_root("/apple/pear/banana");
	g_autofree char *r4 = rsrc_name_hier_root("apple");
	g_autofree char *r5 = rsrc_name_hier_root("/a/");

	g_assert_cmpstr(r1, ==, "a");
	g_assert_cmpstr(r2, ==, "apple");
	g_assert_cmpstr(r3, ==, "apple");
	g_assert_null(r4);
	g_assert_null(r5);
}

typedef struct {
	const char *name;
	const char *element;   /* NULL: none */
	int rc;
} element_case;

static const element_case element_cases[] = {
	/* types without elements: none, or an empty one */
	{ "_RESOURCE", NULL, 0 },
	{ "_RESOURCE", "", 0 },
	{ "_RESOURCE", "--from-attacker", -1 },
	{ "foo[2]", "1", -1 },
	{ "/a/b", "b", -1 },
	/* set: members only */
	{ "red.green.blue", "green", 0 },
	{ "red.green.blue", "--injected", -1 },
	{ "red.green.blue", "gree", -1 },
	{ "red.green.blue", NULL, -1 },
	{ "red.green.blue", "", -1 },
	/* sequence: decimal values */
	{ "_s_seq[3]", "1", 0 },
	{ "_S_seq[3]", "18446744073709551615", 0 },
	{ "_s_seq[3]", "18446744073709551616", -1 },
	{ "_s_seq[3]", "0", -1 },
	{ "_s_seq[3]", "01", -1 },
	{ "_s_seq[3]", "-1", -1 },
	{ "_s_seq[3]", "1 2", -1 },
	{ "_s_seq[3]", "1\n", -1 },
	/* timestamp: the format's shape */
	{ "_t_%H:%M:%S[1]", "08:45:01", 0 },
	{ "_t_%H:%M:%S#fff[1]", "08:45:01.123", 0 },
	{ "_t_%H:%M:%S#fff[1]", "08:45:01.12", -1 },
	{ "_t_%H:%M:%S[1]", "08-45-01", -1 },
	{ "_t_%c[1]", "Mon Nov 30 08:45:00 2026", 0 },
	{ "_t_%s[2]", "1796028300", 0 },
	{ "_t_a%S[2]", "a07", 0 },
	{ "_t_a%S[2]", "b07", -1 },
	{ "_t_%%%S[2]", "%07", 0 },
	{ "_t_%e%E%F#f[1]", "30%F.1", 0 },
	{ "_t_%OS%EX[1]", "0708:45:01", 0 },
	{ "_t_invalid%a%A%b%B%d%D%e%E%F%G%g%h%j%m%p%P%u%U%V%w%W%x%y%Y%z%Z#f[1]",
	  "invalidMonMondayNovNovember3011/30/2630%F202626Nov33411AMam1484914811/30/26262026+0000UTC.3", 0 },
	{ "_t_%S[2]", "07;rm -rf", -1 },
	{ "_t_%S[2]", "07\x1b[31m", -1 },
	{ "_t_%S[2]", NULL, -1 },
	/* an invalid name allows nothing but no element */
	{ "a b", "x", -1 },
};

static void test_element_check(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(element_cases); i++) {
		const element_case *c = &element_cases[i];
		g_autofree char *element = c->element ? g_strcompress(c->element) : NULL;

		if (rsrc_name_element_check(c->name, element) != c->rc)
			g_error("element_check(\"%s\", \"%s\") != %d", c->name,
				c->element ? c->element : "(null)", c->rc);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rsrc_name/classify", test_classify);
	g_test_add_func("/rsrc_name/type_names", test_type_names);
	g_test_add_func("/rsrc_name/length_bound", test_length_bound);
	g_test_add_func("/rsrc_name/capacity", test_capacity);
	g_test_add_func("/rsrc_name/transactional", test_transactional);
	g_test_add_func("/rsrc_name/set_elements", test_set_elements);
	g_test_add_func("/rsrc_name/timestamp_format", test_timestamp_format);
	g_test_add_func("/rsrc_name/timestamp_grain", test_timestamp_grain);
	g_test_add_func("/rsrc_name/hier_root", test_hier_root);
	g_test_add_func("/rsrc_name/hier_depth", test_hier_depth);
	g_test_add_func("/rsrc_name/element_check", test_element_check);
	return g_test_run();
}
