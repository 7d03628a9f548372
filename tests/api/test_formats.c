/* Forms users already hold (issue 11): the SNP extended report's
 * certificate table, Trustee's SNP evidence JSON, dcap-qvl's collateral
 * JSON, the NVIDIA RIM service JSON, base64/hex text, and the description
 * of an unknown item. Each form gives the verdict of the original form;
 * the negatives are synthetic (test PKI, edited documents). */
#include "testutil.h"
#include "snpgen.h"

#include <openssl/evp.h>

#define AT_GOOD "2025-06-01T00:00:00Z"

/* ---- helpers ----------------------------------------------------------- */

static const uint8_t GUID_VCEK[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t GUID_ASK[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t GUID_ARK[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

/* The same GUID in Microsoft's mixed-endian order. */
static void mixed_endian(uint8_t out[16], const uint8_t in[16])
{
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = in[order[i]];
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

typedef struct table_entry {
    const uint8_t *guid;
    const uint8_t *data;
    size_t len;
    long offset; /* -1: placed after the previous entry */
} table_entry;

/* GUID table + data, terminated by an all-zero entry; returns the blob. */
static uint8_t *build_table(const table_entry *e, size_t n, size_t *len)
{
    size_t at = (n + 1) * 24, total = at;
    for (size_t i = 0; i < n; i++)
        total += e[i].data ? e[i].len : 0; /* no data: a length that lies */
    uint8_t *blob = calloc(1, total + 64);
    cr_assert(blob);
    for (size_t i = 0; i < n; i++) {
        size_t off = e[i].offset >= 0 ? (size_t)e[i].offset : at;
        memcpy(blob + 24 * i, e[i].guid, 16);
        put_le32(blob + 24 * i + 16, (uint32_t)off);
        put_le32(blob + 24 * i + 20, (uint32_t)e[i].len);
        if (e[i].data && off >= (n + 1) * 24 && off + e[i].len <= total)
            memcpy(blob + off, e[i].data, e[i].len);
        if (e[i].offset < 0)
            at += e[i].len;
    }
    *len = total;
    return blob;
}

static uint8_t *der_of(X509 *cert, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    cr_assert(n > 0);
    uint8_t *copy = malloc((size_t)n);
    memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    *len = (size_t)n;
    return copy;
}

static attest_verifier *pinned_verifier(X509 *ark, const char *at)
{
    attest_verifier *v = NULL;
    char hex[65];
    uint8_t pin[32];
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD);
    cr_assert_eq(snpgen_spki_sha256_hex(hex, ark), 0);
    for (int i = 0; i < 32; i++) {
        unsigned b;
        sscanf(hex + 2 * i, "%2x", &b);
        pin[i] = (uint8_t)b;
    }
    attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, pin);
    attest_verifier_set_time(v, tu_time(at));
    return v;
}

/* Verify evidence bytes with one collateral item (may be NULL) and more
 * collateral items; the reason goes to `why`. */
static int verify_items(attest_verifier *v, const uint8_t *ev_bytes, size_t ev_len,
                        const uint8_t *const *items, const size_t *lens, size_t n,
                        const char *policy, char *why, size_t why_len)
{
    attest_evidence *ev = NULL;
    attest_collateral *c = NULL;
    int status = attest_evidence_parse(&ev, ev_bytes, ev_len);
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; status == ATTEST_OK && i < n; i++)
        status = attest_collateral_add(c, items[i], lens[i]);
    if (status == ATTEST_OK) {
        attest_policy *p = policy ? tu_policy(policy) : NULL;
        attest_result *r = NULL;
        status = attest_verify(&r, v, ev, c, p, NULL, 0);
        snprintf(why, why_len, "%s", attest_result_reason(r));
        attest_result_free(r);
        attest_policy_free(p);
    } else {
        snprintf(why, why_len, "%s", attest_error_last());
    }
    attest_collateral_free(c);
    attest_evidence_free(ev);
    return status;
}

typedef struct snp_fixture {
    snpgen_pki *pki;
    uint8_t report[SNPGEN_REPORT_SIZE];
    uint8_t *vcek, *ask, *ark;
    size_t vcek_len, ask_len, ark_len;
    attest_verifier *v;
} snp_fixture;

static void snp_load(snp_fixture *f)
{
    char dir[512];
    memset(f, 0, sizeof *f);
    cr_assert_eq(snpgen_pki_load(&f->pki, tu_pki(dir, sizeof dir, "milan")), 0);
    cr_assert_eq(snpgen_report_init(f->report, f->pki, 3), 0);
    cr_assert_eq(snpgen_report_sign(f->report, f->pki->vcek_key), 0);
    f->vcek = der_of(f->pki->vcek, &f->vcek_len);
    f->ask = der_of(f->pki->ask, &f->ask_len);
    f->ark = der_of(f->pki->ark, &f->ark_len);
    f->v = pinned_verifier(f->pki->ark, AT_GOOD);
}

static void snp_free(snp_fixture *f)
{
    free(f->vcek);
    free(f->ask);
    free(f->ark);
    attest_verifier_free(f->v);
    snpgen_pki_free(f->pki);
}

/* The fixture's report with one collateral blob. */
static int snp_verify_with(snp_fixture *f, const uint8_t *report, size_t len,
                           const uint8_t *blob, size_t blob_len, char *why, size_t n)
{
    const uint8_t *items[] = {blob};
    size_t lens[] = {blob_len};
    return verify_items(f->v, report, len, items, lens, blob ? 1 : 0, POLICY_AUTHENTICITY, why,
                        n);
}

static int add_status(const uint8_t *data, size_t len)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    int status = attest_collateral_add(c, data, len);
    attest_collateral_free(c);
    return status;
}

