/* NVIDIA GPU / NVSwitch verification against the generated test PKIs
 * (vectors/gen/nvgen.h, build/testpki/nvidia*): one accepted system per
 * device kind, then a negative test per check, each expecting its own
 * error code and naming the check that failed.
 *
 * Every object is valid at NVGEN_T_VERIFY (2025-06-01T12:00:00Z), inside
 * the generated OCSP windows (2025-06-01T00:00Z .. 2025-06-02T00:00Z).
 * The stored OCSP responses carry no nonce (asserted below), so the
 * accepted cases use {"nvidia":{"allow_stored_ocsp":true}}; live ones
 * (a nonce equal to the request nonce recorded with
 * attest_collateral_add_ocsp) are built where needed. */
#include "testutil.h"
#include "nvgen.h"
#include "chain/collateral.h"
#include "parse/nv_rim.h"
#include "parse/spdm_report.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#define STORED "{\"nvidia\":{\"allow_stored_ocsp\":true}}"
#define STORED_WITH(extra) "{\"nvidia\":{\"allow_stored_ocsp\":true," extra "}}"

#define MAX_ITEMS 48

/* One collateral item, kept as bytes so that a test can replace it. */
typedef struct item {
    char tag[24];
    uint8_t *data;
    size_t len;
    uint8_t request_nonce[32]; /* an OCSP response: the request nonce it */
    size_t request_nonce_len;  /* answers (attest_collateral_add_ocsp) */
} item;

typedef struct nvfx {
    nvgen_pki *pki;
    char dir[512];
    nvgen_report_desc *desc; /* device 0's report */
    EVP_PKEY *sign_key;      /* NULL: device 0's leaf key */
    item items[MAX_ITEMS];
    size_t n_items;
    uint8_t dev_pin[32], rim_pin[32];
    uint8_t dev_pin2[32], rim_pin2[32]; /* pinned too when has_pin2 */
    bool has_pin2;
    int64_t at;
    char failed[96];         /* first failing check of the last verification */
    char reason[512];
} nvfx;

/* ---- helpers ------------------------------------------------------------ */

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned b;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &b), 1, "bad hex '%s'", hex);
        out[i] = (uint8_t)b;
    }
}

static void read_pin(const char *dir, const char *file, uint8_t out[32])
{
    char path[600];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *hex = (char *)tu_read(path, &len);
    cr_assert(hex && len >= 64, "cannot read %s", path);
    unhex(hex, out, 32);
    free(hex);
}

static item *fx_find(nvfx *f, const char *tag)
{
    for (size_t i = 0; i < f->n_items; i++)
        if (!strcmp(f->items[i].tag, tag))
            return &f->items[i];
    return NULL;
}

/* Add or replace the item `tag`; takes ownership of data (malloc'd). */
static void fx_put(nvfx *f, const char *tag, void *data, size_t len)
{
    cr_assert(data && len, "item %s is empty", tag);
    item *it = fx_find(f, tag);
    if (!it) {
        cr_assert(f->n_items < MAX_ITEMS);
        it = &f->items[f->n_items++];
        snprintf(it->tag, sizeof it->tag, "%s", tag);
    } else {
        free(it->data);
    }
    it->data = data;
    it->len = len;
    it->request_nonce_len = 0;
}

static void fx_drop(nvfx *f, const char *tag)
{
    item *it = fx_find(f, tag);
    cr_assert(it, "no item %s", tag);
    free(it->data);
    size_t k = (size_t)(it - f->items);
    memmove(it, it + 1, (f->n_items - k - 1) * sizeof *it);
    f->n_items--;
}

static uint8_t *read_rel(const char *dir, const char *rel, size_t *len)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    uint8_t *data = tu_read(path, len);
    cr_assert(data && *len, "cannot read %s", path);
    return data;
}

static void fx_put_file(nvfx *f, const char *tag, const char *dir, const char *rel)
{
    size_t len = 0;
    uint8_t *data = read_rel(dir, rel, &len);
    fx_put(f, tag, data, len);
}

static void fx_put_ocsp(nvfx *f, const char *tag, OCSP_RESPONSE *resp)
{
    cr_assert(resp);
    unsigned char *der = NULL;
    int n = i2d_OCSP_RESPONSE(resp, &der);
    cr_assert(n > 0);
    uint8_t *copy = malloc((size_t)n);
    cr_assert(copy);
    memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    OCSP_RESPONSE_free(resp);
    fx_put(f, tag, copy, (size_t)n);
}

/* The same, recorded as the answer to a request with `nonce`. */
static void fx_put_ocsp_answering(nvfx *f, const char *tag, OCSP_RESPONSE *resp,
                                  const uint8_t *nonce, size_t nonce_len)
{
    fx_put_ocsp(f, tag, resp);
    item *it = fx_find(f, tag);
    cr_assert(nonce_len <= sizeof it->request_nonce);
    if (nonce_len)
        memcpy(it->request_nonce, nonce, nonce_len);
    it->request_nonce_len = nonce_len;
}

/* OCSP for position `pos` of a chain with options (status, times). */
static void fx_ocsp(nvfx *f, const char *tag, nvgen_chain chain, size_t device, size_t pos,
                    nvgen_ocsp_status status)
{
    nvgen_ocsp_opts o;
    OCSP_RESPONSE *resp = NULL;
    cr_assert_eq(nvgen_ocsp_opts_init(&o), 0);
    o.status = status;
    cr_assert_eq(nvgen_pki_ocsp(&resp, f->pki, chain, device, pos, &o), 0);
    fx_put_ocsp(f, tag, resp);
}

static char *certs_pem(X509 *const *certs, size_t n, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    cr_assert(bio);
    for (size_t i = 0; i < n; i++)
        cr_assert(PEM_write_bio_X509(bio, certs[i]));
    char *p = NULL;
    long l = BIO_get_mem_data(bio, &p);
    cr_assert(l > 0);
    char *out = malloc((size_t)l + 1);
    cr_assert(out);
    memcpy(out, p, (size_t)l);
    out[l] = '\0';
    BIO_free(bio);
    *len = (size_t)l;
    return out;
}

/* Load build/testpki/<name>: the PKI, its pins, device 0's report
 * description and the default collateral (device chain, RIMs, OCSP). */
static void fx_load(nvfx *f, const char *name)
{
    memset(f, 0, sizeof *f);
    tu_pki(f->dir, sizeof f->dir, name);
    cr_assert_eq(nvgen_pki_load(&f->pki, f->dir), 0, "cannot load the test PKI %s", f->dir);
    read_pin(f->dir, "device_anchor.sha256", f->dev_pin);
    read_pin(f->dir, "rim_anchor.sha256", f->rim_pin);
    cr_assert(f->desc = malloc(sizeof *f->desc));
    cr_assert_eq(nvgen_report_desc_init(f->desc, f->pki, 0), 0);
    f->at = NVGEN_T_VERIFY;
    fx_put_file(f, "chain", f->dir, "device_cert_chain.pem");
    if (f->pki->arch != NVGEN_LS10)
        fx_put_file(f, "driver_rim", f->dir, "driver_rim.xml");
    fx_put_file(f, "vbios_rim", f->dir, "vbios_rim.xml");
    fx_put_file(f, "dev1", f->dir, "ocsp/device_cert1.der");
    fx_put_file(f, "dev2", f->dir, "ocsp/device_cert2.der");
    fx_put_file(f, "dev3", f->dir, "ocsp/device_cert3.der");
    fx_put_file(f, "rim0", f->dir, "ocsp/rim_cert0.der");
    fx_put_file(f, "rim1", f->dir, "ocsp/rim_cert1.der");
    fx_put_file(f, "rim2", f->dir, "ocsp/rim_cert2.der");
}

static void fx_free(nvfx *f)
{
    for (size_t i = 0; i < f->n_items; i++)
        free(f->items[i].data);
    free(f->desc);
    nvgen_pki_free(f->pki);
    memset(f, 0, sizeof *f);
}

static attest_collateral *fx_collateral(const nvfx *f)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; i < f->n_items; i++) {
        const item *it = &f->items[i];
        int st = it->request_nonce_len
                     ? attest_collateral_add_ocsp(c, it->data, it->len, it->request_nonce,
                                                  it->request_nonce_len)
                     : attest_collateral_add(c, it->data, it->len);
        cr_assert_eq(st, ATTEST_OK, "collateral %s: %s", it->tag, attest_error_last());
    }
    return c;
}

static attest_verifier *fx_verifier(const nvfx *f)
{
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_NVIDIA_DEVICE), ATTEST_OK);
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_NVIDIA_RIM), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_DEVICE, f->dev_pin), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_RIM, f->rim_pin), ATTEST_OK);
    if (f->has_pin2) {
        cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_DEVICE, f->dev_pin2), ATTEST_OK);
        cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_RIM, f->rim_pin2), ATTEST_OK);
    }
    cr_assert_eq(attest_verifier_set_time(v, f->at), ATTEST_OK);
    return v;
}

static void note_failure(nvfx *f, const attest_result *r)
{
    f->failed[0] = '\0';
    snprintf(f->reason, sizeof f->reason, "%s", attest_result_reason(r));
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (attest_result_check_outcome(r, i) == ATTEST_CHECK_FAIL) {
            snprintf(f->failed, sizeof f->failed, "%s", attest_result_check_name(r, i));
            break;
        }
}

/* Verify evidence bytes with the fixture's collateral and pins. `policy`
 * NULL: the default policy. *keep (optional) receives the result. */
static int fx_verify_ev(nvfx *f, const uint8_t *ev_bytes, size_t len, const char *policy,
                        const uint8_t *nonce, size_t nonce_len, attest_result **keep)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, ev_bytes, len);
    cr_assert_eq(status, ATTEST_OK, "evidence parse: %s", attest_error_last());
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_NVIDIA);
    attest_collateral *c = fx_collateral(f);
    attest_verifier *v = fx_verifier(f);
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    attest_result *r = NULL;
    status = attest_verify(&r, v, ev, c, p, nonce, nonce_len);
    cr_assert(r);
    cr_assert_eq(attest_result_status(r), status);
    note_failure(f, r);
    cr_log_info("%s -> %s [%s] %s", policy ? policy : "(default)", attest_status_name(status),
                f->failed, f->reason);
    if (keep)
        *keep = r;
    else
        attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    return status;
}

/* Build device 0's report from the description (signed with sign_key or
 * the leaf key). */
static uint8_t *fx_report(nvfx *f, size_t *len, nvgen_report_layout *layout)
{
    uint8_t *rep = NULL;
    EVP_PKEY *key = f->sign_key ? f->sign_key : f->pki->dev[0].leaf.key;
    cr_assert_eq(nvgen_report_build(&rep, len, layout, f->desc, key), 0);
    return rep;
}

/* Raw report of device 0 + the collateral, with the PKI's nonce. */
static int fx_run_keep(nvfx *f, const char *policy, attest_result **keep)
{
    size_t len = 0;
    uint8_t *rep = fx_report(f, &len, NULL);
    int status = fx_verify_ev(f, rep, len, policy, f->pki->nonce, 32, keep);
    free(rep);
    return status;
}

static int fx_run(nvfx *f, const char *policy)
{
    return fx_run_keep(f, policy, NULL);
}

/* Expect `want` from the check `check`. */
#define EXPECT_FAIL(f, status, want, check)                                                 \
    do {                                                                                   \
        int got_ = (status);                                                               \
        cr_expect_eq(got_, (want), "got %s, want %s: [%s] %s", attest_status_name(got_),    \
                     attest_status_name(want), (f)->failed, (f)->reason);                   \
        cr_expect_str_eq((f)->failed, (check), "failing check: %s", (f)->reason);           \
    } while (0)

#define EXPECT_OK(f, status)                                                                \
    do {                                                                                   \
        int got_ = (status);                                                               \
        cr_expect_eq(got_, ATTEST_OK, "got %s: [%s] %s", attest_status_name(got_),           \
                     (f)->failed, (f)->reason);                                            \
    } while (0)

/* One device's claims in the result JSON. */

static json_t *device_claims(json_t *doc, const char *dev)
{
    json_t *d = json_object_get(json_object_get(json_object_get(doc, "claims"), "devices"), dev);
    cr_assert(d, "no claims for %s", dev);
    return d;
}

static const char *claim_str(json_t *dev, const char *k)
{
    const char *s = json_string_value(json_object_get(dev, k));
    return s ? s : "(absent)";
}

static void serial_dec(X509 *x, char *out, size_t n)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *dec = bn ? BN_bn2dec(bn) : NULL;
    cr_assert(dec);
    snprintf(out, n, "%s", dec);
    OPENSSL_free(dec);
    BN_free(bn);
}

/* Does the stored DER response carry a nonce extension? */
static bool ocsp_has_nonce(const item *it)
{
    const unsigned char *p = it->data;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)it->len);
    cr_assert(resp);
    OCSP_BASICRESP *basic = OCSP_response_get1_basic(resp);
    cr_assert(basic);
    bool has = OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, -1) >= 0;
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(resp);
    return has;
}

/* A signed RIM from a description, with the PKI's RIM chain. */
static void fx_put_rim_desc(nvfx *f, const char *tag, const nvgen_rim_desc *d)
{
    X509 *chain[4] = {f->pki->rim_leaf.cert, f->pki->rim_l3.cert, f->pki->rim_ca.cert,
                      f->pki->rim_root.cert};
    char *xml = NULL;
    size_t len = 0;
    cr_assert_eq(nvgen_rim_build(&xml, &len, d, f->pki->rim_leaf.key, chain, 4), 0);
    fx_put(f, tag, xml, len);
}

static nvgen_rim_desc *rim_desc(const nvfx *f, nvgen_rim_kind kind)
{
    nvgen_rim_desc *d = malloc(sizeof *d);
    cr_assert(d);
    cr_assert_eq(nvgen_rim_desc_init(d, f->pki, kind), 0);
    return d;
}

static nvgen_rim_measurement *rim_index(nvgen_rim_desc *d, int index)
{
    for (size_t i = 0; i < d->n_measurements; i++)
        if (d->m[i].index == index)
            return &d->m[i];
    cr_assert_fail("RIM has no Resource %d", index);
    return NULL;
}

/* Claims list x-nvidia-mismatch-measurement-records: is `index` there? */
static bool mismatch_listed(const attest_result *r, const char *dev, int index, size_t *count)
{
    json_t *doc = tu_result_json(r);
    json_t *recs = json_object_get(device_claims(doc, dev), "x-nvidia-mismatch-measurement-records");
    bool found = false;
    size_t i;
    json_t *rec;
    cr_assert(json_is_array(recs));
    json_array_foreach(recs, i, rec)
        if (json_integer_value(json_object_get(rec, "index")) == index)
            found = true;
    if (count)
        *count = json_array_size(recs);
    json_decref(doc);
    return found;
}

#define DRIVER_INDEX 22 /* a driver-RIM index with one golden alternative */

/* Each check of `want` is listed in `r` and passed. */
static void expect_passed(const attest_result *r, const char *const *want, size_t n)
{
    for (size_t w = 0; w < n; w++) {
        bool found = false;
        for (size_t i = 0; i < attest_result_check_count(r); i++)
            if (!strcmp(attest_result_check_name(r, i), want[w])) {
                found = true;
                cr_expect_eq(attest_result_check_outcome(r, i), ATTEST_CHECK_PASS, "%s: %s",
                             want[w], attest_result_check_detail(r, i));
            }
        cr_expect(found, "check %s not listed", want[w]);
    }
}

/* ---- 1. accepted ---------------------------------------------------------- */

