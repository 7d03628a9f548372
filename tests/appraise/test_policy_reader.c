/* The table-driven policy reader (lib/appraise/policy_reader.c) tested
 * directly: each member kind, its range and its error text, unknown
 * members, and the list helpers. */
#include "testutil.h"
#include "appraise/policy_reader.h"

typedef struct section {
    bool flag;
    int small;
    int64_t big;
    policy_bytes id;
    policy_digests digests;
    policy_strings names;
    char text[8];
} section;

static const policy_member members[] = {
    PM("flag", PM_BOOL, section, flag, 0, 0),
    PM("small", PM_INT, section, small, -1, 12),
    PM("big", PM_INT64, section, big, 0, 4294967295LL),
    PM("id", PM_BYTES, section, id, 4, 0),
    PM("digests", PM_DIGESTS, section, digests, 2, 0),
    PM("names", PM_STRINGS, section, names, 1, 0),
    PM("text", PM_TEXT, section, text, 0, 8),
};

static int read_text(section *s, const char *json)
{
    json_t *doc = json_loads(json, 0, NULL);
    cr_assert(doc, "%s", json);
    memset(s, 0, sizeof *s);
    int st = policy_read_section(s, "test", members, sizeof members / sizeof members[0], doc);
    json_decref(doc);
    return st;
}

static void release(section *s)
{
    policy_digests_release(&s->digests);
    policy_strings_release(&s->names);
}

Test(policy_reader, every_kind_lands_in_its_field)
{
    section s;
    cr_assert_eq(read_text(&s, "{\"flag\":true,\"small\":-1,\"big\":4294967295,\"id\":\"0a0B0c0d\","
                               "\"digests\":[\"0102\",\"ffee\"],\"names\":[\"A\",\"b\"],"
                               "\"text\":\"1.2.3\"}"), ATTEST_OK, "%s", attest_error_last());
    cr_expect(s.flag);
    cr_expect_eq(s.small, -1);
    cr_expect_eq(s.big, 4294967295LL);
    const uint8_t id[4] = {0x0a, 0x0b, 0x0c, 0x0d}, d1[2] = {0xff, 0xee}, d2[2] = {0xff, 0xef};
    cr_expect(s.id.set);
    cr_expect_arr_eq(s.id.value, id, 4);
    cr_expect_eq(s.digests.count, 2);
    cr_expect(policy_digests_has(&s.digests, d1));
    cr_expect(!policy_digests_has(&s.digests, d2));
    cr_expect(policy_strings_has(&s.names, "a", true));
    cr_expect(!policy_strings_has(&s.names, "a", false));
    cr_expect_str_eq(s.text, "1.2.3");
    release(&s);
}

Test(policy_reader, wrong_values_name_the_member)
{
    static const struct { const char *json, *error; } bad[] = {
        {"{\"flag\":1}", "policy.test.flag: must be true or false"},
        {"{\"small\":13}", "policy.test.small: must be an integer -1..12"},
        {"{\"small\":1.5}", "policy.test.small: must be an integer -1..12"},
        {"{\"big\":-1}", "policy.test.big: must be an integer 0..4294967295"},
        {"{\"id\":\"0a0b0c\"}", "policy.test.id: must be 8 hex digits"},
        {"{\"id\":\"0x0b0c0d\"}", "policy.test.id: must be 8 hex digits"},
        {"{\"digests\":[]}", "policy.test.digests: must be a non-empty array of 4-hex-digit"},
        {"{\"digests\":[\"01\"]}", "policy.test.digests: must be a non-empty array of 4-hex-digit"},
        {"{\"names\":[]}", "policy.test.names: must be a non-empty array of strings"},
        {"{\"names\":[1]}", "policy.test.names: must be a non-empty array of strings"},
        {"{\"text\":\"12345678\"}", "policy.test.text: must be a non-empty string"},
        {"{\"text\":\"\"}", "policy.test.text: must be a non-empty string"},
        {"{\"flg\":true}", "policy.test.flg: unknown member"},
        {"[]", "policy.test: must be an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        section s;
        cr_expect_eq(read_text(&s, bad[i].json), ATTEST_E_POLICY_INVALID, "%s", bad[i].json);
        cr_expect(strstr(attest_error_last(), bad[i].error), "%s: %s", bad[i].json,
                  attest_error_last());
        release(&s);
    }
}

Test(policy_reader, platform_names_and_bits)
{
    cr_expect_str_eq(attest_platform_name(ATTEST_PLATFORM_SNP), "snp");
    cr_expect_str_eq(attest_platform_name(ATTEST_PLATFORM_NVIDIA), "nvidia");
    cr_expect_eq(attest_platform_bit("tdx"), ATTEST_PLATFORM_TDX);
    cr_expect_eq(attest_platform_bit("sgx"), ATTEST_PLATFORM_SGX);
    cr_expect_eq(attest_platform_bit("tpm"), 0);
    cr_expect_eq(attest_platform_bit(NULL), 0);
}
