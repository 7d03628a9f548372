/* What a verification of some evidence would still need from the vendors'
 * services, each item with the request that provides it (issue 10, the
 * offline slice: nothing here touches the network). "Already held" is
 * decided with the predicates the verification uses where that is cheap;
 * when in doubt an item is listed: listing too much costs a request,
 * listing too little makes a verification fail. */
#include "azure_evidence.h"
#include "bundle.h"
#include "needs.h"
#include "../base/builtin_certs.h"
#include "../chain/amd.h"
#include "../chain/intel_pck.h"
#include "../parse/dcap_collateral.h"
#include "../parse/dcap_quote.h"
#include "../parse/nv_rim.h"
#include "../parse/spdm_report.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KDS ATTEST_KDS_URL
#define PCS ATTEST_PCS_URL
#define INTEL_ROOT_CRL ATTEST_INTEL_ROOT_CRL_URL
#define NV_RIM ATTEST_NV_RIM_URL "/v1/rim/"
#define NV_OCSP ATTEST_NV_OCSP_URL

typedef struct need {
    attest_need_kind kind;
    char method[8];   /* "GET", "POST", "" when not fetchable */
    char url[512];
    char subject[192];/* OCSP: "CN=..., serial=..." */
    char reason[320];
    X509 *cert, *issuer; /* OCSP: the certificate and its issuer (owned) */
} need;

struct attest_needs {
    need *items;
    size_t count;
};

/* The collaterals to look in: the caller's, a bundle's own, and the
 * certificates Azure evidence carries (a Trustee container's VCEK). */
#define HELD_MAX 3
typedef struct held {
    const attest_collateral *c[HELD_MAX];
} held;

