/* Online collateral (issue 10): fetch what attest_collateral_needs lists,
 * in one HTTP batch, and add each answer to the caller's collateral as a
 * file would be added. Nothing fetched is trusted: the verification judges
 * it as it judges files, so a server or a cache can add items but never
 * make evidence pass. OCSP requests carry a fresh nonce each, recorded
 * with the answer so that the verification can tell it live; their answers
 * are never cached (one is for one verification). */
#include "bundle.h"
#include "disk_cache.h"
#include "fetch.h"
#include "formats.h"
#include "needs.h"
#include "../base/x509.h"
#include "../parse/dcap_collateral.h"
#include "../parse/snp_report.h"
#include "../parse/thim.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Anything whose validity cannot be read is cached at most this long. */
#define UNREAD_TTL (24 * 3600)

/* The request nonce of an OCSP request (RFC 8954's recommended 32 bytes). */
#define OCSP_NONCE_LEN 32

/* Rounds of planning and fetching: a RIM fetched in the first one names
 * its signing chain, whose OCSP the second fetches. */
#define ROUNDS 2

struct attest_fetcher {
    char *base[ATTEST_SERVICE_NVIDIA_NRAS + 1]; /* NULL: the default (THIM: none) */
    char *ca_file;
    char *cache_dir;
    bool offline;
    int64_t fixed_time; /* 0: the clock */
    unsigned parallel;  /* 0: the transport's default */
    attest_tcb_update tcb_update;  /* Intel TCB Info / QE Identity `update` */
    unsigned tcb_evaluation;       /* pinned tcbEvaluationDataNumber; 0: none */
    attest_fetch_added_fn on_added;
    void *on_added_ctx;
};

/* One fetchable need, its request and what became of it. */
typedef struct item {
    attest_need_kind kind;
    char url[1024];
    char need_url[512];      /* the URL the need named (default service) */
    char subject[192];       /* OCSP: the certificate the need is about */
    uint8_t *ocsp_req;       /* OCSP: the DER request (OPENSSL_malloc) */
    size_t ocsp_req_len;
    uint8_t nonce[OCSP_NONCE_LEN]; /* OCSP: the request's nonce */
    char failure[320];       /* why it was not added; "" when it was */
    bool pccs_hex;           /* a PCCS /rootcacrl: the body is hex text */
    bool thim;               /* asked of Azure THIM: the body is its JSON */
    bool cached;             /* answered from the cache */
    attest_http_response resp;
} item;

int attest_fetcher_new(attest_fetcher **out)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: NULL argument");
    *out = calloc(1, sizeof **out);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "fetcher: out of memory");
}

void attest_fetcher_free(attest_fetcher *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < sizeof f->base / sizeof f->base[0]; i++)
        free(f->base[i]);
    free(f->ca_file);
    free(f->cache_dir);
    free(f);
}

/* Replace *slot by a copy of s (NULL clears it). */
static int set_string(char **slot, const char *s)
{
    char *copy = NULL;
    if (s && !(copy = strdup(s)))
        return attest_set_error(ATTEST_E_NOMEM, "fetcher: out of memory");
    free(*slot);
    *slot = copy;
    return ATTEST_OK;
}

