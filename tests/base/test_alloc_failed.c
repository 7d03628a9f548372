/* attest_alloc_failed (lib/base/crypto.c): the one test of "did that call
 * fail for want of memory" that lets a caller report ATTEST_E_NOMEM rather
 * than a parse or signature error. The allocation failures themselves are
 * injected by tests/allocfail (make check-allocfail). */
#include "testutil.h"
#include "base/base.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

Test(alloc_failed, errno_enomem_is_out_of_memory)
{
    ERR_clear_error();
    errno = 0;
    cr_expect(!attest_alloc_failed());
    errno = ENOMEM;
    cr_expect(attest_alloc_failed());
    errno = EINVAL; /* another failure of a system call says nothing */
    cr_expect(!attest_alloc_failed());
}

Test(alloc_failed, openssl_malloc_failure_anywhere_in_the_queue)
{
    errno = 0;
    ERR_raise(ERR_LIB_ASN1, ERR_R_MALLOC_FAILURE);
    ERR_raise(ERR_LIB_ASN1, ERR_R_NESTED_ASN1_ERROR); /* the last entry is not it */
    cr_expect(attest_alloc_failed());
    cr_expect_eq(ERR_peek_error(), 0, "the queue is emptied");
}

Test(alloc_failed, a_parse_error_is_not_out_of_memory)
{
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
    const unsigned char *p = junk;
    errno = 0;
    ERR_clear_error();
    X509 *x = d2i_X509(NULL, &p, sizeof junk);
    cr_assert_null(x);
    cr_expect_neq(ERR_peek_error(), 0, "OpenSSL queued why");
    cr_expect(!attest_alloc_failed());
    cr_expect_eq(ERR_peek_error(), 0, "the queue is emptied");
    BIO *bio = BIO_new_mem_buf("no PEM here", -1);
    cr_assert(bio);
    cr_expect_null(PEM_read_bio_X509(bio, NULL, NULL, NULL));
    cr_expect(!attest_alloc_failed(), "the end of the text (no start line)");
    BIO_free(bio);
}