static int add_need(attest_needs *n, attest_need_kind kind, const char *method, const char *url,
                    const char *subject, const char *reason)
{
    for (size_t i = 0; i < n->count; i++) /* one request serves every check */
        if (n->items[i].kind == kind && !strcmp(n->items[i].url, url) &&
            !strcmp(n->items[i].subject, subject) && kind != ATTEST_NEED_NOT_FETCHABLE)
            return ATTEST_OK;
    need *grown = realloc(n->items, (n->count + 1) * sizeof *grown);
    if (!grown)
        return attest_set_error(ATTEST_E_NOMEM, "needs: out of memory");
    n->items = grown;
    need *e = &n->items[n->count++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    snprintf(e->method, sizeof e->method, "%s", method);
    snprintf(e->url, sizeof e->url, "%s", url);
    snprintf(e->subject, sizeof e->subject, "%s", subject);
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    return ATTEST_OK;
}

/* ---------------------------------------------------------------- AMD */

/* A certificate named `cn` held, or built in (certs/): the verification
 * takes a built-in issuer when the collateral lacks it. Needs are listed
 * without a verifier, so as for the built-in anchors; a caller whose own
 * anchors replace them would not be helped by the vendor's service
 * either, whose certificates are the built-in ones. */
static bool has_cert_cn(const held *h, const char *cn)
{
    char got[96];
    size_t nb;
    const attest_builtin_cert *builtin = attest_builtin_certs(&nb);
    for (size_t i = 0; i < nb; i++) {
        attest_cert_cn(builtin[i].cert, got, sizeof got);
        if (!strcmp(got, cn))
            return true;
    }
    for (int k = 0; k < HELD_MAX; k++)
        for (int i = 0; h->c[k] && i < sk_X509_num(h->c[k]->certs); i++) {
            attest_cert_cn(sk_X509_value(h->c[k]->certs, i), got, sizeof got);
            if (!strcmp(got, cn))
                return true;
        }
    return false;
}

static bool has_crl_by(const held *h, const char *issuer_cn)
{
    char got[96];
    for (int k = 0; k < HELD_MAX; k++)
        for (int i = 0; h->c[k] && i < sk_X509_CRL_num(h->c[k]->crls); i++) {
            X509_NAME *name = X509_CRL_get_issuer(sk_X509_CRL_value(h->c[k]->crls, i));
            if (X509_NAME_get_text_by_NID(name, NID_commonName, got, sizeof got) > 0 &&
                !strcmp(got, issuer_cn))
                return true;
        }
    return false;
}

/* A VEK of the report's kind that the verification would choose as the
 * fitting one (snp_evidence.c choose_vek: TCB and, for a VCEK, hwID);
 * *product (may be NULL) is the product its productName names. */
static bool held_vek(const held *h, const snp_report *rep, bool vlek, snp_product *product)
{
    char cn[64];
    for (int k = 0; k < HELD_MAX; k++)
        for (int i = 0; h->c[k] && i < sk_X509_num(h->c[k]->certs); i++) {
            X509 *c = sk_X509_value(h->c[k]->certs, i);
            amd_vek_info info;
            attest_cert_cn(c, cn, sizeof cn);
            if (strcmp(cn, vlek ? "SEV-VLEK" : "SEV-VCEK") || amd_vek_info_parse(c, &info))
                continue;
            bool tcb = amd_vek_tcb(&info, SNP_PRODUCT_TURIN) == rep->reported_tcb ||
                       amd_vek_tcb(&info, SNP_PRODUCT_MILAN) == rep->reported_tcb;
            bool hwid = vlek || (info.hwid_len &&
                                 !memcmp(info.hwid, rep->chip_id, info.hwid_len));
            if (tcb && hwid && product) {
                char name[32];
                snprintf(name, sizeof name, "%.*s", (int)strcspn(info.product_name, "-"),
                         info.product_name);
                *product = snp_product_from_name(name);
            }
            if (tcb && hwid)
                return true;
        }
    return false;
}

static bool has_vek(const held *h, const snp_report *rep, bool vlek)
{
    return held_vek(h, rep, vlek, NULL);
}

/* The VCEK's KDS URL: product, hwID (Turin: the first 8 bytes of CHIP_ID),
 * and the reported TCB's SPLs (Turin adds fmcSPL). */
static void vcek_url(char *url, size_t n, const snp_report *rep, snp_product p)
{
    char hwid[129];
    snp_tcb t = snp_tcb_decode(rep->reported_tcb, p);
    attest_hex_encode(hwid, rep->chip_id, p == SNP_PRODUCT_TURIN ? 8 : 64);
    if (p == SNP_PRODUCT_TURIN)
        snprintf(url, n, KDS "/vcek/v1/Turin/%s?fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
                 hwid, t.fmc, t.boot_loader, t.tee, t.snp, t.microcode);
    else
        snprintf(url, n, KDS "/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
                 snp_product_name(p), hwid, t.boot_loader, t.tee, t.snp, t.microcode);
}

static int snp_product_needs(attest_needs *n, const held *h, const snp_report *rep,
                             snp_product p, const char *note)
{
    bool vlek = rep->signing_key == SNP_KEY_VLEK;
    const char *key = vlek ? "vlek" : "vcek", *name = snp_product_name(p);
    char url[512], reason[320], ask[64], ark[64];
    int status = ATTEST_OK;
    if (!vlek && !has_vek(h, rep, false)) {
        vcek_url(url, sizeof url, rep, p);
        snprintf(reason, sizeof reason, "cpu0 snp.vek: VCEK of %s%s", name, note);
        status = attest_all_zero(rep->chip_id, sizeof rep->chip_id)
                     ? add_need(n, ATTEST_NEED_NOT_FETCHABLE, "", "", "",
                                "cpu0 snp.vek: VCEK, but MASK_CHIP_KEY hides the chip ID")
                     : add_need(n, ATTEST_NEED_AMD_VCEK, "GET", url, "", reason);
    }
    snprintf(ask, sizeof ask, "%s%s", vlek ? "SEV-VLEK-" : "SEV-", name);
    snprintf(ark, sizeof ark, "ARK-%s", name);
    if (status == ATTEST_OK && (!has_cert_cn(h, ask) || !has_cert_cn(h, ark))) {
        snprintf(url, sizeof url, KDS "/%s/v1/%s/cert_chain", key, name);
        snprintf(reason, sizeof reason, "cpu0 snp.chain: %s and ARK of %s%s",
                 vlek ? "ASVK" : "ASK", name, note);
        status = add_need(n, ATTEST_NEED_AMD_CERT_CHAIN, "GET", url, "", reason);
    }
    if (status == ATTEST_OK && !has_crl_by(h, ark)) {
        snprintf(url, sizeof url, KDS "/%s/v1/%s/crl", key, name);
        snprintf(reason, sizeof reason, "cpu0 snp.crl: CRL of the %s ARK%s", name, note);
        status = add_need(n, ATTEST_NEED_AMD_CRL, "GET", url, "", reason);
    }
    return status;
}

/* A report that names no product (v2: no CPUID fields; v3+ with a CPUID
 * not in the table) lists every product it may be, each marked as a
 * candidate: Milan and Genoa for v2 (Turin reports are v3 or later), all
 * three otherwise. */
static int snp_needs(attest_needs *n, const held *h, const snp_report *rep)
{
    int status = ATTEST_OK;
    if (rep->signing_key == SNP_KEY_VLEK && !has_vek(h, rep, true))
        status = add_need(n, ATTEST_NEED_NOT_FETCHABLE, "", "", "",
                          "cpu0 snp.vek: a VLEK is provisioned by the cloud provider and "
                          "cannot be fetched from KDS: ask the provider");
    if (status != ATTEST_OK || rep->signing_key == SNP_KEY_NONE)
        return status;
    if (rep->cpuid_product != SNP_PRODUCT_UNKNOWN)
        return snp_product_needs(n, h, rep, rep->cpuid_product, "");
    snp_product named = SNP_PRODUCT_UNKNOWN; /* a held VEK names the product */
    if (held_vek(h, rep, rep->signing_key == SNP_KEY_VLEK, &named) &&
        named != SNP_PRODUCT_UNKNOWN)
        return snp_product_needs(n, h, rep, named, "");
    const char *note = " (the report names no product: one of the candidates)";
    for (snp_product p = SNP_PRODUCT_MILAN; status == ATTEST_OK && p <= SNP_PRODUCT_TURIN; p++)
        if (p != SNP_PRODUCT_TURIN || rep->has_cpuid)
            status = snp_product_needs(n, h, rep, p, note);
    return status;
}

/* -------------------------------------------------------------- Intel */

static int pck_crl_need(attest_needs *n, bool processor)
{
    return add_need(n, ATTEST_NEED_INTEL_PCK_CRL, "GET",
                    processor ? PCS "/sgx/certification/v4/pckcrl?ca=processor&encoding=der"
                              : PCS "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
                    "", processor ? "cpu0 dcap.pck_chain: CRL of the Intel SGX PCK Processor CA"
                                  : "cpu0 dcap.pck_chain: CRL of the Intel SGX PCK Platform CA");
}

/* The PCK CA (processor or platform) is the one in the quote's chain;
 * without a readable one both CRLs are listed. */
static int dcap_crl_needs(attest_needs *n, const held *h, STACK_OF(X509) *pck_chain)
{
    char ca[96] = "";
    int status = ATTEST_OK;
    if (sk_X509_num(pck_chain) >= 2)
        attest_cert_cn(sk_X509_value(pck_chain, 1), ca, sizeof ca);
    if (!ca[0])
        status = pck_crl_need(n, true) ? ATTEST_E_NOMEM : pck_crl_need(n, false);
    else if (!has_crl_by(h, ca))
        status = pck_crl_need(n, strstr(ca, "Processor") != NULL);
    if (status == ATTEST_OK && !has_crl_by(h, "Intel SGX Root CA"))
        status = add_need(n, ATTEST_NEED_INTEL_ROOT_CA_CRL, "GET", INTEL_ROOT_CRL, "",
                          "cpu0 dcap.pck_chain: CRL of the Intel SGX Root CA");
    return status;
}

/* A TCB Info of the quote's FMSPC and TEE (intel_chain.c tcb_info_fits). */
static bool has_tcb_info(const held *h, const uint8_t fmspc[6], dcap_tcb_info_id id)
{
    for (int k = 0; k < HELD_MAX; k++)
        for (size_t i = 0; h->c[k] && i < h->c[k]->tcb_info_count; i++)
            if (!memcmp(h->c[k]->tcb_infos[i]->fmspc, fmspc, 6) &&
                h->c[k]->tcb_infos[i]->id == id)
                return true;
    return false;
}

static bool has_identity(const held *h, dcap_identity_id id)
{
    for (int k = 0; k < HELD_MAX; k++)
        for (size_t i = 0; h->c[k] && i < h->c[k]->qe_identity_count; i++)
            if (h->c[k]->qe_identities[i]->id == id)
                return true;
    return false;
}

static int dcap_needs(attest_needs *n, const held *h, const dcap_quote *q)
{
    bool tdx = q->tee_type == DCAP_TEE_TDX;
    const char *tee = tdx ? "tdx" : "sgx";
    char url[512], reason[320], fmspc[13];
    int status = ATTEST_OK;
    STACK_OF(X509) *chain = attest_pem_certs(q->raw + q->pck_chain_off, q->pck_chain_len);
    intel_pck_info pck;
    if (!chain || sk_X509_num(chain) < 1 ||
        intel_pck_info_parse(sk_X509_value(chain, 0), &pck) != ATTEST_OK)
        status = add_need(n, ATTEST_NEED_NOT_FETCHABLE, "", "", "",
                          "cpu0 dcap.tcb_info: the quote's PCK certificate names no FMSPC");
    else if (!has_tcb_info(h, pck.fmspc, tdx ? DCAP_TCB_INFO_TDX : DCAP_TCB_INFO_SGX)) {
        attest_hex_encode(fmspc, pck.fmspc, 6);
        snprintf(url, sizeof url, PCS "/%s/certification/v4/tcb?fmspc=%s", tee, fmspc);
        snprintf(reason, sizeof reason, "cpu0 dcap.tcb_info: %s TCB Info of FMSPC %s",
                 tdx ? "TDX" : "SGX", fmspc);
        status = add_need(n, ATTEST_NEED_INTEL_TCB_INFO, "GET", url, "", reason);
    }
    if (status == ATTEST_OK && !has_identity(h, tdx ? DCAP_ID_TD_QE : DCAP_ID_QE)) {
        snprintf(url, sizeof url, PCS "/%s/certification/v4/qe/identity", tee);
        snprintf(reason, sizeof reason, "cpu0 dcap.qe_identity: %s", tdx ? "TD QE Identity"
                                                                         : "QE Identity");
        status = add_need(n, ATTEST_NEED_INTEL_QE_IDENTITY, "GET", url, "", reason);
    }
    if (status == ATTEST_OK && chain)
        status = dcap_crl_needs(n, h, chain);
    sk_X509_pop_free(chain, X509_free);
    return status;
}

/* ------------------------------------------------------------- NVIDIA */

/* A stored OCSP response about `cert` (issued by `issuer`): one of its
 * single responses has the CertID the certificate has under the response's
 * own hash algorithm. Its nonce is not judged here. */
static bool has_ocsp(const held *h, X509 *cert, X509 *issuer)
{
    for (int k = 0; k < HELD_MAX; k++)
        for (size_t i = 0; h->c[k] && i < h->c[k]->ocsp_count; i++) {
            OCSP_BASICRESP *basic = OCSP_response_get1_basic(h->c[k]->ocsp[i]);
            bool found = false;
            for (int j = 0; basic && !found && j < OCSP_resp_count(basic); j++) {
                const OCSP_CERTID *theirs =
                    OCSP_SINGLERESP_get0_id(OCSP_resp_get0(basic, j));
                ASN1_OBJECT *alg = NULL;
                OCSP_id_get0_info(NULL, &alg, NULL, NULL, (OCSP_CERTID *)theirs);
                const EVP_MD *md = alg ? EVP_get_digestbyobj(alg) : NULL;
                OCSP_CERTID *mine = md ? OCSP_cert_to_id(md, cert, issuer) : NULL;
                found = mine && OCSP_id_cmp(mine, theirs) == 0;
                OCSP_CERTID_free(mine);
            }
            OCSP_BASICRESP_free(basic);
            if (found)
                return true;
        }
    return false;
}

/* An OCSP need, keeping the certificate and its issuer for the fetcher,
 * which builds the request from them (a duplicate keeps the first's). */
static int add_ocsp_need(attest_needs *n, X509 *cert, X509 *issuer, const char *subject,
                         const char *reason)
{
    size_t before = n->count;
    int status = add_need(n, ATTEST_NEED_NVIDIA_OCSP, "POST", NV_OCSP, subject, reason);
    if (status == ATTEST_OK && n->count > before) {
        need *e = &n->items[n->count - 1];
        if (X509_up_ref(cert) != 1)
            return attest_set_error(ATTEST_E_NOMEM, "needs: out of memory");
        e->cert = cert;
        if (X509_up_ref(issuer) != 1)
            return attest_set_error(ATTEST_E_NOMEM, "needs: out of memory");
        e->issuer = issuer;
    }
    return status;
}

/* OCSP for certificates [first, last] of `chain` (leaf first), each
 * issued by the next. */
static int ocsp_needs(attest_needs *n, const held *h, STACK_OF(X509) *chain, int first,
                      int last, const char *check)
{
    int status = ATTEST_OK;
    for (int i = first; status == ATTEST_OK && i <= last && i + 1 < sk_X509_num(chain); i++) {
        X509 *cert = sk_X509_value(chain, i);
        if (has_ocsp(h, cert, sk_X509_value(chain, i + 1)))
            continue;
        char cn[96], serial[80], subject[192], reason[320];
        attest_cert_cn(cert, cn, sizeof cn);
        attest_cert_serial_hex(cert, serial, sizeof serial);
        snprintf(subject, sizeof subject, "CN=%s, serial=%s", cn, serial);
        snprintf(reason, sizeof reason, "%s: certificate %d (%s)", check, i, cn);
        status = add_ocsp_need(n, cert, sk_X509_value(chain, i + 1), subject, reason);
    }
    return status;
}

/* A RIM of the product and colloquialVersion (nv_evidence.c choose_rim,
 * without its signature and chain checks). */
static bool has_rim(const held *h, const char *product, const char *version)
{
    for (int k = 0; k < HELD_MAX; k++)
        for (size_t i = 0; h->c[k] && i < h->c[k]->rim_count; i++) {
            const nv_rim *rim = h->c[k]->rims[i].rim;
            if (rim && !strcasecmp(rim->product, product) &&
                !strcasecmp(rim->colloquial_version, version))
                return true;
        }
    return false;
}

/* "96.00.9F.00.01" -> "96009F0001": dots dropped, upper-case. */
static void version_id(char *out, size_t n, const char *version)
{
    size_t k = 0;
    for (const char *p = version; *p && k + 1 < n; p++)
        if (*p != '.')
            out[k++] = (char)toupper((unsigned char)*p);
    out[k] = '\0';
}

static int rim_need(attest_needs *n, const held *h, const char *product, const char *version,
                    const char *id, const char *prefix, const char *kind)
{
    char url[512], reason[320];
    if (has_rim(h, product, version))
        return ATTEST_OK;
    snprintf(url, sizeof url, NV_RIM "%s", id);
    snprintf(reason, sizeof reason, "%s.%s_rim: %s RIM %s %s", prefix, kind, kind, product,
             version);
    return add_need(n, ATTEST_NEED_NVIDIA_RIM, "GET", url, "", reason);
}

/* The product as nv_evidence.c device_product names it. */
static void device_product(const nv_report *rep, STACK_OF(X509) *chain, char *out, size_t n)
{
    char cn[96] = "";
    if (rep->is_switch)
        snprintf(out, n, "LS10");
    else if (rep->chip_info[0])
        snprintf(out, n, "%s", rep->chip_info);
    else {
        if (sk_X509_num(chain) > 0)
            attest_cert_cn(sk_X509_value(chain, 0), cn, sizeof cn);
        if (!cn[0]) /* a raw report without its chain: Hopper, as NVAT assumes */
            snprintf(cn, sizeof cn, "GH100");
        snprintf(out, n, "%.*s", (int)strcspn(cn, " "), cn);
    }
}

/* RIM ids as NVIDIA's tools form them (research/nvidia.md "RIM
 * identifiers derived from the report"). */
static int device_rim_needs(attest_needs *n, const held *h, const nv_report *rep,
                            const char *product, const char *prefix)
{
    char id[256], v[64];
    int status = ATTEST_OK;
    version_id(v, sizeof v, rep->vbios_version);
    if (rep->is_switch) {
        snprintf(id, sizeof id, "NV_SWITCH_BIOS_5612_0002_890_%s", v);
        return rim_need(n, h, product, rep->vbios_version, id, prefix, "vbios");
    }
    if (!strcasecmp(product, "GH100"))
        snprintf(id, sizeof id, "NV_GPU_DRIVER_GH100_%s", rep->driver_version);
    else
        snprintf(id, sizeof id, "NV_GPU_CC_DRIVER_%s_%s", product, rep->driver_version);
    status = rim_need(n, h, product, rep->driver_version, id, prefix, "driver");
    snprintf(id, sizeof id, "NV_GPU_VBIOS_%s_%s_%s_%s", rep->project, rep->project_sku,
             rep->chip_sku, v);
    return status ? status : rim_need(n, h, product, rep->vbios_version, id, prefix, "vbios");
}

/* The issuer of `cert` among the held certificates, NULL when none. */
static X509 *held_issuer(const held *h, X509 *cert)
{
    for (int k = 0; k < HELD_MAX; k++)
        for (int i = 0; h->c[k] && i < sk_X509_num(h->c[k]->certs); i++) {
            X509 *c = sk_X509_value(h->c[k]->certs, i);
            if (c != cert && X509_check_issued(c, cert) == X509_V_OK)
                return c;
        }
    return NULL;
}

/* Complete `chain` (leaf first) with the built-in issuers its last
 * certificate lacks (an NVIDIA root left out), so that the OCSP needs
 * count the certificates the verification will check. */
static void complete_with_builtin(STACK_OF(X509) *chain)
{
    size_t nb;
    const attest_builtin_cert *builtin = attest_builtin_certs(&nb);
    for (int depth = 0; chain && sk_X509_num(chain) > 0 && depth < 4; depth++) {
        X509 *last = sk_X509_value(chain, sk_X509_num(chain) - 1), *issuer = NULL;
        for (size_t i = 0; !attest_is_self_signed(last) && !issuer && i < nb; i++)
            if (X509_check_issued(builtin[i].cert, last) == X509_V_OK)
                issuer = builtin[i].cert;
        if (!issuer || X509_up_ref(issuer) != 1)
            return;
        if (!sk_X509_push(chain, issuer)) {
            X509_free(issuer);
            return;
        }
    }
}

/* A raw report comes without its chain; the verification then takes the
 * collateral's certificates, the device leaf ("... FMC LF") first
 * (nv_evidence.c). Here they are put in issuer order from that leaf, so
 * that each certificate's CertID can be formed with its issuer. */
static STACK_OF(X509) *chain_from_held(const held *h)
{
    X509 *cert = NULL;
    char cn[96];
    for (int k = 0; !cert && k < 2; k++)
        for (int i = 0; !cert && h->c[k] && i < sk_X509_num(h->c[k]->certs); i++) {
            attest_cert_cn(sk_X509_value(h->c[k]->certs, i), cn, sizeof cn);
            size_t len = strlen(cn);
            if (len >= 6 && !strcmp(cn + len - 6, "FMC LF"))
                cert = sk_X509_value(h->c[k]->certs, i);
        }
    STACK_OF(X509) *chain = cert ? sk_X509_new_null() : NULL;
    /* bounded: a loop of cross-issued certificates must not spin */
    for (int depth = 0; chain && cert && depth < 8; depth++) {
        if (!X509_up_ref(cert))
            break;
        if (!sk_X509_push(chain, cert)) {
            X509_free(cert);
            break;
        }
        cert = attest_is_self_signed(cert) ? NULL : held_issuer(h, cert);
    }
    return chain;
}

/* Each device: its RIMs, and OCSP for its chain's BROM, ICA and Identity
 * certificates (indexes 1..n-2, as the verification checks them; a raw
 * report's chain is looked for among the held certificates). The
 * RIMs' own chains are known only once the RIMs are held: their OCSP is
 * listed for the RIMs in the collateral. */
static int nvidia_needs(attest_needs *n, const held *h, const nv_evidence_set *set)
{
    int status = ATTEST_OK, gpus = 0, switches = 0;
    for (size_t i = 0; status == ATTEST_OK && i < set->count; i++) {
        const nv_device_evidence *e = &set->devices[i];
        char prefix[24], product[32], check[48];
        snprintf(prefix, sizeof prefix, "%s%d", e->report->is_switch ? "switch" : "gpu",
                 e->report->is_switch ? switches++ : gpus++);
        STACK_OF(X509) *chain = e->chain_pem ? attest_pem_certs((const uint8_t *)e->chain_pem,
                                                                strlen(e->chain_pem))
                                             : chain_from_held(h);
        complete_with_builtin(chain);
        device_product(e->report, chain, product, sizeof product);
        status = device_rim_needs(n, h, e->report, product, prefix);
        snprintf(check, sizeof check, "%s.chain.ocsp", prefix);
        if (status == ATTEST_OK && chain)
            status = ocsp_needs(n, h, chain, 1, sk_X509_num(chain) - 2, check);
        sk_X509_pop_free(chain, X509_free);
    }
    return status;
}

/* OCSP for the signing chain of every RIM held (certificates 0..n-2). */
static int rim_chain_needs(attest_needs *n, const held *h)
{
    int status = ATTEST_OK;
    for (int k = 0; k < HELD_MAX; k++)
        for (size_t i = 0; status == ATTEST_OK && h->c[k] && i < h->c[k]->rim_count; i++) {
            const nv_rim *rim = h->c[k]->rims[i].rim;
            STACK_OF(X509) *chain = rim ? sk_X509_new_null() : NULL;
            for (size_t j = 0; chain && j < rim->signer_count; j++) {
                const unsigned char *p = rim->signers[j].der;
                X509 *c = d2i_X509(NULL, &p, (long)rim->signers[j].len);
                if (c && !sk_X509_push(chain, c))
                    X509_free(c);
            }
            complete_with_builtin(chain);
            char check[128];
            snprintf(check, sizeof check, "rim %s %s chain.ocsp", rim ? rim->product : "",
                     rim ? rim->colloquial_version : "");
            if (chain)
                status = ocsp_needs(n, h, chain, 0, sk_X509_num(chain) - 2, check);
            sk_X509_pop_free(chain, X509_free);
        }
    return status;
}

/* ---------------------------------------------------------------- Azure */

/* What the hardware report inside needs, exactly as for the bare SNP
 * report or TD quote. */
static int azure_needs(attest_needs *n, const held *h, const azure_evidence *az)
{
    if (!azure_is_snp(az))
        return az->td_quote ? dcap_needs(n, h, az->td_quote) : ATTEST_OK;
    if (az->snp_status != ATTEST_OK) /* a report version not verified: nothing helps */
        return ATTEST_OK;
    return snp_needs(n, h, &az->snp);
}

/* `h` and the certificates the evidence carried (Trustee JSON: the
 * verification adds them to the collateral, pipeline.c), in a free slot. */
static held with_carried(const held *h, const attest_evidence *ev)
{
    held with = *h;
    for (int k = 0; ev->carried && k < HELD_MAX; k++)
        if (!with.c[k]) {
            with.c[k] = ev->carried;
            break;
        }
    return with;
}

/* ---------------------------------------------------------------- API */

static int evidence_needs(attest_needs *n, const held *h, const attest_evidence *ev)
{
    switch (ev->format) {
    case ATTEST_FORMAT_SNP_REPORT: {
        held with = with_carried(h, ev);
        return snp_needs(n, &with, ev->snp);
    }
    case ATTEST_FORMAT_DCAP_QUOTE:
        return dcap_needs(n, h, ev->dcap);
    case ATTEST_FORMAT_NVIDIA:
        return nvidia_needs(n, h, ev->nv);
    case ATTEST_FORMAT_AZURE_VTPM: {
        held with = with_carried(h, ev);
        return azure_needs(n, &with, ev->azure);
    }
    case ATTEST_FORMAT_BUNDLE: {
        held inner = {{h->c[0], ev->bundle->collateral, NULL}};
        int status = ev->bundle->cpu ? evidence_needs(n, &inner, ev->bundle->cpu) : ATTEST_OK;
        if (status == ATTEST_OK && ev->bundle->gpus)
            status = nvidia_needs(n, &inner, ev->bundle->gpus);
        return status == ATTEST_OK ? rim_chain_needs(n, &inner) : status;
    }
    default:
        return attest_set_error(ATTEST_E_INVALID_ARG, "needs: evidence of no known format");
    }
}

/* An NRAS result held without a key set: NRAS's own JWKS. The keys are
 * judged when the result is verified (jws.c: kid, alg, x5c at the
 * instant), like any key set the caller gives. */
static int nras_keyset_need(attest_needs *n, const attest_collateral *have)
{
    if (!have || !have->nras_result || have->result_keys)
        return ATTEST_OK;
    return add_need(n, ATTEST_NEED_NRAS_JWKS, "GET", ATTEST_NRAS_URL "/.well-known/jwks.json",
                    "NRAS", "the key set of the NRAS result held");
}

int attest_collateral_needs(attest_needs **out, const attest_evidence *ev,
                            const attest_collateral *have)
{
    if (!out || !ev)
        return attest_set_error(ATTEST_E_INVALID_ARG, "needs: NULL argument");
    *out = NULL;
    attest_needs *n = calloc(1, sizeof *n);
    if (!n)
        return attest_set_error(ATTEST_E_NOMEM, "needs: out of memory");
    held h = {{have, NULL, NULL}};
    int status = evidence_needs(n, &h, ev);
    if (status == ATTEST_OK && ev->format == ATTEST_FORMAT_NVIDIA)
        status = rim_chain_needs(n, &h);
    if (status == ATTEST_OK)
        status = nras_keyset_need(n, have);
    if (status != ATTEST_OK) {
        attest_needs_free(n);
        return status;
    }
    *out = n;
    return ATTEST_OK;
}

int attest_needs_empty(attest_needs **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "needs: out of memory");
}