int attest_fetcher_set_service(attest_fetcher *f, attest_service service, const char *url)
{
    if (!f || (unsigned)service > ATTEST_SERVICE_NVIDIA_NRAS)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: bad service");
    if (url && strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: service URL is not http(s)");
    char trimmed[1024];
    if (url) {
        size_t n = strlen(url);
        while (n && url[n - 1] == '/') /* "https://host/" and "https://host" alike */
            n--;
        if (n >= sizeof trimmed)
            return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: service URL too long");
        memcpy(trimmed, url, n);
        trimmed[n] = '\0';
    }
    return set_string(&f->base[service], url ? trimmed : NULL);
}

int attest_fetcher_set_ca_file(attest_fetcher *f, const char *path)
{
    if (!f)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: NULL argument");
    return set_string(&f->ca_file, path);
}

int attest_fetcher_set_cache_dir(attest_fetcher *f, const char *dir)
{
    if (!f)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: NULL argument");
    return set_string(&f->cache_dir, dir);
}

int attest_fetcher_set_offline(attest_fetcher *f, int offline)
{
    if (!f)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: NULL argument");
    f->offline = offline != 0;
    return ATTEST_OK;
}

int attest_fetcher_set_tcb_evaluation(attest_fetcher *f, attest_tcb_update update,
                                      unsigned evaluation_number)
{
    if (!f || (unsigned)update > ATTEST_TCB_UPDATE_EARLY || evaluation_number > INT32_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: bad TCB update or evaluation number");
    if (update != ATTEST_TCB_UPDATE_DEFAULT && evaluation_number)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: give update or tcbEvaluationDataNumber, "
                                "not both (Intel PCS answers 400)");
    f->tcb_update = update;
    f->tcb_evaluation = evaluation_number;
    return ATTEST_OK;
}

int attest_fetcher_set_parallel(attest_fetcher *f, unsigned parallel)
{
    if (!f || parallel > 64)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: bad parallelism");
    f->parallel = parallel;
    return ATTEST_OK;
}

int attest_fetcher_set_time(attest_fetcher *f, int64_t unix_time)
{
    if (!f || unix_time < 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: bad time");
    f->fixed_time = unix_time;
    return ATTEST_OK;
}

/* snprintf for reasons: a long URL or reason is cut at the field's bound
 * (the needs list's own bound), which is fine for a message. */
__attribute__((format(printf, 3, 4)))
static void say(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

int attest_fetcher_set_on_added(attest_fetcher *f, attest_fetch_added_fn fn, void *ctx)
{
    if (!f)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetcher: NULL argument");
    f->on_added = fn;
    f->on_added_ctx = ctx;
    return ATTEST_OK;
}

static int64_t fetcher_now(const attest_fetcher *f)
{
    return f->fixed_time ? f->fixed_time : (int64_t)time(NULL);
}

/* ------------------------------------------------------------ requests */

/* url with its default prefix replaced by `base` (when set). */
static bool rebase(char *out, size_t n, const char *url, const char *deflt, const char *base)
{
    size_t dl = strlen(deflt);
    if (!base || strncmp(url, deflt, dl))
        return (size_t)snprintf(out, n, "%s", url) < n;
    return (size_t)snprintf(out, n, "%s%s", base, url + dl) < n;
}

/* Append the TCB evaluation the fetcher asks Intel for (update=standard|
 * early, or a pinned tcbEvaluationDataNumber) to a TCB Info or QE Identity
 * URL; false when it does not fit. */
static bool tcb_query(const attest_fetcher *f, item *it)
{
    size_t len = strlen(it->url), room = sizeof it->url - len;
    char sep = strchr(it->url, '?') ? '&' : '?';
    if (f->tcb_evaluation)
        return (size_t)snprintf(it->url + len, room, "%ctcbEvaluationDataNumber=%u", sep,
                                f->tcb_evaluation) < room;
    if (f->tcb_update == ATTEST_TCB_UPDATE_DEFAULT)
        return true;
    return (size_t)snprintf(it->url + len, room, "%cupdate=%s", sep,
                            f->tcb_update == ATTEST_TCB_UPDATE_EARLY ? "early" : "standard") < room;
}

/* The URL the fetcher asks for need `url` of `kind`; false when it is not
 * fetchable. */
static bool request_url(const attest_fetcher *f, attest_need_kind kind, const char *url,
                        item *it)
{
    const char *pcs = f->base[ATTEST_SERVICE_INTEL_PCCS] ? f->base[ATTEST_SERVICE_INTEL_PCCS]
                                                         : f->base[ATTEST_SERVICE_INTEL_PCS];
    switch (kind) {
    case ATTEST_NEED_AMD_VCEK:
    case ATTEST_NEED_AMD_CERT_CHAIN:
    case ATTEST_NEED_AMD_CRL:
        return rebase(it->url, sizeof it->url, url, ATTEST_KDS_URL, f->base[ATTEST_SERVICE_AMD_KDS]);
    case ATTEST_NEED_INTEL_TCB_INFO:
    case ATTEST_NEED_INTEL_QE_IDENTITY:
        return rebase(it->url, sizeof it->url, url, ATTEST_PCS_URL, pcs) && tcb_query(f, it);
    case ATTEST_NEED_INTEL_PCK_CRL:
        return rebase(it->url, sizeof it->url, url, ATTEST_PCS_URL, pcs);
    case ATTEST_NEED_INTEL_ROOT_CA_CRL:
        if (f->base[ATTEST_SERVICE_INTEL_ROOT_CA_CRL])
            return rebase(it->url, sizeof it->url, url, url,
                          f->base[ATTEST_SERVICE_INTEL_ROOT_CA_CRL]);
        if (f->base[ATTEST_SERVICE_INTEL_PCCS]) { /* PCCS serves it itself, as hex */
            it->pccs_hex = true;
            return (size_t)snprintf(it->url, sizeof it->url, "%s/sgx/certification/v4/rootcacrl",
                                    f->base[ATTEST_SERVICE_INTEL_PCCS]) < sizeof it->url;
        }
        return rebase(it->url, sizeof it->url, url, url, NULL);
    case ATTEST_NEED_NVIDIA_RIM:
        return rebase(it->url, sizeof it->url, url, ATTEST_NV_RIM_URL,
                      f->base[ATTEST_SERVICE_NVIDIA_RIM]);
    case ATTEST_NEED_NVIDIA_OCSP:
        return rebase(it->url, sizeof it->url, url, ATTEST_NV_OCSP_URL,
                      f->base[ATTEST_SERVICE_NVIDIA_OCSP]);
    case ATTEST_NEED_NRAS_JWKS:
        return rebase(it->url, sizeof it->url, url, ATTEST_NRAS_URL,
                      f->base[ATTEST_SERVICE_NVIDIA_NRAS]);
    default:
        return false;
    }
}

/* The SNP report `ev` is or carries as a bundle's CPU, or NULL. */
static const snp_report *snp_of(const attest_evidence *ev)
{
    if (ev->format == ATTEST_FORMAT_BUNDLE)
        ev = ev->bundle->cpu;
    return ev && ev->format == ATTEST_FORMAT_SNP_REPORT ? ev->snp : NULL;
}

/* Whether Azure THIM (when configured) serves need `url` of `kind`: a
 * VCEK, or the VCEK chain (THIM answers both in one JSON), of a report
 * that shows its chip ID. */
static bool thim_serves(const attest_fetcher *f, const attest_evidence *ev,
                        attest_need_kind kind, const char *url)
{
    const snp_report *rep = snp_of(ev);
    return f->base[ATTEST_SERVICE_AZURE_THIM] && rep && rep->signing_key == SNP_KEY_VCEK &&
           !attest_all_zero(rep->chip_id, sizeof rep->chip_id) &&
           (kind == ATTEST_NEED_AMD_VCEK ||
            (kind == ATTEST_NEED_AMD_CERT_CHAIN && strstr(url, "/vcek/v1/")));
}

/* THIM asked for the report's own REPORTED_TCB and CHIP_ID (tcbVersion,
 * platformId, upper-case hex as Microsoft's examples write them): without
 * them THIM answers for the host's current TCB and chip, which a report
 * taken before a firmware update, or from another host, does not match. */
static bool thim_request(const attest_fetcher *f, const snp_report *rep, item *it)
{
    const char *base = f->base[ATTEST_SERVICE_AZURE_THIM];
    char chip[2 * sizeof rep->chip_id + 1];
    attest_hex_encode(chip, rep->chip_id, sizeof rep->chip_id);
    for (char *c = chip; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    it->thim = true;
    return (size_t)snprintf(it->url, sizeof it->url, "%s%ctcbVersion=%016llX&platformId=%s",
                            base, strchr(base, '?') ? '&' : '?',
                            (unsigned long long)rep->reported_tcb, chip) < sizeof it->url;
}

/* The request of an item: an OCSP POST, or a GET (THIM's with the header
 * IMDS requires of every caller). */
static attest_http_request request_of(const item *it)
{
    static const char *const thim_headers[] = {"Metadata: true"};
    if (it->kind == ATTEST_NEED_NVIDIA_OCSP)
        return (attest_http_request){.method = ATTEST_HTTP_POST, .url = it->url,
                                     .body = it->ocsp_req, .body_len = it->ocsp_req_len,
                                     .content_type = "application/ocsp-request"};
    if (it->thim)
        return (attest_http_request){.method = ATTEST_HTTP_GET, .url = it->url,
                                     .headers = thim_headers, .n_headers = 1};
    return (attest_http_request){.method = ATTEST_HTTP_GET, .url = it->url};
}

static const char *method_of(const item *it)
{
    return it->kind == ATTEST_NEED_NVIDIA_OCSP ? "POST" : "GET";
}

/* The DER OCSP request about `cert` (issued by `issuer`) into it->ocsp_req:
 * its CertID hashed with SHA-384 and a fresh random 32-byte nonce, as
 * NVIDIA's verifier (nvtrust) asks.
 *
 * The nonce extension is NON-critical (OCSP_request_add1_nonce's default),
 * where nvtrust marks it critical. RFC 6960 4.4 says the critical flag
 * SHOULD NOT be set on any OCSP extension, and RFC 8954 keeps the nonce
 * optional for responders. Criticality only changes what a responder that
 * does not support nonces does: refuse the request (critical) or answer
 * without a nonce (non-critical). Our check does not depend on it: an
 * answer that does not echo the nonce is judged stored, refused by the
 * default policy (nvidia.allow_stored_ocsp false), and one echoing another
 * nonce fails. NVIDIA's responder answers both forms, nvtrust's critical
 * and NVAT's non-critical one, echoing the nonce (research/online.md 4). */
static int ocsp_request(item *it, X509 *cert, X509 *issuer)
{
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id = req ? OCSP_cert_to_id(EVP_sha384(), cert, issuer) : NULL;
    bool ok = id && OCSP_request_add0_id(req, id) != NULL;
    if (!ok)
        OCSP_CERTID_free(id); /* not owned by req unless added */
    ok = ok && RAND_bytes(it->nonce, sizeof it->nonce) == 1 &&
         OCSP_request_add1_nonce(req, it->nonce, sizeof it->nonce) == 1;
    unsigned char *der = NULL;
    int len = ok ? i2d_OCSP_REQUEST(req, &der) : -1;
    OCSP_REQUEST_free(req);
    if (len <= 0)
        return attest_set_error(ATTEST_E_INTERNAL, "fetch: cannot build the OCSP request for %s",
                                it->subject);
    it->ocsp_req = der;
    it->ocsp_req_len = (size_t)len;
    return ATTEST_OK;
}

/* -------------------------------------------------------------- bodies */

/* Percent-decode s (a '+' stays a '+': Intel sends it as %2B, and a
 * form-decoder turning it into a space would break the base64). */
static char *percent_decode(const char *s)
{
    size_t n = strlen(s), j = 0;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        uint8_t byte;
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            attest_hex_decode(&byte, 1, hex);
            out[j++] = (char)byte;
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

/* Intel's issuer-chain header names per answer, the v4 name first, then
 * the v3 one (research/online.md 2: only TCB Info's differs between the
 * versions, "SGX-TCB-Info-Issuer-Chain" in v3; QE Identity and the PCK CRL
 * keep theirs), matched case-insensitively (the wire case varies). */
static const struct {
    attest_need_kind kind;
    const char *v4, *v3; /* v3 NULL: the same name */
} ISSUER_CHAIN_HEADERS[] = {
    {ATTEST_NEED_INTEL_TCB_INFO, "TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"},
    {ATTEST_NEED_INTEL_QE_IDENTITY, "SGX-Enclave-Identity-Issuer-Chain", NULL},
    {ATTEST_NEED_INTEL_PCK_CRL, "SGX-PCK-CRL-Issuer-Chain", NULL},
};

/* The Intel issuer-chain header of an answer, or NULL. */
static const char *issuer_chain(const item *it)
{
    const attest_http_header *h = it->resp.headers;
    size_t n = it->resp.n_headers;
    for (size_t i = 0; i < sizeof ISSUER_CHAIN_HEADERS / sizeof *ISSUER_CHAIN_HEADERS; i++) {
        if (ISSUER_CHAIN_HEADERS[i].kind != it->kind)
            continue;
        const char *v = attest_http_header_find(h, n, ISSUER_CHAIN_HEADERS[i].v4);
        if (!v && ISSUER_CHAIN_HEADERS[i].v3)
            v = attest_http_header_find(h, n, ISSUER_CHAIN_HEADERS[i].v3);
        return v;
    }
    return NULL;
}

/* Decode a PCCS /rootcacrl body (hex text of the DER CRL, maybe with a
 * trailing newline) into *der. */
static int hex_body(const attest_http_response *r, uint8_t **der, size_t *len)
{
    size_t n = r->body_len;
    while (n && isspace(r->body[n - 1]))
        n--;
    char *hex = malloc(n + 1);
    *der = malloc(n / 2 + 1);
    if (!hex || !*der) {
        free(hex);
        free(*der);
        *der = NULL;
        return attest_set_error(ATTEST_E_NOMEM, "fetch: out of memory");
    }
    memcpy(hex, r->body, n);
    hex[n] = '\0';
    int ok = n % 2 == 0 && attest_hex_decode(*der, n / 2, hex) == 0;
    free(hex);
    *len = n / 2;
    if (!ok) {
        free(*der);
        *der = NULL;
        return attest_set_error(ATTEST_E_MALFORMED, "fetch: PCCS rootcacrl body is not hex");
    }
    return ATTEST_OK;
}

/* The id a RIM service URL asks for: its last path segment. */
static const char *rim_id_of(const char *url)
{
    const char *slash = strrchr(url, '/');
    return slash ? slash + 1 : url;
}

/* The RIM service's JSON (formats.c, shared with the RIM service JSON
 * given as a collateral file): the id must be the one asked for and the
 * digest must match; then *xml is the decoded RIM. */
static int rim_unwrap(const item *it, uint8_t **xml, size_t *len)
{
    return attest_rim_json_unwrap(it->resp.body, it->resp.body_len, rim_id_of(it->url), "fetch",
                                  xml, len, NULL, 0);
}

/* ------------------------------------------------------------- expiry */

static void min_time(int64_t *t, int64_t v)
{
    if (v < *t)
        *t = v;
}

/* The earliest notAfter of the certificates in `data` (DER or PEM). */
static bool certs_expiry(const uint8_t *data, size_t len, int64_t *t)
{
    bool read = false;
    int64_t nb, na;
    const uint8_t *p = data;
    X509 *der = d2i_X509(NULL, &p, (long)len);
    if (der) {
        read = attest_cert_validity(der, &nb, &na) == 0;
        if (read)
            min_time(t, na);
        X509_free(der);
        return read;
    }
    STACK_OF(X509) *pem = attest_pem_certs(data, len);
    for (int i = 0; pem && i < sk_X509_num(pem); i++)
        if (attest_cert_validity(sk_X509_value(pem, i), &nb, &na) == 0) {
            min_time(t, na);
            read = true;
        }
    sk_X509_pop_free(pem, X509_free);
    return read;
}

static bool crl_expiry(const uint8_t *data, size_t len, int64_t *t)
{
    const uint8_t *p = data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    const ASN1_TIME *next = crl ? X509_CRL_get0_nextUpdate(crl) : NULL;
    int64_t v;
    bool read = next && attest_asn1_time_to_unix(next, &v) == 0;
    if (read)
        min_time(t, v);
    X509_CRL_free(crl);
    return read;
}

static bool dcap_expiry(attest_need_kind kind, const uint8_t *data, size_t len, int64_t *t)
{
    if (kind == ATTEST_NEED_INTEL_TCB_INFO) {
        dcap_tcb_info *ti = NULL;
        if (dcap_tcb_info_parse(&ti, data, len))
            return false;
        min_time(t, ti->next_update);
        dcap_tcb_info_free(ti);
        return true;
    }
    dcap_qe_identity *qe = NULL;
    if (dcap_qe_identity_parse(&qe, data, len))
        return false;
    min_time(t, qe->next_update);
    dcap_qe_identity_free(qe);
    return true;
}

/* Until when the answer `data` (as added) with issuer chain `pem` may be
 * served from the cache: its own nextUpdate or notAfter, and its chain's;
 * a RIM (no validity of its own) a day. 0: do not cache. */
static int64_t answer_expiry(attest_need_kind kind, const uint8_t *data, size_t len,
                             const char *pem, int64_t now)
{
    int64_t t = INT64_MAX;
    bool read;
    switch (kind) {
    case ATTEST_NEED_AMD_VCEK:
    case ATTEST_NEED_AMD_CERT_CHAIN:
        read = certs_expiry(data, len, &t);
        break;
    case ATTEST_NEED_AMD_CRL:
    case ATTEST_NEED_INTEL_PCK_CRL:
    case ATTEST_NEED_INTEL_ROOT_CA_CRL:
        read = crl_expiry(data, len, &t);
        break;
    case ATTEST_NEED_INTEL_TCB_INFO:
    case ATTEST_NEED_INTEL_QE_IDENTITY:
        read = dcap_expiry(kind, data, len, &t);
        break;
    case ATTEST_NEED_NVIDIA_RIM:
        read = true;
        t = now + UNREAD_TTL;
        break;
    default:
        read = false;
    }
    if (read && pem)
        read = certs_expiry((const uint8_t *)pem, strlen(pem), &t);
    return read && t > now ? t : 0;
}

/* A pinned tcbEvaluationDataNumber is enforced, not only asked for: a
 * TCB Info or QE Identity answer (from the server or the cache) of another
 * evaluation, or one whose number cannot be read, is refused. */
static int check_evaluation(const attest_fetcher *f, attest_need_kind kind, const uint8_t *data,
                            size_t len)
{
    int got = -1;
    if (!f->tcb_evaluation ||
        (kind != ATTEST_NEED_INTEL_TCB_INFO && kind != ATTEST_NEED_INTEL_QE_IDENTITY))
        return ATTEST_OK;
    if (kind == ATTEST_NEED_INTEL_TCB_INFO) {
        dcap_tcb_info *ti = NULL;
        if (dcap_tcb_info_parse(&ti, data, len) == 0)
            got = ti->tcb_evaluation_data_number;
        dcap_tcb_info_free(ti);
    } else {
        dcap_qe_identity *qe = NULL;
        if (dcap_qe_identity_parse(&qe, data, len) == 0)
            got = qe->tcb_evaluation_data_number;
        dcap_qe_identity_free(qe);
    }
    if (got < 0)
        return attest_set_error(ATTEST_E_MALFORMED, "fetch: %s unreadable: its "
                                "tcbEvaluationDataNumber cannot be checked",
                                attest_need_kind_name(kind));
    if ((unsigned)got != f->tcb_evaluation)
        return attest_set_error(ATTEST_E_COLLATERAL_MISMATCH,
                                "fetch: %s has tcbEvaluationDataNumber %d, %u was asked for",
                                attest_need_kind_name(kind), got, f->tcb_evaluation);
    return ATTEST_OK;
}

/* A THIM answer's: cacheControl seconds from now, and no later than its
 * certificates' notAfter. */
static int64_t thim_expiry(const uint8_t *data, size_t len, int64_t now)
{
    thim_doc doc;
    if (thim_parse(&doc, data, len) != ATTEST_OK)
        return 0;
    int64_t t = now + (int64_t)doc.cache_seconds;
    bool read = certs_expiry((const uint8_t *)doc.vcek_pem, strlen(doc.vcek_pem), &t) &&
                certs_expiry((const uint8_t *)doc.chain_pem, strlen(doc.chain_pem), &t);
    thim_doc_free(&doc);
    return read && t > now ? t : 0;
}

/* attest_collateral_add, then tell the caller's callback what was added. */
static int add_item(const attest_fetcher *f, attest_collateral *coll, attest_need_kind kind,
                    const uint8_t *data, size_t len)
{
    int status = attest_collateral_add(coll, data, len);
    if (status == ATTEST_OK && f->on_added)
        f->on_added(f->on_added_ctx, kind, data, len);
    return status;
}

static int add_answer(const attest_fetcher *f, const item *it, attest_collateral *coll,
                      int64_t now, int64_t *expires)
{
    const attest_http_response *r = &it->resp;
    uint8_t *owned = NULL;
    const uint8_t *data = r->body;
    size_t len = r->body_len;
    int status = ATTEST_OK;
    char *pem = NULL;
    const char *chain = issuer_chain(it);
    /* A PCCS /rootcacrl is hex text ("30..." starts with '3'); one that
     * answers the DER itself (a SEQUENCE, 0x30) is taken as it is. */
    if (it->kind == ATTEST_NEED_NVIDIA_OCSP) { /* with its nonce: live, not stored */
        status = attest_collateral_add_ocsp(coll, r->body, r->body_len, it->nonce,
                                            sizeof it->nonce);
        if (status == ATTEST_OK && f->on_added)
            f->on_added(f->on_added_ctx, it->kind, r->body, r->body_len);
        *expires = 0; /* never cached: a nonce'd answer is for one verification */
        return status;
    }
    if (it->thim && !thim_detect(r->body, r->body_len)) /* PEM or DER would be added */
        status = attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                  "fetch: Azure THIM answered no THIM JSON");
    else if (it->pccs_hex && !(r->body_len && r->body[0] == 0x30))
        status = hex_body(r, &owned, &len);
    else if (it->kind == ATTEST_NEED_NVIDIA_RIM)
        status = rim_unwrap(it, &owned, &len);
    if (owned)
        data = owned;
    if (status == ATTEST_OK)
        status = check_evaluation(f, it->kind, data, len);
    if (status == ATTEST_OK)
        status = add_item(f, coll, it->kind, data, len);
    if (status == ATTEST_OK && chain && !(pem = percent_decode(chain)))
        status = attest_set_error(ATTEST_E_NOMEM, "fetch: out of memory");
    if (status == ATTEST_OK && pem)
        status = add_item(f, coll, it->kind, (const uint8_t *)pem, strlen(pem));
    *expires = status != ATTEST_OK ? 0
               : it->thim ? thim_expiry(data, len, now)
                          : answer_expiry(it->kind, data, len, pem, now);
    free(owned);
    free(pem);
    return status;
}

/* ---------------------------------------------------------- the batch */

/* Every item attempted so far, over the rounds. */
typedef struct batch {
    item *items;
    size_t n;
} batch;

static void item_free(item *it)
{
    attest_http_response_free(&it->resp);
    OPENSSL_free(it->ocsp_req);
    it->ocsp_req = NULL;
}

static const item *attempt_of(const item *items, size_t n, attest_need_kind kind, const char *url,
                              const char *subject)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].kind == kind && !strcmp(items[i].need_url, url) &&
            !strcmp(items[i].subject, subject))
            return &items[i];
    return NULL;
}

/* Need i of `needs` as an item; *take: it is fetchable. */
static int plan_one(const attest_fetcher *f, const attest_evidence *ev,
                    const attest_needs *needs, size_t i, item *it, bool *take)
{
    memset(it, 0, sizeof *it);
    it->kind = attest_needs_kind(needs, i);
    say(it->need_url, sizeof it->need_url, "%s", attest_needs_url(needs, i));
    say(it->subject, sizeof it->subject, "%s", attest_needs_subject(needs, i));
    *take = thim_serves(f, ev, it->kind, it->need_url) ? thim_request(f, snp_of(ev), it)
                                                        : request_url(f, it->kind, it->need_url, it);
    if (!*take || it->kind != ATTEST_NEED_NVIDIA_OCSP)
        return ATTEST_OK;
    X509 *cert, *issuer;
    *take = attest_needs_ocsp_pair(needs, i, &cert, &issuer) == 0;
    return *take ? ocsp_request(it, cert, issuer) : ATTEST_OK;
}

/* The THIM item asked already with the same URL (a VCEK and its chain, or
 * a v2 report's candidate products, are one THIM request), or NULL. */
static const item *same_thim(const item *items, size_t n, const item *it)
{
    for (size_t i = 0; it->thim && i < n; i++)
        if (items[i].thim && !strcmp(items[i].url, it->url))
            return &items[i];
    return NULL;
}

/* Append the fetchable items of `needs` not attempted in an earlier round. */
static int plan(const attest_fetcher *f, const attest_evidence *ev, const attest_needs *needs,
                batch *b)
{
    size_t n = attest_needs_count(needs);
    item *grown = realloc(b->items, (b->n + n + 1) * sizeof *grown);
    if (!grown)
        return attest_set_error(ATTEST_E_NOMEM, "fetch: out of memory");
    b->items = grown;
    for (size_t i = 0; i < n; i++) {
        if (attempt_of(b->items, b->n, attest_needs_kind(needs, i), attest_needs_url(needs, i),
                       attest_needs_subject(needs, i)))
            continue;
        item *it = &b->items[b->n];
        bool take = false;
        int status = plan_one(f, ev, needs, i, it, &take);
        if (status != ATTEST_OK || !take || same_thim(b->items, b->n, it)) {
            item_free(it);
            if (status != ATTEST_OK)
                return status;
            continue;
        }
        b->n++;
    }
    return ATTEST_OK;
}

/* Fill the answers found in the cache (never OCSP); the rest is left not
 * completed. */
static void from_cache(const attest_disk_cache *cache, item *items, size_t n, int64_t now)
{
    for (size_t i = 0; cache && i < n; i++) {
        if (items[i].kind == ATTEST_NEED_NVIDIA_OCSP)
            continue;
        attest_http_request req = request_of(&items[i]);
        attest_cache_entry e;
        if (attest_disk_cache_get(cache, &req, now, &e) != 1)
            continue;
        attest_http_response *r = &items[i].resp;
        r->completed = true;
        r->status = 200;
        r->body = e.body;
        r->body_len = e.body_len;
        r->headers = e.headers;
        r->n_headers = e.n_headers;
        items[i].cached = true;
    }
}

/* One curl batch for the items the cache did not answer. */
static int fetch_rest(const attest_fetcher *f, item *items, size_t n)
{
    attest_http_request *reqs = calloc(n ? n : 1, sizeof *reqs);
    attest_http_response *resps = calloc(n ? n : 1, sizeof *resps);
    size_t *at = calloc(n ? n : 1, sizeof *at), k = 0;
    int status = ATTEST_OK;
    if (!reqs || !resps || !at)
        status = attest_set_error(ATTEST_E_NOMEM, "fetch: out of memory");
    for (size_t i = 0; status == ATTEST_OK && i < n; i++)
        if (!items[i].cached) {
            reqs[k] = request_of(&items[i]);
            at[k++] = i;
        }
    attest_http_options opt = {.ca_file = f->ca_file, .parallel = f->parallel};
    if (status == ATTEST_OK && k)
        status = attest_http_fetch(reqs, k, &opt, resps);
    for (size_t j = 0; status == ATTEST_OK && j < k; j++)
        items[at[j]].resp = resps[j]; /* moved: the item frees it */
    free(reqs);
    free(resps);
    free(at);
    return status;
}

/* Add each answer; note why an item was not added, and cache the rest. */
static void apply(const attest_fetcher *f, attest_disk_cache *cache, item *items, size_t n,
                  attest_collateral *coll)
{
    int64_t now = fetcher_now(f);
    for (size_t i = 0; i < n; i++) {
        item *it = &items[i];
        attest_http_response *r = &it->resp;
        const char *method = method_of(it);
        int64_t expires = 0;
        if (!r->completed && f->offline)
            say(it->failure, sizeof it->failure, "offline: not in the cache: %s %s", method,
                it->url);
        else if (!r->completed)
            say(it->failure, sizeof it->failure, "%s %s failed: %s", method, it->url, r->error);
        else if (r->status != 200)
            say(it->failure, sizeof it->failure, "%s %s: HTTP %ld", method, it->url, r->status);
        else if (add_answer(f, it, coll, now, &expires) != ATTEST_OK)
            say(it->failure, sizeof it->failure, "%s %s: answer refused: %s", method, it->url,
                attest_error_last());
        else if (cache && !it->cached && expires) {
            attest_http_request req = request_of(it);
            attest_disk_cache_put(cache, &req, r->body, r->body_len, r->headers, r->n_headers,
                                  now, expires); /* a failed put costs a fetch next time */
        }
    }
}

/* The THIM request made, if any (it served every VCEK need and chain). */
static const item *thim_attempt(const item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].thim)
            return &items[i];
    return NULL;
}

