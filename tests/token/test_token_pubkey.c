/* attest_token_pubkey_new / attest_token_verify_key: the arguments and
 * keys the object refuses. Every token check through the object is
 * compared with attest_token_verify's answer in test_token.c (verify_at). */
#include "testutil.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>

static char *public_pem(EVP_PKEY *k, int private_too)
{
    BIO *b = BIO_new(BIO_s_mem());
    cr_assert(b);
    cr_assert((private_too ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)
                           : PEM_write_bio_PUBKEY(b, k)) == 1);
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *out = strndup(data, (size_t)n);
    BIO_free(b);
    return out;
}

Test(token_pubkey, refuses_bad_arguments_and_keys)
{
    attest_token_pubkey *key = (attest_token_pubkey *)1;
    cr_expect_eq(attest_token_pubkey_new(NULL, "x", 1), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_token_pubkey_new(&key, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_expect_null(key);
    cr_expect_eq(attest_token_pubkey_new(&key, "junk", 4), ATTEST_E_INVALID_ARG);
    cr_expect_null(key);
    /* a private key PEM is no verification key */
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    cr_assert(ec);
    char *priv = public_pem(ec, 1);
    cr_expect_eq(attest_token_pubkey_new(&key, priv, strlen(priv)), ATTEST_E_INVALID_ARG);
    cr_expect_null(key);
    /* only P-256 and P-384 */
    EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    cr_assert(p521);
    char *pub521 = public_pem(p521, 0);
    cr_expect_eq(attest_token_pubkey_new(&key, pub521, strlen(pub521)), ATTEST_E_INVALID_ARG);
    cr_expect(strstr(attest_error_last(), "P-256"), "%s", attest_error_last());
    cr_expect_null(key);

    char *pub = public_pem(ec, 0);
    cr_assert_eq(attest_token_pubkey_new(&key, pub, strlen(pub)), ATTEST_OK, "%s",
                 attest_error_last());
    char *claims = (char *)1;
    cr_expect_eq(attest_token_verify_key(NULL, "a.b.c", key, 0, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_token_verify_key(&claims, NULL, key, 0, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_expect_null(claims);
    cr_expect_eq(attest_token_verify_key(&claims, "a.b.c", NULL, 0, NULL, 0),
                 ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_token_verify_key(&claims, "a.b.c", key, 0, NULL, 4),
                 ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_token_verify_key(&claims, "a.b", key, 0, NULL, 0),
                 ATTEST_E_TOKEN_MALFORMED);
    attest_token_pubkey_free(key);
    attest_token_pubkey_free(NULL);
    free(pub);
    free(pub521);
    free(priv);
    EVP_PKEY_free(p521);
    EVP_PKEY_free(ec);
}
