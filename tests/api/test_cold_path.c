/* The cold path's short cuts (issue 13: a new verifier, collateral from
 * bytes) decide exactly as the full parses they spare: a JSON text is
 * parsed for a form only when it may hold the form's member name
 * (attest_json_may_hold_key), and a DER item whose inner SEQUENCE holds a
 * time among its first elements (a CRL) is not tried as a certificate. */
#include "testutil.h"
#include "base/base.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <time.h>

#define KEY_OF(text, key) attest_json_may_hold_key((const uint8_t *)(text), strlen(text), key)

Test(cold_path, may_hold_key_is_false_only_when_absent_as_bytes)
{
    cr_expect(KEY_OF("{\"keys\":[]}", "keys"));
    cr_expect(KEY_OF("[\"a\",\"keys\"]", "keys"), "a string counts too");
    cr_expect(KEY_OF("{\"a\":1,\"keys\"", "keys"), "at the very end");
    cr_expect(!KEY_OF("{\"keysX\":[],\"Xkeys\":1,\"key\":2}", "keys"));
    cr_expect(!KEY_OF("{\"a\":\"keys", "keys"), "no closing quote");
    cr_expect(!KEY_OF("", "keys"));
    cr_expect(!KEY_OF("\"", "keys"));
    /* A backslash may spell the name with escapes: the parser decides. */
    cr_expect(KEY_OF("{\"k\\u0065ys\":[]}", "keys"));
    cr_expect(KEY_OF("{\"a\":\"\\n\"}", "keys"));
    /* A name too long to quote in the probe's buffer: never refused. */
    char name[80];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    cr_expect(KEY_OF("{}", name));
}

static attest_item_kind kind_of(const void *data, size_t len)
{
    attest_item_kind kind = (attest_item_kind)-1;
    cr_assert_eq(attest_classify(&kind, data, len), ATTEST_OK, "%s", attest_error_last());
    return kind;
}

/* Forms named only through escapes are still the parser's to recognise. */
Test(cold_path, escaped_member_names_are_still_recognised)
{
    static const char jwks[] = "{\"k\\u0065ys\":[]}";
    static const char nras[] = "[[\"J\\u0057T\",\"x\"]]";
    cr_expect_eq(kind_of(jwks, strlen(jwks)), ATTEST_ITEM_KEYSET);
    cr_expect_eq(kind_of(nras, strlen(nras)), ATTEST_ITEM_NRAS_RESULT);
    static const char plain_jwks[] = "{\"keys\":[]}";
    cr_expect_eq(kind_of(plain_jwks, strlen(plain_jwks)), ATTEST_ITEM_KEYSET);
    static const char neither[] = "{\"key\":[],\"JWT\":1}";
    cr_expect_eq(kind_of(neither, strlen(neither)), ATTEST_ITEM_UNKNOWN);
}

/* ---- certificates and CRLs without a version field -------------------- */

static X509_NAME *name_cn(const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    cr_assert(n && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                              -1, -1, 0));
    return n;
}

/* A self-signed P-256 certificate; v1 (no version field: the serial comes
 * first, as a v2 CRL's version does) or v3. */
static uint8_t *cert_der(EVP_PKEY *key, bool v1, size_t *len)
{
    X509 *x = X509_new();
    X509_NAME *n = name_cn(v1 ? "v1 certificate" : "v3 certificate");
    cr_assert(x && X509_set_version(x, v1 ? X509_VERSION_1 : X509_VERSION_3) &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), 7) && X509_set_issuer_name(x, n) &&
              X509_set_subject_name(x, n) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
              X509_gmtime_adj(X509_getm_notAfter(x), 3600) && X509_set_pubkey(x, key) &&
              X509_sign(x, key, EVP_sha256()) > 0);
    uint8_t *der = NULL;
    int n_der = i2d_X509(x, &der);
    cr_assert_gt(n_der, 0);
    X509_NAME_free(n);
    X509_free(x);
    *len = (size_t)n_der;
    return der;
}

/* A CRL; v1 (no version: the signature AlgorithmIdentifier first) or v2,
 * thisUpdate at `t` (a GeneralizedTime from 2050 on). */
static uint8_t *crl_der(EVP_PKEY *key, bool v1, time_t t, size_t *len)
{
    X509_CRL *c = X509_CRL_new();
    X509_NAME *n = name_cn("issuer");
    ASN1_TIME *this_update = ASN1_TIME_set(NULL, t), *next = ASN1_TIME_set(NULL, t + 86400);
    cr_assert(c && this_update && next && (v1 || X509_CRL_set_version(c, X509_CRL_VERSION_2)) &&
              X509_CRL_set_issuer_name(c, n) && X509_CRL_set1_lastUpdate(c, this_update) &&
              X509_CRL_set1_nextUpdate(c, next) && X509_CRL_sign(c, key, EVP_sha256()) > 0);
    uint8_t *der = NULL;
    int n_der = i2d_X509_CRL(c, &der);
    cr_assert_gt(n_der, 0);
    ASN1_TIME_free(this_update);
    ASN1_TIME_free(next);
    X509_NAME_free(n);
    X509_CRL_free(c);
    *len = (size_t)n_der;
    return der;
}

/* What attest_collateral_add keeps of one DER item. */
static void expect_added(const uint8_t *der, size_t len, size_t certs, size_t crls)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    cr_expect_eq(attest_collateral_add(c, der, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_collateral_cert_count(c), certs);
    cr_expect_eq(attest_collateral_crl_count(c), crls);
    attest_collateral_free(c);
}

Test(cold_path, certificates_and_crls_of_every_version_keep_their_kind)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    cr_assert(key);
    const time_t now = time(NULL), y2051 = (time_t)2556144000; /* 2051-01-01 */
    struct {
        const char *what;
        uint8_t *der;
        size_t len;
        attest_item_kind want;
    } items[5];
    items[0].what = "v1 certificate (serial first)";
    items[0].der = cert_der(key, true, &items[0].len);
    items[0].want = ATTEST_ITEM_CERTIFICATES;
    items[1].what = "v3 certificate";
    items[1].der = cert_der(key, false, &items[1].len);
    items[1].want = ATTEST_ITEM_CERTIFICATES;
    items[2].what = "v1 CRL (thisUpdate third)";
    items[2].der = crl_der(key, true, now, &items[2].len);
    items[2].want = ATTEST_ITEM_CRL;
    items[3].what = "v2 CRL (thisUpdate fourth)";
    items[3].der = crl_der(key, false, now, &items[3].len);
    items[3].want = ATTEST_ITEM_CRL;
    items[4].what = "v2 CRL, GeneralizedTime";
    items[4].der = crl_der(key, false, y2051, &items[4].len);
    items[4].want = ATTEST_ITEM_CRL;
    for (size_t i = 0; i < 5; i++) {
        attest_item_kind got = kind_of(items[i].der, items[i].len);
        cr_expect_eq(got, items[i].want, "%s: %s", items[i].what, attest_item_kind_name(got));
        bool cert = items[i].want == ATTEST_ITEM_CERTIFICATES;
        expect_added(items[i].der, items[i].len, cert ? 1 : 0, cert ? 0 : 1);
        /* One byte short: neither, whichever was tried. */
        cr_expect_eq(kind_of(items[i].der, items[i].len - 1), ATTEST_ITEM_UNKNOWN, "%s, short",
                     items[i].what);
        OPENSSL_free(items[i].der);
    }
    EVP_PKEY_free(key);
}