Test(nv_synthetic, accepted_hopper_and_stored_ocsp_rule)
{
    nvfx f;
    fx_load(&f, "nvidia");
    /* The generated responses are "stored" ones: no nonce extension. */
    static const char *const ocsp_tags[] = {"dev1", "dev2", "dev3", "rim0", "rim1", "rim2"};
    for (size_t i = 0; i < 6; i++)
        cr_expect(!ocsp_has_nonce(fx_find(&f, ocsp_tags[i])), "%s carries a nonce", ocsp_tags[i]);
    /* The saved report.bin is the one nvgen_report_desc_init describes. */
    size_t saved_len = 0, built_len = 0;
    uint8_t *saved = read_rel(f.dir, "report.bin", &saved_len);
    uint8_t *built = fx_report(&f, &built_len, NULL);
    cr_expect_eq(saved_len, built_len);
    cr_expect_eq(saved_len, 4117u);

    /* Default policy: stored responses are refused. */
    EXPECT_FAIL(&f, fx_verify_ev(&f, saved, saved_len, NULL, f.pki->nonce, 32, NULL),
                ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    /* allow_stored_ocsp: accepted, the saved and a freshly signed report. */
    EXPECT_OK(&f, fx_verify_ev(&f, saved, saved_len, STORED, f.pki->nonce, 32, NULL));
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_verify_ev(&f, built, built_len, STORED, f.pki->nonce, 32, &r));
    cr_expect_eq(attest_result_verdict(r), ATTEST_VERDICT_ACCEPTED);
    cr_expect_str_eq(attest_result_reason(r), "");

    /* Every per-device check ran and passed. */
    static const char *const want[] = {
        "gpu0.chain", "gpu0.report.signature", "gpu0.report.nonce", "gpu0.fwid",
        "gpu0.chain.ocsp", "gpu0.driver_rim", "gpu0.driver_rim.signature",
        "gpu0.driver_rim.chain", "gpu0.driver_rim.ocsp", "gpu0.vbios_rim",
        "gpu0.vbios_rim.signature", "gpu0.vbios_rim.chain", "gpu0.vbios_rim.ocsp",
        "gpu0.measurements", "gpu0.versions", "nvidia.mode"};
    expect_passed(r, want, sizeof want / sizeof want[0]);

    /* Claims, member by member. */
    json_t *doc = tu_result_json(r);
    json_t *gpu = device_claims(doc, "gpu0");
    char ueid[128];
    serial_dec(f.pki->dev[0].leaf.cert, ueid, sizeof ueid);
    cr_expect_str_eq(claim_str(gpu, "x-nvidia-device-type"), "gpu");
    cr_expect_str_eq(claim_str(gpu, "x-nvidia-gpu-driver-version"), "550.90.07");
    cr_expect_str_eq(claim_str(gpu, "x-nvidia-gpu-vbios-version"), "96.00.9F.00.01");
    cr_expect_str_eq(claim_str(gpu, "measres"), "success");
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match")));
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-attestation-report-signature-verified")));
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-attestation-report-nonce-match")));
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-driver-rim-version-match")));
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-vbios-rim-version-match")));
    cr_expect_str_eq(claim_str(gpu, "hwmodel"), "GH100 A01 GSP BROM");
    cr_expect_str_eq(claim_str(gpu, "ueid"), ueid);
    cr_expect_str_eq(claim_str(gpu, "oemid"), "5703");
    cr_expect(json_is_true(json_object_get(gpu, "secboot")));
    cr_expect_str_eq(claim_str(gpu, "dbgstat"), "disabled");
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-device-result")));
    cr_expect_eq(json_array_size(json_object_get(gpu, "x-nvidia-mismatch-measurement-records")), 0u);
    json_t *chain = json_object_get(gpu, "x-nvidia-gpu-attestation-report-cert-chain");
    cr_expect_str_eq(claim_str(chain, "x-nvidia-cert-status"), "valid");
    cr_expect_str_eq(claim_str(chain, "x-nvidia-cert-ocsp-status"), "good");
    cr_expect_str_eq(claim_str(chain, "x-nvidia-cert-expiration-date"), "9999-12-31T23:59:59Z");
    json_t *rc = json_object_get(gpu, "x-nvidia-gpu-driver-rim-cert-chain");
    cr_expect_str_eq(claim_str(rc, "x-nvidia-cert-status"), "valid");
    cr_expect_str_eq(claim_str(rc, "x-nvidia-cert-ocsp-status"), "good");
    char nonce_hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(nonce_hex + 2 * i, 3, "%02x", f.pki->nonce[i]);
    cr_expect_str_eq(claim_str(gpu, "eat_nonce"), nonce_hex);
    cr_expect(json_is_true(json_object_get(json_object_get(doc, "claims"), "x-nvidia-overall-att-result")));
    json_decref(doc);
    attest_result_free(r);
    free(saved);
    free(built);
    fx_free(&f);
}

/* Every OCSP response of the fixture replaced by one carrying `nonce`;
 * recorded as answering `request` (NULL: added without a request nonce). */
static const struct {
    const char *tag;
    nvgen_chain chain;
    size_t pos;
} ALL_OCSP[] = {{"dev1", NVGEN_CHAIN_DEVICE, 1}, {"dev2", NVGEN_CHAIN_DEVICE, 2},
                {"dev3", NVGEN_CHAIN_DEVICE, 3}, {"rim0", NVGEN_CHAIN_RIM, 0},
                {"rim1", NVGEN_CHAIN_RIM, 1},    {"rim2", NVGEN_CHAIN_RIM, 2}};

static void put_all_ocsp_with_nonce(nvfx *f, const uint8_t *nonce, size_t len,
                                    const uint8_t *request, size_t request_len)
{
    for (size_t i = 0; i < sizeof ALL_OCSP / sizeof ALL_OCSP[0]; i++) {
        nvgen_ocsp_opts o;
        OCSP_RESPONSE *resp = NULL;
        nvgen_ocsp_opts_init(&o);
        o.nonce = nonce;
        o.nonce_len = len;
        cr_assert_eq(nvgen_pki_ocsp(&resp, f->pki, ALL_OCSP[i].chain, 0, ALL_OCSP[i].pos, &o), 0);
        fx_put_ocsp_answering(f, ALL_OCSP[i].tag, resp, request, request ? request_len : 0);
        cr_expect(ocsp_has_nonce(fx_find(f, ALL_OCSP[i].tag)));
    }
}

static const uint8_t ONONCE[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t OTHER_ONONCE[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0};

/* The detail of check `name` in `r` ("" when absent). */
static const char *check_detail(const attest_result *r, const char *name)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name))
            return attest_result_check_detail(r, i);
    return "";
}

/* A nonce alone proves nothing: without the request nonce it answers
 * (attest_collateral_add), the response is a stored one. */
Test(nv_synthetic, ocsp_nonce_without_recorded_request_is_stored)
{
    nvfx f;
    fx_load(&f, "nvidia");
    put_all_ocsp_with_nonce(&f, ONONCE, sizeof ONONCE, NULL, 0);
    EXPECT_FAIL(&f, fx_run(&f, NULL), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "stored response (a nonce not checked"), "%s", f.reason);
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, STORED, &r));
    cr_expect(strstr(check_detail(r, "gpu0.chain.ocsp"), "0 live (nonce matched), 3 stored"),
              "%s", check_detail(r, "gpu0.chain.ocsp"));
    attest_result_free(r);
    fx_free(&f);
}

/* A response carrying the nonce of the request it is recorded to answer is
 * live: accepted by the default policy, and said so. */
Test(nv_synthetic, ocsp_nonce_matched_is_live)
{
    nvfx f;
    fx_load(&f, "nvidia");
    put_all_ocsp_with_nonce(&f, ONONCE, sizeof ONONCE, ONONCE, sizeof ONONCE);
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, NULL, &r));
    cr_expect(strstr(check_detail(r, "gpu0.chain.ocsp"),
                     "good; responses: 3 live (nonce matched), 0 stored"),
              "%s", check_detail(r, "gpu0.chain.ocsp"));
    cr_expect(strstr(check_detail(r, "gpu0.driver_rim.ocsp"), "3 live (nonce matched), 0 stored"),
              "%s", check_detail(r, "gpu0.driver_rim.ocsp"));
    cr_expect_str_eq(attest_result_ear_status(r), "affirming");
    attest_result_free(r);
    /* One of them without a nonce (stored) among live ones: refused by
     * default, counted as stored when allowed. */
    fx_put_file(&f, "dev2", f.dir, "ocsp/device_cert2.der");
    EXPECT_FAIL(&f, fx_run(&f, NULL), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "stored response (no nonce"), "%s", f.reason);
    EXPECT_OK(&f, fx_run_keep(&f, STORED, &r));
    cr_expect(strstr(check_detail(r, "gpu0.chain.ocsp"), "2 live (nonce matched), 1 stored"),
              "%s", check_detail(r, "gpu0.chain.ocsp"));
    attest_result_free(r);
    fx_free(&f);
}

/* A nonce other than the recorded request nonce: a replayed or misfiled
 * answer, refused whatever the policy allows. */
Test(nv_synthetic, ocsp_nonce_differs_from_the_recorded_one)
{
    nvfx f;
    fx_load(&f, "nvidia");
    put_all_ocsp_with_nonce(&f, ONONCE, sizeof ONONCE, ONONCE, sizeof ONONCE);
    item *brom = fx_find(&f, "dev1");
    memcpy(brom->request_nonce, OTHER_ONONCE, sizeof OTHER_ONONCE);
    EXPECT_FAIL(&f, fx_run(&f, NULL), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "differs from the request nonce recorded"), "%s", f.reason);
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_stale_ocsp\":true,\"allow_ocsp_unknown\":true,"
                                           "\"require_ocsp\":false")),
                ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "differs"), "%s", f.reason);
    /* a shorter recorded nonce (a prefix) differs too */
    brom->request_nonce_len = sizeof ONONCE - 1;
    memcpy(brom->request_nonce, ONONCE, sizeof ONONCE - 1);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    /* the RIM chain's responses too */
    fx_find(&f, "dev1")->request_nonce_len = sizeof ONONCE;
    memcpy(fx_find(&f, "dev1")->request_nonce, ONONCE, sizeof ONONCE);
    EXPECT_OK(&f, fx_run(&f, NULL));
    memcpy(fx_find(&f, "rim1")->request_nonce, OTHER_ONONCE, sizeof OTHER_ONONCE);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.driver_rim.ocsp");
    fx_free(&f);
}

Test(nv_synthetic, accepted_blackwell)
{
    nvfx f;
    fx_load(&f, "nvidia-blackwell");
    size_t len = 0;
    uint8_t *saved = read_rel(f.dir, "report.bin", &len);
    EXPECT_FAIL(&f, fx_verify_ev(&f, saved, len, NULL, f.pki->nonce, 32, NULL), ATTEST_E_NV_OCSP,
                "gpu0.chain.ocsp");
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_verify_ev(&f, saved, len, STORED, f.pki->nonce, 32, &r));
    json_t *doc = tu_result_json(r);
    json_t *gpu = device_claims(doc, "gpu0");
    char ueid[128];
    serial_dec(f.pki->dev[0].leaf.cert, ueid, sizeof ueid);
    cr_expect_str_eq(claim_str(gpu, "x-nvidia-gpu-driver-version"), "575.32");
    cr_expect_str_eq(claim_str(gpu, "x-nvidia-gpu-vbios-version"), "97.00.88.00.0F");
    cr_expect_str_eq(claim_str(gpu, "measres"), "success");
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match")));
    cr_expect_str_eq(claim_str(gpu, "hwmodel"), "GB100 A01 GSP BROM");
    cr_expect_str_eq(claim_str(gpu, "ueid"), ueid);
    cr_expect_str_eq(claim_str(gpu, "oemid"), "5703");
    cr_expect(json_is_true(json_object_get(gpu, "secboot")));
    json_decref(doc);
    attest_result_free(r);
    /* Blackwell reports FEATURE_FLAG 0 (SPT). */
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"spt\"")));
    free(saved);
    fx_free(&f);
}

Test(nv_synthetic, accepted_nvswitch_with_only_a_bios_rim)
{
    nvfx f;
    fx_load(&f, "nvidia-switch");
    cr_assert_null(fx_find(&f, "driver_rim"));
    size_t len = 0;
    uint8_t *saved = read_rel(f.dir, "report.bin", &len);
    cr_expect_eq(len, 2168u);
    EXPECT_FAIL(&f, fx_verify_ev(&f, saved, len, NULL, f.pki->nonce, 32, NULL), ATTEST_E_NV_OCSP,
                "switch0.chain.ocsp");
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_verify_ev(&f, saved, len, STORED, f.pki->nonce, 32, &r));
    json_t *doc = tu_result_json(r);
    json_t *sw = device_claims(doc, "switch0");
    cr_expect_str_eq(claim_str(sw, "x-nvidia-device-type"), "nvswitch");
    cr_expect_str_eq(claim_str(sw, "x-nvidia-switch-bios-version"), "96.10.55.00.01");
    cr_expect_str_eq(claim_str(sw, "measres"), "success");
    cr_expect_str_eq(claim_str(sw, "hwmodel"), "LS_10 A01 FSP BROM");
    cr_expect_str_eq(claim_str(sw, "oemid"), "5703");
    /* An LS10 report has no FWID TLV: the check is skipped, the claim null. */
    cr_expect(json_is_null(json_object_get(sw, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match")));
    cr_expect(json_is_true(json_object_get(sw, "secboot")));
    json_decref(doc);
    for (size_t i = 0; i < attest_result_check_count(r); i++) {
        const char *n = attest_result_check_name(r, i);
        cr_expect(strncmp(n, "gpu", 3) != 0, "no GPU check for a switch: %s", n);
        cr_expect(strcmp(n, "switch0.driver_rim") != 0, "a switch has no driver RIM");
        if (!strcmp(n, "switch0.fwid"))
            cr_expect_eq(attest_result_check_outcome(r, i), ATTEST_CHECK_SKIPPED);
    }
    attest_result_free(r);
    free(saved);
    fx_free(&f);
}

/* The four GPUs' evidence.json (chains inside), RIMs and OCSP as collateral. */
static void x4_collateral(nvfx *f)
{
    fx_drop(f, "chain"); /* the container carries the chains */
    for (size_t k = 1; k < f->pki->n_devices; k++) {
        char tag[16], rel[64];
        snprintf(tag, sizeof tag, "gpu%zu_dev1", k);
        snprintf(rel, sizeof rel, "gpu%zu/ocsp/device_cert1.der", k);
        fx_put_file(f, tag, f->dir, rel);
    }
}

Test(nv_synthetic, accepted_four_gpus_from_evidence_json)
{
    nvfx f;
    fx_load(&f, "nvidia-x4");
    cr_assert_eq(f.pki->n_devices, 4u);
    x4_collateral(&f);
    size_t len = 0;
    uint8_t *json = read_rel(f.dir, "evidence.json", &len);
    EXPECT_FAIL(&f, fx_verify_ev(&f, json, len, NULL, f.pki->nonce, 32, NULL), ATTEST_E_NV_OCSP,
                "gpu0.chain.ocsp");
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_verify_ev(&f, json, len, STORED, f.pki->nonce, 32, &r));
    json_t *doc = tu_result_json(r);
    for (int k = 0; k < 4; k++) {
        char dev[8], ueid[128];
        snprintf(dev, sizeof dev, "gpu%d", k);
        json_t *gpu = device_claims(doc, dev);
        serial_dec(f.pki->dev[k].leaf.cert, ueid, sizeof ueid);
        cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-device-result")), "%s", dev);
        cr_expect_str_eq(claim_str(gpu, "ueid"), ueid, "%s", dev);
        cr_expect_str_eq(claim_str(gpu, "measres"), "success", "%s", dev);
    }
    cr_expect_null(json_object_get(json_object_get(json_object_get(doc, "claims"), "devices"), "gpu4"));
    json_decref(doc);
    attest_result_free(r);
    /* min_gpus is met with 4, not with 5. */
    EXPECT_OK(&f, fx_verify_ev(&f, json, len, STORED_WITH("\"min_gpus\":4"), f.pki->nonce, 32, NULL));
    EXPECT_FAIL(&f, fx_verify_ev(&f, json, len, STORED_WITH("\"min_gpus\":5"), f.pki->nonce, 32, NULL),
                ATTEST_E_COLLATERAL_MISSING, "nvidia.devices");
    /* Without GPU 3's BROM response: that GPU fails, OCSP missing. */
    fx_drop(&f, "gpu3_dev1");
    EXPECT_FAIL(&f, fx_verify_ev(&f, json, len, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_COLLATERAL_MISSING, "gpu3.chain.ocsp");
    free(json);
    fx_free(&f);
}

/* Every parsed field of a GPU report stays in the result JSON although it
 * is built only when the JSON is asked for (attest_result_defer_claim):
 * the same object nv_report_to_json gives for the report's bytes, in the
 * device's last member as before, from a result whose evidence is freed,
 * the same text on every call. */
Test(nv_synthetic, report_claim_built_when_the_result_is_read)
{
    nvfx f;
    fx_load(&f, "nvidia");
    size_t len = 0;
    uint8_t *rep = fx_report(&f, &len, NULL);
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 32, &r));
    nv_report *parsed = NULL;
    cr_assert_eq(nv_report_parse(&parsed, rep, len), ATTEST_OK);
    json_t *want = nv_report_to_json(parsed);
    char *first = NULL, *again = NULL;
    cr_assert_eq(attest_result_to_json(&first, r), ATTEST_OK);
    cr_assert_eq(attest_result_to_json(&again, r), ATTEST_OK);
    cr_expect_str_eq(first, again);
    json_t *doc = json_loads(first, JSON_PRESERVE_ORDER, NULL);
    json_t *gpu = device_claims(doc, "gpu0");
    cr_expect(json_equal(json_object_get(gpu, "report"), want), "the report claim differs");
    cr_expect(json_array_size(json_object_get(json_object_get(gpu, "report"), "blocks")) > 0);
    const char *key = NULL, *last = NULL;
    json_t *value;
    json_object_foreach(gpu, key, value)
        last = key;
    cr_expect_str_eq(last, "report");
    json_decref(doc);
    json_decref(want);
    nv_report_free(parsed);
    attest_string_free(first);
    attest_string_free(again);
    attest_result_free(r);
    free(rep);
    fx_free(&f);
}

/* ---- 2. measurements ------------------------------------------------------ */

