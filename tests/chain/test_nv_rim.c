/* NVIDIA RIMs (lib/parse/nv_rim.c, lib/chain/nv_rim_sig.c): every genuine
 * RIM of ../shared/vectors/nvidia parses and its XML signature verifies, with the
 * values MANIFEST.md states; the negative RIMs fail as MANIFEST.md says;
 * synthetic attacks built from a genuine RIM's bytes (signature wrapping, a
 * second Signature, DTD/entities, XInclude, other Reference URIs, edited
 * hashes, truncation, appended content) fail closed. The content rules that
 * only apply after a valid signature are exercised on RIMs re-signed here
 * with a throw-away P-384 key (libxml2 C14N + OpenSSL), which also shows
 * that the signature is checked with the first KeyInfo certificate. Last,
 * concurrent parses from 4 threads exercise the one-time initialisation. */
#include "testutil.h"

#include "chain/nv_rim_sig.h"
#include "parse/nv_rim.h"

#include <dirent.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>

#define SET_A_DRIVER "nvidia/hopper/setA_h100_550.90.07_complete/driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml"
#define RIM_ROOT "nvidia/roots/nvidia_corim_signing_root_ca.pem"

/* ---- helpers ------------------------------------------------------------ */

/* A shared file as a NUL-terminated string. */
static char *load(const char *rel, size_t *len)
{
    char p[512];
    size_t n;
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), &n);
    cr_assert(d, "cannot read %s", p);
    char *s = malloc(n + 1);
    cr_assert(s);
    memcpy(s, d, n);
    s[n] = '\0';
    free(d);
    if (len)
        *len = n;
    return s;
}

/* A RIM judged as a verification judges it: its structure and fields
 * (nv_rim_parse), then its XML signature, then its content rules; *out is
 * set only when all hold. */
static int parse_str(const char *s, nv_rim **out)
{
    int st = nv_rim_parse(out, (const uint8_t *)s, strlen(s));
    if (st != ATTEST_OK)
        return st;
    st = nv_rim_signature_verify(*out, NULL);
    if (st == ATTEST_OK && (*out)->content_status != ATTEST_OK)
        st = attest_set_error((*out)->content_status, "%s", (*out)->content_detail);
    if (st != ATTEST_OK) {
        nv_rim_free(*out);
        *out = NULL;
    }
    return st;
}

/* The KeyInfo certificates of a parsed RIM, decoded. */
static STACK_OF(X509) *signers_of(const nv_rim *r)
{
    STACK_OF(X509) *certs = NULL;
    cr_assert_eq(nv_rim_signers(r, &certs), ATTEST_OK, "%s", attest_error_last());
    return certs;
}

/* s with the first `from` replaced by `to` (which must be present). */
static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    cr_assert(at, "\"%.60s\" not found", from);
    size_t pre = (size_t)(at - s), fl = strlen(from), tl = strlen(to), rest = strlen(at + fl);
    char *r = malloc(pre + tl + rest + 1);
    cr_assert(r);
    memcpy(r, s, pre);
    memcpy(r + pre, to, tl);
    memcpy(r + pre + tl, at + fl, rest + 1);
    return r;
}

/* Replace what lies between the first `open` and the next `close`. */
static char *replace_between(const char *s, const char *open, const char *close,
                             const char *content)
{
    const char *a = strstr(s, open);
    cr_assert(a, "\"%s\" not found", open);
    a += strlen(open);
    const char *b = strstr(a, close);
    cr_assert(b, "\"%s\" not found", close);
    size_t pre = (size_t)(a - s), cl = strlen(content), rest = strlen(b);
    char *r = malloc(pre + cl + rest + 1);
    cr_assert(r);
    memcpy(r, s, pre);
    memcpy(r + pre, content, cl);
    memcpy(r + pre + cl, b, rest + 1);
    return r;
}

/* Frees `old` and returns `new_` (for chains of edits). */
static char *swap(char *old, char *new_)
{
    free(old);
    return new_;
}

/* The <ds:Signature ...>...</ds:Signature> text of s, as a new string. */
static char *signature_text(const char *s)
{
    const char *a = strstr(s, "<ds:Signature");
    const char *b = strstr(s, "</ds:Signature>");
    cr_assert(a && b && b > a);
    b += strlen("</ds:Signature>");
    char *r = malloc((size_t)(b - a) + 1);
    cr_assert(r);
    memcpy(r, a, (size_t)(b - a));
    r[b - a] = '\0';
    return r;
}

static X509 *load_pem_cert(const char *rel)
{
    char p[512];
    FILE *f = fopen(tu_shared(p, sizeof p, rel), "r");
    cr_assert(f, "cannot open %s", p);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    cr_assert(x, "%s: no PEM certificate", p);
    return x;
}

static void cert_cn(X509 *x, char *buf, size_t n)
{
    buf[0] = '\0';
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, (int)n);
}

static const nv_rim_measurement *find_index(const nv_rim *r, int index)
{
    for (size_t i = 0; i < r->measurement_count; i++)
        if (r->measurements[i].index == index)
            return &r->measurements[i];
    return NULL;
}

static size_t active_count(const nv_rim *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->measurement_count; i++)
        n += r->measurements[i].active;
    return n;
}

/* Checks every genuine RIM shares (its signature verified by parse_str): 64 Resources, the
 * manufacturer, 4 KeyInfo certificates leaf -> L3 -> CA -> root, the last
 * one byte-identical to the pinned RIM root (MANIFEST: true for every
 * genuine RIM), hashes of `size` 48. */
static void check_genuine(const char *what, const nv_rim *r, const char *cv,
                          const char *product, size_t active, const char *l3)
{
    char cn[128];
    cr_assert_str_eq(r->colloquial_version, cv, "%s", what);
    cr_assert_str_eq(r->product, product, "%s", what);
    cr_assert_str_eq(r->name, product, "%s: SoftwareIdentity@name is the product", what);
    cr_assert_str_eq(r->rim_id, r->name, "%s", what);
    cr_assert_str_eq(r->version, "1.0", "%s", what);
    cr_assert_str_eq(r->manufacturer_id, "5703", "%s", what);
    cr_assert_eq(strlen(r->tag_id), 96, "%s: tagId is a SHA-384 in hex", what);
    cr_assert_eq(r->measurement_count, 64, "%s", what);
    cr_assert_eq(active_count(r), active, "%s: %zu active", what, active_count(r));
    for (size_t i = 0; i < r->measurement_count; i++) {
        cr_assert_eq(r->measurements[i].index, (int)i, "%s", what);
        cr_assert_eq(r->measurements[i].size, 48, "%s", what);
    }
    STACK_OF(X509) *signers = signers_of(r);
    cr_assert_eq(sk_X509_num(signers), 4, "%s", what);
    cr_assert_eq(r->signer_count, 4, "%s", what);
    cert_cn(sk_X509_value(signers, 1), cn, sizeof cn);
    cr_assert_str_eq(cn, l3, "%s: L3 is %s", what, cn);
    X509 *root = load_pem_cert(RIM_ROOT);
    cr_assert_eq(X509_cmp(sk_X509_value(signers, 3), root), 0,
                 "%s: last KeyInfo certificate is the pinned root", what);
    X509_free(root);
    sk_X509_pop_free(signers, X509_free);
}