int attest_needs_append(attest_needs *n, attest_need_kind kind, const char *method,
                        const char *url, const char *subject, const char *reason)
{
    return add_need(n, kind, method, url, subject, reason);
}

int attest_needs_ocsp_pair(const attest_needs *n, size_t i, X509 **cert, X509 **issuer)
{
    *cert = n && i < n->count ? n->items[i].cert : NULL;
    *issuer = n && i < n->count ? n->items[i].issuer : NULL;
    return *cert && *issuer ? ATTEST_OK : -1;
}

size_t attest_needs_count(const attest_needs *n)
{
    return n ? n->count : 0;
}

static const need *at(const attest_needs *n, size_t i)
{
    return n && i < n->count ? &n->items[i] : NULL;
}

attest_need_kind attest_needs_kind(const attest_needs *n, size_t i)
{
    return at(n, i) ? at(n, i)->kind : ATTEST_NEED_NOT_FETCHABLE;
}

const char *attest_needs_method(const attest_needs *n, size_t i)
{
    return at(n, i) ? at(n, i)->method : NULL;
}

const char *attest_needs_url(const attest_needs *n, size_t i)
{
    return at(n, i) ? at(n, i)->url : NULL;
}

const char *attest_needs_subject(const attest_needs *n, size_t i)
{
    return at(n, i) ? at(n, i)->subject : NULL;
}