Test(nv_synthetic, tampered_runtime_measurement)
{
    nvfx f;
    fx_load(&f, "nvidia");
    uint8_t other[48];
    memset(other, 0x5a, sizeof other);
    cr_assert_eq(nvgen_report_set_measurement(f.desc, DRIVER_INDEX, other, 48), 0);
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    size_t n = 0;
    cr_expect(mismatch_listed(r, "gpu0", DRIVER_INDEX, &n));
    cr_expect_eq(n, 1u);
    json_t *doc = tu_result_json(r);
    cr_expect_str_eq(claim_str(device_claims(doc, "gpu0"), "measres"), "fail");
    cr_expect(json_is_false(json_object_get(device_claims(doc, "gpu0"), "secboot")));
    json_decref(doc);
    attest_result_free(r);
    /* Allowed by the policy: accepted, still listed. */
    r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, STORED_WITH("\"allowed_mismatch_indices\":[22]"), &r));
    cr_expect(mismatch_listed(r, "gpu0", DRIVER_INDEX, NULL));
    attest_result_free(r);
    /* Allowing another index does not help. */
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allowed_mismatch_indices\":[21,23]")),
                ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    /* A VBIOS index too (index 1, VBIOS RIM). */
    cr_assert_eq(nvgen_report_set_measurement(f.desc, 1, other, 48), 0);
    r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED_WITH("\"allowed_mismatch_indices\":[22]"), &r),
                ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    cr_expect(mismatch_listed(r, "gpu0", 1, &n));
    cr_expect_eq(n, 2u);
    attest_result_free(r);
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allowed_mismatch_indices\":[1,22]")));
    fx_free(&f);
}

Test(nv_synthetic, golden_mismatch_from_the_rim)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_rim_desc *d = rim_desc(&f, NVGEN_RIM_DRIVER);
    nvgen_rim_measurement *m = rim_index(d, DRIVER_INDEX);
    cr_assert(m->active);
    for (unsigned k = 0; k < NVGEN_MAX_ALTERNATIVES; k++)
        memset(m->hash[k], 0xc3, NVGEN_DIGEST_SIZE);
    fx_put_rim_desc(&f, "driver_rim", d);
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    size_t n = 0;
    cr_expect(mismatch_listed(r, "gpu0", DRIVER_INDEX, &n));
    cr_expect_eq(n, 1u);
    attest_result_free(r);
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allowed_mismatch_indices\":[22]")));
    /* The report carries the LAST alternative: a RIM whose other
     * alternatives differ still matches (index 12 has 4). */
    free(d);
    fx_put_file(&f, "driver_rim", f.dir, "driver_rim.xml");
    d = rim_desc(&f, NVGEN_RIM_VBIOS);
    m = rim_index(d, 12);
    cr_assert_eq(m->alternatives, 4u);
    for (unsigned k = 0; k + 1 < m->alternatives; k++)
        memset(m->hash[k], 0x11 * (k + 1), NVGEN_DIGEST_SIZE);
    fx_put_rim_desc(&f, "vbios_rim", d);
    EXPECT_OK(&f, fx_run(&f, STORED));
    /* ... but not when the last one differs too. */
    memset(m->hash[m->alternatives - 1], 0x44, NVGEN_DIGEST_SIZE);
    fx_put_rim_desc(&f, "vbios_rim", d);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    free(d);
    fx_free(&f);
}

/* A golden index the report does not carry at all is a mismatch. */
Test(nv_synthetic, golden_index_missing_from_the_report)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_rim_desc *d = rim_desc(&f, NVGEN_RIM_DRIVER);
    /* Activate index 50 (uncovered; the report has 48 zero bytes there)
     * with a non-zero golden value. */
    nvgen_rim_measurement *m = rim_index(d, 50);
    m->active = 1;
    m->alternatives = 1;
    memset(m->hash[0], 0x77, NVGEN_DIGEST_SIZE);
    fx_put_rim_desc(&f, "driver_rim", d);
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    cr_expect(mismatch_listed(r, "gpu0", 50, NULL));
    attest_result_free(r);
    free(d);
    fx_free(&f);
}

/* ---- 3. nonce ------------------------------------------------------------- */

Test(nv_synthetic, nonce_binding)
{
    nvfx f;
    fx_load(&f, "nvidia");
    size_t len = 0;
    uint8_t *rep = fx_report(&f, &len, NULL);
    uint8_t wrong[32];
    memcpy(wrong, f.pki->nonce, 32);
    wrong[31] ^= 1;
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, wrong, 32, NULL), ATTEST_E_NV_NONCE,
                "gpu0.report.nonce");
    /* No nonce, require_nonce by default. */
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, NULL, 0, NULL), ATTEST_E_NV_NONCE,
                "gpu0.report.nonce");
    /* A nonce of the wrong length is not the caller's nonce either. */
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 16, NULL), ATTEST_E_NV_NONCE,
                "gpu0.report.nonce");
    /* require_nonce false: the check is skipped and the rest passes. */
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_verify_ev(&f, rep, len, STORED_WITH("\"require_nonce\":false"), NULL, 0, &r));
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), "gpu0.report.nonce"))
            cr_expect_eq(attest_result_check_outcome(r, i), ATTEST_CHECK_SKIPPED);
    attest_result_free(r);
    /* ... but a given nonce must still match. */
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED_WITH("\"require_nonce\":false"), wrong, 32, NULL),
                ATTEST_E_NV_NONCE, "gpu0.report.nonce");
    /* A report made for another challenge, re-signed. */
    memcpy(f.desc->nonce, wrong, 32);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_NONCE, "gpu0.report.nonce");
    free(rep);
    fx_free(&f);
}

Test(nv_synthetic, container_nonce_differs_from_the_report)
{
    nvfx f;
    fx_load(&f, "nvidia");
    size_t len = 0, jlen = 0;
    uint8_t *rep = fx_report(&f, &len, NULL);
    const uint8_t *reps[1] = {rep};
    char *json = NULL;
    cr_assert_eq(nvgen_evidence_json(&json, &jlen, f.pki, reps, &len, 1), 0);
    fx_drop(&f, "chain");
    EXPECT_OK(&f, fx_verify_ev(&f, (uint8_t *)json, jlen, STORED, f.pki->nonce, 32, NULL));
    char *k = strstr(json, "\"nonce\":\"");
    cr_assert(k);
    k += strlen("\"nonce\":\"");
    k[0] = k[0] == '0' ? '1' : '0';
    EXPECT_FAIL(&f, fx_verify_ev(&f, (uint8_t *)json, jlen, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_NV_NONCE, "gpu0.report.nonce");
    /* Even when the caller gives no nonce and does not require one. */
    EXPECT_FAIL(&f, fx_verify_ev(&f, (uint8_t *)json, jlen, STORED_WITH("\"require_nonce\":false"),
                                 NULL, 0, NULL),
                ATTEST_E_NV_NONCE, "gpu0.report.nonce");
    free(json);
    free(rep);
    fx_free(&f);
}

/* ---- 4. report signature -------------------------------------------------- */

Test(nv_synthetic, report_signature)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_report_layout lay;
    size_t len = 0, off = 0, vlen = 0;
    uint8_t *rep = fx_report(&f, &len, &lay);
    /* Driver version TLV edited after signing: "550.90.07" -> "550.90.08". */
    cr_assert_eq(nvgen_report_find_tlv(&off, &vlen, &lay, rep, NVGEN_TLV_DRIVER_VERSION), 0);
    cr_assert(vlen >= 9 && memcmp(rep + off, "550.90.07", 9) == 0);
    rep[off + 8] = '8';
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 32, &r),
                ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    json_t *doc = tu_result_json(r);
    cr_expect(json_is_false(json_object_get(device_claims(doc, "gpu0"),
                                            "x-nvidia-gpu-attestation-report-signature-verified")));
    json_decref(doc);
    attest_result_free(r);
    /* The same edit re-signed: the signature passes, the RIM no longer fits. */
    cr_assert_eq(nvgen_report_sign(rep, len, &lay, f.pki->dev[0].leaf.key), 0);
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_NV_RIM_MISMATCH, "gpu0.driver_rim");
    free(rep);

    /* A measurement byte changed after signing. */
    rep = fx_report(&f, &len, &lay);
    rep[lay.block_off[DRIVER_INDEX] + NVGEN_BLOCK_HDR_SIZE + NVGEN_DMTF_HDR_SIZE] ^= 0x01;
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    /* The nonce changed after signing (a replay with a new challenge). */
    free(rep);
    rep = fx_report(&f, &len, &lay);
    rep[NVGEN_OFF_NONCE] ^= 0x80;
    uint8_t n2[32];
    memcpy(n2, rep + NVGEN_OFF_NONCE, 32);
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, n2, 32, NULL),
                ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    /* One signature bit flipped. */
    free(rep);
    rep = fx_report(&f, &len, &lay);
    rep[lay.sig_off + 50] ^= 0x04;
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    free(rep);

    /* Signed by other keys: the BROM's, another PKI's leaf, none. */
    f.sign_key = f.pki->dev[0].brom.key;
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    nvgen_pki *other = NULL;
    char dir[512];
    cr_assert_eq(nvgen_pki_load(&other, tu_pki(dir, sizeof dir, "nvidia-rogue")), 0);
    f.sign_key = other->dev[0].leaf.key;
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    f.sign_key = NULL;
    rep = NULL;
    cr_assert_eq(nvgen_report_build(&rep, &len, NULL, f.desc, NULL), 0); /* zero signature */
    EXPECT_FAIL(&f, fx_verify_ev(&f, rep, len, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_NV_REPORT_SIGNATURE, "gpu0.report.signature");
    free(rep);
    nvgen_pki_free(other);
    fx_free(&f);
}

/* ---- 5. FWID -------------------------------------------------------------- */

static void fwid_mismatch(const char *pki)
{
    nvfx f;
    fx_load(&f, pki);
    cr_assert_eq(f.pki->fwid_form, !strcmp(pki, "nvidia") ? NVGEN_FWID_HOPPER : NVGEN_FWID_DICE);
    uint8_t fwid[48];
    memcpy(fwid, f.pki->fwid, 48);
    fwid[47] ^= 0xff;
    cr_assert_eq(nvgen_report_set_tlv(f.desc, NVGEN_TLV_FWID, fwid, 48), 0);
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_FWID, "gpu0.fwid");
    json_t *doc = tu_result_json(r);
    cr_expect(json_is_false(json_object_get(device_claims(doc, "gpu0"),
                                            "x-nvidia-gpu-attestation-report-cert-chain-fwid-match")));
    json_decref(doc);
    attest_result_free(r);
    /* Without the TLV (2023-era firmware) the check is skipped. */
    cr_assert_eq(nvgen_report_del_tlv(f.desc, NVGEN_TLV_FWID), 0);
    r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, STORED, &r));
    doc = tu_result_json(r);
    cr_expect(json_is_null(json_object_get(device_claims(doc, "gpu0"),
                                           "x-nvidia-gpu-attestation-report-cert-chain-fwid-match")));
    json_decref(doc);
    attest_result_free(r);
    fx_free(&f);
}

Test(nv_synthetic, fwid_mismatch_hopper)
{
    fwid_mismatch("nvidia");
}

Test(nv_synthetic, fwid_mismatch_blackwell_dice)
{
    fwid_mismatch("nvidia-blackwell");
}

/* A leaf re-issued without any FWID extension while the report carries
 * one: "the leaf certificate carries no FWID". */
Test(nv_synthetic, fwid_leaf_without_extension)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_cert_opts o;
    X509 *leaf = NULL;
    nvgen_cert_opts_init(&o);
    o.subject = "CN=GH100 A01 GSP FMC LF,O=NVIDIA Corporation,C=US";
    o.key_usage = NVGEN_KU_DIGITAL_SIGNATURE;
    o.subject_key = f.pki->dev[0].leaf.key;
    o.issuer_cert = f.pki->dev[0].brom.cert;
    o.issuer_key = f.pki->dev[0].brom.key;
    cr_assert_eq(nvgen_cert_issue(&leaf, &o), 0);
    X509 *chain[5] = {leaf, f.pki->dev[0].brom.cert, f.pki->ica.cert, f.pki->identity.cert,
                      f.pki->dev_root.cert};
    size_t len = 0;
    char *pem = certs_pem(chain, 5, &len);
    fx_put(&f, "chain", pem, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_FWID, "gpu0.fwid");
    X509_free(leaf);
    fx_free(&f);
}

/* ---- 6. OCSP -------------------------------------------------------------- */

Test(nv_synthetic, ocsp_revoked_brom)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_ocsp(&f, "dev1", NVGEN_CHAIN_DEVICE, 0, 1, NVGEN_OCSP_REVOKED);
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    json_t *doc = tu_result_json(r);
    json_t *chain = json_object_get(device_claims(doc, "gpu0"), "x-nvidia-gpu-attestation-report-cert-chain");
    cr_expect_str_eq(claim_str(chain, "x-nvidia-cert-status"), "invalid");
    json_decref(doc);
    attest_result_free(r);
    /* Revoked is never relaxed. */
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_ocsp_hold\":true,\"allow_ocsp_unknown\":true,"
                                           "\"allow_stale_ocsp\":true")),
                ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    /* The ICA and the Identity too. */
    fx_put_file(&f, "dev1", f.dir, "ocsp/device_cert1.der");
    fx_ocsp(&f, "dev3", NVGEN_CHAIN_DEVICE, 0, 3, NVGEN_OCSP_REVOKED);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    fx_free(&f);
}

Test(nv_synthetic, ocsp_hold_and_unknown)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_ocsp(&f, "dev1", NVGEN_CHAIN_DEVICE, 0, 1, NVGEN_OCSP_HOLD);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_ocsp_unknown\":true")), ATTEST_E_NV_OCSP,
                "gpu0.chain.ocsp");
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, STORED_WITH("\"allow_ocsp_hold\":true"), &r));
    json_t *doc = tu_result_json(r);
    json_t *chain = json_object_get(device_claims(doc, "gpu0"), "x-nvidia-gpu-attestation-report-cert-chain");
    cr_expect_str_eq(claim_str(chain, "x-nvidia-cert-ocsp-status"), "hold");
    json_decref(doc);
    attest_result_free(r);

    fx_ocsp(&f, "dev1", NVGEN_CHAIN_DEVICE, 0, 1, NVGEN_OCSP_UNKNOWN);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_ocsp_hold\":true")), ATTEST_E_NV_OCSP,
                "gpu0.chain.ocsp");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allow_ocsp_unknown\":true")));
    /* On the RIM chain: the L3 on hold. */
    fx_put_file(&f, "dev1", f.dir, "ocsp/device_cert1.der");
    fx_ocsp(&f, "rim1", NVGEN_CHAIN_RIM, 0, 1, NVGEN_OCSP_HOLD);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.driver_rim.ocsp");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allow_ocsp_hold\":true")));
    fx_free(&f);
}

Test(nv_synthetic, ocsp_expired_response)
{
    nvfx f;
    fx_load(&f, "nvidia");
    f.at = NVGEN_T_2025_06_02 + 86400; /* 2025-06-03T00:00:00Z, after nextUpdate */
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allow_stale_ocsp\":true")));
    /* Exactly at nextUpdate the response is no longer current. */
    f.at = NVGEN_T_2025_06_02;
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    /* A stale response that said "revoked" still says it when judged at
     * its own time. */
    f.at = NVGEN_T_2025_06_02 + 86400;
    fx_ocsp(&f, "dev2", NVGEN_CHAIN_DEVICE, 0, 2, NVGEN_OCSP_REVOKED);
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_stale_ocsp\":true")), ATTEST_E_NV_OCSP,
                "gpu0.chain.ocsp");
    /* Not yet valid (verify before thisUpdate). */
    fx_put_file(&f, "dev2", f.dir, "ocsp/device_cert2.der");
    f.at = NVGEN_T_2025_06_01 - 3600;
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    fx_free(&f);
}