/* ---- every genuine RIM -------------------------------------------------- */

typedef struct genuine {
    const char *rel;
    const char *colloquial_version;
    const char *product;
    size_t active;
    const char *l3;
} genuine;

static const genuine genuines[] = {
    {SET_A_DRIVER, "550.90.07", "GH100", 21, "NVIDIA Reference Value L3 GH100 002"},
    {"nvidia/hopper/setA_h100_550.90.07_complete/vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
     "96.00.9F.00.01", "GH100", 12, "NVIDIA Reference Value L3 GH100 002"},
    {"nvidia/hopper/setB_h100_545.00_nvtrust2023_complete/driver_rim_545.00_Driver_RIM_test_no_gpu.swidtag",
     "545.00", "GH100", 21, "NVIDIA Reference Value L3 GH100 001"},
    {"nvidia/hopper/setB_h100_545.00_nvtrust2023_complete/vbios_rim_1010_0200_882_96005E0001_test_no_gpu.swidtag",
     "96.00.5E.00.01", "GH100", 12, "NVIDIA Reference Value L3 GH100 001"},
    {"nvidia/hopper/setD_h100_595.71.05_azure_complete/driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml",
     "595.71.05", "GH100", 22, "NVIDIA Reference Value L3 GH100 003"},
    {"nvidia/hopper/setD_h100_595.71.05_azure_complete/vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml",
     "96.00.9F.00.04", "GH100", 12, "NVIDIA Reference Value L3 GH100 003"},
    {"nvidia/nvswitch/setC_ls10_96.10.55.00.01_complete/bios_rim_NV_SWITCH_BIOS_5612_0002_890_9610550001.v2024.xml",
     "96.10.55.00.01", "LS10", 31, "NVIDIA Reference Value L3 LS10 001"},
    {"nvidia/nvswitch/setC_ls10_96.10.55.00.01_complete/bios_rim_NV_SWITCH_BIOS_5612_0002_890_9610550001.v2026.xml",
     "96.10.55.00.01", "LS10", 31, "NVIDIA Reference Value L3 LS10 001"},
    {"nvidia/rims/NV_GPU_DRIVER_GH100_550.144.03.xml", "550.144.03", "GH100", 21,
     "NVIDIA Reference Value L3 GH100 002"},
    {"nvidia/rims/NV_GPU_VBIOS_1010_0200_882_96005E0001.reissued_L3-002.xml", "96.00.5E.00.01",
     "GH100", 12, "NVIDIA Reference Value L3 GH100 002"},
    {"nvidia/rims/NV_GPU_VBIOS_G520_0228_889_96006D0029.reissued_L3-002.xml", "96.00.6D.00.29",
     "GH100", 12, "NVIDIA Reference Value L3 GH100 002"},
};

Test(nv_rim_vectors, genuine_sets_and_rims)
{
    for (size_t i = 0; i < sizeof genuines / sizeof genuines[0]; i++) {
        const genuine *g = &genuines[i];
        size_t len;
        char *s = load(g->rel, &len);
        cr_assert(nv_rim_detect((const uint8_t *)s, len), "%s: not detected", g->rel);
        nv_rim *r = NULL;
        int st = parse_str(s, &r);
        cr_assert_eq(st, ATTEST_OK, "%s: %s", g->rel, attest_error_last());
        check_genuine(g->rel, r, g->colloquial_version, g->product, g->active, g->l3);
        cr_assert_eq(r->raw_len, len);
        cr_assert_eq(memcmp(r->raw, s, len), 0);
        nv_rim_free(r);
        free(s);
    }
}

Test(nv_rim_vectors, set_a_driver_values)
{
    char *s = load(SET_A_DRIVER, NULL);
    nv_rim *r = NULL;
    cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s", attest_error_last());
    cr_assert_str_eq(r->tag_id, "63f9f7f7de3322e35f4ac735e36a38d1c699fa48226216eeb1a84c47a550cc"
                                "a0c293cef2b47715c04b67dab81d900638");
    const nv_rim_measurement *m = find_index(r, 7);
    cr_assert(m && m->active && m->alternatives == 1);
    cr_assert_str_eq(m->name, "Measurement_7");
    static const uint8_t h7[8] = {0x80, 0x16, 0x1a, 0xac, 0x5e, 0x75, 0x09, 0xf0};
    cr_assert_eq(memcmp(m->hashes[0], h7, 8), 0);
    m = find_index(r, 0);
    cr_assert(m && !m->active);
    char cn[128];
    STACK_OF(X509) *signers = signers_of(r);
    cert_cn(sk_X509_value(signers, 0), cn, sizeof cn);
    cr_assert_str_eq(cn, "HCC RIM L4 Signer");
    cert_cn(sk_X509_value(signers, 3), cn, sizeof cn);
    cr_assert_str_eq(cn, "NVIDIA CoRIM signing Root CA");
    sk_X509_pop_free(signers, X509_free);

    json_t *j = nv_rim_to_json(r);
    cr_assert(j);
    cr_assert_str_eq(json_string_value(json_object_get(j, "rim_id")), "GH100");
    cr_assert_str_eq(json_string_value(json_object_get(j, "product")), "GH100");
    cr_assert_str_eq(json_string_value(json_object_get(j, "colloquial_version")), "550.90.07");
    cr_assert_str_eq(json_string_value(json_object_get(j, "manufacturer_id")), "5703");
    cr_assert_eq(json_integer_value(json_object_get(j, "measurement_count")), 64);
    cr_assert_eq(json_integer_value(json_object_get(j, "active_count")), 21);
    cr_assert_eq(json_integer_value(json_object_get(j, "signer_count")), 4);
    cr_assert(json_is_null(json_object_get(j, "content_error")));
    json_decref(j);
    cr_assert_null(nv_rim_to_json(NULL));
    nv_rim_free(r);
    free(s);
}

