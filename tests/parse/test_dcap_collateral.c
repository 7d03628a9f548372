/* Intel DCAP JSON collateral (TCB Info, QE Identity): every real file of
 * ../shared/vectors/tdx/collateral parses with the values MANIFEST.md
 * section 3 states, and the raw span the parser hands over verifies with
 * the TCB Signing key exactly when the MANIFEST says "OK" over raw bytes;
 * the bundle pairs of section 6 wrapped into a PCS body verify too. Then
 * the structural rules on mutated documents and the byte scanner alone. */
#include "testutil.h"

#include "parse/dcap_collateral.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <strings.h>

/* ---- helpers ------------------------------------------------------------ */

/* memmem without _GNU_SOURCE. */
static const uint8_t *find(const void *hay, size_t hl, const void *needle, size_t nl)
{
    const uint8_t *h = hay;
    for (size_t i = 0; nl <= hl && i <= hl - nl; i++)
        if (memcmp(h + i, needle, nl) == 0)
            return h + i;
    return NULL;
}

static uint8_t *shared_file(const char *rel, size_t *len)
{
    char p[512];
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), len);
    cr_assert(d, "cannot read %s", p);
    return d;
}

static EVP_PKEY *key_from_der(const char *rel)
{
    size_t len;
    uint8_t *der = shared_file(rel, &len);
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    cr_assert(x, "%s: not a DER certificate", rel);
    EVP_PKEY *k = X509_get_pubkey(x);
    cr_assert(k);
    X509_free(x);
    free(der);
    return k;
}

static EVP_PKEY *tcb_signing_key(void)
{
    return key_from_der("tdx/certs/tcb_signing_2025-05-06.der");
}

/* ECDSA P-256 / SHA-256 of msg with a raw r||s signature. */
static bool verify_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64])
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    cr_assert(s && r && ss);
    cr_assert_eq(ECDSA_SIG_set0(s, r, ss), 1);
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(s, &der);
    cr_assert_gt(der_len, 0);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    cr_assert(ctx);
    cr_assert_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
    int ok = EVP_DigestVerify(ctx, der, (size_t)der_len, msg, len);
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
    return ok == 1;
}

static void hex_bytes(uint8_t *out, size_t n, const char *hex)
{
    cr_assert_eq(strlen(hex), 2 * n, "bad expected hex %s", hex);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static int parse_tcb_str(const char *s, dcap_tcb_info **out)
{
    return dcap_tcb_info_parse(out, (const uint8_t *)s, strlen(s));
}

static int parse_qe_str(const char *s, dcap_qe_identity **out)
{
    return dcap_qe_identity_parse(out, (const uint8_t *)s, strlen(s));
}

static json_t *load_json(const char *rel)
{
    size_t len;
    uint8_t *d = shared_file(rel, &len);
    json_error_t e;
    json_t *j = json_loadb((const char *)d, len, 0, &e);
    cr_assert(j, "%s: %s", rel, e.text);
    free(d);
    return j;
}

/* Compact dump of a (mutated) document; caller frees. */
static char *dump(json_t *doc)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    cr_assert(s);
    return s;
}

/* QVL order: SGX components, PCESVN, TDX components, lexicographic. */
static int level_cmp(const dcap_tcb_level *a, const dcap_tcb_level *b)
{
    for (int i = 0; i < 16; i++)
        if (a->sgx_svn[i] != b->sgx_svn[i])
            return a->sgx_svn[i] < b->sgx_svn[i] ? -1 : 1;
    if (a->pcesvn != b->pcesvn)
        return a->pcesvn < b->pcesvn ? -1 : 1;
    for (int i = 0; a->has_tdx && b->has_tdx && i < 16; i++)
        if (a->tdx_svn[i] != b->tdx_svn[i])
            return a->tdx_svn[i] < b->tdx_svn[i] ? -1 : 1;
    return 0;
}

static void expect_strictly_descending(const dcap_tcb_info *t, const char *what)
{
    for (size_t i = 1; i < t->level_count; i++)
        cr_expect_gt(level_cmp(&t->levels[i - 1], &t->levels[i]), 0,
                     "%s: level %zu not above level %zu", what, i - 1, i);
}

/* ---- MANIFEST section 3: every collateral file ------------------------- */

typedef enum { K_TCB, K_QE, K_EVAL } kind;

typedef struct coll_case {
    const char *file; /* under tdx/collateral/ */
    kind kind;
    const char *id;
    int version;
    const char *fmspc; /* TCB Info only */
    const char *issue, *next;
    int eval;
    bool raw_sig_ok;
} coll_case;

static const coll_case collateral[] = {
    {"qe_identity_sgx_2024-09-10.pretty.json", K_QE, "QE", 2, NULL, "2024-09-10T06:23:23Z", "2024-10-10T06:23:23Z", 16, false},
    {"qe_identity_sgx_2025-02-12T12.json", K_QE, "QE", 2, NULL, "2025-02-12T12:33:04Z", "2025-03-14T12:33:04Z", 17, true},
    {"qe_identity_sgx_2025-02-12T13.json", K_QE, "QE", 2, NULL, "2025-02-12T13:33:05Z", "2025-03-14T13:33:05Z", 17, true},
    {"qe_identity_sgx_2025-02-13.json", K_QE, "QE", 2, NULL, "2025-02-13T03:33:12Z", "2025-03-15T03:33:12Z", 17, true},
    {"qe_identity_sgx_2025-06-04.json", K_QE, "QE", 2, NULL, "2025-06-04T09:19:32Z", "2025-07-04T09:19:32Z", 17, true},
    {"qe_identity_sgx_2025-08-15.json", K_QE, "QE", 2, NULL, "2025-08-15T04:36:46Z", "2025-09-14T04:36:46Z", 17, true},
    {"qe_identity_td_2023-06-08.json", K_QE, "TD_QE", 2, NULL, "2023-06-08T07:24:59Z", "2023-07-08T07:24:59Z", 15, true},
    {"qe_identity_td_2024-09-10.json", K_QE, "TD_QE", 2, NULL, "2024-09-10T06:27:30Z", "2024-10-10T06:27:30Z", 16, true},
    {"qe_identity_td_2025-02-13.json", K_QE, "TD_QE", 2, NULL, "2025-02-13T03:39:00Z", "2025-03-15T03:39:00Z", 17, true},
    {"qe_identity_td_2025-06-04.json", K_QE, "TD_QE", 2, NULL, "2025-06-04T09:40:18Z", "2025-07-04T09:40:18Z", 17, true},
    {"qe_identity_td_2025-07-07.json", K_QE, "TD_QE", 2, NULL, "2025-07-07T09:20:26Z", "2025-08-06T09:20:26Z", 17, true},
    {"qe_identity_td_2025-10-13.json", K_QE, "TD_QE", 2, NULL, "2025-10-13T10:46:47Z", "2025-11-12T10:46:47Z", 17, true},
    {"qe_identity_td_2025-10-28.json", K_QE, "TD_QE", 2, NULL, "2025-10-28T06:45:09Z", "2025-11-27T06:45:09Z", 17, true},
    {"tcb_eval_numbers_sgx_2025-06-05.json", K_EVAL, NULL, 0, NULL, NULL, NULL, 0, false},
    {"tcb_eval_numbers_sgx_2025-08-15.json", K_EVAL, NULL, 0, NULL, NULL, NULL, 0, false},
    {"tcb_eval_numbers_tdx_2025-06-05.json", K_EVAL, NULL, 0, NULL, NULL, NULL, 0, false},
    {"tcb_eval_numbers_tdx_2025-10-13.json", K_EVAL, NULL, 0, NULL, NULL, NULL, 0, false},
    {"tcbinfo_sgx_v2_00606A000000_2024-09-10.pretty.json", K_TCB, "SGX", 2, "00606a000000", "2024-09-10T06:26:58Z", "2024-10-10T06:26:58Z", 16, false},
    {"tcbinfo_sgx_v2_00606A000000_2025-02-13.json", K_TCB, "SGX", 2, "00606a000000", "2025-02-13T03:29:42Z", "2025-03-15T03:29:42Z", 17, true},
    {"tcbinfo_sgx_v2_00606A000000_2025-06-04.json", K_TCB, "SGX", 2, "00606a000000", "2025-06-04T09:25:11Z", "2025-07-04T09:25:11Z", 17, true},
    {"tcbinfo_sgx_v3_00606A000000_2025-08-15.json", K_TCB, "SGX", 3, "00606a000000", "2025-08-15T05:08:18Z", "2025-09-14T05:08:18Z", 17, true},
    {"tcbinfo_sgx_v3_00A067110000_2024-08-26.json", K_TCB, "SGX", 3, "00A067110000", "2024-08-26T00:15:38Z", "2024-09-25T00:15:38Z", 16, true},
    {"tcbinfo_sgx_v3_00A067110000_2025-05-05.json", K_TCB, "SGX", 3, "00A067110000", "2025-05-05T08:03:36Z", "2025-06-04T08:03:36Z", 17, true},
    {"tcbinfo_tdx_v3_00806F050000_2024-09-10.json", K_TCB, "TDX", 3, "00806f050000", "2024-09-10T06:45:50Z", "2024-10-10T06:45:50Z", 16, true},
    {"tcbinfo_tdx_v3_00806F050000_2025-02-13.json", K_TCB, "TDX", 3, "00806f050000", "2025-02-13T03:50:41Z", "2025-03-15T03:50:41Z", 17, true},
    {"tcbinfo_tdx_v3_00806F050000_2025-06-04.json", K_TCB, "TDX", 3, "00806f050000", "2025-06-04T09:51:38Z", "2025-07-04T09:51:38Z", 17, true},
    {"tcbinfo_tdx_v3_00806F050000_2025-07-07.json", K_TCB, "TDX", 3, "00806f050000", "2025-07-07T09:06:43Z", "2025-08-06T09:06:43Z", 17, true},
    {"tcbinfo_tdx_v3_00806F050000_2025-10-19.json", K_TCB, "TDX", 3, "00806F050000", "2025-10-19T17:48:50Z", "2025-11-18T17:48:50Z", 17, true},
    {"tcbinfo_tdx_v3_00A06D080000_2025-10-27.json", K_TCB, "TDX", 3, "00A06D080000", "2025-10-27T13:07:17Z", "2025-11-26T13:07:17Z", 17, true},
    {"tcbinfo_tdx_v3_50806F000000_2023-06-18.json", K_TCB, "TDX", 3, "50806f000000", "2023-06-18T08:42:58Z", "2023-07-18T08:42:58Z", 15, true},
    {"tcbinfo_tdx_v3_90C06F000000_2025-02-12T10.json", K_TCB, "TDX", 3, "90c06f000000", "2025-02-12T10:38:59Z", "2025-03-14T10:38:59Z", 17, true},
    {"tcbinfo_tdx_v3_90C06F000000_2025-02-12T11.json", K_TCB, "TDX", 3, "90c06f000000", "2025-02-12T11:39:33Z", "2025-03-14T11:39:33Z", 17, true},
    {"tcbinfo_tdx_v3_90C06F000000_2025-06-05.json", K_TCB, "TDX", 3, "90C06F000000", "2025-06-05T03:43:45Z", "2025-07-05T03:43:45Z", 17, true},
    {"tcbinfo_tdx_v3_90C06F000000_2026-02-01.json", K_TCB, "TDX", 3, "90c06f000000", "2026-02-01T14:49:26Z", "2026-03-03T14:49:26Z", 18, true},
};