Test(nv_synthetic, ocsp_responder_without_eku)
{
    nvfx f;
    fx_load(&f, "nvidia");
    X509 *rc = NULL;
    EVP_PKEY *rk = NULL;
    cr_assert_eq(nvgen_responder_issue(&rc, &rk, f.pki->ica.cert, f.pki->ica.key,
                                       "NVIDIA OCSP Responder without EKU", 0, 77),
                 0);
    nvgen_ocsp_opts o;
    nvgen_ocsp_opts_init(&o);
    o.responder = rc;
    o.responder_key = rk;
    OCSP_RESPONSE *resp = NULL;
    cr_assert_eq(nvgen_ocsp_response(&resp, f.pki->dev[0].brom.cert, f.pki->ica.cert, &o), 0);
    fx_put_ocsp(&f, "dev1", resp);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "OCSPSigning"), "%s", f.reason);
    /* No policy relaxes an unauthorised responder. */
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_stale_ocsp\":true,\"allow_ocsp_unknown\":true")),
                ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    /* A responder with the EKU but a wrong one (serverAuth). */
    X509 *rc2 = NULL;
    EVP_PKEY *rk2 = NULL;
    cr_assert_eq(nvgen_responder_issue(&rc2, &rk2, f.pki->ica.cert, f.pki->ica.key,
                                       "NVIDIA OCSP Responder serverAuth", NVGEN_EKU_SERVER_AUTH, 78),
                 0);
    o.responder = rc2;
    o.responder_key = rk2;
    resp = NULL;
    cr_assert_eq(nvgen_ocsp_response(&resp, f.pki->dev[0].brom.cert, f.pki->ica.cert, &o), 0);
    fx_put_ocsp(&f, "dev1", resp);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    /* Signed with a key that is not the included responder's. */
    o.responder = f.pki->resp_ica.cert;
    o.responder_key = f.pki->resp_ica.key;
    o.signing_key = rk2;
    resp = NULL;
    cr_assert_eq(nvgen_ocsp_response(&resp, f.pki->dev[0].brom.cert, f.pki->ica.cert, &o), 0);
    fx_put_ocsp(&f, "dev1", resp);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    /* The issuer (ICA) signing for itself is authorised. */
    o.responder = f.pki->ica.cert;
    o.responder_key = f.pki->ica.key;
    o.signing_key = NULL;
    resp = NULL;
    cr_assert_eq(nvgen_ocsp_response(&resp, f.pki->dev[0].brom.cert, f.pki->ica.cert, &o), 0);
    fx_put_ocsp(&f, "dev1", resp);
    EXPECT_OK(&f, fx_run(&f, STORED));
    X509_free(rc);
    EVP_PKEY_free(rk);
    X509_free(rc2);
    EVP_PKEY_free(rk2);
    fx_free(&f);
}

Test(nv_synthetic, ocsp_missing_response)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_drop(&f, "dev1");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.chain.ocsp");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"require_ocsp\":false")));
    /* No response at all: require_ocsp false is enough (allow_stored is
     * not needed when nothing is stored). */
    static const char *const tags[] = {"dev2", "dev3", "rim0", "rim1", "rim2"};
    for (size_t i = 0; i < 5; i++)
        fx_drop(&f, tags[i]);
    EXPECT_FAIL(&f, fx_run(&f, NULL), ATTEST_E_COLLATERAL_MISSING, "gpu0.chain.ocsp");
    EXPECT_OK(&f, fx_run(&f, "{\"nvidia\":{\"require_ocsp\":false}}"));
    fx_free(&f);

    /* The RIM leaf's response missing. */
    fx_load(&f, "nvidia");
    fx_drop(&f, "rim0");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.driver_rim.ocsp");
    fx_free(&f);
}

Test(nv_synthetic, ocsp_rim_chain_certificate_revoked)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_ocsp(&f, "rim1", NVGEN_CHAIN_RIM, 0, 1, NVGEN_OCSP_REVOKED); /* the L3 */
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_OCSP, "gpu0.driver_rim.ocsp");
    json_t *doc = tu_result_json(r);
    json_t *rc = json_object_get(device_claims(doc, "gpu0"), "x-nvidia-gpu-driver-rim-cert-chain");
    cr_expect_str_eq(claim_str(rc, "x-nvidia-cert-status"), "invalid");
    json_decref(doc);
    attest_result_free(r);
    fx_put_file(&f, "rim1", f.dir, "ocsp/rim_cert1.der");
    fx_ocsp(&f, "rim0", NVGEN_CHAIN_RIM, 0, 0, NVGEN_OCSP_REVOKED); /* the RIM leaf */
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.driver_rim.ocsp");
    /* The NVSwitch BIOS RIM's CA. */
    fx_free(&f);
    fx_load(&f, "nvidia-switch");
    fx_ocsp(&f, "rim2", NVGEN_CHAIN_RIM, 0, 2, NVGEN_OCSP_REVOKED);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "switch0.vbios_rim.ocsp");
    fx_free(&f);
}

/* ---- 7. RIM selection ----------------------------------------------------- */

Test(nv_synthetic, rim_for_another_version_or_product)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_rim_desc *d = rim_desc(&f, NVGEN_RIM_DRIVER);
    cr_assert_eq(nvgen_rim_desc_set_version(d, f.pki, NVGEN_RIM_DRIVER, "550.90.08"), 0);
    fx_put_rim_desc(&f, "driver_rim", d);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_RIM_MISMATCH, "gpu0.driver_rim");
    free(d);
    /* A VBIOS RIM of another version. */
    fx_put_file(&f, "driver_rim", f.dir, "driver_rim.xml");
    d = rim_desc(&f, NVGEN_RIM_VBIOS);
    cr_assert_eq(nvgen_rim_desc_set_version(d, f.pki, NVGEN_RIM_VBIOS, "96.00.9F.00.02"), 0);
    fx_put_rim_desc(&f, "vbios_rim", d);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_RIM_MISMATCH, "gpu0.vbios_rim");
    free(d);
    /* Product GB100 for a Hopper, same version. */
    fx_put_file(&f, "vbios_rim", f.dir, "vbios_rim.xml");
    d = rim_desc(&f, NVGEN_RIM_DRIVER);
    snprintf(d->product, sizeof d->product, "GB100");
    fx_put_rim_desc(&f, "driver_rim", d);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_RIM_MISMATCH, "gpu0.driver_rim");
    free(d);
    /* The NVSwitch's LS10 BIOS RIM as the GPU's VBIOS RIM. */
    char sw[512];
    fx_put_file(&f, "driver_rim", f.dir, "driver_rim.xml");
    fx_put_file(&f, "vbios_rim", tu_pki(sw, sizeof sw, "nvidia-switch"), "vbios_rim.xml");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_RIM_MISMATCH, "gpu0.vbios_rim");
    /* The wrong RIM beside the right one: the right one is chosen. */
    fx_put_file(&f, "vbios_rim_ls10", sw, "vbios_rim.xml");
    fx_put_file(&f, "vbios_rim", f.dir, "vbios_rim.xml");
    EXPECT_OK(&f, fx_run(&f, STORED));
    fx_free(&f);

    /* A Hopper RIM for a Blackwell GPU (product GH100 vs GB100). */
    fx_load(&f, "nvidia-blackwell");
    char hop[512];
    fx_put_file(&f, "driver_rim", tu_pki(hop, sizeof hop, "nvidia"), "driver_rim.xml");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_RIM_MISMATCH, "gpu0.driver_rim");
    fx_free(&f);
}

Test(nv_synthetic, rim_missing)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_drop(&f, "driver_rim");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.driver_rim");
    fx_put_file(&f, "driver_rim", f.dir, "driver_rim.xml");
    fx_drop(&f, "vbios_rim");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.vbios_rim");
    fx_drop(&f, "driver_rim");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.driver_rim");
    fx_free(&f);
    fx_load(&f, "nvidia-switch");
    fx_drop(&f, "vbios_rim");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "switch0.vbios_rim");
    fx_free(&f);
}

/* ---- 8. RIM tampering and RIM chains -------------------------------------- */

static void put_tampered(nvfx *f, const char *tag, nvgen_rim_tamper_kind t, int index)
{
    item *it = fx_find(f, tag);
    cr_assert(it);
    char *out = NULL;
    size_t len = 0;
    cr_assert_eq(nvgen_rim_tamper(&out, &len, (const char *)it->data, it->len, t, index), 0);
    fx_put(f, tag, out, len);
}

Test(nv_synthetic, rim_hash_changed_after_signing)
{
    nvfx f;
    fx_load(&f, "nvidia");
    put_tampered(&f, "driver_rim", NVGEN_RIM_TAMPER_HASH, DRIVER_INDEX);
    /* attest_collateral_add stored it (fx_collateral asserts OK): the
     * verification that needs it checks its signature and reports it. */
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE,
                "gpu0.driver_rim.signature");
    cr_expect(strstr(f.reason, "RIM 1 of the collateral (GH100 550.90.07) was refused"), "%s",
              f.reason);
    cr_expect(strstr(f.reason, "digest of the signed content differs"), "%s", f.reason);
    fx_free(&f);
    fx_load(&f, "nvidia");
    put_tampered(&f, "vbios_rim", NVGEN_RIM_TAMPER_VERSION, 0);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.vbios_rim.signature");
    cr_expect(strstr(f.reason, "RIM 2 of the collateral"), "%s", f.reason);
    fx_free(&f);
    fx_load(&f, "nvidia");
    put_tampered(&f, "driver_rim", NVGEN_RIM_TAMPER_SIGVALUE, 0);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE,
                "gpu0.driver_rim.signature");
    /* A valid copy beside the tampered one: the valid one is used. */
    fx_put_file(&f, "driver_rim_good", f.dir, "driver_rim.xml");
    EXPECT_OK(&f, fx_run(&f, STORED));
    fx_free(&f);
}

/* The structural rules of nv_rim_parse (exactly one ds:Signature, a child
 * of the root) are checked when the RIM is added, before any signature: a
 * signature moved into Payload, a duplicated one, or one validly signed
 * inside Payload make the RIM unparsable (ATTEST_E_MALFORMED, not
 * COLLATERAL_SIGNATURE); it is stored as such, and that refusal is the
 * verdict of the driver_rim check. */
Test(nv_synthetic, rim_signature_moved_or_duplicated)
{
    nvfx f;
    fx_load(&f, "nvidia");
    put_tampered(&f, "driver_rim", NVGEN_RIM_TAMPER_MOVE_SIG, 0);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.driver_rim");
    cr_expect(strstr(f.reason, "child of the SoftwareIdentity root"), "%s", f.reason);
    fx_free(&f);

    fx_load(&f, "nvidia");
    put_tampered(&f, "driver_rim", NVGEN_RIM_TAMPER_DUP_SIG, 0);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.driver_rim");
    cr_expect(strstr(f.reason, "2 ds:Signature"), "%s", f.reason);
    fx_free(&f);

    fx_load(&f, "nvidia");
    nvgen_rim_desc *d = rim_desc(&f, NVGEN_RIM_DRIVER);
    char *unsigned_xml = NULL, *xml = NULL;
    size_t ul = 0, xl = 0;
    X509 *chain[4] = {f.pki->rim_leaf.cert, f.pki->rim_l3.cert, f.pki->rim_ca.cert,
                      f.pki->rim_root.cert};
    cr_assert_eq(nvgen_rim_unsigned(&unsigned_xml, &ul, d), 0);
    cr_assert_eq(nvgen_rim_sign_ex(&xml, &xl, unsigned_xml, ul, f.pki->rim_leaf.key, chain, 4,
                                   NVGEN_RIM_SIGN_IN_PAYLOAD),
                 0);
    cr_assert_eq(nvgen_rim_verify(xml, xl, f.pki->rim_leaf.cert), 0,
                 "the misplaced signature is cryptographically valid");
    fx_put(&f, "driver_rim", xml, xl);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.driver_rim");
    free(unsigned_xml);
    free(d);
    fx_free(&f);
}

/* RIMs whose XML signature is valid but whose KeyInfo chain ends at an
 * unpinned root: the RIM is selected (product and version match), then
 * its chain check fails. OpenSSL stops at the self-signed root that is
 * not in the pinned store (X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN), mapped
 * to ATTEST_E_CERT_UNTRUSTED_ROOT. */
Test(nv_synthetic, rim_signed_by_untrusted_chains)
{
    nvfx f;
    fx_load(&f, "nvidia");
    char *xml = NULL;
    size_t len = 0;
    cr_assert_eq(nvgen_pki_rim(&xml, &len, f.pki, NVGEN_RIM_DRIVER, 1), 0);
    fx_put(&f, "driver_rim", xml, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_CERT_UNTRUSTED_ROOT, "gpu0.driver_rim.chain");
    cr_expect(strstr(f.reason, "Debug Only"), "%s", f.reason);
    fx_free(&f);

    fx_load(&f, "nvidia");
    char rogue[512];
    fx_put_file(&f, "vbios_rim", tu_pki(rogue, sizeof rogue, "nvidia-rogue"), "vbios_rim.xml");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_CERT_UNTRUSTED_ROOT, "gpu0.vbios_rim.chain");
    fx_free(&f);

    /* Vendor confusion the other way: a RIM signed by a chain that ends
     * at the pinned DEVICE root (a "RIM signer" issued by the device
     * Identity CA) is not trusted for RIMs. */
    fx_load(&f, "nvidia");
    nvgen_cert_opts o;
    X509 *signer = NULL;
    nvgen_cert_opts_init(&o);
    o.subject = "CN=HCC RIM L4 Signer,O=NVIDIA Corporation,C=US";
    o.not_before = NVGEN_T_2024_06_01;
    o.not_after = NVGEN_T_2026_06_01;
    o.basic_constraints = 1;
    o.key_usage = NVGEN_KU_DIGITAL_SIGNATURE;
    o.subject_key = f.pki->rim_leaf.key;
    o.issuer_cert = f.pki->identity.cert;
    o.issuer_key = f.pki->identity.key;
    cr_assert_eq(nvgen_cert_issue(&signer, &o), 0);
    X509 *chain[3] = {signer, f.pki->identity.cert, f.pki->dev_root.cert};
    nvgen_rim_desc *d = rim_desc(&f, NVGEN_RIM_DRIVER);
    xml = NULL;
    cr_assert_eq(nvgen_rim_build(&xml, &len, d, f.pki->rim_leaf.key, chain, 3), 0);
    fx_put(&f, "driver_rim", xml, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_CERT_UNTRUSTED_ROOT, "gpu0.driver_rim.chain");
    free(d);
    X509_free(signer);
    fx_free(&f);
}

/* A valid RIM signed by a key that is not the first KeyInfo certificate's. */
Test(nv_synthetic, rim_signed_by_another_key)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_rim_desc *d = rim_desc(&f, NVGEN_RIM_DRIVER);
    X509 *chain[4] = {f.pki->rim_leaf.cert, f.pki->rim_l3.cert, f.pki->rim_ca.cert,
                      f.pki->rim_root.cert};
    char *xml = NULL;
    size_t len = 0;
    cr_assert_eq(nvgen_rim_build(&xml, &len, d, f.pki->rim_l3.key, chain, 4), 0);
    fx_put(&f, "driver_rim", xml, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE,
                "gpu0.driver_rim.signature");
    cr_expect(strstr(f.reason, "SignatureValue does not verify"), "%s", f.reason);
    free(d);
    fx_free(&f);
}

/* attest_collateral_add stores and classifies RIMs; it verifies none. A
 * tampered RIM is stored parsed (its signature is judged when a
 * verification needs it), one that breaks the parser's structural rules is
 * stored as unparsable with the parser's detail; neither is an error. */
Test(nv_synthetic, rims_stored_and_classified_when_added)
{
    nvfx f;
    fx_load(&f, "nvidia");
    put_tampered(&f, "driver_rim", NVGEN_RIM_TAMPER_SIGVALUE, 0);
    put_tampered(&f, "vbios_rim", NVGEN_RIM_TAMPER_MOVE_SIG, 0);
    attest_collateral *c = fx_collateral(&f);
    cr_assert_eq(c->rim_count, 2);
    const attest_rim_item *tampered = &c->rims[0], *unparsable = &c->rims[1];
    cr_expect(tampered->rim && tampered->parse_status == ATTEST_OK);
    cr_expect_str_eq(tampered->rim->colloquial_version, "550.90.07");
    uint8_t digest[32];
    item *it = fx_find(&f, "driver_rim");
    cr_assert(EVP_Digest(it->data, it->len, digest, NULL, EVP_sha256(), NULL));
    cr_expect_eq(memcmp(tampered->sha256, digest, 32), 0, "keyed by the RIM's bytes");
    cr_expect_null(unparsable->rim);
    cr_expect_eq(unparsable->parse_status, ATTEST_E_MALFORMED);
    cr_expect(strstr(unparsable->parse_detail, "child of the SoftwareIdentity root"), "%s",
              unparsable->parse_detail);
    attest_collateral_free(c);
    fx_free(&f);
}

Test(nv_synthetic, rim_index_active_in_both)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_rim_desc *drv = rim_desc(&f, NVGEN_RIM_DRIVER);
    nvgen_rim_desc *vb = rim_desc(&f, NVGEN_RIM_VBIOS);
    /* The VBIOS RIM also claims driver index 22, with the same value: no
     * mismatch, only the conflict. */
    nvgen_rim_measurement *from = rim_index(drv, DRIVER_INDEX), *to = rim_index(vb, DRIVER_INDEX);
    cr_assert(from->active && !to->active);
    *to = *from;
    fx_put_rim_desc(&f, "vbios_rim", vb);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_RIM_CONFLICT, "gpu0.measurements");
    cr_expect(strstr(f.reason, "index 22"), "%s", f.reason);
    /* Inactive in one of them: fine. */
    to->active = 0;
    fx_put_rim_desc(&f, "vbios_rim", vb);
    EXPECT_OK(&f, fx_run(&f, STORED));
    free(drv);
    free(vb);
    fx_free(&f);
}

/* ---- 9. device chain ------------------------------------------------------ */

