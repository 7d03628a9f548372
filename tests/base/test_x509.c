/* The certificate helpers of lib/base/x509.c tested directly: the one PEM
 * certificate reader, names, validity, SPKI hashes and the exact-length
 * ASN.1 SEQUENCE reader. */
#include "testutil.h"
#include "base/x509.h"

#include <openssl/evp.h>

static STACK_OF(X509) *read_chain(size_t *pem_len, uint8_t **pem)
{
    char path[512];
    *pem = tu_read(tu_pki(path, sizeof path, "milan/chain.pem"), pem_len);
    cr_assert(*pem && *pem_len, "cannot read %s", path);
    return attest_pem_certs(*pem, *pem_len);
}

Test(x509, pem_certificates_in_order_and_bounded)
{
    size_t len;
    uint8_t *pem;
    STACK_OF(X509) *certs = read_chain(&len, &pem);
    cr_assert(certs);
    cr_assert_eq(sk_X509_num(certs), 2, "ASK then ARK");
    char cn[64];
    attest_cert_cn(sk_X509_value(certs, 0), cn, sizeof cn);
    cr_expect_str_eq(cn, "SEV-Milan");
    attest_cert_cn(sk_X509_value(certs, 1), cn, sizeof cn);
    cr_expect_str_eq(cn, "ARK-Milan");
    cr_expect(attest_is_self_signed(sk_X509_value(certs, 1)));
    cr_expect(!attest_is_self_signed(sk_X509_value(certs, 0)));
    sk_X509_pop_free(certs, X509_free);
    /* The length bounds the text: up to the first END line, one block. */
    static const char end_line[] = "-----END CERTIFICATE-----";
    size_t end = 0, n = sizeof end_line - 1;
    while (end + n <= len && memcmp(pem + end, end_line, n) != 0)
        end++;
    cr_assert(end + n <= len);
    certs = attest_pem_certs(pem, end + n);
    cr_assert(certs);
    cr_expect_eq(sk_X509_num(certs), 1);
    sk_X509_pop_free(certs, X509_free);
    /* No certificate at all: an empty stack, not NULL. */
    certs = attest_pem_certs((const uint8_t *)"hello", 5);
    cr_assert(certs);
    cr_expect_eq(sk_X509_num(certs), 0);
    sk_X509_pop_free(certs, X509_free);
    free(pem);
}

Test(x509, validity_and_spki_hash)
{
    size_t len;
    uint8_t *pem;
    STACK_OF(X509) *certs = read_chain(&len, &pem);
    X509 *ark = sk_X509_value(certs, 1);
    int64_t nb = 0, na = 0;
    cr_assert_eq(attest_cert_validity(ark, &nb, &na), 0);
    cr_expect_lt(nb, na);
    uint8_t spki[32], again[32];
    cr_assert_eq(attest_spki_sha256(ark, spki), 0);
    cr_assert_eq(attest_spki_sha256(ark, again), 0);
    cr_expect_arr_eq(spki, again, 32);
    /* The anchor file of the test PKI is this hash, in hex. */
    char path[512], hex[65];
    size_t n;
    char *anchor = (char *)tu_read(tu_pki(path, sizeof path, "milan/anchor.sha256"), &n);
    cr_assert(anchor && n >= 64);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", spki[i]);
    cr_expect_eq(strncmp(anchor, hex, 64), 0, "%.64s vs %s", anchor, hex);
    free(anchor);
    sk_X509_pop_free(certs, X509_free);
    free(pem);
}

Test(x509, asn1_sequence_exact_length)
{
    /* SEQUENCE { INTEGER 1, SEQUENCE { INTEGER 2 } } */
    static const unsigned char der[] = {0x30, 0x08, 0x02, 0x01, 0x01, 0x30, 0x03, 0x02, 0x01, 0x02};
    STACK_OF(ASN1_TYPE) *s = attest_asn1_seq(der, sizeof der);
    cr_assert(s);
    cr_expect_eq(sk_ASN1_TYPE_num(s), 2);
    STACK_OF(ASN1_TYPE) *inner = attest_asn1_type_seq(sk_ASN1_TYPE_value(s, 1));
    cr_assert(inner);
    cr_expect_eq(sk_ASN1_TYPE_num(inner), 1);
    cr_expect_null(attest_asn1_type_seq(sk_ASN1_TYPE_value(s, 0)), "an INTEGER is no SEQUENCE");
    attest_asn1_seq_free(inner);
    attest_asn1_seq_free(s);
    /* A byte after the SEQUENCE, a short buffer, nothing: refused. */
    unsigned char longer[sizeof der + 1];
    memcpy(longer, der, sizeof der);
    longer[sizeof der] = 0;
    cr_expect_null(attest_asn1_seq(longer, sizeof longer));
    cr_expect_null(attest_asn1_seq(der, sizeof der - 1));
    cr_expect_null(attest_asn1_seq(der, 0));
    cr_expect_null(attest_asn1_seq(NULL, 4));
}