static void check_tcb_case(const coll_case *c, EVP_PKEY *key, const uint8_t *d, size_t len)
{
    dcap_tcb_info *t = NULL;
    int st = dcap_tcb_info_parse(&t, d, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", c->file, attest_status_name(st), attest_error_last());
    cr_expect(dcap_tcb_info_detect(d, len), "%s not detected as TCB Info", c->file);
    cr_expect_not(dcap_qe_identity_detect(d, len), "%s detected as QE Identity", c->file);
    cr_expect_str_eq(t->id == DCAP_TCB_INFO_TDX ? "TDX" : "SGX", c->id, "%s", c->file);
    cr_expect_eq(t->version, c->version, "%s", c->file);
    uint8_t fmspc[6];
    hex_bytes(fmspc, 6, c->fmspc);
    cr_expect_arr_eq(t->fmspc, fmspc, 6, "%s: fmspc", c->file);
    cr_expect_eq(t->pce_id[0], 0);
    cr_expect_eq(t->pce_id[1], 0);
    cr_expect_eq(t->tcb_type, 0);
    cr_expect_eq(t->issue_date, tu_time(c->issue), "%s: issueDate", c->file);
    cr_expect_eq(t->next_update, tu_time(c->next), "%s: nextUpdate", c->file);
    cr_expect_eq(t->tcb_evaluation_data_number, c->eval, "%s", c->file);
    cr_expect_gt(t->level_count, 0);
    cr_expect_eq(t->has_tdx_module, t->id == DCAP_TCB_INFO_TDX, "%s", c->file);
    for (size_t i = 0; i < t->level_count; i++)
        cr_expect_eq(t->levels[i].has_tdx, t->id == DCAP_TCB_INFO_TDX, "%s level %zu", c->file, i);
    expect_strictly_descending(t, c->file);
    /* The span is a slice of the input, starting at the inner object. */
    cr_assert(t->body && t->body_len > 2);
    cr_expect_eq(t->body[0], '{');
    cr_expect_eq(t->body[t->body_len - 1], '}');
    cr_expect(find(d, len, t->body, t->body_len) != NULL);
    cr_expect_eq(verify_raw(key, t->body, t->body_len, t->signature), c->raw_sig_ok,
                 "%s: raw-bytes signature %s, MANIFEST says %s", c->file,
                 c->raw_sig_ok ? "FAILS" : "verifies", c->raw_sig_ok ? "OK" : "FAIL");
    /* Summary. */
    json_t *j = dcap_tcb_info_to_json(t);
    cr_assert(j);
    cr_expect_str_eq(json_string_value(json_object_get(j, "id")), c->id);
    cr_expect_eq(json_integer_value(json_object_get(j, "version")), c->version);
    cr_expect_eq(strcasecmp(json_string_value(json_object_get(j, "fmspc")), c->fmspc), 0);
    cr_expect_str_eq(json_string_value(json_object_get(j, "issue_date")), c->issue);
    cr_expect_str_eq(json_string_value(json_object_get(j, "next_update")), c->next);
    cr_expect_eq(json_integer_value(json_object_get(j, "tcb_evaluation_data_number")), c->eval);
    cr_expect_eq((size_t)json_integer_value(json_object_get(j, "tcb_level_count")), t->level_count);
    json_decref(j);
    /* Not a QE Identity. */
    dcap_qe_identity *q = NULL;
    cr_expect_eq(dcap_qe_identity_parse(&q, d, len), ATTEST_E_MALFORMED, "%s", c->file);
    cr_expect_null(q);
    dcap_tcb_info_free(t);
}

static void check_qe_case(const coll_case *c, EVP_PKEY *key, const uint8_t *d, size_t len)
{
    dcap_qe_identity *q = NULL;
    int st = dcap_qe_identity_parse(&q, d, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", c->file, attest_status_name(st), attest_error_last());
    cr_expect(dcap_qe_identity_detect(d, len), "%s not detected as QE Identity", c->file);
    cr_expect_not(dcap_tcb_info_detect(d, len), "%s detected as TCB Info", c->file);
    const char *id = q->id == DCAP_ID_QE ? "QE" : q->id == DCAP_ID_TD_QE ? "TD_QE" : "QVE";
    cr_expect_str_eq(id, c->id, "%s", c->file);
    cr_expect_eq(q->version, c->version);
    cr_expect_eq(q->issue_date, tu_time(c->issue), "%s: issueDate", c->file);
    cr_expect_eq(q->next_update, tu_time(c->next), "%s: nextUpdate", c->file);
    cr_expect_eq(q->tcb_evaluation_data_number, c->eval, "%s", c->file);
    cr_expect_eq(q->miscselect, 0u);
    cr_expect_eq(q->miscselect_mask, 0xFFFFFFFFu);
    cr_expect_eq(q->attributes[0], 0x11);
    cr_expect_eq(q->attributes_mask[0], 0xFB);
    cr_expect_eq(q->isvprodid, q->id == DCAP_ID_QE ? 1 : 2, "%s", c->file);
    cr_expect_eq(q->mrsigner[0], q->id == DCAP_ID_QE ? 0x8C : 0xDC, "%s", c->file);
    cr_expect_gt(q->level_count, 0);
    for (size_t i = 1; i < q->level_count; i++) /* JSON order: Intel's, descending */
        cr_expect_gt(q->levels[i - 1].isvsvn, q->levels[i].isvsvn, "%s", c->file);
    cr_assert(q->body && q->body_len > 2);
    cr_expect_eq(q->body[0], '{');
    cr_expect(find(d, len, q->body, q->body_len) != NULL);
    cr_expect_eq(verify_raw(key, q->body, q->body_len, q->signature), c->raw_sig_ok,
                 "%s: raw-bytes signature %s, MANIFEST says %s", c->file,
                 c->raw_sig_ok ? "FAILS" : "verifies", c->raw_sig_ok ? "OK" : "FAIL");
    json_t *j = dcap_qe_identity_to_json(q);
    cr_assert(j);
    cr_expect_str_eq(json_string_value(json_object_get(j, "id")), c->id);
    cr_expect_eq(json_integer_value(json_object_get(j, "isvprodid")), q->isvprodid);
    cr_expect_eq(strlen(json_string_value(json_object_get(j, "mrsigner"))), 64);
    cr_expect_str_eq(json_string_value(json_object_get(j, "issue_date")), c->issue);
    cr_expect_eq((size_t)json_integer_value(json_object_get(j, "tcb_level_count")), q->level_count);
    json_decref(j);
    dcap_tcb_info *t = NULL;
    cr_expect_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_E_MALFORMED, "%s", c->file);
    cr_expect_null(t);
    dcap_qe_identity_free(q);
}

Test(dcap_collateral, manifest_collateral_files)
{
    char rel[256];
    EVP_PKEY *key = tcb_signing_key();
    for (size_t i = 0; i < sizeof collateral / sizeof collateral[0]; i++) {
        const coll_case *c = &collateral[i];
        size_t len;
        snprintf(rel, sizeof rel, "tdx/collateral/%s", c->file);
        uint8_t *d = shared_file(rel, &len);
        if (c->kind == K_TCB) {
            check_tcb_case(c, key, d, len);
        } else if (c->kind == K_QE) {
            check_qe_case(c, key, d, len);
        } else {
            dcap_tcb_info *t = NULL;
            dcap_qe_identity *q = NULL;
            cr_expect_not(dcap_tcb_info_detect(d, len), "%s", c->file);
            cr_expect_not(dcap_qe_identity_detect(d, len), "%s", c->file);
            cr_expect_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_E_MALFORMED, "%s", c->file);
            cr_expect(strstr(attest_error_last(), "tcbInfo"), "%s", attest_error_last());
            cr_expect_eq(dcap_qe_identity_parse(&q, d, len), ATTEST_E_MALFORMED, "%s", c->file);
            cr_expect(strstr(attest_error_last(), "enclaveIdentity"), "%s", attest_error_last());
            cr_expect_null(t);
            cr_expect_null(q);
        }
        free(d);
    }
    EVP_PKEY_free(key);
}