/* What `coll` still lacks after the rounds, each reason saying why: the
 * failure of its request, an answer that did not fit (another chip's
 * VCEK: added, and the verification will say so), or not fetched. */
static int still_missing(attest_needs **out, const attest_evidence *ev,
                         const attest_collateral *coll, const item *items, size_t n)
{
    attest_needs *now = NULL, *left = NULL;
    int status = attest_collateral_needs(&now, ev, coll);
    if (status == ATTEST_OK)
        status = attest_needs_empty(&left);
    for (size_t i = 0; status == ATTEST_OK && i < attest_needs_count(now); i++) {
        attest_need_kind kind = attest_needs_kind(now, i);
        const char *url = attest_needs_url(now, i), *why = attest_needs_reason(now, i);
        const char *subject = attest_needs_subject(now, i);
        const item *it = attempt_of(items, n, kind, url, subject);
        if (!it && (kind == ATTEST_NEED_AMD_VCEK || kind == ATTEST_NEED_AMD_CERT_CHAIN))
            it = thim_attempt(items, n);
        char reason[320];
        if (it && it->failure[0])
            say(reason, sizeof reason, "%s (%s)", it->failure, why);
        else if (it)
            say(reason, sizeof reason, "%s %s: added, but it does not fit (%s)", method_of(it),
                it->url, why);
        else if (kind != ATTEST_NEED_NOT_FETCHABLE)
            say(reason, sizeof reason, "not fetched (%s)", why);
        else
            say(reason, sizeof reason, "%s", why);
        status = attest_needs_append(left, kind, attest_needs_method(now, i), url, subject,
                                     reason);
    }
    attest_needs_free(now);
    if (status != ATTEST_OK) {
        attest_needs_free(left);
        left = NULL;
    }
    *out = left;
    return status;
}