Test(nv_synthetic, device_chain_rogue_root)
{
    nvfx f;
    fx_load(&f, "nvidia-rogue");
    /* Pin only the real test PKI's roots. */
    char good[512];
    tu_pki(good, sizeof good, "nvidia");
    read_pin(good, "device_anchor.sha256", f.dev_pin);
    read_pin(good, "rim_anchor.sha256", f.rim_pin);
    size_t len = 0;
    uint8_t *saved = read_rel(f.dir, "report.bin", &len);
    attest_result *r = NULL;
    EXPECT_FAIL(&f, fx_verify_ev(&f, saved, len, STORED, f.pki->nonce, 32, &r),
                ATTEST_E_CERT_UNTRUSTED_ROOT, "gpu0.chain");
    /* Nothing after the chain ran for the device. */
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        cr_expect(strcmp(attest_result_check_name(r, i), "gpu0.report.signature") != 0);
    json_t *doc = tu_result_json(r);
    cr_expect(json_is_false(json_object_get(device_claims(doc, "gpu0"), "x-nvidia-device-result")));
    json_decref(doc);
    attest_result_free(r);
    /* The same from the rogue evidence.json. */
    fx_drop(&f, "chain");
    free(saved);
    saved = read_rel(f.dir, "evidence.json", &len);
    EXPECT_FAIL(&f, fx_verify_ev(&f, saved, len, STORED, f.pki->nonce, 32, NULL),
                ATTEST_E_CERT_UNTRUSTED_ROOT, "gpu0.chain");
    free(saved);
    fx_free(&f);
}

Test(nv_synthetic, device_chain_of_four)
{
    nvfx f;
    fx_load(&f, "nvidia");
    /* BROM dropped: the leaf's issuer is nowhere. */
    X509 *four[4] = {f.pki->dev[0].leaf.cert, f.pki->ica.cert, f.pki->identity.cert,
                     f.pki->dev_root.cert};
    size_t len = 0;
    char *pem = certs_pem(four, 4, &len);
    fx_put(&f, "chain", pem, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.chain");
    /* A valid 4-certificate path (leaf issued directly by the ICA): the
     * path verifies, the profile (5 certificates) does not. */
    nvgen_cert_opts o;
    X509 *leaf = NULL;
    uint8_t *ext = NULL;
    size_t ext_len = 0;
    nvgen_cert_opts_init(&o);
    cr_assert_eq(nvgen_fwid_ext_hopper(&ext, &ext_len, f.pki->ica.key, f.pki->fwid), 0);
    o.subject = "CN=GH100 A01 GSP FMC LF,O=NVIDIA Corporation,C=US";
    o.key_usage = NVGEN_KU_DIGITAL_SIGNATURE;
    o.subject_key = f.pki->dev[0].leaf.key;
    o.issuer_cert = f.pki->ica.cert;
    o.issuer_key = f.pki->ica.key;
    o.fwid_ext = ext;
    o.fwid_ext_len = ext_len;
    o.fwid_oid = NVGEN_OID_FWID_HOPPER;
    cr_assert_eq(nvgen_cert_issue(&leaf, &o), 0);
    four[0] = leaf;
    pem = certs_pem(four, 4, &len);
    fx_put(&f, "chain", pem, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_CERT_PROFILE, "gpu0.chain");
    /* Only the leaf: COLLATERAL_MISSING; no leaf at all: COLLATERAL_MISSING. */
    X509 *one[1] = {f.pki->dev[0].leaf.cert};
    pem = certs_pem(one, 1, &len);
    fx_put(&f, "chain", pem, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.chain");
    fx_drop(&f, "chain");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.chain");
    free(ext);
    X509_free(leaf);
    fx_free(&f);
}

/* A device chain whose Identity CA is issued by the RIM root: the RIM
 * root is pinned, but for RIMs only, never for devices. */
Test(nv_synthetic, device_chain_ending_at_the_rim_root)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_cert_opts o;
    X509 *identity = NULL;
    nvgen_cert_opts_init(&o);
    o.subject = "CN=NVIDIA GH100 Identity,O=NVIDIA Corporation";
    o.not_before = NVGEN_T_2022_01_12;
    o.basic_constraints = 1;
    o.is_ca = 1;
    o.key_usage = NVGEN_KU_KEY_CERT_SIGN | NVGEN_KU_CRL_SIGN;
    o.subject_key = f.pki->identity.key;
    o.issuer_cert = f.pki->rim_root.cert;
    o.issuer_key = f.pki->rim_root.key;
    cr_assert_eq(nvgen_cert_issue(&identity, &o), 0);
    X509 *chain[5] = {f.pki->dev[0].leaf.cert, f.pki->dev[0].brom.cert, f.pki->ica.cert, identity,
                      f.pki->rim_root.cert};
    size_t len = 0;
    char *pem = certs_pem(chain, 5, &len);
    fx_put(&f, "chain", pem, len);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_CERT_UNTRUSTED_ROOT, "gpu0.chain");
    /* Control: the same chain passes once the RIM root is also pinned as
     * a device root (so the rejection above is the vendor separation). */
    attest_evidence *ev = NULL;
    uint8_t *rep = fx_report(&f, &len, NULL);
    cr_assert_eq(attest_evidence_parse(&ev, rep, len), ATTEST_OK);
    attest_collateral *c = fx_collateral(&f);
    attest_verifier *v = fx_verifier(&f);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_DEVICE, f.rim_pin), ATTEST_OK);
    attest_policy *p = tu_policy("{\"nvidia\":{\"allow_stored_ocsp\":true,\"require_ocsp\":false}}");
    attest_result *r = NULL;
    int st = attest_verify(&r, v, ev, c, p, f.pki->nonce, 32);
    cr_expect_eq(st, ATTEST_OK, "%s", attest_result_reason(r));
    attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    free(rep);
    X509_free(identity);
    fx_free(&f);
}

/* ---- 10. framing ---------------------------------------------------------- */

static void truncations(const char *pki)
{
    nvfx f;
    fx_load(&f, pki);
    size_t len = 0;
    uint8_t *rep = fx_report(&f, &len, NULL);
    size_t tried = 0;
    for (size_t n = 0; n < len; n += 13) {
        /* A fresh copy of exactly n bytes so that ASan sees any overread. */
        uint8_t *cut = malloc(n ? n : 1);
        cr_assert(cut);
        memcpy(cut, rep, n);
        attest_evidence *ev = NULL;
        int st = attest_evidence_parse(&ev, cut, n);
        if (n < NVGEN_REQUEST_SIZE)
            cr_expect(st == ATTEST_E_FORMAT_UNKNOWN || st == ATTEST_E_INVALID_ARG,
                      "%s: %zu bytes: %s", pki, n, attest_status_name(st));
        else
            cr_expect_eq(st, ATTEST_E_TRUNCATED, "%s: %zu bytes: %s (%s)", pki, n,
                         attest_status_name(st), attest_error_last());
        cr_expect_null(ev);
        attest_evidence_free(ev);
        free(cut);
        tried++;
    }
    cr_expect(tried > 100);
    free(rep);
    fx_free(&f);
}

Test(nv_synthetic, truncated_reports_never_crash)
{
    truncations("nvidia");
    truncations("nvidia-switch");
    truncations("nvidia-blackwell");
}

Test(nv_synthetic, trailing_bytes)
{
    nvfx f;
    fx_load(&f, "nvidia");
    f.desc->trailing = 1;
    f.desc->trailing_fill = 0x01;
    size_t len = 0;
    uint8_t *rep = fx_report(&f, &len, NULL);
    attest_evidence *ev = NULL;
    cr_expect_eq(attest_evidence_parse(&ev, rep, len), ATTEST_E_LENGTH, "%s", attest_error_last());
    cr_expect_null(ev);
    free(rep);
    /* Zero padding is accepted, one byte or several. */
    f.desc->trailing_fill = 0x00;
    EXPECT_OK(&f, fx_run(&f, STORED));
    f.desc->trailing = 7;
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, STORED, &r));
    json_t *doc = tu_result_json(r);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(device_claims(doc, "gpu0"), "report"),
                                                    "trailing_bytes")),
                 7);
    json_decref(doc);
    attest_result_free(r);
    /* Zeros then a non-zero byte. */
    rep = fx_report(&f, &len, NULL);
    rep[len - 1] = 0xff;
    ev = NULL;
    cr_expect_eq(attest_evidence_parse(&ev, rep, len), ATTEST_E_LENGTH);
    attest_evidence_free(ev);
    free(rep);
    fx_free(&f);
}

/* ---- 11. NVDEC0 ----------------------------------------------------------- */

#define NVDEC0_INDEX 35

Test(nv_synthetic, nvdec0_status)
{
    nvfx f;
    fx_load(&f, "nvidia");
    uint8_t other[48];
    memset(other, 0xee, sizeof other);
    cr_assert_eq(nvgen_report_set_measurement(f.desc, NVDEC0_INDEX, other, 48), 0);
    /* Default 0x55: disabled, index 35 is skipped. */
    attest_result *r = NULL;
    EXPECT_OK(&f, fx_run_keep(&f, STORED, &r));
    size_t n = 9;
    cr_expect(!mismatch_listed(r, "gpu0", NVDEC0_INDEX, &n));
    cr_expect_eq(n, 0u);
    attest_result_free(r);
    /* 0xAA: enabled, index 35 is checked. */
    uint8_t on = NVGEN_NVDEC0_ENABLED;
    cr_assert_eq(nvgen_report_set_tlv(f.desc, NVGEN_TLV_NVDEC0_STATUS, &on, 1), 0);
    r = NULL;
    EXPECT_FAIL(&f, fx_run_keep(&f, STORED, &r), ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    cr_expect(mismatch_listed(r, "gpu0", NVDEC0_INDEX, NULL));
    attest_result_free(r);
    /* Enabled with the golden value: accepted. */
    cr_assert_eq(nvgen_report_set_measurement(f.desc, NVDEC0_INDEX,
                                              nvgen_golden_report_value(f.pki, NVDEC0_INDEX), 48),
                 0);
    EXPECT_OK(&f, fx_run(&f, STORED));
    /* Another status value is malformed. */
    uint8_t odd = 0x12;
    cr_assert_eq(nvgen_report_set_tlv(f.desc, NVGEN_TLV_NVDEC0_STATUS, &odd, 1), 0);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.measurements");
    /* Absent: index 35 is checked (mismatch -> failure). */
    cr_assert_eq(nvgen_report_del_tlv(f.desc, NVGEN_TLV_NVDEC0_STATUS), 0);
    cr_assert_eq(nvgen_report_set_measurement(f.desc, NVDEC0_INDEX, other, 48), 0);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_MEASUREMENT, "gpu0.measurements");
    fx_free(&f);
}

/* ---- 12. policy ----------------------------------------------------------- */

Test(nv_synthetic, policy_versions)
{
    nvfx f;
    fx_load(&f, "nvidia"); /* driver 550.90.07, VBIOS 96.00.9F.00.01 */
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"min_driver_version\":\"550.90.07\"")));
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"min_driver_version\":\"550.9\"")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"min_driver_version\":\"550.90.08\"")),
                ATTEST_E_POLICY_NV_VERSION, "gpu0.versions");
    /* Numeric, not lexicographic: 90 < 100. */
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"min_driver_version\":\"550.100\"")),
                ATTEST_E_POLICY_NV_VERSION, "gpu0.versions");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allowed_driver_versions\":[\"535.1\",\"550.90.07\"]")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allowed_driver_versions\":[\"535.1\"]")),
                ATTEST_E_POLICY_NV_VERSION, "gpu0.versions");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"allowed_vbios_versions\":[\"96.00.9f.00.01\"]")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allowed_vbios_versions\":[\"96.00.9F.00.02\"]")),
                ATTEST_E_POLICY_NV_VERSION, "gpu0.versions");
    /* VBIOS components are hexadecimal: 9F < A0. */
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"min_vbios_version\":\"96.00.9E.00.01\"")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"min_vbios_version\":\"96.00.A0.00.00\"")),
                ATTEST_E_POLICY_NV_VERSION, "gpu0.versions");
    fx_free(&f);
    /* The switch: a driver rule does not apply, the BIOS rule does. */
    fx_load(&f, "nvidia-switch");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"min_driver_version\":\"999.0\"")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allowed_vbios_versions\":[\"96.10.55.00.02\"]")),
                ATTEST_E_POLICY_NV_VERSION, "switch0.versions");
    fx_free(&f);
}

Test(nv_synthetic, policy_required_mode)
{
    nvfx f;
    fx_load(&f, "nvidia-blackwell"); /* FEATURE_FLAG 0: SPT */
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"ppcie\"")),
                ATTEST_E_POLICY_NV_MODE, "nvidia.mode");
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"mpt\"")),
                ATTEST_E_POLICY_NV_MODE, "nvidia.mode");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"SPT\"")));
    uint8_t ppcie[2] = {2, 0};
    cr_assert_eq(nvgen_report_set_tlv(f.desc, NVGEN_TLV_FEATURE_FLAG, ppcie, 2), 0);
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"ppcie\"")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"spt\"")),
                ATTEST_E_POLICY_NV_MODE, "nvidia.mode");
    fx_free(&f);
    /* A Hopper report has no FEATURE_FLAG: no mode can be proven. */
    fx_load(&f, "nvidia");
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"required_mode\":\"spt\"")),
                ATTEST_E_POLICY_NV_MODE, "nvidia.mode");
    fx_free(&f);
}

/* Two GPUs of one machine built with the given FEATURE_FLAGs. */
static int two_gpus(nvfx *f, uint16_t flag0, uint16_t flag1, const char *policy)
{
    uint8_t *reps[2];
    size_t lens[2];
    uint16_t flags[2] = {flag0, flag1};
    for (size_t k = 0; k < 2; k++) {
        nvgen_report_desc *d = malloc(sizeof *d);
        cr_assert(d);
        cr_assert_eq(nvgen_report_desc_init(d, f->pki, k), 0);
        uint8_t v[2] = {(uint8_t)flags[k], (uint8_t)(flags[k] >> 8)};
        cr_assert_eq(nvgen_report_set_tlv(d, NVGEN_TLV_FEATURE_FLAG, v, 2), 0);
        cr_assert_eq(nvgen_report_build(&reps[k], &lens[k], NULL, d, f->pki->dev[k].leaf.key), 0);
        free(d);
    }
    char *json = NULL;
    size_t jlen = 0;
    const uint8_t *const creps[2] = {reps[0], reps[1]};
    cr_assert_eq(nvgen_evidence_json(&json, &jlen, f->pki, creps, lens, 2), 0);
    int st = fx_verify_ev(f, (uint8_t *)json, jlen, policy, f->pki->nonce, 32, NULL);
    free(json);
    free(reps[0]);
    free(reps[1]);
    return st;
}

Test(nv_synthetic, policy_mode_must_agree_across_gpus)
{
    nvfx f;
    fx_load(&f, "nvidia-x4");
    x4_collateral(&f);
    EXPECT_OK(&f, two_gpus(&f, 1, 1, STORED_WITH("\"required_mode\":\"mpt\"")));
    EXPECT_FAIL(&f, two_gpus(&f, 0, 1, STORED), ATTEST_E_POLICY_NV_MODE, "nvidia.mode");
    EXPECT_FAIL(&f, two_gpus(&f, 2, 0, STORED_WITH("\"required_mode\":\"ppcie\"")),
                ATTEST_E_POLICY_NV_MODE, "nvidia.mode");
    fx_free(&f);
}

Test(nv_synthetic, policy_ppcie_topology_with_four_gpus)
{
    nvfx f;
    fx_load(&f, "nvidia-x4");
    x4_collateral(&f);
    size_t len = 0;
    uint8_t *json = read_rel(f.dir, "evidence.json", &len);
    EXPECT_OK(&f, fx_verify_ev(&f, json, len, STORED, f.pki->nonce, 32, NULL));
    EXPECT_FAIL(&f, fx_verify_ev(&f, json, len, STORED_WITH("\"require_ppcie_topology\":true"),
                                 f.pki->nonce, 32, NULL),
                ATTEST_E_NV_TOPOLOGY, "nvidia.topology");
    cr_expect(strstr(f.reason, "4 GPUs and 0 NVSwitches"), "%s", f.reason);
    free(json);
    fx_free(&f);
}