/* ---- SNP certificate table ----------------------------------------------- */

Test(formats, snp_cert_table_gives_the_verdict_of_the_separate_certificates)
{
    snp_fixture f;
    char why[512];
    snp_load(&f);
    uint8_t vcek_me[16], ask_me[16];
    mixed_endian(vcek_me, GUID_VCEK);
    mixed_endian(ask_me, GUID_ASK);
    const table_entry rfc[] = {{GUID_VCEK, f.vcek, f.vcek_len, -1},
                               {GUID_ASK, f.ask, f.ask_len, -1},
                               {GUID_ARK, f.ark, f.ark_len, -1}};
    const table_entry mixed[] = {{vcek_me, f.vcek, f.vcek_len, -1},
                                 {ask_me, f.ask, f.ask_len, -1}};
    size_t len;
    uint8_t *blob = build_table(rfc, 3, &len);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, blob, len), ATTEST_OK);
    cr_expect_eq(kind, ATTEST_ITEM_CERTIFICATES);
    cr_expect_eq(snp_verify_with(&f, f.report, sizeof f.report, blob, len, why, sizeof why),
                 ATTEST_OK, "%s", why);
    free(blob);
    /* Either GUID byte order; the ARK comes from the pinned key's holder. */
    blob = build_table(mixed, 2, &len);
    const uint8_t *items[] = {blob, f.ark};
    size_t lens[] = {len, f.ark_len};
    cr_expect_eq(verify_items(f.v, f.report, sizeof f.report, items, lens, 2,
                              POLICY_AUTHENTICITY, why, sizeof why),
                 ATTEST_OK, "%s", why);
    free(blob);
    /* Without the VCEK entry the report has no signer: as without the file. */
    blob = build_table(rfc + 1, 2, &len);
    cr_expect_eq(snp_verify_with(&f, f.report, sizeof f.report, blob, len, why, sizeof why),
                 ATTEST_E_COLLATERAL_MISSING, "%s", why);
    free(blob);
    snp_free(&f);
}