/* Plan what `coll` lacks and was not attempted yet, fetch it (the cache
 * first) and add the answers. */
static int fetch_round(const attest_fetcher *f, const attest_evidence *ev,
                       attest_collateral *coll, attest_disk_cache **cache, batch *b)
{
    attest_needs *needs = NULL;
    size_t from = b->n;
    int status = attest_collateral_needs(&needs, ev, coll);
    if (status == ATTEST_OK)
        status = plan(f, ev, needs, b);
    attest_needs_free(needs);
    item *items = b->items + from; /* after plan: it may have moved them */
    size_t n = b->n - from;
    if (status == ATTEST_OK && n && f->cache_dir && !*cache)
        status = attest_disk_cache_open(cache, f->cache_dir, 0);
    if (status == ATTEST_OK && n) {
        from_cache(*cache, items, n, fetcher_now(f));
        if (!f->offline)
            status = fetch_rest(f, items, n);
    }
    if (status == ATTEST_OK && n)
        apply(f, *cache, items, n, coll);
    return status;
}

int attest_fetcher_request_url(const attest_fetcher *f, const attest_evidence *ev,
                               const attest_needs *needs, size_t i, char *out, size_t n)
{
    if (!f || !ev || !needs || !out || n == 0 || i >= attest_needs_count(needs))
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetch: bad argument");
    item it;
    memset(&it, 0, sizeof it);
    attest_need_kind kind = attest_needs_kind(needs, i);
    const char *url = attest_needs_url(needs, i);
    bool take = thim_serves(f, ev, kind, url) ? thim_request(f, snp_of(ev), &it)
                                              : request_url(f, kind, url, &it);
    if (!take)
        it.url[0] = '\0';
    if (strlen(it.url) >= n)
        return attest_set_error(ATTEST_E_LENGTH, "fetch: URL longer than %zu bytes", n - 1);
    memcpy(out, it.url, strlen(it.url) + 1);
    return ATTEST_OK;
}