/* ---- MANIFEST section 6: bundle pairs (inner object + signature hex) --- */

static const char *const bundles[] = {
    "dcapqvl_sgx_00A067110000_2025-06-19", "dcapqvl_tdx_20A06F000000_2025-09-02",
    "dcapqvl_tdx_90C06F000000_2026-02-18", "dcapqvl_tdx_B0C06F000000_2025-06-19",
    "udsamani_sgx_00A067110000_2024-08-26",
};

/* {"<member>":<exact file bytes>,"signature":"<hex>"} */
static uint8_t *wrap(const char *member, const uint8_t *obj, size_t obj_len,
                     const uint8_t *sig, size_t sig_len, size_t *out_len)
{
    size_t cap = obj_len + sig_len + strlen(member) + 32, n = 0;
    uint8_t *buf = malloc(cap);
    cr_assert(buf);
    n += (size_t)sprintf((char *)buf, "{\"%s\":", member);
    memcpy(buf + n, obj, obj_len);
    n += obj_len;
    n += (size_t)sprintf((char *)buf + n, ",\"signature\":\"");
    memcpy(buf + n, sig, sig_len);
    n += sig_len;
    buf[n++] = '"';
    buf[n++] = '}';
    *out_len = n;
    return buf;
}

Test(dcap_collateral, bundle_pairs_verify)
{
    EVP_PKEY *key = tcb_signing_key();
    char rel[256];
    for (size_t i = 0; i < sizeof bundles / sizeof bundles[0]; i++) {
        size_t olen, slen, blen;
        /* TCB Info */
        snprintf(rel, sizeof rel, "tdx/bundles/%s.tcb_info.json", bundles[i]);
        uint8_t *obj = shared_file(rel, &olen);
        snprintf(rel, sizeof rel, "tdx/bundles/%s.tcb_info.sig.hex", bundles[i]);
        uint8_t *sig = shared_file(rel, &slen);
        while (slen && (sig[slen - 1] == '\n' || sig[slen - 1] == '\r'))
            slen--;
        uint8_t *body = wrap("tcbInfo", obj, olen, sig, slen, &blen);
        dcap_tcb_info *t = NULL;
        int st = dcap_tcb_info_parse(&t, body, blen);
        cr_assert_eq(st, ATTEST_OK, "%s: %s", bundles[i], attest_error_last());
        cr_expect_eq(t->body_len, olen, "%s", bundles[i]);
        cr_expect_arr_eq(t->body, obj, olen, "%s: span is not the file", bundles[i]);
        cr_expect(verify_raw(key, t->body, t->body_len, t->signature), "%s: TCB Info", bundles[i]);
        /* FMSPC from the file name */
        uint8_t fmspc[6];
        char hex[13];
        memcpy(hex, strchr(bundles[i], '_') + 5, 12);
        hex[12] = '\0';
        hex_bytes(fmspc, 6, hex);
        cr_expect_arr_eq(t->fmspc, fmspc, 6, "%s", bundles[i]);
        cr_expect_eq(t->id, strstr(bundles[i], "_tdx_") ? DCAP_TCB_INFO_TDX : DCAP_TCB_INFO_SGX);
        expect_strictly_descending(t, bundles[i]);
        dcap_tcb_info_free(t);
        free(body);
        free(obj);
        free(sig);
        /* QE Identity */
        snprintf(rel, sizeof rel, "tdx/bundles/%s.qe_identity.json", bundles[i]);
        obj = shared_file(rel, &olen);
        snprintf(rel, sizeof rel, "tdx/bundles/%s.qe_identity.sig.hex", bundles[i]);
        sig = shared_file(rel, &slen);
        while (slen && (sig[slen - 1] == '\n' || sig[slen - 1] == '\r'))
            slen--;
        body = wrap("enclaveIdentity", obj, olen, sig, slen, &blen);
        dcap_qe_identity *q = NULL;
        st = dcap_qe_identity_parse(&q, body, blen);
        cr_assert_eq(st, ATTEST_OK, "%s: %s", bundles[i], attest_error_last());
        cr_expect_eq(q->body_len, olen);
        cr_expect_arr_eq(q->body, obj, olen);
        cr_expect(verify_raw(key, q->body, q->body_len, q->signature), "%s: QE Identity", bundles[i]);
        cr_expect_eq(q->id, strstr(bundles[i], "_tdx_") ? DCAP_ID_TD_QE : DCAP_ID_QE);
        /* One flipped byte in the signed span: parses (a digit of a date)
         * or not, but never verifies. */
        q->body[q->body_len / 2] ^= 0x01;
        cr_expect_not(verify_raw(key, q->body, q->body_len, q->signature));
        dcap_qe_identity_free(q);
        free(body);
        free(obj);
        free(sig);
    }
    EVP_PKEY_free(key);
}