/* Each malformed table is refused as collateral with the field named. */
Test(formats, snp_cert_table_strictness)
{
    snp_fixture f;
    snp_load(&f);
    uint8_t vcek_me[16], unknown[16];
    mixed_endian(vcek_me, GUID_VCEK);
    memcpy(unknown, GUID_ARK, 16);
    unknown[15] ^= 1;
    struct {
        table_entry e[3];
        size_t n;
        const char *want;
    } cases[] = {
        /* the same GUID twice, in both byte orders: counted by identity */
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {vcek_me, f.vcek, f.vcek_len, -1}}, 2,
         "snp.cert_table[1].guid: VCEK already given by entry 0"},
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {unknown, f.ark, f.ark_len, -1}}, 2,
         "snp.cert_table[1].guid: unknown GUID"},
        {{{GUID_VCEK, NULL, 16, 8}}, 1, "snp.cert_table[0].offset: 0x8 points into"},
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {GUID_ASK, f.ask, f.ask_len, 72 + 100}}, 2,
         "snp.cert_table[1].offset: its bytes overlap those of entry 0"},
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {GUID_ARK, NULL, 0x10000, -1}}, 2,
         "snp.cert_table[1].length: 0x10000 bytes"},
        {{{GUID_VCEK, f.vcek, 0, -1}}, 1, "snp.cert_table[0].length: is 0"},
        {{{GUID_VCEK, f.vcek, f.vcek_len - 1, -1}}, 1,
         "snp.cert_table[0] (VCEK): its 0x"}, /* not exactly one certificate */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *blob = build_table(cases[i].e, cases[i].n, &len);
        cr_expect_eq(add_status(blob, len), ATTEST_E_MALFORMED, "case %zu", i);
        cr_expect(strstr(attest_error_last(), cases[i].want), "case %zu: %s", i,
                  attest_error_last());
        free(blob);
    }
    /* No all-zero terminator inside the blob. */
    uint8_t open_table[47] = {0};
    memcpy(open_table, GUID_VCEK, 16);
    put_le32(open_table + 16, 40);
    put_le32(open_table + 20, 7);
    cr_expect_eq(add_status(open_table, sizeof open_table), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "not the all-zero entry that ends the table"), "%s",
              attest_error_last());
    cr_expect_eq(add_status(open_table, 24), ATTEST_E_MALFORMED); /* blob ends after it */
    cr_expect(strstr(attest_error_last(), "no all-zero entry ends the table"), "%s",
              attest_error_last());
    snp_free(&f);
}

/* ---- Trustee SNP evidence JSON ------------------------------------------- */

static json_t *byte_array(const uint8_t *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(p[i]));
    return a;
}

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* Milan/Genoa TCB layout, as the sev crate writes it (fmc null). */
static json_t *tcb_json(const uint8_t *p)
{
    return json_pack("{s:n, s:i, s:i, s:i, s:i}", "fmc", "bootloader", (int)p[0], "tee",
                     (int)p[1], "snp", (int)p[6], "microcode", (int)p[7]);
}

