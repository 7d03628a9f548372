/* Azure THIM JSON as collateral: checked for consistency with itself,
 * then its certificates added as files. Nothing here trusts THIM: the
 * verification verifies the VCEK to the pinned ARK and binds it to the
 * report's chip ID and TCB whatever THIM said. */
#include "thim_collateral.h"
#include "../chain/amd.h"
#include "../parse/thim.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

/* tcbm is THIM's statement of the VCEK's TCB: it must be the TCB_VERSION
 * the VCEK's own SPL extensions compose (Turin's layout when the VCEK has
 * an FMC SPL, the Milan/Genoa one otherwise), or THIM contradicts itself. */
static int check_vcek(X509 *vcek, uint64_t tcbm)
{
    amd_vek_info info;
    int status = amd_vek_info_parse(vcek, &info);
    if (status != ATTEST_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", attest_error_last());
        return attest_set_error(status, "thim.vcekCert: %s", why);
    }
    if (info.kind != AMD_VEK_VCEK)
        return attest_set_error(ATTEST_E_CERT_PROFILE, "thim.vcekCert: a VLEK, not a VCEK");
    snp_product layout = info.spl[9] >= 0 ? SNP_PRODUCT_TURIN : SNP_PRODUCT_MILAN;
    uint64_t spl = amd_vek_tcb(&info, layout);
    if (spl != tcbm)
        return attest_set_error(ATTEST_E_COLLATERAL_MISMATCH,
                                "thim.tcbm: %016llX, but thim.vcekCert's SPL extensions make "
                                "%016llX", (unsigned long long)tcbm, (unsigned long long)spl);
    return ATTEST_OK;
}

/* certificateChain is ASK then ARK, as KDS's cert_chain: the ARK issued by
 * itself, the ASK by the ARK and the VCEK by the ASK (names and key
 * identifiers here; the signatures are the verification's). */
static int check_chain(X509 *vcek, X509 *ask, X509 *ark)
{
    if (!attest_is_self_signed(ark))
        return attest_set_error(ATTEST_E_CERT_PROFILE,
                                "thim.certificateChain: its second certificate (ARK) is not "
                                "self-signed");
    if (attest_is_self_signed(ask) || X509_check_issued(ark, ask) != X509_V_OK)
        return attest_set_error(ATTEST_E_CERT_PROFILE,
                                "thim.certificateChain: its first certificate (ASK) is not "
                                "issued by its second (ARK)");
    if (X509_check_issued(ask, vcek) != X509_V_OK)
        return attest_set_error(ATTEST_E_CERT_PROFILE,
                                "thim.vcekCert: not issued by thim.certificateChain's ASK");
    return ATTEST_OK;
}

static int check_doc(const thim_doc *doc)
{
    STACK_OF(X509) *vcek = attest_pem_certs((const uint8_t *)doc->vcek_pem,
                                            strlen(doc->vcek_pem));
    STACK_OF(X509) *chain = attest_pem_certs((const uint8_t *)doc->chain_pem,
                                             strlen(doc->chain_pem));
    int status;
    if (!vcek || !chain)
        status = attest_set_error(ATTEST_E_NOMEM, "thim: out of memory");
    else if (sk_X509_num(vcek) != 1)
        status = attest_set_error(ATTEST_E_CERT_PARSE, "thim.vcekCert: does not decode");
    else if (sk_X509_num(chain) != 2)
        status = attest_set_error(ATTEST_E_CERT_PARSE,
                                  "thim.certificateChain: %d of its 2 certificates decode",
                                  sk_X509_num(chain));
    else
        status = check_vcek(sk_X509_value(vcek, 0), doc->tcbm);
    if (status == ATTEST_OK)
        status = check_chain(sk_X509_value(vcek, 0), sk_X509_value(chain, 0),
                             sk_X509_value(chain, 1));
    ERR_clear_error();
    sk_X509_pop_free(vcek, X509_free);
    sk_X509_pop_free(chain, X509_free);
    return status;
}

int attest_collateral_add_thim(attest_collateral *c, const uint8_t *data, size_t len)
{
    thim_doc doc;
    int status = thim_parse(&doc, data, len);
    if (status != ATTEST_OK)
        return status;
    status = check_doc(&doc);
    /* As the two PEM texts given as files: the same code adds them. */
    if (status == ATTEST_OK)
        status = attest_collateral_add(c, (const uint8_t *)doc.vcek_pem, strlen(doc.vcek_pem));
    if (status == ATTEST_OK)
        status = attest_collateral_add(c, (const uint8_t *)doc.chain_pem,
                                       strlen(doc.chain_pem));
    thim_doc_free(&doc);
    return status;
}
