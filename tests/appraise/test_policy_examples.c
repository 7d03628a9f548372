/* The example policies of examples/ (and the ones docs/policy.md quotes
 * through them) load: documentation that a user copies must be valid. */
#include "testutil.h"

#include <glob.h>

Test(examples, every_example_policy_loads)
{
    glob_t g;
    cr_assert_eq(glob("examples/*.json", 0, NULL, &g), 0, "run from the repository root");
    cr_expect_geq(g.gl_pathc, 4);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len = 0;
        uint8_t *text = tu_read(g.gl_pathv[i], &len);
        attest_policy *p = NULL;
        cr_expect_eq(attest_policy_from_json(&p, (const char *)text, len), ATTEST_OK, "%s: %s",
                     g.gl_pathv[i], attest_error_last());
        attest_policy_free(p);
        free(text);
    }
    globfree(&g);
}