/* The sev crate's serde form of a v3 report, with `vcek` as cert_chain. */
static char *trustee_json(const uint8_t *r, const uint8_t *vcek, size_t vcek_len)
{
    json_t *rep = json_object();
    json_object_set_new(rep, "version", json_integer((json_int_t)le(r, 4)));
    json_object_set_new(rep, "guest_svn", json_integer((json_int_t)le(r + 4, 4)));
    json_object_set_new(rep, "policy", json_integer((json_int_t)le(r + 8, 8)));
    json_object_set_new(rep, "family_id", byte_array(r + 0x10, 16));
    json_object_set_new(rep, "image_id", byte_array(r + 0x20, 16));
    json_object_set_new(rep, "vmpl", json_integer((json_int_t)le(r + 0x30, 4)));
    json_object_set_new(rep, "sig_algo", json_integer((json_int_t)le(r + 0x34, 4)));
    json_object_set_new(rep, "current_tcb", tcb_json(r + 0x38));
    json_object_set_new(rep, "plat_info", json_integer((json_int_t)le(r + 0x40, 8)));
    json_object_set_new(rep, "key_info", json_integer((json_int_t)le(r + 0x48, 4)));
    static const struct { const char *name; size_t off, n; } runs[] = {
        {"report_data", 0x50, 64}, {"measurement", 0x90, 48}, {"host_data", 0xC0, 32},
        {"id_key_digest", 0xE0, 48}, {"author_key_digest", 0x110, 48},
        {"report_id", 0x140, 32}, {"report_id_ma", 0x160, 32}, {"chip_id", 0x1A0, 64}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        json_object_set_new(rep, runs[i].name, byte_array(r + runs[i].off, runs[i].n));
    json_object_set_new(rep, "reported_tcb", tcb_json(r + 0x180));
    json_object_set_new(rep, "cpuid_fam_id", json_integer(r[0x188]));
    json_object_set_new(rep, "cpuid_mod_id", json_integer(r[0x189]));
    json_object_set_new(rep, "cpuid_step", json_integer(r[0x18A]));
    json_object_set_new(rep, "committed_tcb", tcb_json(r + 0x1E0));
    json_object_set_new(rep, "current", json_pack("{s:i, s:i, s:i}", "major", r[0x1EA], "minor",
                                                  r[0x1E9], "build", r[0x1E8]));
    json_object_set_new(rep, "committed", json_pack("{s:i, s:i, s:i}", "major", r[0x1EE],
                                                    "minor", r[0x1ED], "build", r[0x1EC]));
    json_object_set_new(rep, "launch_tcb", tcb_json(r + 0x1F0));
    json_object_set_new(rep, "signature", json_pack("{s:o, s:o}", "r", byte_array(r + 0x2A0, 72),
                                                    "s", byte_array(r + 0x2E8, 72)));
    json_t *doc = json_pack("{s:o, s:[{s:s, s:o}]}", "attestation_report", rep, "cert_chain",
                            "cert_type", "VCEK", "data", byte_array(vcek, vcek_len));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static int trustee_verify(snp_fixture *f, const char *json, char *why, size_t n)
{
    const uint8_t *items[] = {f->ask, f->ark};
    size_t lens[] = {f->ask_len, f->ark_len};
    return verify_items(f->v, (const uint8_t *)json, strlen(json), items, lens, 2,
                        POLICY_AUTHENTICITY, why, n);
}

Test(formats, trustee_json_gives_the_verdict_of_the_report_and_its_vcek)
{
    snp_fixture f;
    char why[512];
    snp_load(&f);
    char *json = trustee_json(f.report, f.vcek, f.vcek_len);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, (const uint8_t *)json, strlen(json)), ATTEST_OK);
    cr_expect_eq(kind, ATTEST_ITEM_EVIDENCE_SNP);
    /* The VCEK comes from the JSON only. */
    cr_expect_eq(trustee_verify(&f, json, why, sizeof why), ATTEST_OK, "%s", why);
    attest_evidence *a = NULL, *b = NULL;
    char *ja = NULL, *jb = NULL;
    cr_assert_eq(attest_evidence_parse(&a, (const uint8_t *)json, strlen(json)), ATTEST_OK);
    cr_assert_eq(attest_evidence_parse(&b, f.report, sizeof f.report), ATTEST_OK);
    attest_evidence_to_json(&ja, a);
    attest_evidence_to_json(&jb, b);
    cr_expect_str_eq(ja, jb, "inspect differs between the JSON and the binary report");
    attest_string_free(ja);
    attest_string_free(jb);
    attest_evidence_free(a);
    attest_evidence_free(b);
    free(json);
    /* A measurement bit flipped in the JSON: the rebuilt bytes fail the signature. */
    f.report[0x90] ^= 1;
    json = trustee_json(f.report, f.vcek, f.vcek_len);
    cr_expect_eq(trustee_verify(&f, json, why, sizeof why), ATTEST_E_SNP_SIGNATURE, "%s", why);
    free(json);
    snp_free(&f);
}

/* Edits of the document: each refused with the member named. */
Test(formats, trustee_json_strictness)
{
    snp_fixture f;
    snp_load(&f);
    char *json = trustee_json(f.report, f.vcek, f.vcek_len);
    static const struct { const char *from, *to, *want; } edits[] = {
        {"\"vmpl\":", "\"vmpl_x\":1,\"vmpl\":", "snp.json.attestation_report.vmpl_x: unknown"},
        {"\"measurement\":[", "\"measurement\":[256,", "measurement: must be an array of 48"},
        {"\"vmpl\":0", "\"vmpl\":4294967296", "attestation_report.vmpl: out of range"},
        {"\"cert_type\":\"VCEK\"", "\"cert_type\":\"PEK\"", "cert_chain[0].cert_type"},
        {"\"microcode\":", "\"microcode\":300,\"x\":", "current_tcb.x: unknown member"},
        {"\"cert_chain\"", "\"extra\":1,\"cert_chain\"", "snp.json.extra: unknown member"},
        {"\"data\":[48,", "\"data\":[49,", "cert_chain[0].data (VCEK): not a DER certificate"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        const char *at = strstr(json, edits[i].from);
        cr_assert(at, "%s", edits[i].from);
        size_t n = strlen(json) + strlen(edits[i].to) + 1;
        char *edited = malloc(n);
        snprintf(edited, n, "%.*s%s%s", (int)(at - json), json, edits[i].to,
                 at + strlen(edits[i].from));
        attest_evidence *ev = NULL;
        cr_expect_eq(attest_evidence_parse(&ev, (const uint8_t *)edited, strlen(edited)),
                     ATTEST_E_MALFORMED, "edit %zu", i);
        cr_expect(strstr(attest_error_last(), edits[i].want), "edit %zu: %s", i,
                  attest_error_last());
        attest_evidence_free(ev);
        free(edited);
    }
    free(json);
    snp_free(&f);
}

/* ---- base64 and hex text ------------------------------------------------- */

static char *b64_text(const uint8_t *p, size_t n)
{
    char *text = malloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)text, p, (int)n);
    return text;
}