Test(nv_rim_vectors, set_d_alternatives_and_zero_hash)
{
    /* MANIFEST: driver 595.71.05 has index 28 active with an all-zero hash;
     * VBIOS 96.00.9F.00.04 has index 12 with 4 alternatives. */
    nv_rim *r = NULL;
    char *s = load("nvidia/hopper/setD_h100_595.71.05_azure_complete/"
                   "driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml", NULL);
    cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s", attest_error_last());
    const nv_rim_measurement *m = find_index(r, 28);
    static const uint8_t zero[48];
    cr_assert(m && m->active && memcmp(m->hashes[0], zero, 48) == 0);
    nv_rim_free(r);
    free(s);

    s = load("nvidia/hopper/setD_h100_595.71.05_azure_complete/"
             "vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml", NULL);
    cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s", attest_error_last());
    m = find_index(r, 12);
    cr_assert(m && m->active && m->alternatives == 4);
    for (int k = 0; k < 4; k++)
        for (int l = k + 1; l < 4; l++)
            cr_assert_neq(memcmp(m->hashes[k], m->hashes[l], 48), 0);
    nv_rim_free(r);
    free(s);
}

/* rims/nvtrust_2023_vbios: 24 VBIOS RIMs; colloquialVersion from the file
 * name (1010_0200_882_96005E0001_PROD -> 96.00.5E.00.01); MANIFEST: index 9
 * golden value is the pre-2024 one 7f3e93..., the re-issued copy has 059b32. */
Test(nv_rim_vectors, nvtrust_2023_vbios_directory)
{
    char dir[512];
    tu_shared(dir, sizeof dir, "nvidia/rims/nvtrust_2023_vbios/1010_0200_882_96005E0001_PROD.swidtag");
    *strrchr(dir, '/') = '\0';
    DIR *d = opendir(dir);
    cr_assert(d, "%s", dir);
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 8 || strcmp(e->d_name + nl - 8, ".swidtag") != 0)
            continue;
        char rel[512], cv[32], ver[16];
        snprintf(rel, sizeof rel, "nvidia/rims/nvtrust_2023_vbios/%s", e->d_name);
        cr_assert(nl > 24);
        memcpy(ver, e->d_name + 14, 10); /* 96005E0001 */
        ver[10] = '\0';
        for (size_t k = 0; k < 10; k++)
            if (ver[k] >= 'a' && ver[k] <= 'f')
                ver[k] = (char)(ver[k] - 'a' + 'A');
        snprintf(cv, sizeof cv, "%.2s.%.2s.%.2s.%.2s.%.2s", ver, ver + 2, ver + 4, ver + 6, ver + 8);
        char *s = load(rel, NULL);
        nv_rim *r = NULL;
        cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s: %s", rel, attest_error_last());
        check_genuine(rel, r, cv, "GH100", 12, "NVIDIA Reference Value L3 GH100 001");
        const nv_rim_measurement *m = find_index(r, 9);
        cr_assert(m && m->active);
        static const uint8_t pre2024[3] = {0x7f, 0x3e, 0x93};
        cr_assert_eq(memcmp(m->hashes[0], pre2024, 3), 0, "%s: index 9", rel);
        nv_rim_free(r);
        free(s);
        count++;
    }
    closedir(d);
    cr_assert_eq(count, 24);

    char *s = load("nvidia/rims/NV_GPU_VBIOS_1010_0200_882_96005E0001.reissued_L3-002.xml", NULL);
    nv_rim *r = NULL;
    cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s", attest_error_last());
    static const uint8_t reissued[3] = {0x05, 0x9b, 0x32};
    cr_assert_eq(memcmp(find_index(r, 9)->hashes[0], reissued, 3), 0);
    nv_rim_free(r);
    free(s);
}

/* ---- the negative RIMs -------------------------------------------------- */

static void expect_status(const char *rel, int want, const char *detail_part)
{
    size_t len;
    char *s = load(rel, &len);
    cr_assert(nv_rim_detect((const uint8_t *)s, len), "%s: not detected", rel);
    nv_rim *r = (nv_rim *)1;
    int st = parse_str(s, &r);
    cr_assert_eq(st, want, "%s: %d (%s), want %d", rel, st, attest_error_last(), want);
    cr_assert_null(r, "%s: *out not NULL on failure", rel);
    if (detail_part)
        cr_assert(strstr(attest_error_last(), detail_part), "%s: detail \"%s\"", rel,
                  attest_error_last());
    free(s);
}

#define DIGEST_DIFFERS "digest of the signed content differs"
#define SIGVALUE_FAILS "SignatureValue does not verify"