const char *attest_needs_reason(const attest_needs *n, size_t i)
{
    return at(n, i) ? at(n, i)->reason : NULL;
}

const char *attest_need_kind_name(attest_need_kind kind)
{
    static const char *const names[] = {
        [ATTEST_NEED_NOT_FETCHABLE] = "not-fetchable",
        [ATTEST_NEED_AMD_VCEK] = "amd-vcek",
        [ATTEST_NEED_AMD_CERT_CHAIN] = "amd-cert-chain",
        [ATTEST_NEED_AMD_CRL] = "amd-crl",
        [ATTEST_NEED_INTEL_TCB_INFO] = "intel-tcb-info",
        [ATTEST_NEED_INTEL_QE_IDENTITY] = "intel-qe-identity",
        [ATTEST_NEED_INTEL_PCK_CRL] = "intel-pck-crl",
        [ATTEST_NEED_INTEL_ROOT_CA_CRL] = "intel-root-ca-crl",
        [ATTEST_NEED_NVIDIA_RIM] = "nvidia-rim",
        [ATTEST_NEED_NVIDIA_OCSP] = "nvidia-ocsp",
        [ATTEST_NEED_NRAS_JWKS] = "nras-jwks",
    };
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "unknown";
}

int attest_needs_to_json(char **out, const attest_needs *n)
{
    if (!out || !n)
        return attest_set_error(ATTEST_E_INVALID_ARG, "needs: NULL argument");
    json_t *list = json_array();
    for (size_t i = 0; list && i < n->count; i++) {
        const need *e = &n->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "kind", attest_need_kind_name(e->kind),
                              "method", e->method, "url", e->url, "reason", e->reason);
        if (o && e->subject[0])
            json_object_set_new(o, "subject", json_string(e->subject));
        json_array_append_new(list, o);
    }
    *out = list ? json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(list);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "needs: out of memory");
}

void attest_needs_free(attest_needs *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++) {
        X509_free(n->items[i].cert);
        X509_free(n->items[i].issuer);
    }
    free(n->items);
    free(n);
}