Test(nv_synthetic, policy_invalid_members)
{
    static const char *const bad[] = {
        "{\"nvidia\":{\"allow_stored_ocps\":true}}",  /* typo */
        "{\"nvidia\":{\"require_nonce\":1}}",
        "{\"nvidia\":{\"required_mode\":\"quantum\"}}",
        "{\"nvidia\":{\"required_mode\":2}}",
        "{\"nvidia\":{\"allowed_mismatch_indices\":[64]}}",
        "{\"nvidia\":{\"allowed_mismatch_indices\":[-1]}}",
        "{\"nvidia\":{\"allowed_mismatch_indices\":22}}",
        "{\"nvidia\":{\"min_driver_version\":\"\"}}",
        "{\"nvidia\":{\"allowed_vbios_versions\":[]}}",
        "{\"nvidia\":{\"allowed_vbios_versions\":[96]}}",
        "{\"nvidia\":{\"min_gpus\":9}}",
        "{\"nvidia\":{\"ocsp_max_age_seconds\":-1}}",
        "{\"nvidia\":{\"ocsp_max_age_seconds\":31622401}}",
        "{\"nvidia\":{\"ocsp_max_age_seconds\":\"3600\"}}",
        "{\"nvidia\":{\"ocsp_max_age_seconds\":3600.5}}",
        "{\"nvidia\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        attest_policy *p = NULL;
        cr_expect_eq(attest_policy_from_json(&p, bad[i], strlen(bad[i])), ATTEST_E_POLICY_INVALID,
                     "%s", bad[i]);
        cr_expect_null(p, "%s", bad[i]);
        attest_policy_free(p);
    }
    attest_policy *p = NULL;
    const char *typo = "{\"nvidia\":{\"allow_stored_ocps\":true}}";
    cr_expect_eq(attest_policy_from_json(&p, typo, strlen(typo)), ATTEST_E_POLICY_INVALID);
    cr_expect(strstr(attest_error_last(), "allow_stored_ocps"), "%s", attest_error_last());
    attest_policy_free(p);
    /* The documented example parses. */
    const char *doc = "{\"nvidia\":{\"require_nonce\":true,\"require_ocsp\":true,"
                      "\"allow_stored_ocsp\":false,\"allow_stale_ocsp\":false,"
                      "\"allow_ocsp_hold\":false,\"allow_ocsp_unknown\":false,"
                      "\"ocsp_max_age_seconds\":0,"
                      "\"allowed_mismatch_indices\":[],\"min_driver_version\":\"550.90.07\","
                      "\"allowed_vbios_versions\":[\"96.00.9F.00.01\"],\"required_mode\":\"ppcie\","
                      "\"require_ppcie_topology\":true,\"min_gpus\":8,\"min_switches\":4}}";
    p = NULL;
    cr_expect_eq(attest_policy_from_json(&p, doc, strlen(doc)), ATTEST_OK, "%s", attest_error_last());
    attest_policy_free(p);
}

/* ---- repeated devices ------------------------------------------------------ */

/* Append one NVAT evidence object {arch, certificate, evidence, nonce}. */
static void nvat_append(char **json, size_t *len, const char *arch, const char *pem, size_t pem_len,
                        const uint8_t *rep, size_t rep_len)
{
    size_t cap = *len + 64 + 4 * (pem_len + rep_len) / 3 + 16 + 64 + 64;
    char *out = realloc(*json, cap);
    cr_assert(out);
    size_t n = *len;
    n += (size_t)snprintf(out + n, cap - n, "%s{\"arch\":\"%s\",\"certificate\":\"", n > 1 ? "," : "",
                          arch);
    n += (size_t)EVP_EncodeBlock((unsigned char *)out + n, (const unsigned char *)pem, (int)pem_len);
    n += (size_t)snprintf(out + n, cap - n, "\",\"evidence\":\"");
    n += (size_t)EVP_EncodeBlock((unsigned char *)out + n, rep, (int)rep_len);
    n += (size_t)snprintf(out + n, cap - n, "\",\"nonce\":\"");
    for (int i = 0; i < 32; i++)
        n += (size_t)snprintf(out + n, cap - n, "%02x", rep[NVGEN_OFF_NONCE + i]);
    n += (size_t)snprintf(out + n, cap - n, "\"}");
    cr_assert(n < cap);
    *json = out;
    *len = n;
}

/* Formerly a library bug (lib/appraise/nv_appraise.c, nv_verify_devices): the same
 * device's evidence (same report, same leaf certificate, same UEID) given
 * twice is counted as two GPUs, so "min_gpus": 2 is met by one GPU. A
 * device should count once; a repeated leaf (UEID / leaf SPKI) should be
 * refused (suggested: fail "nvidia.devices" with
 * ATTEST_E_COLLATERAL_MISSING, "device evidence repeated", or count only
 * distinct leaves against min_gpus / min_switches). */
Test(nv_synthetic, repeated_gpu_does_not_count_twice)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_drop(&f, "chain");
    size_t len = 0, pem_len = 0, jlen = 1;
    uint8_t *rep = fx_report(&f, &len, NULL);
    char *pem = NULL, *json = malloc(2);
    cr_assert(json);
    json[0] = '[';
    cr_assert_eq(nvgen_pki_device_chain_pem(&pem, &pem_len, f.pki, 0), 0);
    nvat_append(&json, &jlen, "HOPPER", pem, pem_len, rep, len);
    json = realloc(json, jlen + 2);
    json[jlen] = ']';
    EXPECT_OK(&f, fx_verify_ev(&f, (uint8_t *)json, jlen + 1, STORED_WITH("\"min_gpus\":1"),
                               f.pki->nonce, 32, NULL));
    EXPECT_FAIL(&f, fx_verify_ev(&f, (uint8_t *)json, jlen + 1, STORED_WITH("\"min_gpus\":2"),
                                 f.pki->nonce, 32, NULL),
                ATTEST_E_COLLATERAL_MISSING, "nvidia.devices");
    /* The same GPU twice. */
    nvat_append(&json, &jlen, "HOPPER", pem, pem_len, rep, len);
    json = realloc(json, jlen + 2);
    json[jlen] = ']';
    int st = fx_verify_ev(&f, (uint8_t *)json, jlen + 1, STORED_WITH("\"min_gpus\":2"), f.pki->nonce,
                          32, NULL);
    cr_expect_neq(st, ATTEST_OK, "one GPU given twice must not meet min_gpus 2 [%s] %s",
                  f.failed, f.reason);
    free(json);
    free(pem);
    free(rep);
    fx_free(&f);
}

/* Formerly a library bug (lib/appraise/nv_appraise.c, check_topology): the PPCIe
 * topology check ("8 GPUs and 4 NVSwitches, each GPU connected to the
 * same 4 switches, each switch reporting the same 8 GPUs") passes with ONE
 * GPU's evidence repeated 8 times and ONE NVSwitch's repeated 4 times: it
 * counts evidence entries, not distinct devices, and only checks that each
 * switch's own PDI is among the GPU's switch PDIs. Expected: rejected
 * with ATTEST_E_NV_TOPOLOGY ("nvidia.topology"). Suggested fix: require 4
 * distinct switch PDIs among the switches (and 8 distinct GPU leaves /
 * UEIDs), the switches' PDI set equal to each GPU's set, and 8 distinct
 * GPU PDIs in the switches' SWITCH_GPU_PDIS. */
Test(nv_synthetic, ppcie_topology_from_one_gpu_and_one_switch_repeated)
{
    nvfx f, s;
    fx_load(&f, "nvidia");
    fx_load(&s, "nvidia-switch");
    /* The switch's own PDI (BROM serial bytes 1..8, big-endian in the LS10
     * report); a GPU lists its switches' PDIs little-endian. */
    size_t slen = 0, off = 0, vlen = 0;
    nvgen_report_layout lay;
    uint8_t *srep = fx_report(&s, &slen, &lay);
    cr_assert_eq(nvgen_report_find_tlv(&off, &vlen, &lay, srep, NVGEN_TLV_SWITCH_PDI), 0);
    cr_assert_eq(vlen, 8u);
    uint8_t pdis[32];
    for (int j = 0; j < 8; j++)
        pdis[j] = srep[off + 7 - j];
    for (int k = 1; k < 4; k++) /* three more switches the GPU claims to see */
        for (int j = 0; j < 8; j++)
            pdis[8 * k + j] = (uint8_t)(0xA0 + 16 * k + j);
    cr_assert_eq(nvgen_report_set_tlv(f.desc, NVGEN_TLV_SWITCH_PDI, pdis, 32), 0);
    size_t glen = 0, gpem_len = 0, spem_len = 0, jlen = 1;
    uint8_t *grep = fx_report(&f, &glen, NULL);
    char *gpem = NULL, *spem = NULL, *json = malloc(2);
    cr_assert(json);
    json[0] = '[';
    cr_assert_eq(nvgen_pki_device_chain_pem(&gpem, &gpem_len, f.pki, 0), 0);
    cr_assert_eq(nvgen_pki_device_chain_pem(&spem, &spem_len, s.pki, 0), 0);
    for (int k = 0; k < 8; k++)
        nvat_append(&json, &jlen, "HOPPER", gpem, gpem_len, grep, glen);
    for (int k = 0; k < 4; k++)
        nvat_append(&json, &jlen, "LS10", spem, spem_len, srep, slen);
    json = realloc(json, jlen + 2);
    json[jlen++] = ']';
    /* One verifier for both PKIs: pin both, collateral of both. */
    fx_drop(&f, "chain");
    memcpy(f.dev_pin2, s.dev_pin, 32);
    memcpy(f.rim_pin2, s.rim_pin, 32);
    f.has_pin2 = true;
    static const char *const tags[] = {"vbios_rim", "dev1", "dev2", "dev3", "rim0", "rim1", "rim2"};
    for (size_t i = 0; i < 7; i++) {
        item *it = fx_find(&s, tags[i]);
        char tag[32];
        snprintf(tag, sizeof tag, "sw_%s", tags[i]);
        uint8_t *copy = malloc(it->len);
        cr_assert(copy);
        memcpy(copy, it->data, it->len);
        fx_put(&f, tag, copy, it->len);
    }
    attest_result *r = NULL;
    int st = fx_verify_ev(&f, (uint8_t *)json, jlen, STORED, f.pki->nonce, 32, &r);
    /* Every device verifies on its own, but the same device may not stand
     * for several (nvidia.devices). */
    cr_expect_eq(st, ATTEST_E_MALFORMED, "got %s: [%s] %s", attest_status_name(st), f.failed,
                 f.reason);
    attest_result_free(r);
    r = NULL;
    st = fx_verify_ev(&f, (uint8_t *)json, jlen, STORED_WITH("\"require_ppcie_topology\":true"),
                      f.pki->nonce, 32, &r);
    bool topology_passed = false;
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), "nvidia.topology"))
            topology_passed = attest_result_check_outcome(r, i) == ATTEST_CHECK_PASS;
    cr_expect(!topology_passed, "1 GPU x8 + 1 NVSwitch x4 must not pass the PPCIe topology check");
    cr_expect(st == ATTEST_E_NV_TOPOLOGY || st == ATTEST_E_MALFORMED, "got %s: [%s] %s",
              attest_status_name(st), f.failed, f.reason);
    attest_result_free(r);
    free(json);
    free(gpem);
    free(spem);
    free(grep);
    free(srep);
    fx_free(&s);
    fx_free(&f);
}

/* ---- one device counts once, by identity (BROM key, leaf key, PDI) --------- */

/* An NVAT evidence list under construction: "[" item "," item ... "]". */
typedef struct nvat {
    char *json;
    size_t len;
} nvat;

static void nvat_begin(nvat *n)
{
    cr_assert(n->json = malloc(2));
    n->json[0] = '[';
    n->len = 1;
}

static void nvat_add(nvat *n, const char *arch, const char *pem, size_t pem_len, const uint8_t *rep,
                     size_t rep_len)
{
    nvat_append(&n->json, &n->len, arch, pem, pem_len, rep, rep_len);
}

/* Closes the list; returns its length. */
static size_t nvat_end(nvat *n)
{
    cr_assert(n->json = realloc(n->json, n->len + 2));
    n->json[n->len++] = ']';
    n->json[n->len] = '\0';
    return n->len;
}

/* Device `dev`'s chain with its leaf (and BROM, if given) replaced. */
static char *chain_with(const nvgen_pki *pki, size_t dev, X509 *leaf, X509 *brom, size_t *len)
{
    X509 *certs[5] = {leaf ? leaf : pki->dev[dev].leaf.cert, brom ? brom : pki->dev[dev].brom.cert,
                      pki->ica.cert, pki->identity.cert, pki->dev_root.cert};
    return certs_pem(certs, 5, len);
}

/* Device k's default report, answering the PKI's nonce, signed by `key`
 * (NULL: the device's leaf key). */
static uint8_t *device_report(const nvgen_pki *pki, size_t k, EVP_PKEY *key, size_t *len)
{
    nvgen_report_desc *d = malloc(sizeof *d);
    uint8_t *rep = NULL;
    cr_assert(d);
    cr_assert_eq(nvgen_report_desc_init(d, pki, k), 0);
    cr_assert_eq(nvgen_report_build(&rep, len, NULL, d, key ? key : pki->dev[k].leaf.key), 0);
    free(d);
    return rep;
}

static bool check_failed_with(const attest_result *r, const char *name, const char *detail)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name) &&
            attest_result_check_outcome(r, i) == ATTEST_CHECK_FAIL &&
            strstr(attest_result_check_detail(r, i), detail))
            return true;
    return false;
}

static int check_outcome(const attest_result *r, const char *name)
{
    int outcome = -1;
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name))
            outcome = outcome == ATTEST_CHECK_FAIL ? outcome : (int)attest_result_check_outcome(r, i);
    return outcome;
}

/* GPU 0's report given twice, with `first` and `second` as the chains and
 * the reports signed by key0 / key1 (NULL: GPU 0's leaf key): one device,
 * so min_gpus 2 is not met and nvidia.devices names both entries and
 * `shared`. */
static void expect_one_device(nvfx *f, const char *first, size_t first_len, const char *second,
                              size_t second_len, EVP_PKEY *key1, const char *shared)
{
    size_t l0 = 0, l1 = 0;
    uint8_t *r0 = device_report(f->pki, 0, NULL, &l0);
    uint8_t *r1 = device_report(f->pki, 0, key1, &l1);
    nvat ev;
    nvat_begin(&ev);
    nvat_add(&ev, "HOPPER", first, first_len, r0, l0);
    nvat_add(&ev, "HOPPER", second, second_len, r1, l1);
    size_t len = nvat_end(&ev);
    attest_result *r = NULL;
    int st = fx_verify_ev(f, (uint8_t *)ev.json, len, STORED_WITH("\"min_gpus\":2"), f->pki->nonce,
                          32, &r);
    cr_expect_eq(st, ATTEST_E_MALFORMED, "got %s: [%s] %s", attest_status_name(st), f->failed,
                 f->reason);
    cr_expect_str_eq(f->failed, "nvidia.devices", "%s", f->reason);
    cr_expect(check_failed_with(r, "nvidia.devices", "gpu0 and gpu1 are the same device"), "%s",
              f->reason);
    cr_expect(check_failed_with(r, "nvidia.devices", shared), "should share %s: %s", shared,
              f->reason);
    cr_expect(check_failed_with(r, "nvidia.devices", "1 distinct GPUs"),
              "min_gpus 2 must not be met by one GPU");
    /* Each entry verified on its own: only the count and the repetition fail. */
    cr_expect_eq(check_outcome(r, "gpu0.report.signature"), ATTEST_CHECK_PASS);
    cr_expect_eq(check_outcome(r, "gpu1.report.signature"), ATTEST_CHECK_PASS);
    cr_expect_eq(check_outcome(r, "gpu1.measurements"), ATTEST_CHECK_PASS);
    attest_result_free(r);
    free(ev.json);
    free(r0);
    free(r1);
}

/* Formerly a library bug (nv_verify_devices counted SHA-256 of the leaf's
 * DER): the leaf's ECDSA signature (r, s) re-encoded as (r, n-s) still
 * verifies, so one GPU given twice met min_gpus 2. */
Test(nv_synthetic, repeated_gpu_with_its_leaf_signature_re_encoded)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_drop(&f, "chain");
    X509 *twin = NULL;
    cr_assert_eq(nvgen_cert_negate_s(&twin, f.pki->dev[0].leaf.cert), 0);
    cr_assert_eq(X509_verify(twin, f.pki->dev[0].brom.key), 1, "n-s must stay a valid signature");
    cr_assert_neq(X509_cmp(twin, f.pki->dev[0].leaf.cert), 0, "the DER must differ");
    size_t l0 = 0, l1 = 0;
    char *pem0 = chain_with(f.pki, 0, NULL, NULL, &l0), *pem1 = chain_with(f.pki, 0, twin, NULL, &l1);
    expect_one_device(&f, pem0, l0, pem1, l1, NULL, "the BROM certificate key, the leaf key, PDI ");
    free(pem0);
    free(pem1);
    X509_free(twin);
    fx_free(&f);
}

/* The BROM certificate is per chip; the leaf is re-issued with firmware.
 * Formerly passed min_gpus 2: another leaf is another DER. */
Test(nv_synthetic, repeated_gpu_with_another_leaf_of_its_brom)
{
    nvfx f;
    fx_load(&f, "nvidia");
    fx_drop(&f, "chain");
    EVP_PKEY *key = NULL;
    X509 *leaf = NULL;
    cr_assert_eq(snpgen_ec_p384_keygen(&key), 0);
    cr_assert_eq(nvgen_pki_issue_leaf(&leaf, f.pki, 0, key), 0);
    size_t l0 = 0, l1 = 0;
    char *pem0 = chain_with(f.pki, 0, NULL, NULL, &l0), *pem1 = chain_with(f.pki, 0, leaf, NULL, &l1);
    expect_one_device(&f, pem0, l0, pem1, l1, key, "the BROM certificate key, PDI ");
    free(pem0);
    free(pem1);
    X509_free(leaf);
    EVP_PKEY_free(key);
    fx_free(&f);
}