Test(nv_rim_negative, tampered_payload)
{
    /* MANIFEST: Reference digest FAILS (SignedInfo signature still valid) */
    expect_status("nvidia/negative/rim_535.86.09_tampered_payload.xml",
                  ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    cr_assert(strncmp(attest_error_last(), "nvidia.rim: XML signature does not verify", 41) == 0);
}

Test(nv_rim_negative, bad_signature_value)
{
    /* MANIFEST: digest OK, SignatureValue FAILS */
    expect_status("nvidia/negative/rim_550.144.03_bad_signature_value.xml",
                  ATTEST_E_COLLATERAL_SIGNATURE, SIGVALUE_FAILS);
}

Test(nv_rim_negative, tampered_expired_leaf)
{
    /* MANIFEST: "digest FAILS; leaf expired" -> the parse already refuses
     * it (the expiry would be the chain check's, never reached). */
    expect_status("nvidia/negative/rim_570.124.03_tampered_expired_leaf.xml",
                  ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
}

Test(nv_rim_negative, switch_tampered_payload_and_signature)
{
    expect_status("nvidia/negative/switch_rim_tampered_payload.xml",
                  ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    expect_status("nvidia/negative/switch_rim_tampered_signature.xml",
                  ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
}

Test(nv_rim_negative, debug_root_chain_signature_verifies_but_root_is_not_pinned)
{
    /* MANIFEST: the XML signature verifies with its leaf; only the chain to
     * the pinned production root (the caller's check) rejects it. */
    char *s = load("nvidia/negative/rim_gb100_vbios_97.00.83.00.09_debug_root_chain.xml", NULL);
    nv_rim *r = NULL;
    cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s", attest_error_last());
    cr_assert_str_eq(r->product, "GB100");
    cr_assert_str_eq(r->colloquial_version, "97.00.83.00.09");
    cr_assert_eq(active_count(r), 20);
    STACK_OF(X509) *signers = signers_of(r);
    int n = sk_X509_num(signers);
    cr_assert_eq(n, 2);
    char cn[128];
    cert_cn(sk_X509_value(signers, n - 1), cn, sizeof cn);
    cr_assert_str_eq(cn, "NVIDIA CoRIM L1 Root CA Debug Only");

    X509 *pinned = load_pem_cert(RIM_ROOT);
    EVP_PKEY *pinned_key = X509_get0_pubkey(pinned);
    for (int i = 0; i < n; i++) {
        X509 *x = sk_X509_value(signers, i);
        cr_assert_neq(X509_cmp(x, pinned), 0, "signer %d is the pinned root", i);
        cr_assert_neq(EVP_PKEY_eq(X509_get0_pubkey(x), pinned_key), 1,
                      "signer %d has the pinned root's key", i);
        cr_assert_neq(X509_verify(x, pinned_key), 1, "signer %d issued by the pinned root", i);
    }
    X509_free(pinned);
    sk_X509_pop_free(signers, X509_free);
    nv_rim_free(r);
    free(s);
}

/* ---- synthetic attacks on genuine bytes ------------------------------- */

static void expect_str(const char *what, const char *s, int want, const char *detail_part)
{
    nv_rim *r = (nv_rim *)1;
    int st = parse_str(s, &r);
    cr_assert_eq(st, want, "%s: %d (%s), want %d", what, st, attest_error_last(), want);
    cr_assert_null(r, "%s", what);
    if (detail_part)
        cr_assert(strstr(attest_error_last(), detail_part), "%s: detail \"%s\"", what,
                  attest_error_last());
}

#define DUP_RESOURCE                                                                      \
    "<ns0:Resource type=\"Measurement\" index=\"7\" active=\"True\" alternatives=\"1\" " \
    "ns2:Hash0=\"000000000000000000000000000000000000000000000000000000000000000000000"   \
    "000000000000000000000000000\" name=\"Measurement_7\" size=\"48\"/>"

Test(nv_rim_attacks, signature_wrapping)
{
    char *g = load(SET_A_DRIVER, NULL);
    char *sig = signature_text(g);

    /* the original Signature moved into a wrapper, a second index 7 added */
    char *w = replace_once(g, sig, "");
    size_t wl = strlen(sig) + 64;
    char *wrapped = malloc(wl);
    snprintf(wrapped, wl, "<ns0:Wrapper>%s</ns0:Wrapper>", sig);
    w = swap(w, replace_once(w, "</SoftwareIdentity>", ""));
    size_t tl = strlen(w) + strlen(wrapped) + 32;
    char *t = malloc(tl);
    snprintf(t, tl, "%s%s</SoftwareIdentity>", w, wrapped);
    t = swap(t, replace_once(t, "</ns0:Payload>", DUP_RESOURCE "</ns0:Payload>"));
    expect_str("wrapped", t, ATTEST_E_MALFORMED, "child of the SoftwareIdentity root");
    free(t);
    free(w);
    free(wrapped);

    /* Signature moved inside Payload (a signed element) */
    w = replace_once(g, sig, "");
    size_t pl = strlen(sig) + 32;
    char *ins = malloc(pl);
    snprintf(ins, pl, "%s</ns0:Payload>", sig);
    w = swap(w, replace_once(w, "</ns0:Payload>", ins));
    expect_str("inside Payload", w, ATTEST_E_MALFORMED, "child of the SoftwareIdentity root");
    free(w);
    free(ins);

    /* a second Signature beside the first (copy) */
    size_t sl = 2 * strlen(sig) + 1;
    char *two = malloc(sl);
    snprintf(two, sl, "%s%s", sig, sig);
    w = replace_once(g, sig, two);
    expect_str("two signatures", w, ATTEST_E_MALFORMED, "2 ds:Signature");
    free(w);
    free(two);

    /* a second Signature hidden in the payload, the original in place */
    ins = malloc(pl);
    snprintf(ins, pl, "%s</ns0:Payload>", sig);
    w = replace_once(g, "</ns0:Payload>", ins);
    expect_str("hidden second signature", w, ATTEST_E_MALFORMED, "2 ds:Signature");
    free(w);
    free(ins);

    /* a duplicated Resource, signature untouched: the digest catches it */
    w = replace_once(g, "</ns0:Payload>", DUP_RESOURCE "</ns0:Payload>");
    expect_str("duplicate index unsigned", w, ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    free(w);

    free(sig);
    free(g);
}

Test(nv_rim_attacks, doctype_entities_xinclude)
{
    char *g = load(SET_A_DRIVER, NULL);
    const char *dtd = "<!DOCTYPE SoftwareIdentity [<!ENTITY v \"550.90.07\">]>\n";
    size_t n = strlen(g) + strlen(dtd) + 1;
    char *t = malloc(n);
    snprintf(t, n, "%s%s", dtd, g);
    t = swap(t, replace_once(t, "colloquialVersion=\"550.90.07\"", "colloquialVersion=\"&v;\""));
    expect_str("internal entity", t, ATTEST_E_MALFORMED, "DOCTYPE");
    free(t);

    const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE SoftwareIdentity SYSTEM "
                      "\"file:///etc/passwd\">\n";
    n = strlen(g) + strlen(xxe) + 1;
    t = malloc(n);
    snprintf(t, n, "%s%s", xxe, g);
    expect_str("external DTD", t, ATTEST_E_MALFORMED, "DOCTYPE");
    free(t);

    /* an undeclared entity without a DTD is not well-formed */
    t = replace_once(g, "name=\"Measurement_7\"", "name=\"&x;\"");
    expect_str("undeclared entity", t, ATTEST_E_MALFORMED, "not well-formed");
    free(t);

    /* XInclude is never processed: the element stays, and the digest over
     * the changed document fails */
    t = replace_once(g, "</ns0:Payload>",
                     "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                     "href=\"file:///etc/passwd\" parse=\"text\"/></ns0:Payload>");
    expect_str("xinclude", t, ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    free(t);
    free(g);
}

Test(nv_rim_attacks, reference_and_algorithms)
{
    char *g = load(SET_A_DRIVER, NULL);
    struct {
        const char *from, *to, *detail;
    } cases[] = {
        {"<ds:Reference URI=\"\">", "<ds:Reference URI=\"#x\">", "Reference@URI"},
        {"<ds:Reference URI=\"\">", "<ds:Reference>", "Reference@URI"},
        {"<ds:Reference URI=\"\">", "<ds:Reference URI=\"#xpointer(/)\">", "Reference@URI"},
        {"<ds:Reference URI=\"\">", "<ds:Reference URI=\"file:///etc/passwd\">", "Reference@URI"},
        {"<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>", "",
         "exactly two transforms"},
        {"<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
         "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>",
         "Transform[2]@Algorithm"},
        {"<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
         "<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>"
         "<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
         "exactly two transforms"},
        {"<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384\"/>",
         "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#hmac-sha1\"/>",
         "SignatureMethod@Algorithm"},
        {"<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#sha384\"/>",
         "<ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>",
         "DigestMethod@Algorithm"},
        {"<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
         "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11#WithComments\"/>",
         "CanonicalizationMethod@Algorithm"},
        {"</ds:Reference>", "</ds:Reference><ds:Reference URI=\"\"/>", "exactly one Reference"},
        {"</ds:KeyInfo>", "</ds:KeyInfo><ds:Object/>", "no Object"},
        {"<ds:X509Data>", "<ds:X509Data><ds:X509SubjectName>CN=x</ds:X509SubjectName>",
         "X509Certificate only"},
        {"<ds:X509Certificate>MIIC", "<ds:X509Certificate>!IIC", "not base64"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = replace_once(g, cases[i].from, cases[i].to);
        char what[32];
        snprintf(what, sizeof what, "case %zu", i);
        expect_str(what, t, ATTEST_E_MALFORMED, cases[i].detail);
        free(t);
    }

    /* no KeyInfo at all */
    const char *ki = strstr(g, "<ds:KeyInfo>");
    const char *ke = strstr(g, "</ds:KeyInfo>");
    cr_assert(ki && ke);
    size_t n = strlen(g);
    char *t = malloc(n + 1);
    size_t pre = (size_t)(ki - g);
    memcpy(t, g, pre);
    strcpy(t + pre, ke + strlen("</ds:KeyInfo>"));
    expect_str("no KeyInfo", t, ATTEST_E_MALFORMED, "KeyInfo");
    free(t);
    free(g);
}

Test(nv_rim_attacks, edited_content_fails_the_signature)
{
    char *g = load(SET_A_DRIVER, NULL);

    /* flip one hex digit of a Hash0 (index 7: 80161aac... -> 90161aac...) */
    char *t = replace_once(g, "ns2:Hash0=\"80161aac", "ns2:Hash0=\"90161aac");
    expect_str("hash digit", t, ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    free(t);

    /* an inactive measurement switched on */
    t = replace_once(g, "index=\"0\" active=\"False\"", "index=\"0\" active=\"True\"");
    expect_str("active flag", t, ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    free(t);

    /* colloquialVersion edited */
    t = replace_once(g, "colloquialVersion=\"550.90.07\"", "colloquialVersion=\"550.90.08\"");
    expect_str("version", t, ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    free(t);

    /* an extra Resource appended after the Signature (URI="" covers it) */
    t = replace_once(g, "</ds:Signature>", "</ds:Signature>" DUP_RESOURCE);
    expect_str("resource after signature", t, ATTEST_E_COLLATERAL_SIGNATURE, DIGEST_DIFFERS);
    free(t);

    /* one byte of the SignatureValue changed */
    const char *sv = strstr(g, "<ds:SignatureValue>");
    cr_assert(sv);
    t = strdup(g);
    size_t off = (size_t)(sv - g) + strlen("<ds:SignatureValue>") + 10;
    t[off] = t[off] == 'A' ? 'B' : 'A';
    expect_str("signature value", t, ATTEST_E_COLLATERAL_SIGNATURE, SIGVALUE_FAILS);
    free(t);

    /* the key is the FIRST KeyInfo certificate: swap leaf and L3 */
    const char *c0 = strstr(g, "<ds:X509Certificate>");
    const char *c1 = strstr(c0 + 1, "<ds:X509Certificate>");
    const char *c2 = strstr(c1 + 1, "<ds:X509Certificate>");
    cr_assert(c0 && c1 && c2);
    size_t l0 = (size_t)(c1 - c0), l1 = (size_t)(c2 - c1);
    t = strdup(g);
    memcpy(t + (c0 - g), c1, l1);
    memcpy(t + (c0 - g) + l1, c0, l0);
    expect_str("leaf not first", t, ATTEST_E_COLLATERAL_SIGNATURE, SIGVALUE_FAILS);
    free(t);

    /* a comment is not signed content and is never read: still verifies */
    t = replace_once(g, "<ns0:Payload", "<!-- a comment --><ns0:Payload");
    nv_rim *r = NULL;
    cr_assert_eq(parse_str(t, &r), ATTEST_OK, "%s", attest_error_last());
    nv_rim_free(r);
    free(t);
    free(g);
}

Test(nv_rim_attacks, truncated_and_junk)
{
    size_t len;
    char *g = load(SET_A_DRIVER, &len);
    nv_rim *r = (nv_rim *)1;
    size_t cuts[] = {1, 20, len / 2, len - 30, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        int st = nv_rim_parse(&r, (const uint8_t *)g, cuts[i]);
        cr_assert_eq(st, ATTEST_E_MALFORMED, "cut at %zu: %d %s", cuts[i], st,
                     attest_error_last());
        cr_assert_null(r);
    }
    cr_assert(strstr(attest_error_last(), "not well-formed"), "%s", attest_error_last());

    cr_assert_eq(nv_rim_parse(&r, (const uint8_t *)g, 0), ATTEST_E_MALFORMED);
    cr_assert_eq(nv_rim_parse(&r, NULL, 10), ATTEST_E_INVALID_ARG);
    cr_assert_eq(nv_rim_parse(NULL, (const uint8_t *)g, len), ATTEST_E_INVALID_ARG);
    expect_str("other root", "<Foo xmlns=\"urn:x\"/>", ATTEST_E_MALFORMED, "root element");
    expect_str("root without namespace", "<SoftwareIdentity/>", ATTEST_E_MALFORMED,
               "root element");
    expect_str("no signature",
               "<SoftwareIdentity xmlns=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\"/>",
               ATTEST_E_MALFORMED, "0 ds:Signature");
    /* trailing content after the root element */
    char *t = replace_once(g, "</SoftwareIdentity>", "</SoftwareIdentity><x/>");
    expect_str("second root", t, ATTEST_E_MALFORMED, "not well-formed");
    free(t);
    free(g);
}

/* ---- parsing and signature apart --------------------------------------- */

/* The parser reads the fields whatever the signature; a content rule
 * broken is kept for after the signature, so that a tampered document is
 * refused as tampered first (as parse_str shows above). */
Test(nv_rim_split, content_rules_judged_after_the_signature)
{
    char *g = load(SET_A_DRIVER, NULL);
    char *t = replace_once(g, "</ns0:Payload>", DUP_RESOURCE "</ns0:Payload>");
    nv_rim *r = NULL;
    cr_assert_eq(nv_rim_parse(&r, (const uint8_t *)t, strlen(t)), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(r->content_status, ATTEST_E_MALFORMED);
    cr_assert(strstr(r->content_detail, "index 7 appears twice"), "%s", r->content_detail);
    json_t *j = nv_rim_to_json(r);
    cr_assert(strstr(json_string_value(json_object_get(j, "content_error")), "appears twice"));
    json_decref(j);
    cr_assert_eq(nv_rim_signature_verify(r, NULL), ATTEST_E_COLLATERAL_SIGNATURE);
    cr_assert(strstr(attest_error_last(), DIGEST_DIFFERS), "%s", attest_error_last());
    nv_rim_free(r);
    free(t);
    free(g);
}

/* KeyInfo certificates are base64 to the parser; whether the bytes are a
 * certificate is for the signature check to say. */
Test(nv_rim_split, keyinfo_bytes_that_are_no_certificate)
{
    char *g = load(SET_A_DRIVER, NULL);
    char *t = replace_between(g, "<ds:X509Certificate>", "</ds:X509Certificate>", "AAAA");
    nv_rim *r = NULL;
    cr_assert_eq(nv_rim_parse(&r, (const uint8_t *)t, strlen(t)), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(r->signer_count, 4);
    cr_assert_eq(r->signers[0].len, 3);
    STACK_OF(X509) *certs = (STACK_OF(X509) *)1;
    cr_assert_eq(nv_rim_signers(r, &certs), ATTEST_E_MALFORMED);
    cr_assert_null(certs);
    cr_assert_eq(nv_rim_signature_verify(r, &certs), ATTEST_E_MALFORMED);
    cr_assert_null(certs);
    cr_assert(strstr(attest_error_last(), "X509Certificate 0: not one DER certificate"), "%s",
              attest_error_last());
    nv_rim_free(r);
    free(t);
    free(g);
}

/* A verdict on a RIM's signature, good or bad, is reached once per
 * verifier: the second check comes from the verifier's cache with the same
 * status, detail and (for a good one) KeyInfo certificates. */
Test(nv_rim_split, signature_verdicts_cached_either_way)
{
    static const struct {
        const char *rel;
        int status;
    } cases[] = {{SET_A_DRIVER, ATTEST_OK},
                 {"nvidia/negative/rim_550.144.03_bad_signature_value.xml",
                  ATTEST_E_COLLATERAL_SIGNATURE}};
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *s = load(cases[i].rel, &len), detail[512] = "";
        nv_rim *r = NULL;
        uint8_t sha[32];
        cr_assert_eq(nv_rim_parse(&r, (const uint8_t *)s, len), ATTEST_OK);
        cr_assert(EVP_Digest(s, len, sha, NULL, EVP_sha256(), NULL));
        for (int round = 0; round < 2; round++) {
            STACK_OF(X509) *certs = NULL;
            bool cached = !round;
            int st = nv_rim_signature_check(v, r, sha, &certs, &cached);
            cr_assert_eq(st, cases[i].status, "%s: %s", cases[i].rel, attest_error_last());
            cr_assert_eq(cached, round == 1, "%s round %d", cases[i].rel, round);
            cr_assert_eq(sk_X509_num(certs), st == ATTEST_OK ? 4 : -1);
            if (round == 0)
                snprintf(detail, sizeof detail, "%s", st ? attest_error_last() : "");
            else if (st)
                cr_assert_str_eq(attest_error_last(), detail);
            sk_X509_pop_free(certs, X509_free);
        }
        nv_rim_free(r);
        free(s);
    }
    attest_verifier_free(v);
}

Test(nv_rim_detection, detect)
{
    size_t len;
    char *g = load(SET_A_DRIVER, &len);
    cr_assert(nv_rim_detect((const uint8_t *)g, len));
    const char *yes[] = {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SoftwareIdentity xmlns=\"x\"/>",
        "\xEF\xBB\xBF  <swid:SoftwareIdentity xmlns:swid=\"x\"/>",
    };
    const char *no[] = {
        "{\"tcbInfo\":{}}",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "<Foo>SoftwareIdentity</Foo>",
        "<SoftwareIdentit",
        "SoftwareIdentity <SoftwareIdentity/>",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(nv_rim_detect((const uint8_t *)yes[i], strlen(yes[i])), "yes %zu", i);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert(!nv_rim_detect((const uint8_t *)no[i], strlen(no[i])), "no %zu", i);
    cr_assert(!nv_rim_detect(NULL, 100));
    uint8_t bin[64] = {0x30, 0x82};
    cr_assert(!nv_rim_detect(bin, sizeof bin));
    free(g);
}

/* ---- re-signed RIMs: the rules behind a valid signature --------------- */

typedef struct signer {
    EVP_PKEY *key;
    X509 *cert;
    char cert_b64[4096];
} signer;

static void signer_new(signer *s)
{
    s->key = EVP_EC_gen("P-384");
    cr_assert(s->key);
    X509 *x = X509_new();
    cr_assert(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               (const unsigned char *)"libattest test RIM signer", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, s->key);
    cr_assert(X509_sign(x, s->key, EVP_sha384()) > 0);
    s->cert = x;
    unsigned char *der = NULL;
    int dl = i2d_X509(x, &der);
    cr_assert(dl > 0 && (size_t)dl * 4 / 3 + 4 < sizeof s->cert_b64);
    EVP_EncodeBlock((unsigned char *)s->cert_b64, der, dl);
    OPENSSL_free(der);
}

static void signer_free(signer *s)
{
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
}

/* A genuine RIM with placeholders for DigestValue and SignatureValue and
 * the test certificate as the only KeyInfo certificate. */
static char *rim_template(const signer *s)
{
    char *g = load(SET_A_DRIVER, NULL);
    char *t = replace_between(g, "<ds:DigestValue>", "</ds:DigestValue>", "@DIGEST@");
    t = swap(t, replace_between(t, "<ds:SignatureValue>", "</ds:SignatureValue>", "@SIGVAL@"));
    char certs[4200];
    snprintf(certs, sizeof certs, "<ds:X509Certificate>%s</ds:X509Certificate>", s->cert_b64);
    t = swap(t, replace_between(t, "<ds:X509Data>", "</ds:X509Data>", certs));
    free(g);
    return t;
}

typedef struct visibility {
    xmlNodePtr top;
    int outside; /* 1: visible when NOT under top */
} visibility;

static int is_visible(void *user, xmlNodePtr node, xmlNodePtr parent)
{
    const visibility *v = user;
    xmlNodePtr n = (node == NULL || node->type == XML_NAMESPACE_DECL) ? parent : node;
    int under = 0;
    for (; n; n = n->parent)
        if (n == v->top) {
            under = 1;
            break;
        }
    return v->outside ? !under : under;
}

static xmlNodePtr find_dsig(xmlNodePtr n, const char *name)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && n->ns &&
            strcmp((const char *)n->ns->href, "http://www.w3.org/2000/09/xmldsig#") == 0 &&
            strcmp((const char *)n->name, name) == 0)
            return n;
        xmlNodePtr c = find_dsig(n->children, name);
        if (c)
            return c;
    }
    return NULL;
}

static void c14n_sha384(xmlDocPtr doc, visibility *v, int mode, uint8_t md[48])
{
    xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
    cr_assert(ob);
    cr_assert(xmlC14NExecute(doc, is_visible, v, mode, NULL, 0, ob) >= 0);
    unsigned int ml = 0;
    cr_assert(EVP_Digest(xmlOutputBufferGetContent(ob), xmlOutputBufferGetSize(ob), md, &ml,
                         EVP_sha384(), NULL));
    xmlOutputBufferClose(ob);
}

/* Fill @DIGEST@ and @SIGVAL@ of `tmpl` as a signer would: digest over the
 * document minus the (first) Signature, ECDSA-P384 over SignedInfo, both
 * canonicalised with `mode` (C14N 1.1 or exclusive). */
static char *resign(const char *tmpl, const signer *s, int mode)
{
    uint8_t md[48];
    unsigned char b64[200];
    xmlDocPtr doc = xmlReadMemory(tmpl, (int)strlen(tmpl), NULL, NULL, XML_PARSE_NONET);
    cr_assert(doc, "template does not parse");
    visibility v = {find_dsig(doc->children, "Signature"), 1};
    cr_assert(v.top);
    c14n_sha384(doc, &v, mode, md);
    xmlFreeDoc(doc);
    EVP_EncodeBlock(b64, md, 48);
    char *t = replace_once(tmpl, "@DIGEST@", (const char *)b64);

    doc = xmlReadMemory(t, (int)strlen(t), NULL, NULL, XML_PARSE_NONET);
    cr_assert(doc);
    visibility si = {find_dsig(doc->children, "SignedInfo"), 0};
    cr_assert(si.top);
    xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
    cr_assert(xmlC14NExecute(doc, is_visible, &si, mode, NULL, 0, ob) >= 0);
    unsigned char der[128];
    size_t dl = sizeof der;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    cr_assert(EVP_DigestSignInit(mctx, NULL, EVP_sha384(), NULL, s->key) == 1);
    cr_assert(EVP_DigestSign(mctx, der, &dl, xmlOutputBufferGetContent(ob),
                             xmlOutputBufferGetSize(ob)) == 1);
    EVP_MD_CTX_free(mctx);
    xmlOutputBufferClose(ob);
    xmlFreeDoc(doc);

    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    cr_assert(sig);
    uint8_t rs[96];
    cr_assert(BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 48) == 48);
    cr_assert(BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 48, 48) == 48);
    ECDSA_SIG_free(sig);
    EVP_EncodeBlock(b64, rs, 96);
    return swap(t, replace_once(t, "@SIGVAL@", (const char *)b64));
}

Test(nv_rim_resigned, test_signer_round_trip)
{
    signer s;
    signer_new(&s);
    char *tmpl = rim_template(&s);
    char *doc = resign(tmpl, &s, XML_C14N_1_1);
    nv_rim *r = NULL;
    cr_assert_eq(parse_str(doc, &r), ATTEST_OK, "%s", attest_error_last());
    STACK_OF(X509) *signers = signers_of(r);
    cr_assert_eq(sk_X509_num(signers), 1);
    cr_assert_eq(X509_cmp(sk_X509_value(signers, 0), s.cert), 0);
    sk_X509_pop_free(signers, X509_free);
    cr_assert_eq(active_count(r), 21);
    nv_rim_free(r);
    free(doc);

    /* exclusive C14N for both SignedInfo and the reference is accepted */
    char *exc = replace_once(tmpl, "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
                             "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>");
    exc = swap(exc, replace_once(exc, "<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
                                 "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"));
    doc = resign(exc, &s, XML_C14N_EXCLUSIVE_1_0);
    cr_assert_eq(parse_str(doc, &r), ATTEST_OK, "%s", attest_error_last());
    nv_rim_free(r);
    free(doc);
    /* ... but signed with inclusive C14N 1.1 while declaring exclusive: no */
    doc = resign(exc, &s, XML_C14N_1_1);
    expect_str("c14n mismatch", doc, ATTEST_E_COLLATERAL_SIGNATURE, NULL);
    free(doc);
    free(exc);

    /* signed by the test key, but the genuine NVIDIA leaf listed first */
    char *g = load(SET_A_DRIVER, NULL);
    const char *c0 = strstr(g, "<ds:X509Certificate>");
    const char *c1 = strstr(c0 + 1, "<ds:X509Certificate>");
    size_t l0 = (size_t)(c1 - c0);
    char *leaf = malloc(l0 + 1);
    memcpy(leaf, c0, l0);
    leaf[l0] = '\0';
    char *two = replace_once(tmpl, "<ds:X509Data>", "<ds:X509Data>@LEAF@");
    two = swap(two, replace_once(two, "@LEAF@", leaf));
    doc = resign(two, &s, XML_C14N_1_1);
    expect_str("foreign first cert", doc, ATTEST_E_COLLATERAL_SIGNATURE, SIGVALUE_FAILS);
    free(doc);
    free(two);
    free(leaf);
    free(g);

    free(tmpl);
    signer_free(&s);
}

Test(nv_rim_resigned, content_rules)
{
    signer s;
    signer_new(&s);
    char *tmpl = rim_template(&s);
    const char *h48 = "000000000000000000000000000000000000000000000000"
                      "000000000000000000000000000000000000000000000000";
    char dup[512];
    snprintf(dup, sizeof dup,
             "<ns0:Resource type=\"Measurement\" index=\"7\" active=\"False\" alternatives=\"1\" "
             "ns2:Hash0=\"%s\" name=\"dup\" size=\"48\"/></ns0:Payload>",
             h48);
    struct {
        const char *from, *to, *detail;
    } cases[] = {
        {"</ns0:Payload>", dup, "index 7 appears twice"},
        {"index=\"7\" active=\"True\"", "index=\"7\" active=\"true\"", "neither True nor False"},
        {"index=\"7\" active=\"True\"", "index=\"-7\" active=\"True\"", "@index"},
        {"index=\"7\" active=\"True\"", "index=\"007\" active=\"True\"", "@index"},
        {"index=\"7\" active=\"True\"", "index=\"255\" active=\"True\"", "@index"},
        {"index=\"7\" active=\"True\" alternatives=\"1\"",
         "index=\"7\" active=\"True\" alternatives=\"9\"", "@alternatives"},
        {"index=\"7\" active=\"True\" alternatives=\"1\"",
         "index=\"7\" active=\"True\" alternatives=\"2\"", "@Hash1: missing"},
        {"index=\"7\" active=\"True\" alternatives=\"1\"",
         "index=\"7\" active=\"True\" alternatives=\"0\"", "@alternatives"},
        {"ns2:Hash0=\"80161aac", "ns2:Hash1=\"00\" ns2:Hash0=\"80161aac", "more hashes"},
        {"ns2:Hash0=\"80161aac", "Hash0=\"80161aac", "@Hash0: missing"},
        {"ns2:Hash0=\"80161aac", "ns2:Hash0=\"0080161aac", "not a hex value"},
        {"ns2:Hash0=\"80161aac", "ns2:Hash0=\"x0161aac", "not a hex value"},
        {"name=\"Measurement_7\" size=\"48\"", "name=\"Measurement_7\" size=\"47\"",
         "not a hex value"},
        {"name=\"Measurement_7\" size=\"48\"", "name=\"Measurement_7\" size=\"65\"", "@size"},
        {"name=\"Measurement_7\" size=\"48\"", "name=\"Measurement_7\"", "@size: missing"},
        {"colloquialVersion=\"550.90.07\"", "colloquialversion=\"550.90.07\"",
         "Meta@colloquialVersion: missing"},
        {"ns1:FirmwareManufacturerId=\"5703\"", "FirmwareManufacturerId=\"5703\"",
         "Meta@FirmwareManufacturerId: missing"},
        {"product=\"GH100\"", "product=\"GH100GH100GH100GH100GH100GH100GH100GH100\"",
         "Meta@product: too long"},
        {"</ns0:Payload>", "</ns0:Payload><ns0:Payload/>", "more than one Payload"},
        {"<ns0:Payload", "<ns0:Meta product=\"x\"/><ns0:Payload", "more than one Meta"},
        {"<ns0:Payload", "<ns0:Link href=\"x\"/><ns0:Payload", "Link not accepted"},
        {"</ns0:Payload>", "<ns0:Evidence/></ns0:Payload>", "Payload: element \"Evidence\""},
        {"</ns0:Payload>",
         "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\" "
         "parse=\"text\"/></ns0:Payload>",
         "Payload: element \"include\""},
        {" tagId=\"", " tagid=\"", "SoftwareIdentity@tagId: missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = replace_once(tmpl, cases[i].from, cases[i].to);
        char *doc = resign(t, &s, XML_C14N_1_1);
        char what[32];
        snprintf(what, sizeof what, "content case %zu", i);
        expect_str(what, doc, ATTEST_E_MALFORMED, cases[i].detail);
        free(doc);
        free(t);
    }
    free(tmpl);
    signer_free(&s);
}

Test(nv_rim_resigned, other_resources_and_signed_wrapper)
{
    signer s;
    signer_new(&s);
    char *tmpl = rim_template(&s);
    /* Resources of another type are skipped; an Entity is ignored */
    char *t = replace_once(tmpl, "</ns0:Payload>",
                           "<ns0:Resource type=\"File\" name=\"x\"/></ns0:Payload>");
    char *doc = resign(t, &s, XML_C14N_1_1);
    nv_rim *r = NULL;
    cr_assert_eq(parse_str(doc, &r), ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(r->measurement_count, 64);
    nv_rim_free(r);
    free(doc);
    free(t);

    /* a validly (test-)signed wrapping is still refused by shape */
    t = replace_once(tmpl, "<ds:Signature", "<ns0:Wrapper><ds:Signature");
    t = swap(t, replace_once(t, "</ds:Signature>", "</ds:Signature></ns0:Wrapper>"));
    doc = resign(t, &s, XML_C14N_1_1);
    expect_str("signed wrapper", doc, ATTEST_E_MALFORMED, "child of the SoftwareIdentity root");
    free(doc);
    free(t);

    free(tmpl);
    signer_free(&s);
}

/* ---- threads ------------------------------------------------------------ */

typedef struct thread_arg {
    const char *doc;
    int failures;
} thread_arg;

static void *parse_many(void *p)
{
    thread_arg *a = p;
    for (int i = 0; i < 20; i++) {
        nv_rim *r = NULL;
        if (parse_str(a->doc, &r) != ATTEST_OK || !r || r->measurement_count != 64 ||
            strcmp(r->colloquial_version, "550.90.07") != 0)
            a->failures++;
        nv_rim_free(r);
        /* a failing parse in between must not disturb the others */
        if (nv_rim_parse(&r, (const uint8_t *)a->doc, strlen(a->doc) / 2) != ATTEST_E_MALFORMED)
            a->failures++;
    }
    return NULL;
}

Test(nv_rim_threads, concurrent_parses_share_one_init)
{
    /* Criterion runs each test in a fresh process: the first nv_rim_parse
     * and signature calls (and so the pthread_once initialisations of
     * libxml2 and xmlsec1) race here. */
    char *g = load(SET_A_DRIVER, NULL);
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){g, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, parse_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].failures, 0, "thread %d: %d failures", i, args[i].failures);
    }
    free(g);
}

/* ---- the host's libxml2 error handlers ------------------------------------ */

static int host_calls;
static void host_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
    host_calls++;
}
static void host_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
    host_calls++;
}

/* libattest silences libxml2 while it uses it (its out-of-memory messages
 * would go to stderr) and gives the thread its own handlers back after:
 * a host's handlers are neither called for libattest's documents nor lost. */
Test(nv_rim_host, libxml2_handlers_kept_and_not_called)
{
    static int sctx, gctx;
    xmlSetStructuredErrorFunc(&sctx, host_structured);
    xmlSetGenericErrorFunc(&gctx, host_generic);
    host_calls = 0;
    nv_rim *r = NULL;
    char *s = load(SET_A_DRIVER, NULL);
    cr_assert_eq(parse_str(s, &r), ATTEST_OK, "%s", attest_error_last());
    nv_rim_free(r);
    char *broken = replace_once(s, "</SoftwareIdentity>", "</SoftwareIdentit>");
    cr_assert_eq(parse_str(broken, &r), ATTEST_E_MALFORMED, "%s", attest_error_last());
    /* A relative namespace URI: libxml2's canonicaliser refuses it through
     * the thread's handlers (by default printed), and the signature fails. */
    char *relative = replace_once(s, "<SoftwareIdentity ", "<SoftwareIdentity xmlns:r=\"rel/uri\" ");
    cr_assert_neq(parse_str(relative, &r), ATTEST_OK);
    free(relative);
    cr_assert_eq(host_calls, 0, "the host's handlers were called %d times", host_calls);
    cr_assert(xmlStructuredError == host_structured && xmlStructuredErrorContext == &sctx);
    cr_assert(xmlGenericError == host_generic && xmlGenericErrorContext == &gctx);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);
    free(broken);
    free(s);
}