int attest_fetch_collateral(attest_fetcher *f, const attest_evidence *ev,
                            attest_collateral *coll, attest_needs **missing)
{
    if (!f || !ev || !coll || !missing)
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetch: NULL argument");
    *missing = NULL;
    /* A PCCS ignores tcbEvaluationDataNumber (research/online.md 2): it
     * would answer its latest evaluation, not the pinned one. */
    if (f->tcb_evaluation && f->base[ATTEST_SERVICE_INTEL_PCCS])
        return attest_set_error(ATTEST_E_INVALID_ARG, "fetch: a PCCS does not support "
                                "tcbEvaluationDataNumber; pin it against the Intel PCS");
    attest_disk_cache *cache = NULL;
    batch b = {0};
    int status = ATTEST_OK;
    for (int round = 0; status == ATTEST_OK && round < ROUNDS; round++) {
        size_t before = b.n;
        status = fetch_round(f, ev, coll, &cache, &b);
        if (b.n == before)
            break; /* nothing new to ask for */
    }
    if (status == ATTEST_OK)
        status = still_missing(missing, ev, coll, b.items, b.n);
    for (size_t i = 0; i < b.n; i++)
        item_free(&b.items[i]);
    free(b.items);
    attest_disk_cache_close(cache);
    return status;
}