/* The same leaf key under two BROMs, or two BROM keys with one PDI, is
 * one device too (formerly two). */
Test(nv_synthetic, repeated_leaf_key_or_pdi_under_another_brom)
{
    nvfx f;
    fx_load(&f, "nvidia-x4");
    x4_collateral(&f);
    /* GPU 1's BROM certifies GPU 0's leaf key; GPU 0's key signs both. */
    X509 *leaf = NULL;
    cr_assert_eq(nvgen_pki_issue_leaf(&leaf, f.pki, 1, f.pki->dev[0].leaf.key), 0);
    size_t l0 = 0, l1 = 0;
    char *pem0 = chain_with(f.pki, 0, NULL, NULL, &l0), *pem1 = chain_with(f.pki, 1, leaf, NULL, &l1);
    expect_one_device(&f, pem0, l0, pem1, l1, NULL, "share the leaf key");
    free(pem0);
    free(pem1);
    X509_free(leaf);
    /* GPU 1's BROM re-issued with GPU 0's serial (PDI), then its leaf. */
    uint8_t serial[9];
    char subject[160], hex[19];
    const ASN1_INTEGER *s0 = X509_get0_serialNumber(f.pki->dev[0].brom.cert);
    cr_assert_eq(ASN1_STRING_length(s0), 9);
    memcpy(serial, ASN1_STRING_get0_data(s0), 9);
    for (int i = 0; i < 9; i++)
        snprintf(hex + 2 * i, 3, "%02X", serial[i]);
    snprintf(subject, sizeof subject, "serialNumber=%s,C=US,O=NVIDIA Corporation,CN=GH100 A01 GSP BROM",
             hex);
    nvgen_cert_opts o;
    nvgen_cert_opts_init(&o);
    o.subject = subject;
    memcpy(o.serial, serial, 9);
    o.serial_len = 9;
    o.basic_constraints = 1;
    o.is_ca = 1;
    o.key_usage = NVGEN_KU_KEY_CERT_SIGN;
    o.subject_key = f.pki->dev[1].brom.key;
    o.issuer_cert = f.pki->ica.cert;
    o.issuer_key = f.pki->ica.key;
    X509 *brom = NULL;
    cr_assert_eq(nvgen_cert_issue(&brom, &o), 0);
    X509_free(f.pki->dev[1].brom.cert);
    f.pki->dev[1].brom.cert = brom;
    X509_free(f.pki->dev[1].leaf.cert);
    cr_assert_eq(nvgen_pki_issue_leaf(&f.pki->dev[1].leaf.cert, f.pki, 1, f.pki->dev[1].leaf.key), 0);
    fx_ocsp(&f, "gpu1_dev1", NVGEN_CHAIN_DEVICE, 1, 1, NVGEN_OCSP_GOOD);
    pem0 = chain_with(f.pki, 0, NULL, NULL, &l0);
    pem1 = chain_with(f.pki, 1, NULL, NULL, &l1);
    expect_one_device(&f, pem0, l0, pem1, l1, f.pki->dev[1].leaf.key, "they share PDI ");
    free(pem0);
    free(pem1);
    fx_free(&f);
}

/* An entry whose chain does not verify fails on its own, and beside
 * others it counts for no device (it could be any of them). */
Test(nv_synthetic, entry_without_a_verified_chain_counts_for_none)
{
    nvfx f;
    fx_load(&f, "nvidia-x4");
    x4_collateral(&f);
    size_t l0 = 0, l1 = 0, p0 = 0, p1 = 0;
    uint8_t *r0 = device_report(f.pki, 0, NULL, &l0), *r1 = device_report(f.pki, 1, NULL, &l1);
    char *pem0 = chain_with(f.pki, 0, NULL, NULL, &p0);
    X509 *leaf_only[1] = {f.pki->dev[1].leaf.cert}; /* no BROM, ICA, ... */
    char *pem1 = certs_pem(leaf_only, 1, &p1);
    nvat ev;
    nvat_begin(&ev);
    nvat_add(&ev, "HOPPER", pem0, p0, r0, l0);
    nvat_add(&ev, "HOPPER", pem1, p1, r1, l1);
    size_t len = nvat_end(&ev);
    attest_result *r = NULL;
    int st = fx_verify_ev(&f, (uint8_t *)ev.json, len, STORED_WITH("\"min_gpus\":2"), f.pki->nonce,
                          32, &r);
    cr_expect_neq(st, ATTEST_OK);
    cr_expect_str_eq(f.failed, "gpu1.chain", "%s", f.reason);
    cr_expect(check_failed_with(r, "nvidia.devices", "gpu1 has no verified device chain"));
    cr_expect(check_failed_with(r, "nvidia.devices", "1 distinct GPUs"));
    attest_result_free(r);
    free(ev.json);
    free(pem0);
    free(pem1);
    free(r0);
    free(r1);
    fx_free(&f);
}

/* ---- PPCIe: 8 GPUs and 4 NVSwitches of a generated HGX system ------------- */

#define PP_GPUS 8
#define PP_SWITCHES 4
#define PP_DEVICES (PP_GPUS + PP_SWITCHES)

/* The system: two PKIs (GPUs in f.pki, NVSwitches in sw), both pinned,
 * the collateral of both; entry i's chain and report (GPUs first). */
typedef struct ppcie {
    nvfx f;
    nvgen_pki *sw;
    char *pem[PP_DEVICES];
    size_t pem_len[PP_DEVICES];
    uint8_t *rep[PP_DEVICES];
    size_t rep_len[PP_DEVICES];
} ppcie;

static void spki_pin(X509 *root, uint8_t out[32])
{
    unsigned char *der = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(root), &der);
    cr_assert(n > 0);
    cr_assert(EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(), NULL) == 1);
    OPENSSL_free(der);
}

static nvgen_pki *pp_generate(nvgen_arch arch, size_t n)
{
    nvgen_pki_opts o;
    nvgen_pki *pki = NULL;
    cr_assert_eq(nvgen_pki_opts_init(&o, arch), 0);
    o.n_devices = n;
    cr_assert_eq(nvgen_pki_generate(&pki, &o), 0);
    return pki;
}

/* RIMs and OCSP (every device's BROM, the shared ICA and Identity, the RIM
 * chain) of one PKI into the fixture. */
static void pp_collateral(nvfx *f, const nvgen_pki *pki, const char *tag)
{
    char t[24];
    OCSP_RESPONSE *resp = NULL;
    for (int kind = pki->arch == NVGEN_LS10 ? NVGEN_RIM_VBIOS : NVGEN_RIM_DRIVER;
         kind <= NVGEN_RIM_VBIOS; kind++) {
        char *xml = NULL;
        size_t len = 0;
        cr_assert_eq(nvgen_pki_rim(&xml, &len, pki, (nvgen_rim_kind)kind, 0), 0);
        snprintf(t, sizeof t, "%s_rim%d", tag, kind);
        fx_put(f, t, xml, len);
    }
    for (size_t d = 0; d < pki->n_devices; d++) {
        cr_assert_eq(nvgen_pki_ocsp(&resp, pki, NVGEN_CHAIN_DEVICE, d, 1, NULL), 0);
        snprintf(t, sizeof t, "%s_brom%zu", tag, d);
        fx_put_ocsp(f, t, resp);
    }
    for (size_t pos = 2; pos <= 3; pos++) {
        cr_assert_eq(nvgen_pki_ocsp(&resp, pki, NVGEN_CHAIN_DEVICE, 0, pos, NULL), 0);
        snprintf(t, sizeof t, "%s_dev%zu", tag, pos);
        fx_put_ocsp(f, t, resp);
    }
    for (size_t pos = 0; pos <= 2; pos++) {
        cr_assert_eq(nvgen_pki_ocsp(&resp, pki, NVGEN_CHAIN_RIM, 0, pos, NULL), 0);
        snprintf(t, sizeof t, "%s_rimc%zu", tag, pos);
        fx_put_ocsp(f, t, resp);
    }
}

/* Entry i's report: device k of `self` naming the devices of `peers`,
 * answering the GPUs' nonce, signed by the device's leaf; `edit` (may be
 * NULL) changes the description first. */
static void pp_report(ppcie *s, size_t i, const nvgen_pki *self, size_t k, const nvgen_pki *peers,
                      void (*edit)(nvgen_report_desc *, void *), void *arg)
{
    nvgen_report_desc *d = malloc(sizeof *d);
    cr_assert(d);
    cr_assert_eq(nvgen_report_desc_init(d, self, k), 0);
    cr_assert_eq(nvgen_report_ppcie(d, self, peers), 0);
    memcpy(d->nonce, s->f.pki->nonce, 32);
    if (edit)
        edit(d, arg);
    free(s->rep[i]);
    cr_assert_eq(nvgen_report_build(&s->rep[i], &s->rep_len[i], NULL, d, self->dev[k].leaf.key), 0);
    free(d);
}

static void pp_load(ppcie *s)
{
    memset(s, 0, sizeof *s);
    nvfx *f = &s->f;
    f->pki = pp_generate(NVGEN_HOPPER, PP_GPUS);
    s->sw = pp_generate(NVGEN_LS10, PP_SWITCHES);
    cr_assert(f->desc = malloc(sizeof *f->desc));
    cr_assert_eq(nvgen_report_desc_init(f->desc, f->pki, 0), 0);
    f->at = NVGEN_T_VERIFY;
    spki_pin(f->pki->dev_root.cert, f->dev_pin);
    spki_pin(f->pki->rim_root.cert, f->rim_pin);
    spki_pin(s->sw->dev_root.cert, f->dev_pin2);
    spki_pin(s->sw->rim_root.cert, f->rim_pin2);
    f->has_pin2 = true;
    pp_collateral(f, f->pki, "gpu");
    pp_collateral(f, s->sw, "sw");
    for (size_t i = 0; i < PP_DEVICES; i++) {
        const nvgen_pki *self = i < PP_GPUS ? f->pki : s->sw;
        size_t k = i < PP_GPUS ? i : i - PP_GPUS;
        cr_assert_eq(nvgen_pki_device_chain_pem(&s->pem[i], &s->pem_len[i], self, k), 0);
        pp_report(s, i, self, k, i < PP_GPUS ? s->sw : f->pki, NULL, NULL);
    }
}

static void pp_free(ppcie *s)
{
    for (size_t i = 0; i < PP_DEVICES; i++) {
        free(s->pem[i]);
        free(s->rep[i]);
    }
    nvgen_pki_free(s->sw);
    fx_free(&s->f);
    memset(s, 0, sizeof *s);
}

#define PP_POLICY                                                                              \
    STORED_WITH("\"require_ppcie_topology\":true,\"required_mode\":\"ppcie\",\"min_gpus\":8,"   \
                "\"min_switches\":4")

/* Verify the 12 entries as one NVAT list; *keep gets the result. */
static int pp_verify(ppcie *s, attest_result **keep)
{
    nvat ev;
    nvat_begin(&ev);
    for (size_t i = 0; i < PP_DEVICES; i++)
        nvat_add(&ev, i < PP_GPUS ? "HOPPER" : "LS10", s->pem[i], s->pem_len[i], s->rep[i],
                 s->rep_len[i]);
    size_t len = nvat_end(&ev);
    int st = fx_verify_ev(&s->f, (uint8_t *)ev.json, len, PP_POLICY, s->f.pki->nonce, 32, keep);
    free(ev.json);
    return st;
}

/* The topology check failed with a detail holding `detail`. */
static void expect_topology_fails(ppcie *s, const char *detail)
{
    attest_result *r = NULL;
    int st = pp_verify(s, &r);
    cr_expect_neq(st, ATTEST_OK);
    cr_expect_eq(check_outcome(r, "nvidia.topology"), ATTEST_CHECK_FAIL,
                 "the PPCIe topology must not pass: [%s] %s", s->f.failed, s->f.reason);
    cr_expect(check_failed_with(r, "nvidia.topology", detail), "want '%s'", detail);
    attest_result_free(r);
}

Test(nv_synthetic, ppcie_generated_hgx_is_accepted, .timeout = 60)
{
    ppcie s;
    pp_load(&s);
    attest_result *r = NULL;
    EXPECT_OK(&s.f, pp_verify(&s, &r));
    cr_expect_eq(check_outcome(r, "nvidia.topology"), ATTEST_CHECK_PASS);
    cr_expect_eq(check_outcome(r, "nvidia.devices"), ATTEST_CHECK_PASS);
    cr_expect_eq(check_outcome(r, "switch3.measurements"), ATTEST_CHECK_PASS);
    attest_result_free(r);
    pp_free(&s);
}

/* One genuine GPU as all eight (re-encoded leaves for half of them): each
 * entry verifies, the switches report 8 real GPUs, each copy sees the 4
 * switches. Formerly the topology passed. */
Test(nv_synthetic, ppcie_one_gpu_standing_in_for_eight, .timeout = 60)
{
    ppcie s;
    pp_load(&s);
    X509 *twin = NULL;
    cr_assert_eq(nvgen_cert_negate_s(&twin, s.f.pki->dev[0].leaf.cert), 0);
    for (size_t i = 1; i < PP_GPUS; i++) {
        free(s.pem[i]);
        free(s.rep[i]);
        s.pem[i] = chain_with(s.f.pki, 0, i % 2 ? twin : NULL, NULL, &s.pem_len[i]);
        cr_assert(s.rep[i] = malloc(s.rep_len[0]));
        memcpy(s.rep[i], s.rep[0], s.rep_len[0]);
        s.rep_len[i] = s.rep_len[0];
    }
    expect_topology_fails(&s, "gpu0 and gpu1 have the same PDI");
    X509_free(twin);
    pp_free(&s);
}

/* Overwrite one PDI of SWITCH_GPU_PDIS (slot in arg). */
static void replace_gpu_pdi(nvgen_report_desc *d, void *arg)
{
    size_t slot = *(size_t *)arg;
    for (size_t t = 0; t < d->n_tlvs; t++)
        if (d->tlvs[t].type == NVGEN_TLV_SWITCH_GPU_PDIS)
            memset(d->tlvs[t].value + 8 * slot, 0x5C, 8);
}

/* Every switch reports a GPU that is not GPU 7 in GPU 7's place: GPU 7's
 * own PDI (BROM serial) is not among them. Formerly passed: the switches
 * agreed with each other, nobody compared them with the GPUs. */
Test(nv_synthetic, ppcie_gpu_not_reported_by_the_switches, .timeout = 60)
{
    ppcie s;
    pp_load(&s);
    size_t slot = 7; /* nvgen_report_ppcie lists GPU k at slot k */
    for (size_t k = 0; k < PP_SWITCHES; k++)
        pp_report(&s, PP_GPUS + k, s.sw, k, s.f.pki, replace_gpu_pdi, &slot);
    expect_topology_fails(&s, "gpu7 (PDI");
    pp_free(&s);
}

/* A switch PDI to claim: the switch's own, or `fake` for switch 3. */
typedef struct fake_pdi {
    const nvgen_pki *sw;
    uint8_t fake[8];
} fake_pdi;

static void switch_pdi_of(const fake_pdi *fp, size_t k, uint8_t out[8])
{
    if (k == 3)
        memcpy(out, fp->fake, 8);
    else
        cr_assert_eq(nvgen_pki_device_pdi(out, fp->sw, k), 0);
}

/* GPU: links to switches 0..2 and to the fake PDI (byte-reversed). */
static void gpu_links_with_fake(nvgen_report_desc *d, void *arg)
{
    uint8_t v[8 * PP_SWITCHES], pdi[8];
    for (size_t k = 0; k < PP_SWITCHES; k++) {
        switch_pdi_of(arg, k, pdi);
        for (int j = 0; j < 8; j++)
            v[8 * k + j] = pdi[7 - j];
    }
    cr_assert_eq(nvgen_report_set_tlv(d, NVGEN_TLV_SWITCH_PDI, v, sizeof v), 0);
}

static void switch_claims_fake(nvgen_report_desc *d, void *arg)
{
    cr_assert_eq(nvgen_report_set_tlv(d, NVGEN_TLV_SWITCH_PDI, ((fake_pdi *)arg)->fake, 8), 0);
}

/* Switch 3 reports a PDI that is not its BROM's, and the GPUs agree with
 * it: formerly passed (only reports were compared with reports). */
Test(nv_synthetic, ppcie_switch_reports_a_pdi_not_its_own, .timeout = 60)
{
    ppcie s;
    pp_load(&s);
    fake_pdi fp = {s.sw, {0x5C, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}};
    for (size_t k = 0; k < PP_GPUS; k++)
        pp_report(&s, k, s.f.pki, k, s.sw, gpu_links_with_fake, &fp);
    pp_report(&s, PP_GPUS + 3, s.sw, 3, s.f.pki, switch_claims_fake, &fp);
    expect_topology_fails(&s, "switch3 reports a PDI (SWITCH_PDI) other than its BROM");
    pp_free(&s);
}