static char *hex_text(const uint8_t *p, size_t n)
{
    char *text = malloc(2 * n + n / 32 + 2);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        o += (size_t)sprintf(text + o, "%02X", p[i]);
        if (i % 32 == 31)
            text[o++] = '\n'; /* wrapped, as hex dumps are */
    }
    text[o] = '\0';
    return text;
}

Test(formats, base64_and_hex_text_once)
{
    snp_fixture f;
    char why[512];
    snp_load(&f);
    char *report_b64 = b64_text(f.report, sizeof f.report);
    char *report_hex = hex_text(f.report, sizeof f.report);
    char *vcek_b64 = b64_text(f.vcek, f.vcek_len);
    char *vcek_hex = hex_text(f.vcek, f.vcek_len);
    const uint8_t *items[][3] = {{(uint8_t *)vcek_b64, f.ask, f.ark},
                                 {(uint8_t *)vcek_hex, f.ask, f.ark}};
    size_t lens[][3] = {{strlen(vcek_b64), f.ask_len, f.ark_len},
                        {strlen(vcek_hex), f.ask_len, f.ark_len}};
    const char *reports[] = {report_b64, report_hex};
    for (size_t r = 0; r < 2; r++)
        for (size_t c = 0; c < 2; c++)
            cr_expect_eq(verify_items(f.v, (const uint8_t *)reports[r], strlen(reports[r]),
                                      items[c], lens[c], 3, POLICY_AUTHENTICITY, why,
                                      sizeof why),
                         ATTEST_OK, "report form %zu, VCEK form %zu: %s", r, c, why);
    attest_item_kind kind;
    attest_classify(&kind, (const uint8_t *)report_hex, strlen(report_hex));
    cr_expect_eq(kind, ATTEST_ITEM_EVIDENCE_SNP);
    attest_classify(&kind, (const uint8_t *)vcek_b64, strlen(vcek_b64));
    cr_expect_eq(kind, ATTEST_ITEM_CERTIFICATES);
    /* One level only: base64 of base64 is not unwrapped further. */
    char *twice = b64_text((const uint8_t *)report_b64, strlen(report_b64));
    attest_evidence *ev = NULL;
    cr_expect_eq(attest_evidence_parse(&ev, (const uint8_t *)twice, strlen(twice)),
                 ATTEST_E_FORMAT_UNKNOWN);
    cr_expect(strstr(attest_error_last(), "text, "), "%s", attest_error_last());
    attest_classify(&kind, (const uint8_t *)twice, strlen(twice));
    cr_expect_eq(kind, ATTEST_ITEM_UNKNOWN);
    char *vcek_twice = b64_text((const uint8_t *)vcek_hex, strlen(vcek_hex));
    cr_expect_eq(add_status((const uint8_t *)vcek_twice, strlen(vcek_twice)),
                 ATTEST_E_COLLATERAL_UNKNOWN);
    free(twice);
    free(vcek_twice);
    free(report_b64);
    free(report_hex);
    free(vcek_b64);
    free(vcek_hex);
    snp_free(&f);
}

/* ---- unknown items: what they look like, and what is accepted ------------ */