/* Intel's QVL sample data (a test root): 16-bit SVNs, other key order; the
 * raw spans verify with the sample's own TCB Signing certificate. */
static EVP_PKEY *synthetic_signing_key(const char *rel)
{
    char p[512];
    BIO *b = BIO_new_file(tu_shared(p, sizeof p, rel), "r");
    cr_assert(b);
    EVP_PKEY *key = NULL;
    X509 *x;
    while (!key && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        char cn[128] = "";
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
        if (strstr(cn, "TCB Signing"))
            key = X509_get_pubkey(x);
        X509_free(x);
    }
    BIO_free(b);
    cr_assert(key, "%s: no TCB Signing certificate", rel);
    return key;
}

Test(dcap_collateral, qvl_sample_data)
{
    size_t len;
    EVP_PKEY *key = synthetic_signing_key("tdx/synthetic/qvl_tdx/tcbSignChain.pem");
    uint8_t *d = shared_file("tdx/synthetic/qvl_tdx/tcbInfo.json", &len);
    dcap_tcb_info *t = NULL;
    cr_assert_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(t->id, DCAP_TCB_INFO_TDX);
    cr_expect_eq(t->level_count, 1);
    cr_expect_eq(t->levels[0].sgx_svn[1], 65473);
    cr_expect_eq(t->levels[0].pcesvn, 10593);
    cr_expect_eq(t->levels[0].tdx_svn[15], 65479);
    cr_expect_eq(t->levels[0].advisories.count, 2);
    cr_expect_str_eq(t->levels[0].advisories.ids[1], "INTEL-SA-00076");
    cr_expect_eq(t->pce_id[0], 0x8a);
    cr_expect(verify_raw(key, t->body, t->body_len, t->signature));
    dcap_tcb_info_free(t);
    free(d);
    d = shared_file("tdx/synthetic/qvl_tdx/qeIdentity.json", &len);
    dcap_qe_identity *q = NULL;
    cr_assert_eq(dcap_qe_identity_parse(&q, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(q->miscselect, 0x13373B09u);
    cr_expect_eq(q->isvprodid, 29854);
    cr_expect_eq(q->levels[0].isvsvn, 12677);
    cr_expect(verify_raw(key, q->body, q->body_len, q->signature));
    dcap_qe_identity_free(q);
    free(d);
    EVP_PKEY_free(key);

    key = synthetic_signing_key("tdx/synthetic/qvl_sgx/tcbSignChain.pem");
    d = shared_file("tdx/synthetic/qvl_sgx/qveIdentity.json", &len);
    cr_assert_eq(dcap_qe_identity_parse(&q, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(q->id, DCAP_ID_QVE);
    cr_expect_eq(q->miscselect, 0x9989CE1Fu);
    cr_expect(verify_raw(key, q->body, q->body_len, q->signature));
    dcap_qe_identity_free(q);
    free(d);
    d = shared_file("tdx/synthetic/qvl_sgx/tcbInfo.json", &len);
    cr_assert_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(t->version, 2);
    cr_expect(verify_raw(key, t->body, t->body_len, t->signature));
    expect_strictly_descending(t, "qvl_sgx");
    dcap_tcb_info_free(t);
    free(d);
    EVP_PKEY_free(key);
}

/* ---- field values ------------------------------------------------------- */

Test(dcap_collateral, v2_tcb_info_components)
{
    size_t len;
    uint8_t *d = shared_file("tdx/collateral/tcbinfo_sgx_v2_00606A000000_2025-02-13.json", &len);
    dcap_tcb_info *t = NULL;
    cr_assert_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(t->id, DCAP_TCB_INFO_SGX);
    cr_expect_eq(t->version, 2);
    cr_expect_eq(t->level_count, 11);
    static const int top[16] = {14, 14, 3, 3, 255, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    cr_expect_arr_eq(t->levels[0].sgx_svn, top, sizeof top);
    cr_expect_eq(t->levels[0].pcesvn, 13);
    cr_expect_eq(t->levels[0].status, DCAP_TCB_SW_HARDENING_NEEDED);
    cr_expect_eq(t->levels[0].tcb_date, tu_time("2024-03-13T00:00:00Z"));
    cr_expect_not(t->levels[0].has_tdx);
    cr_expect_not(t->has_tdx_module);
    cr_expect_eq(t->module_identity_count, 0);
    dcap_tcb_info_free(t);
    free(d);
}

Test(dcap_collateral, tdx_module_identities_in_json_order)
{
    size_t len;
    uint8_t *d = shared_file("tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-06-04.json", &len);
    dcap_tcb_info *t = NULL;
    cr_assert_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect(t->has_tdx_module);
    cr_expect(attest_all_zero(t->tdx_module_mrsigner, 48));
    cr_expect_eq(t->tdx_module_attributes_mask[0], 0xFF);
    cr_assert_eq(t->module_identity_count, 2);
    cr_expect_str_eq(t->module_identities[0].id, "TDX_03");
    cr_expect_str_eq(t->module_identities[1].id, "TDX_01");
    cr_assert_eq(t->module_identities[1].level_count, 2);
    cr_expect_eq(t->module_identities[1].levels[0].isvsvn, 4);
    cr_expect_eq(t->module_identities[1].levels[0].status, DCAP_TCB_UP_TO_DATE);
    cr_expect_eq(t->module_identities[1].levels[1].isvsvn, 2);
    cr_expect_eq(t->module_identities[1].levels[1].status, DCAP_TCB_OUT_OF_DATE);
    cr_expect_eq(t->levels[0].tdx_svn[0], 5);
    cr_expect_eq(t->levels[0].tdx_svn[2], 7);
    dcap_tcb_info_free(t);
    free(d);
    /* A TDX TCB Info without tdxModuleIdentities (pre-1.5 modules). */
    d = shared_file("tdx/collateral/tcbinfo_tdx_v3_50806F000000_2023-06-18.json", &len);
    cr_assert_eq(dcap_tcb_info_parse(&t, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect(t->has_tdx_module);
    cr_expect_eq(t->module_identity_count, 0);
    cr_expect_null(t->module_identities);
    dcap_tcb_info_free(t);
    free(d);
}

Test(dcap_collateral, qe_identity_advisories)
{
    size_t len;
    uint8_t *d = shared_file("tdx/collateral/qe_identity_sgx_2025-06-04.json", &len);
    dcap_qe_identity *q = NULL;
    cr_assert_eq(dcap_qe_identity_parse(&q, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(q->levels[0].isvsvn, 8);
    cr_expect_eq(q->levels[0].advisories.count, 0);
    cr_expect_eq(q->levels[1].isvsvn, 6);
    cr_expect_eq(q->levels[1].status, DCAP_TCB_OUT_OF_DATE);
    cr_assert_eq(q->levels[1].advisories.count, 1);
    cr_expect_str_eq(q->levels[1].advisories.ids[0], "INTEL-SA-00615");
    dcap_qe_identity_free(q);
    free(d);
}

/* ---- ordering ------------------------------------------------------------- */

/* Reversing (or rotating) the JSON order of the levels changes nothing. */
Test(dcap_collateral, level_order_ignores_json_order)
{
    static const char *const files[] = {
        "tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-06-04.json",
        "tdx/collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json",
        "tdx/collateral/tcbinfo_sgx_v2_00606A000000_2025-06-04.json",
    };
    for (size_t f = 0; f < 3; f++) {
        size_t len;
        uint8_t *d = shared_file(files[f], &len);
        dcap_tcb_info *ref = NULL, *t = NULL;
        cr_assert_eq(dcap_tcb_info_parse(&ref, d, len), ATTEST_OK);
        json_t *doc = load_json(files[f]);
        json_t *levels = json_object_get(json_object_get(doc, "tcbInfo"), "tcbLevels");
        size_t n = json_array_size(levels);
        json_t *rev = json_array();
        for (size_t i = n; i-- > 0;)
            json_array_append(rev, json_array_get(levels, i));
        json_object_set_new(json_object_get(doc, "tcbInfo"), "tcbLevels", rev);
        char *s = dump(doc);
        cr_assert_eq(parse_tcb_str(s, &t), ATTEST_OK, "%s", attest_error_last());
        cr_assert_eq(t->level_count, ref->level_count);
        for (size_t i = 0; i < n; i++) {
            cr_expect_eq(level_cmp(&t->levels[i], &ref->levels[i]), 0, "%s level %zu", files[f], i);
            cr_expect_eq(t->levels[i].status, ref->levels[i].status);
            cr_expect_eq(t->levels[i].tcb_date, ref->levels[i].tcb_date);
            cr_expect_eq(t->levels[i].advisories.count, ref->levels[i].advisories.count);
        }
        expect_strictly_descending(t, files[f]);
        free(s);
        json_decref(doc);
        dcap_tcb_info_free(t);
        dcap_tcb_info_free(ref);
        free(d);
    }
}

typedef struct lvl_spec {
    int sgx0, sgx1, pce, tdx0, tdx2;
    const char *status;
} lvl_spec;

static json_t *components(int first, int second, int idx2)
{
    json_t *a = json_array();
    for (int i = 0; i < 16; i++)
        json_array_append_new(a, json_pack("{s:i}", "svn", i == 0 ? first : i == idx2 ? second : 0));
    return a;
}

/* A minimal v3 TCB Info body (not signed: parsing only). */
static char *tcb_doc(bool tdx, const lvl_spec *l, size_t n)
{
    json_t *levels = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *tcb = json_pack("{s:o, s:i}", "sgxtcbcomponents", components(l[i].sgx0, l[i].sgx1, 1),
                                "pcesvn", l[i].pce);
        if (tdx)
            json_object_set_new(tcb, "tdxtcbcomponents", components(l[i].tdx0, l[i].tdx2, 2));
        json_array_append_new(levels, json_pack("{s:o, s:s, s:s}", "tcb", tcb, "tcbDate",
                                                "2024-03-13T00:00:00Z", "tcbStatus", l[i].status));
    }
    json_t *ti = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:i}", "id", tdx ? "TDX" : "SGX",
                           "version", 3, "issueDate", "2025-01-01T00:00:00Z", "nextUpdate",
                           "2025-02-01T00:00:00Z", "fmspc", "00906ED50000", "pceId", "0000",
                           "tcbType", 0, "tcbEvaluationDataNumber", 17);
    if (tdx)
        json_object_set_new(ti, "tdxModule",
                            json_pack("{s:s, s:s, s:s}", "mrsigner",
                                      "000000000000000000000000000000000000000000000000"
                                      "000000000000000000000000000000000000000000000000",
                                      "attributes", "0000000000000000", "attributesMask",
                                      "FFFFFFFFFFFFFFFF"));
    json_object_set_new(ti, "tcbLevels", levels);
    char sig[129];
    memset(sig, '0', 128);
    sig[128] = '\0';
    json_t *doc = json_pack("{s:o, s:s}", "tcbInfo", ti, "signature", sig);
    char *s = dump(doc);
    json_decref(doc);
    return s;
}

Test(dcap_collateral, level_order_is_qvl_lexicographic)
{
    /* SGX component 0 dominates component 1 and PCESVN; PCESVN dominates
     * the TDX components; TDX components break the remaining ties. */
    static const lvl_spec specs[] = {
        {1, 9, 20, 9, 9, "OutOfDate"},          /* 5th */
        {2, 0, 5, 0, 0, "SWHardeningNeeded"},   /* 4th */
        {2, 0, 6, 1, 0, "UpToDate"},            /* 3rd */
        {2, 0, 6, 1, 3, "ConfigurationNeeded"}, /* 2nd */
        {2, 1, 0, 0, 0, "Revoked"},             /* 1st */
    };
    static const dcap_tcb_status want[] = {
        DCAP_TCB_REVOKED, DCAP_TCB_CONFIGURATION_NEEDED, DCAP_TCB_UP_TO_DATE,
        DCAP_TCB_SW_HARDENING_NEEDED, DCAP_TCB_OUT_OF_DATE,
    };
    char *s = tcb_doc(true, specs, 5);
    dcap_tcb_info *t = NULL;
    cr_assert_eq(parse_tcb_str(s, &t), ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(t->level_count, 5);
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(t->levels[i].status, want[i], "position %zu: %s", i,
                     dcap_tcb_status_name(t->levels[i].status));
    expect_strictly_descending(t, "crafted");
    dcap_tcb_info_free(t);
    free(s);
    /* As SGX TCB Info the TDX components are not part of the key: the two
     * levels that differ only there are duplicates. */
    s = tcb_doc(false, specs, 5);
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "duplicate"), "%s", attest_error_last());
    free(s);
    s = tcb_doc(false, specs, 3);
    cr_assert_eq(parse_tcb_str(s, &t), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(t->levels[0].status, DCAP_TCB_UP_TO_DATE);
    cr_expect_not(t->levels[0].has_tdx);
    dcap_tcb_info_free(t);
    free(s);
}

/* ---- structural rules on mutated real documents ------------------------- */

#define TDX_FILE "tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-06-04.json"
#define SGX3_FILE "tdx/collateral/tcbinfo_sgx_v3_00A067110000_2025-05-05.json"
#define SGX2_FILE "tdx/collateral/tcbinfo_sgx_v2_00606A000000_2025-06-04.json"
#define QE_FILE "tdx/collateral/qe_identity_td_2025-06-04.json"

static json_t *level_tcb(json_t *doc, size_t i)
{
    return json_object_get(
        json_array_get(json_object_get(json_object_get(doc, "tcbInfo"), "tcbLevels"), i), "tcb");
}

/* Parse the mutated document; expect `status` and `needle` in the detail. */
static void expect_tcb(json_t *doc, int status, const char *needle)
{
    char *s = dump(doc);
    dcap_tcb_info *t = NULL;
    int st = parse_tcb_str(s, &t);
    cr_expect_eq(st, status, "got %s (%s), want %s", attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    if (status != ATTEST_OK) {
        cr_expect_null(t);
        if (needle)
            cr_expect(strstr(attest_error_last(), needle), "detail \"%s\" lacks \"%s\"",
                      attest_error_last(), needle);
    }
    dcap_tcb_info_free(t);
    free(s);
}

static void expect_qe(json_t *doc, int status, const char *needle)
{
    char *s = dump(doc);
    dcap_qe_identity *q = NULL;
    int st = parse_qe_str(s, &q);
    cr_expect_eq(st, status, "got %s (%s), want %s", attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    if (status != ATTEST_OK && needle)
        cr_expect(strstr(attest_error_last(), needle), "detail \"%s\" lacks \"%s\"",
                  attest_error_last(), needle);
    dcap_qe_identity_free(q);
    free(s);
}

Test(dcap_collateral, exactly_16_components)
{
    json_t *doc = load_json(TDX_FILE);
    expect_tcb(doc, ATTEST_OK, NULL); /* compact re-dump still parses */
    json_array_remove(json_object_get(level_tcb(doc, 0), "sgxtcbcomponents"), 15);
    expect_tcb(doc, ATTEST_E_MALFORMED,
               "dcap.tcb_info.tcbLevels[0].tcb.sgxtcbcomponents: 15 entries, need 16");
    json_decref(doc);

    doc = load_json(TDX_FILE);
    json_array_remove(json_object_get(level_tcb(doc, 3), "tdxtcbcomponents"), 0);
    expect_tcb(doc, ATTEST_E_MALFORMED,
               "dcap.tcb_info.tcbLevels[3].tcb.tdxtcbcomponents: 15 entries, need 16");
    json_decref(doc);

    doc = load_json(SGX3_FILE);
    json_t *comps = json_object_get(level_tcb(doc, 2), "sgxtcbcomponents");
    json_array_append_new(comps, json_pack("{s:i}", "svn", 0));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbLevels[2].tcb.sgxtcbcomponents: 17 entries, need 16");
    json_decref(doc);

    doc = load_json(SGX3_FILE);
    json_array_clear(json_object_get(level_tcb(doc, 1), "sgxtcbcomponents"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "0 entries, need 16");
    json_decref(doc);

    /* TDX TCB Info levels need tdxtcbcomponents. */
    doc = load_json(TDX_FILE);
    json_object_del(level_tcb(doc, 1), "tdxtcbcomponents");
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbLevels[1].tcb.tdxtcbcomponents: missing");
    json_decref(doc);

    /* v2: each of the 16 named members is required. */
    doc = load_json(SGX2_FILE);
    json_object_del(level_tcb(doc, 4), "sgxtcbcomp16svn");
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbLevels[4].tcb.sgxtcbcomp16svn: missing");
    json_decref(doc);
}

Test(dcap_collateral, svn_range_and_types)
{
    json_t *doc = load_json(SGX3_FILE);
    json_t *c0 = json_array_get(json_object_get(level_tcb(doc, 0), "sgxtcbcomponents"), 0);
    json_object_set_new(c0, "svn", json_integer(65535));
    expect_tcb(doc, ATTEST_OK, NULL);
    json_object_set_new(c0, "svn", json_integer(65536));
    expect_tcb(doc, ATTEST_E_MALFORMED, "sgxtcbcomponents[0].svn");
    json_object_set_new(c0, "svn", json_integer(-1));
    expect_tcb(doc, ATTEST_E_MALFORMED, "sgxtcbcomponents[0].svn");
    json_object_set_new(c0, "svn", json_real(1.0));
    expect_tcb(doc, ATTEST_E_MALFORMED, "sgxtcbcomponents[0].svn: must be an integer");
    json_object_set_new(c0, "svn", json_string("1"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "sgxtcbcomponents[0].svn");
    json_object_set_new(c0, "svn", json_integer(11));
    json_object_set_new(c0, "category", json_integer(1));
    expect_tcb(doc, ATTEST_E_MALFORMED, "sgxtcbcomponents[0].category");
    json_object_del(c0, "category");
    json_object_set_new(level_tcb(doc, 0), "pcesvn", json_integer(70000));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbLevels[0].tcb.pcesvn");
    json_decref(doc);
}

/* A component's path is written only for its error (hundreds per TCB
 * Info): each refusal still names the component, at any index, in either
 * array, and a well-formed component with both optional strings passes. */
Test(dcap_collateral, component_errors_name_the_component)
{
    json_t *doc = load_json(TDX_FILE);
    json_t *comps = json_object_get(level_tcb(doc, 1), "tdxtcbcomponents");
    json_array_set_new(comps, 7, json_pack("{s:i, s:s, s:s}", "svn", 3, "category", "OS/VMM",
                                           "type", "TDX Module"));
    expect_tcb(doc, ATTEST_OK, NULL);
    const char *const path = "dcap.tcb_info.tcbLevels[1].tcb.tdxtcbcomponents[7]";
    char want[160];
    json_array_set_new(comps, 7, json_string("svn"));
    snprintf(want, sizeof want, "%s: must be an object", path);
    expect_tcb(doc, ATTEST_E_MALFORMED, want);
    json_array_set_new(comps, 7, json_object());
    snprintf(want, sizeof want, "%s.svn: missing", path);
    expect_tcb(doc, ATTEST_E_MALFORMED, want);
    json_array_set_new(comps, 7, json_pack("{s:i}", "svn", 65536));
    snprintf(want, sizeof want, "%s.svn: 65536 out of range 0..65535", path);
    expect_tcb(doc, ATTEST_E_MALFORMED, want);
    json_array_set_new(comps, 7, json_pack("{s:i, s:i}", "svn", 3, "type", 1));
    snprintf(want, sizeof want, "%s.type: must be a string", path);
    expect_tcb(doc, ATTEST_E_MALFORMED, want);
    json_array_set_new(comps, 7, json_pack("{s:i, s:n}", "svn", 3, "category"));
    snprintf(want, sizeof want, "%s.category: must be a string", path);
    expect_tcb(doc, ATTEST_E_MALFORMED, want);
    json_decref(doc);
}

Test(dcap_collateral, tcb_status_names)
{
    json_t *doc = load_json(SGX3_FILE);
    json_t *lv = json_array_get(json_object_get(json_object_get(doc, "tcbInfo"), "tcbLevels"), 5);
    static const char *const ok[] = {"UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
                                     "ConfigurationAndSWHardeningNeeded", "OutOfDate",
                                     "OutOfDateConfigurationNeeded", "Revoked"};
    for (size_t i = 0; i < 7; i++) {
        json_object_set_new(lv, "tcbStatus", json_string(ok[i]));
        expect_tcb(doc, ATTEST_OK, NULL);
        cr_expect_eq(dcap_tcb_status_parse(ok[i]), (int)i);
        cr_expect_str_eq(dcap_tcb_status_name((dcap_tcb_status)i), ok[i]);
    }
    json_object_set_new(lv, "tcbStatus", json_string("Bogus"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.tcbLevels[5].tcbStatus: unknown status \"Bogus\"");
    json_object_set_new(lv, "tcbStatus", json_string("NotSupported"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbStatus");
    json_object_set_new(lv, "tcbStatus", json_string("uptodate"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbStatus");
    json_object_del(lv, "tcbStatus");
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbLevels[5].tcbStatus: missing");
    json_decref(doc);

    cr_expect_str_eq(dcap_tcb_status_name(DCAP_TCB_NOT_SUPPORTED), "NotSupported");
    cr_expect_eq(dcap_tcb_status_parse("NotSupported"), -1);
    cr_expect_eq(dcap_tcb_status_parse(NULL), -1);
    cr_expect_null(dcap_tcb_status_name((dcap_tcb_status)99));
    cr_expect_null(dcap_tcb_status_name((dcap_tcb_status)-1));

    /* QE Identity levels use the same names. */
    doc = load_json(QE_FILE);
    lv = json_array_get(json_object_get(json_object_get(doc, "enclaveIdentity"), "tcbLevels"), 0);
    json_object_set_new(lv, "tcbStatus", json_string("Bogus"));
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.tcbLevels[0].tcbStatus");
    json_decref(doc);
}

Test(dcap_collateral, duplicate_levels_rejected)
{
    json_t *doc = load_json(TDX_FILE);
    json_t *levels = json_object_get(json_object_get(doc, "tcbInfo"), "tcbLevels");
    json_t *copy = json_deep_copy(json_array_get(levels, 1));
    json_object_set_new(copy, "tcbStatus", json_string("UpToDate")); /* same key, other status */
    json_array_append_new(levels, copy);
    expect_tcb(doc, ATTEST_E_MALFORMED, "duplicate of tcbLevels[1]");
    json_decref(doc);

    doc = load_json(SGX2_FILE);
    levels = json_object_get(json_object_get(doc, "tcbInfo"), "tcbLevels");
    json_array_insert_new(levels, 0, json_deep_copy(json_array_get(levels, 7)));
    expect_tcb(doc, ATTEST_E_MALFORMED, "duplicate");
    json_decref(doc);
}

/* Insert `ins` right after the first occurrence of `after` in the file. */
static char *splice(const char *rel, const char *after, const char *ins)
{
    size_t len;
    uint8_t *d = shared_file(rel, &len);
    const uint8_t *p = find(d, len, after, strlen(after));
    cr_assert(p, "%s not in %s", after, rel);
    size_t at = (size_t)(p - d) + strlen(after), il = strlen(ins);
    char *out = malloc(len + il + 1);
    memcpy(out, d, at);
    memcpy(out + at, ins, il);
    memcpy(out + at + il, d + at, len - at);
    out[len + il] = '\0';
    free(d);
    return out;
}

Test(dcap_collateral, duplicate_keys_rejected)
{
    dcap_tcb_info *t = NULL;
    dcap_qe_identity *q = NULL;
    char *s = splice(TDX_FILE, "{\"tcbInfo\":{", "\"version\":3,");
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED, "%s", attest_error_last());
    free(s);
    s = splice(TDX_FILE, "{\"tcbInfo\":{", "\"fmspc\":\"00906ED50000\",");
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED);
    free(s);
    /* A second top-level tcbInfo: which one would be signed? */
    s = splice(TDX_FILE, "{", "\"tcbInfo\":{},");
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED);
    cr_expect_not(dcap_tcb_info_detect((const uint8_t *)s, strlen(s)));
    size_t off, n;
    cr_expect_eq(dcap_json_member_span((const uint8_t *)s, strlen(s), "tcbInfo", &off, &n), -1);
    free(s);
    s = splice(TDX_FILE, "{\"tcbInfo\":", "{\"a\":1},\"tcbInfo\":");
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED);
    free(s);
    s = splice(TDX_FILE, "\"tcb\":{", "\"isvsvn\":3,"); /* module identity level */
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED);
    free(s);
    s = splice(TDX_FILE, "\"pcesvn\":11,", "\"pcesvn\":12,"); /* platform level */
    cr_expect_eq(parse_tcb_str(s, &t), ATTEST_E_MALFORMED);
    free(s);
    s = splice(QE_FILE, "\"tcb\":{", "\"isvsvn\":1,");
    cr_expect_eq(parse_qe_str(s, &q), ATTEST_E_MALFORMED);
    free(s);
    s = splice(QE_FILE, "{", "\"signature\":\"00\",");
    cr_expect_eq(parse_qe_str(s, &q), ATTEST_E_MALFORMED);
    free(s);
    cr_expect_null(t);
    cr_expect_null(q);
}

Test(dcap_collateral, versions_ids_and_fields)
{
    json_t *doc = load_json(TDX_FILE);
    json_t *ti = json_object_get(doc, "tcbInfo");
    json_object_set_new(ti, "version", json_integer(4));
    expect_tcb(doc, ATTEST_E_UNSUPPORTED_VERSION, "dcap.tcb_info.version: unsupported version 4");
    json_object_set_new(ti, "version", json_integer(1));
    expect_tcb(doc, ATTEST_E_UNSUPPORTED_VERSION, "version");
    json_object_set_new(ti, "version", json_string("3"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.version");
    json_object_set_new(ti, "version", json_integer(3));
    json_object_set_new(ti, "id", json_string("SEV"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.id");
    json_object_del(ti, "id");
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.id: missing");
    json_object_set_new(ti, "id", json_string("TDX"));
    json_object_set_new(ti, "fmspc", json_string("00806f0500"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.fmspc: must be 12 hex digits");
    json_object_set_new(ti, "fmspc", json_string("00806f05000g"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "fmspc");
    json_object_set_new(ti, "fmspc", json_string("00806f050000"));
    json_object_set_new(ti, "issueDate", json_string("2025-06-04 09:51:38"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.issueDate");
    json_object_set_new(ti, "issueDate", json_string("2025-06-04T09:51:38Z"));
    json_object_set_new(ti, "tcbType", json_integer(1));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbType");
    json_object_set_new(ti, "tcbType", json_integer(0));
    json_object_set_new(ti, "unknownFutureMember", json_string("ignored"));
    expect_tcb(doc, ATTEST_OK, NULL);
    json_object_del(ti, "tdxModule");
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.tdxModule: missing");
    json_decref(doc);

    doc = load_json(TDX_FILE);
    ti = json_object_get(doc, "tcbInfo");
    json_t *mi = json_array_get(json_object_get(ti, "tdxModuleIdentities"), 1);
    json_object_set_new(mi, "id", json_string("TDX_0123456789ABCDEF"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tdxModuleIdentities[1].id");
    json_object_set_new(mi, "id", json_string("TDX_01"));
    json_object_set_new(mi, "mrsigner", json_string("00"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tdxModuleIdentities[1].mrsigner: must be 96 hex digits");
    json_decref(doc);

    doc = load_json(TDX_FILE);
    json_object_set_new(json_array_get(json_object_get(json_object_get(doc, "tcbInfo"), "tcbLevels"), 0),
                        "advisoryIDs", json_pack("[s,i]", "INTEL-SA-00001", 2));
    expect_tcb(doc, ATTEST_E_MALFORMED, "tcbLevels[0].advisoryIDs");
    json_object_set_new(doc, "signature", json_string("abcd"));
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.signature: must be 128 hex digits");
    json_object_del(doc, "signature");
    expect_tcb(doc, ATTEST_E_MALFORMED, "dcap.tcb_info.signature: missing");
    json_object_set_new(json_object_get(doc, "tcbInfo"), "tcbLevels", json_array());
    json_object_set_new(doc, "signature", json_string(""));
    expect_tcb(doc, ATTEST_E_MALFORMED, NULL);
    json_decref(doc);

    /* QE Identity: version 2 only. */
    doc = load_json(QE_FILE);
    json_t *ei = json_object_get(doc, "enclaveIdentity");
    expect_qe(doc, ATTEST_OK, NULL);
    json_object_set_new(ei, "version", json_integer(1));
    expect_qe(doc, ATTEST_E_UNSUPPORTED_VERSION, "dcap.qe_identity.version: unsupported version 1");
    json_object_set_new(ei, "version", json_integer(3));
    expect_qe(doc, ATTEST_E_UNSUPPORTED_VERSION, "dcap.qe_identity.version");
    json_object_set_new(ei, "version", json_integer(2));
    json_object_set_new(ei, "id", json_string("PCE"));
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.id");
    json_object_set_new(ei, "id", json_string("QVE"));
    expect_qe(doc, ATTEST_OK, NULL);
    json_object_set_new(ei, "miscselect", json_string("0000000"));
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.miscselect: must be 8 hex digits");
    json_object_set_new(ei, "miscselect", json_string("0000000A"));
    json_object_set_new(ei, "isvprodid", json_integer(65536));
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.isvprodid");
    json_object_set_new(ei, "isvprodid", json_integer(2));
    json_object_set_new(ei, "attributes", json_string("1100"));
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.attributes: must be 32 hex digits");
    json_object_set_new(ei, "attributes", json_string("11000000000000000000000000000000"));
    json_object_set_new(ei, "tcbLevels", json_array());
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.tcbLevels");
    json_object_set_new(ei, "tcbLevels", json_pack("[{s:{s:i},s:s,s:s}]", "tcb", "isvsvn", 70000,
                                                   "tcbDate", "2024-03-13T00:00:00Z", "tcbStatus",
                                                   "UpToDate"));
    expect_qe(doc, ATTEST_E_MALFORMED, "dcap.qe_identity.tcbLevels[0].tcb.isvsvn");
    json_decref(doc);

    /* miscselect is a big-endian hex number as Intel writes it. */
    doc = load_json(QE_FILE);
    json_object_set_new(json_object_get(doc, "enclaveIdentity"), "miscselect", json_string("0000000A"));
    char *s = dump(doc);
    dcap_qe_identity *q = NULL;
    cr_assert_eq(parse_qe_str(s, &q), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(q->miscselect, 0xAu);
    dcap_qe_identity_free(q);
    free(s);
    json_decref(doc);
}

/* ---- hostile bytes ---------------------------------------------------------- */

Test(dcap_collateral, every_truncation_rejected)
{
    static const char *const files[] = {"tdx/collateral/tcbinfo_tdx_v3_90C06F000000_2025-06-05.json",
                                        "tdx/collateral/qe_identity_td_2025-06-04.json"};
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        uint8_t *d = shared_file(files[f], &len);
        for (size_t n = 0; n < len; n++) {
            /* A fresh allocation of exactly n bytes: ASan sees any over-read. */
            uint8_t *cut = malloc(n ? n : 1);
            memcpy(cut, d, n);
            dcap_tcb_info *t = NULL;
            dcap_qe_identity *q = NULL;
            cr_expect_neq(dcap_tcb_info_parse(&t, cut, n), ATTEST_OK, "%s cut at %zu", files[f], n);
            cr_expect_neq(dcap_qe_identity_parse(&q, cut, n), ATTEST_OK, "%s cut at %zu", files[f], n);
            cr_expect_not(dcap_tcb_info_detect(cut, n));
            cr_expect_not(dcap_qe_identity_detect(cut, n));
            free(cut);
        }
        free(d);
    }
}

Test(dcap_collateral, deep_nesting_rejected)
{
    size_t depth = 100000, off, n;
    char *s = malloc(depth + 64);
    /* '[' * 100000 alone, then inside the tcbInfo member. */
    memset(s, '[', depth);
    s[depth] = '\0';
    dcap_tcb_info *t = NULL;
    cr_expect_neq(dcap_tcb_info_parse(&t, (const uint8_t *)s, depth), ATTEST_OK);
    cr_expect_eq(dcap_json_member_span((const uint8_t *)s, depth, "tcbInfo", &off, &n), -1);
    strcpy(s, "{\"tcbInfo\":");
    memset(s + 11, '[', depth);
    cr_expect_eq(dcap_tcb_info_parse(&t, (const uint8_t *)s, depth + 11), ATTEST_E_MALFORMED);
    cr_expect_eq(dcap_json_member_span((const uint8_t *)s, depth + 11, "tcbInfo", &off, &n), -1);
    cr_expect_not(dcap_tcb_info_detect((const uint8_t *)s, depth + 11));
    free(s);

    /* Balanced nesting: 64 levels (the top object included) is the limit. */
    for (size_t k = 60; k <= 66; k++) {
        char buf[256];
        size_t p = 0;
        p += (size_t)sprintf(buf, "{\"x\":");
        for (size_t i = 0; i < k; i++)
            buf[p++] = '[';
        for (size_t i = 0; i < k; i++)
            buf[p++] = ']';
        p += (size_t)sprintf(buf + p, ",\"y\":1}");
        int r = dcap_json_member_span((const uint8_t *)buf, p, "y", &off, &n);
        cr_expect_eq(r, k + 1 <= 64 ? 0 : -1, "nesting %zu", k + 1);
    }
}

/* ---- the byte scanner alone ---------------------------------------------- */

typedef struct span_case {
    const char *json;
    const char *name;
    const char *value; /* expected exact bytes; NULL = -1 */
} span_case;

static const span_case span_cases[] = {
    {"{\"a\":1}", "a", "1"},
    {" \t\r\n{ \"a\" : {\"b\":[1,2,{\"a\":3}]} , \"c\":true }\n", "a", "{\"b\":[1,2,{\"a\":3}]}"},
    {"{\"b\":{\"a\":1},\"a\":\"x\"}", "a", "\"x\""},         /* nested "a" is not top-level */
    {"{\"a\":\"q\\\"}\\\\{\\u00e9[\"}", "a", "\"q\\\"}\\\\{\\u00e9[\""},
    {"{\"k\\\"a\":1,\"a\":2}", "a", "2"},                   /* escaped quote in a name */
    {"{\"a\":-0.5e+10}", "a", "-0.5e+10"},
    {"{\"a\":null,\"b\":false}", "b", "false"},
    {"{\"a\":[]}", "a", "[]"},
    {"{\"a\":{}}", "a", "{}"},
    {"{\"ab\":1}", "a", NULL},                              /* absent */
    {"{}", "a", NULL},
    {"{\"a\":1", "a", NULL},                                /* unbalanced */
    {"{\"a\":1}}", "a", NULL},                              /* trailing garbage */
    {"{\"a\":1} x", "a", NULL},
    {"{\"a\":\"abc}", "a", NULL},                           /* unterminated string */
    {"{\"a\":\"\\x\"}", "a", NULL},                         /* bad escape */
    {"{\"a\":\"\\u12g4\"}", "a", NULL},
    {"{\"a\":\"tab\there\"}", "a", NULL},                   /* raw control character */
    {"{\"a\":01}", "a", NULL},
    {"{\"a\":1.}", "a", NULL},
    {"{\"a\":-}", "a", NULL},
    {"{\"a\":tru}", "a", NULL},
    {"{\"a\":truex}", "a", NULL},
    {"{\"a\":[1,]}", "a", NULL},
    {"{\"a\":1,}", "a", NULL},
    {"{\"a\":[1 2]}", "a", NULL},
    {"{\"a\":{\"b\"}}", "a", NULL},
    {"{\"a\":{1:2}}", "a", NULL},
    {"{\"a\":[}", "a", NULL},
    {"{\"a\":]", "a", NULL},
    {"{\"a\" 1}", "a", NULL},
    {"{a:1}", "a", NULL},
    {"[{\"a\":1}]", "a", NULL},                             /* not an object */
    {"\"a\"", "a", NULL},
    {"", "a", NULL},
    {"{\"a\":1,\"a\":2}", "a", NULL},                       /* ambiguous */
};

Test(dcap_collateral, member_span_scanner)
{
    for (size_t i = 0; i < sizeof span_cases / sizeof span_cases[0]; i++) {
        const span_case *c = &span_cases[i];
        size_t len = strlen(c->json);
        uint8_t *d = malloc(len ? len : 1);
        memcpy(d, c->json, len);
        size_t off = 12345, n = 6789;
        int r = dcap_json_member_span(d, len, c->name, &off, &n);
        if (c->value) {
            cr_expect_eq(r, 0, "case %zu: %s", i, c->json);
            if (r == 0) {
                cr_expect_eq(n, strlen(c->value), "case %zu", i);
                cr_expect_eq(memcmp(d + off, c->value, strlen(c->value)), 0, "case %zu: got %.*s",
                             i, (int)n, (const char *)d + off);
            }
        } else {
            cr_expect_eq(r, -1, "case %zu: %s accepted", i, c->json);
            cr_expect(off == 12345 && n == 6789, "case %zu: outputs written on failure", i);
        }
        free(d);
    }
    size_t off, n;
    cr_expect_eq(dcap_json_member_span(NULL, 0, "a", &off, &n), -1);
    /* A NUL after the object is trailing garbage, not whitespace. */
    static const uint8_t nul[] = {'{', '"', 'a', '"', ':', '1', '}', 0};
    cr_expect_eq(dcap_json_member_span(nul, sizeof nul, "a", &off, &n), -1);
    cr_expect_eq(dcap_json_member_span(nul, sizeof nul - 1, "a", &off, &n), 0);
}

Test(dcap_collateral, detect)
{
    static const char *const yes_tcb[] = {"{\"tcbInfo\":{}}", " {\"signature\":\"\",\"tcbInfo\":{\"x\":[1]}} "};
    static const char *const no_tcb[] = {"{\"tcbInfo\":[]}", "{\"tcbinfo\":{}}", "{\"x\":{\"tcbInfo\":{}}}",
                                         "{\"tcbInfo\":{}", "-----BEGIN CERTIFICATE-----", ""};
    for (size_t i = 0; i < 2; i++) {
        cr_expect(dcap_tcb_info_detect((const uint8_t *)yes_tcb[i], strlen(yes_tcb[i])), "%s", yes_tcb[i]);
        cr_expect_not(dcap_qe_identity_detect((const uint8_t *)yes_tcb[i], strlen(yes_tcb[i])));
    }
    for (size_t i = 0; i < 6; i++)
        cr_expect_not(dcap_tcb_info_detect((const uint8_t *)no_tcb[i], strlen(no_tcb[i])), "%s", no_tcb[i]);
    cr_expect(dcap_qe_identity_detect((const uint8_t *)"{\"enclaveIdentity\":{}}", 22));
    cr_expect_not(dcap_qe_identity_detect(NULL, 0));
    cr_expect_not(dcap_tcb_info_detect(NULL, 10));
}

Test(dcap_collateral, invalid_arguments)
{
    dcap_tcb_info *t = NULL;
    dcap_qe_identity *q = NULL;
    cr_expect_eq(dcap_tcb_info_parse(NULL, (const uint8_t *)"{}", 2), ATTEST_E_INVALID_ARG);
    cr_expect_eq(dcap_tcb_info_parse(&t, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_expect_eq(dcap_qe_identity_parse(NULL, (const uint8_t *)"{}", 2), ATTEST_E_INVALID_ARG);
    cr_expect_eq(dcap_qe_identity_parse(&q, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_expect_eq(dcap_tcb_info_parse(&t, (const uint8_t *)"{}", 2), ATTEST_E_MALFORMED);
    cr_expect_eq(dcap_qe_identity_parse(&q, (const uint8_t *)"{}", 2), ATTEST_E_MALFORMED);
    dcap_tcb_info_free(NULL);
    dcap_qe_identity_free(NULL);
    cr_expect_null(dcap_tcb_info_to_json(NULL));
    cr_expect_null(dcap_qe_identity_to_json(NULL));
}