/* Formerly a library bug (lib/appraise/nv_appraise.c, find_rim + appraise_device):
 * the verdict depends on the order of the collateral. find_rim returns
 * the FIRST RIM of the right product and version; if that one's signing
 * chain is untrusted (a debug-hierarchy or foreign copy of the same RIM),
 * verification fails although a genuine RIM for the device is also in
 * the collateral. With the genuine one first it passes. A refused
 * (tampered) RIM beside a valid one does not cause this
 * (rim_hash_changed_after_signing): the same should hold for a RIM whose
 * chain fails. Suggested fix: among the matching RIMs, use the first whose
 * chain (and OCSP) verifies; report the first failure only when none does. */
Test(nv_synthetic, untrusted_rim_copy_before_the_genuine_one)
{
    nvfx f;
    fx_load(&f, "nvidia");
    char *dbg = NULL;
    size_t dlen = 0;
    cr_assert_eq(nvgen_pki_rim(&dbg, &dlen, f.pki, NVGEN_RIM_DRIVER, 1), 0);
    /* Genuine first, debug copy after: accepted. */
    uint8_t *copy = malloc(dlen);
    cr_assert(copy);
    memcpy(copy, dbg, dlen);
    fx_put(&f, "driver_rim_debug", copy, dlen);
    EXPECT_OK(&f, fx_run(&f, STORED));
    /* Debug copy first, genuine after. */
    fx_drop(&f, "driver_rim");
    fx_put_file(&f, "driver_rim", f.dir, "driver_rim.xml");
    int st = fx_run(&f, STORED);
    cr_expect_eq(st, ATTEST_OK, "got %s [%s] %s", attest_status_name(st), f.failed,
                 f.reason);
    free(dbg);
    fx_free(&f);
}

/* Response shapes: CertID hash, ResponderID form, who signs, several
 * responses about one certificate. */
static void brom_response(nvfx *f, const char *tag, const nvgen_ocsp_opts *o)
{
    OCSP_RESPONSE *resp = NULL;
    cr_assert_eq(nvgen_pki_ocsp(&resp, f->pki, NVGEN_CHAIN_DEVICE, 0, 1, o), 0);
    fx_put_ocsp(f, tag, resp);
}

Test(nv_synthetic, ocsp_response_variants)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_ocsp_opts o;
    /* CertID with SHA-1 (NVAT), ResponderID by name: accepted. */
    nvgen_ocsp_opts_init(&o);
    o.certid_digest = "SHA1";
    brom_response(&f, "dev1", &o);
    EXPECT_OK(&f, fx_run(&f, STORED));
    nvgen_ocsp_opts_init(&o);
    o.respid_by_name = 1;
    brom_response(&f, "dev1", &o);
    EXPECT_OK(&f, fx_run(&f, STORED));
    /* No nextUpdate: never current by default (ocsp_response_without_next_update). */
    nvgen_ocsp_opts_init(&o);
    o.next_update = -1;
    brom_response(&f, "dev1", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"ocsp_max_age_seconds\":86400")));
    /* Signed by the delegated responder of ANOTHER CA (the Identity's). */
    nvgen_ocsp_opts_init(&o);
    o.responder = f.pki->resp_identity.cert;
    o.responder_key = f.pki->resp_identity.key;
    brom_response(&f, "dev1", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    /* By the BROM's own responder (the certificate's subject, not issuer). */
    o.responder = f.pki->dev[0].resp_brom.cert;
    o.responder_key = f.pki->dev[0].resp_brom.key;
    brom_response(&f, "dev1", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    /* The delegated responder's certificate left out of the response. */
    nvgen_ocsp_opts_init(&o);
    o.include_cert = 0;
    brom_response(&f, "dev1", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_SIGNATURE, "gpu0.chain.ocsp");
    /* A non-successful response (tryLater) is the only one: malformed. */
    nvgen_ocsp_opts_init(&o);
    o.response_status = OCSP_RESPONSE_STATUS_TRYLATER;
    brom_response(&f, "dev1", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.chain.ocsp");
    /* Good and revoked with the same thisUpdate: the more severe wins. */
    fx_put_file(&f, "dev1", f.dir, "ocsp/device_cert1.der");
    nvgen_ocsp_opts_init(&o);
    o.status = NVGEN_OCSP_REVOKED;
    brom_response(&f, "dev1_revoked", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    /* A newer good response supersedes an older revoked one. */
    nvgen_ocsp_opts_init(&o);
    o.this_update = o.produced_at = NVGEN_T_2025_06_01 + 3600;
    brom_response(&f, "dev1", &o);
    EXPECT_OK(&f, fx_run(&f, STORED));
    /* A response about another certificate (the ICA's) in the BROM's
     * place: the BROM has none. */
    fx_drop(&f, "dev1_revoked");
    fx_put_file(&f, "dev1", f.dir, "ocsp/device_cert2.der");
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_MISSING, "gpu0.chain.ocsp");
    fx_free(&f);
}

/* No nextUpdate: never current under the default (ocsp_max_age_seconds 0),
 * current for ocsp_max_age_seconds after thisUpdate otherwise. The
 * response's thisUpdate is 2025-06-01T00:00Z, the verification 12 h later. */
Test(nv_synthetic, ocsp_response_without_next_update)
{
    nvfx f;
    fx_load(&f, "nvidia");
    nvgen_ocsp_opts o;
    nvgen_ocsp_opts_init(&o);
    o.next_update = -1;
    brom_response(&f, "dev1", &o);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "no nextUpdate is current for 0 s"), "%s", f.reason);
    /* judged at its own time, still never current */
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"allow_stale_ocsp\":true")),
                ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    EXPECT_OK(&f, fx_run(&f, STORED_WITH("\"ocsp_max_age_seconds\":43201")));
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"ocsp_max_age_seconds\":43200")),
                ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    EXPECT_FAIL(&f, fx_run(&f, STORED_WITH("\"ocsp_max_age_seconds\":3600")),
                ATTEST_E_COLLATERAL_EXPIRED, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "current for 3600 s"), "%s", f.reason);
    /* a stale-allowed policy judges it at thisUpdate, inside the age */
    EXPECT_OK(&f,
              fx_run(&f, STORED_WITH("\"ocsp_max_age_seconds\":3600,\"allow_stale_ocsp\":true")));
    fx_free(&f);
}

/* Verify report 0 with `v` (kept between calls) and collateral `c`; the
 * result goes to *keep when given. */
static int verify_keep(nvfx *f, attest_verifier *v, attest_collateral *c, const char *policy,
                       attest_result **keep)
{
    size_t len = 0;
    uint8_t *rep = fx_report(f, &len, NULL);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, rep, len), ATTEST_OK);
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    attest_result *r = NULL;
    int status = attest_verify(&r, v, ev, c, p, f->pki->nonce, 32);
    note_failure(f, r);
    if (keep)
        *keep = r;
    else
        attest_result_free(r);
    attest_policy_free(p);
    attest_evidence_free(ev);
    free(rep);
    return status;
}

static int verify_with(nvfx *f, attest_verifier *v, attest_collateral *c, const char *policy)
{
    return verify_keep(f, v, c, policy, NULL);
}

/* A RIM's XML signature is verified once per verifier: the verdict, either
 * way, is kept in the verifier's cache under the RIM's bytes and the RIM
 * anchors, and reused by the next verification. */
Test(nv_synthetic, rim_signature_verdicts_cached)
{
    nvfx f;
    fx_load(&f, "nvidia");
    attest_collateral *c = fx_collateral(&f);
    attest_verifier *v = fx_verifier(&f);
    for (int round = 0; round < 3; round++) {
        if (round == 2)
            attest_verifier_clear_cache(v);
        attest_result *r = NULL;
        EXPECT_OK(&f, verify_keep(&f, v, c, STORED, &r));
        const char *d = check_detail(r, "gpu0.vbios_rim.signature");
        cr_expect_eq(strstr(d, "(cached)") != NULL, round == 1, "round %d: %s", round, d);
        attest_result_free(r);
    }
    attest_collateral_free(c);
    put_tampered(&f, "driver_rim", NVGEN_RIM_TAMPER_SIGVALUE, 0);
    c = fx_collateral(&f);
    char first[512] = "";
    for (int round = 0; round < 2; round++) {
        attest_result *r = NULL;
        EXPECT_FAIL(&f, verify_keep(&f, v, c, STORED, &r), ATTEST_E_COLLATERAL_SIGNATURE,
                    "gpu0.driver_rim.signature");
        if (round == 0)
            snprintf(first, sizeof first, "%s", attest_result_reason(r));
        else
            cr_expect_str_eq(attest_result_reason(r), first);
        attest_result_free(r);
    }
    attest_collateral_free(c);
    attest_verifier_free(v);
    fx_free(&f);
}

/* Verify evidence JSON with `v` (kept between calls) and collateral `c`. */
static int verify_json_with(nvfx *f, attest_verifier *v, attest_collateral *c, const char *json,
                            attest_result **keep)
{
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, (const uint8_t *)json, strlen(json)), ATTEST_OK,
                 "%s", attest_error_last());
    attest_policy *p = tu_policy(STORED);
    attest_result *r = NULL;
    int status = attest_verify(&r, v, ev, c, p, f->pki->nonce, 32);
    note_failure(f, r);
    if (keep)
        *keep = r;
    else
        attest_result_free(r);
    attest_policy_free(p);
    attest_evidence_free(ev);
    return status;
}

/* `json` (NVAT evidence JSON from nvgen_evidence_json) with one character
 * of its chain PEM changed: the last base64 digit of the first
 * certificate's body but `back` (inside its signature). Caller frees. */
static char *json_with_pem_byte_changed(const char *json, size_t back)
{
    const char *key = "\"certificate\":\"";
    const char *b64 = strstr(json, key);
    cr_assert(b64);
    b64 += strlen(key);
    size_t n = strcspn(b64, "\"");
    unsigned char *pem = calloc(1, n + 1);
    char *out = calloc(1, strlen(json) + n + 16);
    cr_assert(pem && out);
    int plen = EVP_DecodeBlock(pem, (const unsigned char *)b64, (int)n);
    cr_assert(plen > 0);
    char *end = strstr((char *)pem, "\n-----END CERTIFICATE-----");
    cr_assert(end && (size_t)(end - (char *)pem) > back);
    char *c = end - back;
    /* a fresh test PKI puts any base64 digit there: take the nearest
     * letter or digit before it (still inside the signature) */
    while (c > (char *)pem && !isalnum((unsigned char)*c))
        c--;
    cr_assert(isalnum((unsigned char)*c), "'%c'", *c);
    *c = *c == 'A' ? 'B' : 'A';
    while (plen > 0 && pem[plen - 1] == 0) /* EVP_DecodeBlock counts the padding */
        plen--;
    memcpy(out, json, (size_t)(b64 - json));
    int m = EVP_EncodeBlock((unsigned char *)out + (b64 - json), pem, plen);
    strcat(out, b64 + n);
    cr_assert(m > 0);
    free(pem);
    return out;
}

/* The chain PEM of evidence JSON is parsed once per verifier
 * (nv_evidence.c, given_chain): the parse is reused only for the same
 * bytes (a PEM one byte different is parsed and refused), and a chain
 * from that cache is still verified at each instant (refused before its
 * certificates are valid). */
Test(nv_synthetic, chain_pem_cache_same_bytes_and_instant_only)
{
    nvfx f;
    fx_load(&f, "nvidia");
    size_t len = 0, jlen = 0;
    uint8_t *rep = fx_report(&f, &len, NULL);
    const uint8_t *reps[1] = {rep};
    char *json = NULL;
    cr_assert_eq(nvgen_evidence_json(&json, &jlen, f.pki, reps, &len, 1), 0);
    fx_drop(&f, "chain");
    attest_collateral *c = fx_collateral(&f);
    attest_verifier *v = fx_verifier(&f);
    EXPECT_OK(&f, verify_json_with(&f, v, c, json, NULL));
    size_t warm = attest_verifier_cache_size(v);
    EXPECT_OK(&f, verify_json_with(&f, v, c, json, NULL));
    cr_expect_eq(attest_verifier_cache_size(v), warm, "the second verification added entries");
    /* One byte different: another parse, whose leaf signature fails. */
    char *changed = json_with_pem_byte_changed(json, 8);
    cr_expect_neq(verify_json_with(&f, v, c, changed, NULL), ATTEST_OK);
    cr_expect(!strncmp(f.failed, "gpu0.chain", 10), "failing check: %s (%s)", f.failed,
              f.reason);
    EXPECT_OK(&f, verify_json_with(&f, v, c, json, NULL));
    /* The cached parse at an instant before the certificates' validity. */
    cr_assert_eq(attest_verifier_set_time(v, 946684800 /* 2000-01-01 */), ATTEST_OK);
    cr_expect_neq(verify_json_with(&f, v, c, json, NULL), ATTEST_OK);
    cr_expect_str_eq(f.failed, "gpu0.chain", "%s", f.reason);
    free(changed);
    free(json);
    free(rep);
    attest_collateral_free(c);
    attest_verifier_free(v);
    fx_free(&f);
}

/* The verifier caches OCSP verdicts: the key must cover the recorded
 * request nonces and the max age, or a verdict reached under one would be
 * reused under the other. */
Test(nv_synthetic, ocsp_verdict_cache_covers_nonces_and_max_age)
{
    nvfx f;
    fx_load(&f, "nvidia");
    attest_verifier *v = fx_verifier(&f);
    put_all_ocsp_with_nonce(&f, ONONCE, sizeof ONONCE, ONONCE, sizeof ONONCE);
    attest_collateral *live = fx_collateral(&f);
    for (size_t i = 0; i < sizeof ALL_OCSP / sizeof ALL_OCSP[0]; i++)
        fx_find(&f, ALL_OCSP[i].tag)->request_nonce_len = 0; /* same bytes, no request nonce */
    attest_collateral *stored = fx_collateral(&f);
    EXPECT_OK(&f, verify_with(&f, v, live, NULL));
    EXPECT_FAIL(&f, verify_with(&f, v, stored, NULL), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    attest_collateral_free(live);
    attest_collateral_free(stored);

    nvgen_ocsp_opts o;
    nvgen_ocsp_opts_init(&o);
    o.next_update = -1;
    brom_response(&f, "dev1", &o);
    attest_collateral *ageless = fx_collateral(&f);
    EXPECT_OK(&f, verify_with(&f, v, ageless, STORED_WITH("\"ocsp_max_age_seconds\":86400")));
    EXPECT_FAIL(&f, verify_with(&f, v, ageless, STORED), ATTEST_E_COLLATERAL_EXPIRED,
                "gpu0.chain.ocsp");
    attest_collateral_free(ageless);
    attest_verifier_free(v);
    fx_free(&f);
}

/* A BROM response of `n` SingleResponses about the BROM (good but the one
 * at `revoked`, -1: none), signed once by the ICA's delegated responder. */
static void brom_many(nvfx *f, const char *tag, int n, int revoked)
{
    const nvgen_pki *pki = f->pki;
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha384(), pki->dev[0].brom.cert, pki->ica.cert);
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)NVGEN_T_2025_06_01);
    ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)(NVGEN_T_2025_06_01 + 86400));
    cr_assert(id && bs && tu && nu);
    for (int i = 0; i < n; i++)
        cr_assert(OCSP_basic_add1_status(bs, id,
                                         i == revoked ? V_OCSP_CERTSTATUS_REVOKED
                                                      : V_OCSP_CERTSTATUS_GOOD,
                                         i == revoked ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : 0,
                                         i == revoked ? tu : NULL, tu, nu));
    cr_assert(OCSP_basic_sign(bs, pki->resp_ica.cert, pki->resp_ica.key, EVP_sha384(), NULL,
                              OCSP_RESPID_KEY));
    fx_put_ocsp(f, tag, OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs));
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(bs);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
}

/* More SingleResponses than the bound (64) in one response: refused as
 * malformed, quickly (8,000 entries used to take minutes); within the
 * bound duplicates change nothing, and a revoked one among them wins. */
Test(nv_synthetic, ocsp_singles_bound)
{
    nvfx f;
    fx_load(&f, "nvidia");
    brom_many(&f, "dev1", 8000, -1);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "holds 8000 SingleResponses, more than the 64 allowed"), "%s",
              f.reason);
    brom_many(&f, "dev1", 65, -1);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_MALFORMED, "gpu0.chain.ocsp");
    brom_many(&f, "dev1", 64, -1);
    EXPECT_OK(&f, fx_run(&f, STORED));
    brom_many(&f, "dev1", 64, 40);
    EXPECT_FAIL(&f, fx_run(&f, STORED), ATTEST_E_NV_OCSP, "gpu0.chain.ocsp");
    cr_expect(strstr(f.reason, "is revoked"), "%s", f.reason);
    fx_free(&f);
}