Test(formats, unknown_items_are_described)
{
    static const struct { const char *data; size_t len; const char *want; } cases[] = {
        {"{\"a\": 1, \"bee\": [], \"c\": {}}", 0, "JSON object with members a, bee, c"},
        {"{\"a\": ", 0, "text starting '{' that is not JSON"},
        {"\x30\x03\x02\x01\x01", 5, "DER SEQUENCE"},
        {"hello, world\n", 0, "text, 13 bytes, starting \"hello, world"},
        {"\x01\x02\x03\xff\x00\x10", 6, "binary, 6 bytes starting 0x010203ff0010"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].data);
        attest_evidence *ev = NULL;
        cr_expect_eq(attest_evidence_parse(&ev, (const uint8_t *)cases[i].data, len),
                     ATTEST_E_FORMAT_UNKNOWN, "case %zu", i);
        const char *msg = attest_error_last();
        cr_expect(strstr(msg, cases[i].want), "case %zu: %s", i, msg);
        cr_expect(strstr(msg, "accepted: ") && strstr(msg, "dcap-qvl JSON") && strstr(msg, "Azure HCL report") &&
                      strstr(msg, "any as base64 or hex text"),
                  "case %zu lists the accepted forms: %s", i, msg);
        cr_expect_eq(add_status((const uint8_t *)cases[i].data, len),
                     ATTEST_E_COLLATERAL_UNKNOWN, "case %zu", i);
        cr_expect(strstr(attest_error_last(), cases[i].want), "case %zu: %s", i,
                  attest_error_last());
    }
}

/* ---- real vectors --------------------------------------------------------- */

static uint8_t *shared(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

/* Evidence with collateral files (relative to vectors/), at an instant,
 * with the built-in anchors. */
static int verify_shared(const char *evidence, const char *const *files, const char *at,
                         const char *policy, const char *nonce_hex, char *why, size_t n)
{
    const uint8_t *items[8];
    uint8_t *owned[8];
    size_t lens[8], count = 0, ev_len;
    uint8_t *ev = shared(evidence, &ev_len);
    for (; files[count]; count++)
        items[count] = owned[count] = shared(files[count], &lens[count]);
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(at));
    uint8_t nonce[32];
    size_t nonce_len = nonce_hex ? strlen(nonce_hex) / 2 : 0;
    for (size_t i = 0; i < nonce_len; i++)
        sscanf(nonce_hex + 2 * i, "%2hhx", &nonce[i]);
    attest_evidence *e = NULL;
    attest_collateral *c = NULL;
    int status = attest_evidence_parse(&e, ev, ev_len);
    cr_assert_eq(status, ATTEST_OK, "%s: %s", evidence, attest_error_last());
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; status == ATTEST_OK && i < count; i++)
        status = attest_collateral_add(c, items[i], lens[i]);
    snprintf(why, n, "%s", attest_error_last());
    if (status == ATTEST_OK) {
        attest_policy *p = policy ? tu_policy(policy) : NULL;
        attest_result *r = NULL;
        status = attest_verify(&r, v, e, c, p, nonce_len ? nonce : NULL, nonce_len);
        snprintf(why, n, "%s", attest_result_reason(r));
        attest_result_free(r);
        attest_policy_free(p);
    }
    attest_collateral_free(c);
    attest_evidence_free(e);
    attest_verifier_free(v);
    for (size_t i = 0; i < count; i++)
        free(owned[i]);
    free(ev);
    return status;
}

#define S11 "snp/sets/S11_siena_v3_trustee_e2e/"

Test(formats_vectors, trustee_json_s11_as_its_report_and_vcek)
{
    char why[512];
    static const char *const chain[] = {"snp/roots/kds_vcek_cert_chain_genoa.pem", NULL};
    static const char *const with_vcek[] = {S11 "vcek.der",
                                            "snp/roots/kds_vcek_cert_chain_genoa.pem", NULL};
    cr_expect_eq(verify_shared(S11 "evidence.json", chain, AT_GOOD, POLICY_AUTHENTICITY, NULL,
                               why, sizeof why),
                 ATTEST_OK, "%s", why);
    cr_expect_eq(verify_shared(S11 "report.bin", with_vcek, AT_GOOD, POLICY_AUTHENTICITY, NULL,
                               why, sizeof why),
                 ATTEST_OK, "%s", why);
    /* The carried VCEK alone: the built-in Genoa ASK and ARK (certs/) serve. */
    static const char *const none[] = {NULL};
    cr_expect_eq(verify_shared(S11 "evidence.json", none, AT_GOOD, POLICY_AUTHENTICITY, NULL,
                               why, sizeof why),
                 ATTEST_OK, "%s", why);
}

#define QVL "tdx/bundles/dcapqvl_tdx_B0C06F000000_2025-06-19"
#define QVL_QUOTE "tdx/quotes/tdx_v4_B0C06F000000_dcapqvl.bin"
#define QVL_AT "2025-06-19T11:32:00Z"

Test(formats_vectors, dcap_qvl_collateral_as_its_parts)
{
    char why[512];
    static const char *const qvl[] = {QVL ".collateral.json", NULL};
    cr_expect_eq(verify_shared(QVL_QUOTE, qvl, QVL_AT, NULL, NULL, why, sizeof why), ATTEST_OK,
                 "%s", why);
    size_t len;
    uint8_t *doc = shared(QVL ".collateral.json", &len);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, doc, len), ATTEST_OK);
    cr_expect_eq(kind, ATTEST_ITEM_DCAP_COLLATERAL);
    free(doc);
}

/* The PCS/PCCS form already works: TCB Info and QE Identity response
 * bodies, with their issuer chain (the TCB-Info-Issuer-Chain header) as a
 * separate PEM file, CRLs as DER files. */
Test(formats_vectors, pcs_bodies_with_separate_pem_issuer_chain)
{
    char why[512];
    static const char *const pcs[] = {"tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json",
                                      "tdx/collateral/qe_identity_td_2025-07-07.json",
                                      "tdx/crl/pck_crl_platform_2025-07-07.der",
                                      "tdx/crl/root_ca_crl_2025-03-20.der",
                                      "tdx/certs/tcb_signing_2025-05-06_chain.pem", NULL};
    static const char *const no_chain[] = {pcs[0], pcs[1], pcs[2], pcs[3], NULL};
    const char *quote = "tdx/quotes/tdx_v4_00806F050000_automata.bin";
    cr_expect_eq(verify_shared(quote, pcs, "2025-07-07T10:20:00Z",
                               "{\"tdx\":{\"accepted_tcb_statuses\":[\"UpToDate\",\"OutOfDate\"]}}",
                               NULL, why, sizeof why),
                 ATTEST_OK, "%s", why);
    /* The chain is needed: the bodies alone do not verify. */
    cr_expect_neq(verify_shared(quote, no_chain, "2025-07-07T10:20:00Z",
                                "{\"tdx\":{\"accepted_tcb_statuses\":[\"UpToDate\",\"OutOfDate\"]}}",
                                NULL, why, sizeof why),
                  ATTEST_OK, "%s", why);
}

/* The dcap-qvl document edited: the bodies' bytes are the signed ones, and
 * nothing can steer the concatenation that rebuilds them. */
static char *edited_qvl(const char *from, const char *to)
{
    size_t len;
    char *doc = (char *)shared(QVL ".collateral.json", &len);
    doc = realloc(doc, len + 1);
    doc[len] = '\0';
    const char *at = strstr(doc, from);
    cr_assert(at, "%s not in the document", from);
    size_t n = len + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - doc), doc, to, at + strlen(from));
    free(doc);
    return out;
}

static int verify_qvl_text(const char *doc, char *why, size_t n)
{
    size_t qlen;
    uint8_t *quote = shared(QVL_QUOTE, &qlen);
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(QVL_AT));
    const uint8_t *items[] = {(const uint8_t *)doc};
    size_t lens[] = {strlen(doc)};
    int status = verify_items(v, quote, qlen, items, lens, 1, NULL, why, n);
    attest_verifier_free(v);
    free(quote);
    return status;
}

Test(formats_vectors, dcap_qvl_collateral_tampered)
{
    char why[512];
    static const struct { const char *from, *to; int want; const char *named; } edits[] = {
        /* one signed character of the TCB Info changed */
        {"\\\"tcbEvaluationDataNumber\\\":17", "\\\"tcbEvaluationDataNumber\\\":18",
         ATTEST_E_COLLATERAL_SIGNATURE, "tcb_info"},
        /* a second member smuggled after the inner object */
        {"\"tcb_info\": \"{", "\"tcb_info\": \"{\\\"x\\\":1},{", ATTEST_E_MALFORMED,
         "dcap_qvl.tcb_info: is not the text of one JSON object"},
        {"\"tcb_info_signature\": \"", "\"tcb_info_signature\": \"\\\",", ATTEST_E_MALFORMED,
         "dcap_qvl.tcb_info_signature: must be 128 hex digits"},
        {"\"pck_crl\":", "\"platform_crl\":\"00\",\"pck_crl\":", ATTEST_E_MALFORMED,
         "dcap_qvl.platform_crl: unknown member"},
        {"\"root_ca_crl\": \"30", "\"root_ca_crl\": \"31", ATTEST_E_MALFORMED,
         "dcap_qvl.root_ca_crl: not a DER CRL"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *doc = edited_qvl(edits[i].from, edits[i].to);
        cr_expect_eq(verify_qvl_text(doc, why, sizeof why), edits[i].want, "edit %zu: %s", i,
                     why);
        cr_expect(strstr(why, edits[i].named), "edit %zu: %s", i, why);
        free(doc);
    }
}

/* ---- NVIDIA RIM service JSON ------------------------------------------------ */

#define SET_D "nvidia/hopper/setD_h100_595.71.05_azure_complete/"
#define NONCE_D "690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a"
#define DRIVER_JSON SET_D "rim_service_NV_GPU_DRIVER_GH100_595.71.05.json"
#define VBIOS_JSON SET_D "rim_service_NV_GPU_VBIOS_1010_0210_886_96009F0004.json"

Test(formats_vectors, rim_service_json_as_its_rim)
{
    char why[512];
    static const char *const xml[] = {
        SET_D "device_cert_chain.pem", SET_D "driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml",
        SET_D "vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml", NULL};
    static const char *const json[] = {SET_D "device_cert_chain.pem", DRIVER_JSON, VBIOS_JSON,
                                       NULL};
    const char *policy = "{\"nvidia\":{\"require_ocsp\":false}}";
    cr_expect_eq(verify_shared(SET_D "attestation_report.bin", xml, "2026-09-16T14:00:00Z",
                               policy, NONCE_D, why, sizeof why),
                 ATTEST_OK, "%s", why);
    cr_expect_eq(verify_shared(SET_D "attestation_report.bin", json, "2026-09-16T14:00:00Z",
                               policy, NONCE_D, why, sizeof why),
                 ATTEST_OK, "%s", why);
    size_t len;
    uint8_t *doc = shared(DRIVER_JSON, &len);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, doc, len), ATTEST_OK);
    cr_expect_eq(kind, ATTEST_ITEM_RIM);
    free(doc);
}

/* The answer edited: id, digest and format are checked against the RIM. */
Test(formats_vectors, rim_service_json_tampered)
{
    size_t len;
    char *doc = (char *)shared(DRIVER_JSON, &len);
    json_t *o = json_loadb(doc, len, 0, NULL);
    cr_assert(o);
    free(doc);
    static const struct { const char *member, *value, *named; } edits[] = {
        {"id", "NV_GPU_DRIVER_GH100_595.71.06", "RIM service id NV_GPU_DRIVER_GH100_595.71.06 does not name"},
        {"sha256", "143005c060a5eb2866f7db046c234d27f87ae386cab20ab40d9daa706be46ea5",
         "RIM service sha256 does not match"},
        {"rim", "PFNvZnR3YXJlSWRlbnRpdHk+", "RIM service sha256 does not match"},
        {"rim_format", "CORIM", "no known collateral (JSON object with members id, rim"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        json_t *copy = json_deep_copy(o);
        json_object_set_new(copy, edits[i].member, json_string(edits[i].value));
        char *text = json_dumps(copy, JSON_COMPACT);
        int status = add_status((const uint8_t *)text, strlen(text));
        cr_expect_neq(status, ATTEST_OK, "edit %zu", i);
        cr_expect(strstr(attest_error_last(), edits[i].named), "edit %zu: %s", i,
                  attest_error_last());
        free(text);
        json_decref(copy);
    }
    json_decref(o);
}
