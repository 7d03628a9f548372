/*
 * attest-mock azure - a mock Azure confidential VM (paravisor HCL report +
 * vTPM) for integration tests, built on azgen, snpgen and dcapgen. Entry
 * point: attest_mock_azure_main (called by attest_mock.c's main for
 * `attest-mock azure ...`).
 *
 * Exit status: 0 success, 2 usage error, 1 any other failure; messages go
 * to stderr. See vectors/README.md.
 */
#include "azgen.h"
#include "dcapgen.h"
#include "gencommon.h"
#include "mockcli.h"
#include "snpgen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "attest-mock azure"

static const char azure_usage_text[] =
    "usage:\n"
    "  " PROG " pki --out DIR [--rsa-bits N] [--vm-id ID]\n"
    "          [--ak-not-before UNIX] [--ak-not-after UNIX]\n"
    "  " PROG " claims --pki DIR [--user-data HEX | --no-user-data]\n"
    "          [--vm-config KEY=VALUE,...] [--ak-kid NAME] [--ak-key-ops OP]\n"
    "          [--ak-key KEY.pem] [--no-ek] [--ek-first] -o FILE|-\n"
    "  " PROG " hcl --claims FILE\n"
    "          (--snp-pki DIR [--vlek] [--version 2|3|5] [--measurement HEX]\n"
    "             [--host-data HEX] [--policy HEX] [--vmpl N]\n"
    "          | --tdx-pki DIR [--quote-version 4|5] [--mrtd HEX]\n"
    "             [--rtmr N=HEX ...] [--td-attributes HEX] [--td-quote-pad N]\n"
    "             [--td-quote-out FILE])\n"
    "          [--header-version N] [--size N] [--report-type N]\n"
    "          [--hash-type N] [--report-data-override HEX]\n"
    "          [--set OFFSET=HEX ...] [--flip OFFSET[:BIT] ...] -o FILE|-\n"
    "  " PROG " quote --pki DIR (--nonce HEX | --no-nonce) [--pcrs LIST]\n"
    "          [--pcr N=HEX ...] [--clock N] [--sign-with KEY.pem]\n"
    "          [--set OFFSET=HEX ...] [--flip OFFSET[:BIT] ...]\n"
    "          [--flip-sig OFFSET[:BIT] ...] [--tamper-pcr N=HEX ...]\n"
    "          [--pcrs-out-all] -o QUOTE_MSG --sig-out SIG [--pcrs-out PCRS]\n"
    "LIST is 0-23 (default) or numbers and ranges: 0-7,14. OFFSET, N accept\n"
    "decimal or 0x hex; HEX shorter than its field is zero-padded on the\n"
    "right. hcl: REPORT_DATA = SHA-256(claims) || 0*32; --set edits the HCL\n"
    "file before the SNP report is signed, --flip after. quote: --set edits\n"
    "TPMS_ATTEST before signing, --flip after; --tamper-pcr changes a value\n"
    "written to PCRS after the digest was computed.\n";

static const mockcli_prog cli = {PROG, azure_usage_text};

#define usage_error(msg, arg) mockcli_usage_error(&cli, msg, arg)
#define failure(msg, arg) mockcli_failure(&cli, msg, arg)

static int load_pki(azgen_pki **out, const char *dir)
{
    if (azgen_pki_load(out, dir) != 0)
        return failure("cannot load Azure PKI directory", dir);
    return 0;
}

/* "N=HEX" with N <= nmax and 1..max bytes into out (zero-padded). */
static int parse_indexed(uint64_t *n, uint8_t *out, size_t max,
                         const char *s, uint64_t nmax)
{
    uint8_t *b = NULL;
    size_t len = 0;
    if (mockcli_parse_kv_hex(n, &b, &len, s, nmax) != 0)
        return -1;
    if (len == 0 || len > max) {
        free(b);
        return -1;
    }
    memset(out, 0, max);
    memcpy(out, b, len);
    free(b);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* azure pki                                                                */

typedef struct {
    azgen_pki_opts o;
    const char *out;
} pki_args;

static int pki_opt(void *ctx, const char *o, const char *v)
{
    pki_args *a = ctx;
    uint64_t bits;
    if (strcmp(o, "--out") == 0) {
        a->out = v;
    } else if (strcmp(o, "--rsa-bits") == 0) {
        if (mockcli_parse_u64_base(&bits, v, 10, 16384) != 0 || bits < 1024)
            return usage_error("--rsa-bits must be 1024..16384", v);
        a->o.ca_rsa_bits = (unsigned)bits;
    } else if (strcmp(o, "--vm-id") == 0) {
        if (*v == '\0' || strlen(v) > 64)
            return usage_error("--vm-id needs 1..64 characters", v);
        a->o.vm_id = v;
    } else if (strcmp(o, "--ak-not-before") == 0) {
        if (mockcli_parse_i64(&a->o.ak_not_before, v) != 0)
            return usage_error("bad --ak-not-before", v);
    } else if (strcmp(o, "--ak-not-after") == 0) {
        if (mockcli_parse_i64(&a->o.ak_not_after, v) != 0)
            return usage_error("bad --ak-not-after", v);
    } else {
        return usage_error("unknown option", o);
    }
    return 0;
}

static int cmd_pki(int argc, char **argv)
{
    pki_args a;
    azgen_pki *pki = NULL;
    int rc;
    memset(&a, 0, sizeof(a));
    azgen_pki_opts_init(&a.o);
    rc = mockcli_parse_opts(&cli, argc, argv, NULL, 0, pki_opt, &a);
    if (rc != 0)
        return rc;
    if (a.out == NULL)
        return usage_error("azure pki needs --out", NULL);
    if (azgen_pki_generate(&pki, &a.o) != 0)
        return failure("PKI generation failed", NULL);
    rc = azgen_pki_save(pki, a.out) == 0 ? 0
                                         : failure("cannot write PKI", a.out);
    azgen_pki_free(pki);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* azure claims                                                             */

#define MAX_VM_CONFIG_OPTS 8

typedef struct {
    const char *pki_dir, *out, *ak_kid, *ak_key_ops, *ak_key;
    int no_ek, ek_first, no_user_data;
    mockcli_hex_opt user_data;
    char *vm_config[MAX_VM_CONFIG_OPTS]; /* strdup'd, split in place */
    size_t n_vm_config;
} claims_args;

static int claims_opt(void *ctx, const char *o, const char *v)
{
    claims_args *a = ctx;
    if (strcmp(o, "--pki") == 0) {
        a->pki_dir = v;
    } else if (strcmp(o, "-o") == 0) {
        a->out = v;
    } else if (strcmp(o, "--user-data") == 0) {
        if (mockcli_parse_hex_opt(&a->user_data, AZGEN_USER_DATA_LEN, v) != 0)
            return usage_error("--user-data needs 1..64 hex bytes", v);
    } else if (strcmp(o, "--vm-config") == 0) {
        if (a->n_vm_config == MAX_VM_CONFIG_OPTS ||
            (a->vm_config[a->n_vm_config] = strdup(v)) == NULL)
            return usage_error("too many --vm-config", v);
        a->n_vm_config++;
    } else if (strcmp(o, "--ak-kid") == 0) {
        a->ak_kid = v;
    } else if (strcmp(o, "--ak-key-ops") == 0) {
        a->ak_key_ops = v;
    } else if (strcmp(o, "--ak-key") == 0) {
        a->ak_key = v;
    } else {
        return usage_error("unknown option", o);
    }
    return 0;
}

/* JSON literals stay literals; anything else becomes a string. */
static int is_json_literal(const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
        strcmp(v, "null") == 0)
        return 1;
    if (*v == '-')
        v++;
    if (*v == '\0')
        return 0;
    for (; *v != '\0'; v++)
        if (*v < '0' || *v > '9')
            return 0;
    return 1;
}

/* "k=v,k=v" of each --vm-config into d (pointers into a's strings). */
static int claims_vm_config(azgen_claims_desc *d, claims_args *a)
{
    for (size_t i = 0; i < a->n_vm_config; i++) {
        char *save = NULL;
        for (char *t = strtok_r(a->vm_config[i], ",", &save); t != NULL;
             t = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(t, '=');
            if (eq == NULL)
                return usage_error("--vm-config needs KEY=VALUE", t);
            *eq = '\0';
            if (azgen_claims_set_vm_config(d, t, eq + 1,
                                           !is_json_literal(eq + 1)) != 0)
                return usage_error("bad or too many --vm-config members", t);
        }
    }
    return 0;
}

static int claims_build(claims_args *a, azgen_pki *pki, EVP_PKEY *ak)
{
    azgen_claims_desc d;
    char *json = NULL;
    size_t len = 0;
    int rc;
    azgen_claims_desc_init(&d, ak, a->no_ek ? NULL : pki->ek_key);
    if (a->ak_kid != NULL)
        d.ak_kid = a->ak_kid;
    if (a->ak_key_ops != NULL)
        d.ak_key_ops = a->ak_key_ops;
    d.ek_first = a->ek_first;
    d.has_user_data = !a->no_user_data;
    mockcli_put_hex_opt(d.user_data, 0, AZGEN_USER_DATA_LEN, &a->user_data);
    rc = claims_vm_config(&d, a);
    if (rc != 0)
        return rc;
    if (azgen_claims_build(&json, &len, &d) != 0)
        return usage_error("claims generation failed (a name or value "
                           "holds '\"', '\\' or a control character?)",
                           NULL);
    rc = mockcli_write_file(a->out, json, len) == 0
             ? 0
             : failure("cannot write claims", a->out);
    free(json);
    return rc;
}

static int claims_make(claims_args *a)
{
    azgen_pki *pki = NULL;
    EVP_PKEY *other = NULL;
    int rc = load_pki(&pki, a->pki_dir);
    if (rc != 0)
        return rc;
    if (a->ak_key != NULL && snpgen_key_load_pem(&other, a->ak_key) != 0)
        rc = failure("cannot read --ak-key", a->ak_key);
    else
        rc = claims_build(a, pki, other != NULL ? other : pki->ak_key);
    EVP_PKEY_free(other);
    azgen_pki_free(pki);
    return rc;
}

static int cmd_claims(int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--no-ek", offsetof(claims_args, no_ek)},
        {"--ek-first", offsetof(claims_args, ek_first)},
        {"--no-user-data", offsetof(claims_args, no_user_data)}};
    claims_args a;
    int rc;
    memset(&a, 0, sizeof(a));
    rc = mockcli_parse_opts(&cli, argc, argv, flags, 3, claims_opt, &a);
    if (rc == 0 && (a.pki_dir == NULL || a.out == NULL))
        rc = usage_error("azure claims needs --pki and -o", NULL);
    if (rc == 0 && a.no_user_data && a.user_data.have)
        rc = usage_error("--user-data and --no-user-data exclude each other",
                         NULL);
    if (rc == 0)
        rc = claims_make(&a);
    for (size_t i = 0; i < a.n_vm_config; i++)
        free(a.vm_config[i]);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* azure hcl                                                                */

typedef struct {
    const char *claims_path, *out, *snp_pki, *tdx_pki, *td_quote_out;
    mockcli_snp_opts snp; /* the SNP report's fields (not its data) */
    /* TD quote */
    uint64_t quote_version, td_quote_pad;
    mockcli_hex_opt mrtd, td_attributes;
    uint8_t rtmr[4][DCAPGEN_LEN_MR48];
    int have_rtmr[4];
    /* HCL */
    uint64_t header_version, size, report_type, hash_type;
    int have_report_type, have_hash_type;
    mockcli_hex_opt report_data;
    mockcli_edits edits;
} hcl_args;

static int hcl_snp_opt(hcl_args *a, const char *o, const char *v)
{
    if (strcmp(o, "--snp-pki") == 0) {
        a->snp_pki = v;
        return 0;
    }
    /* REPORT_DATA is the binding hash or --report-data-override */
    if (strcmp(o, "--report-data") == 0)
        return usage_error("use --report-data-override", NULL);
    return mockcli_snp_opt(&cli, &a->snp, o, v);
}

static int hcl_tdx_opt(hcl_args *a, const char *o, const char *v)
{
    uint64_t n;
    if (strcmp(o, "--tdx-pki") == 0) {
        a->tdx_pki = v;
    } else if (strcmp(o, "--td-quote-out") == 0) {
        a->td_quote_out = v;
    } else if (strcmp(o, "--quote-version") == 0) {
        if (mockcli_parse_u64(&a->quote_version, v, 5) != 0 ||
            a->quote_version < 4)
            return usage_error("--quote-version must be 4 or 5", v);
    } else if (strcmp(o, "--mrtd") == 0) {
        if (mockcli_parse_hex_opt(&a->mrtd, DCAPGEN_LEN_MR48, v) != 0)
            return usage_error("--mrtd needs 1..48 hex bytes", v);
    } else if (strcmp(o, "--td-attributes") == 0) {
        if (mockcli_parse_hex_opt(&a->td_attributes,
                                  DCAPGEN_LEN_TD_ATTRIBUTES, v) != 0)
            return usage_error("--td-attributes needs 1..8 hex bytes", v);
    } else if (strcmp(o, "--rtmr") == 0) {
        uint8_t m[DCAPGEN_LEN_MR48];
        if (parse_indexed(&n, m, sizeof(m), v, 3) != 0)
            return usage_error("--rtmr needs N=HEX, N 0..3, 1..48 bytes", v);
        memcpy(a->rtmr[n], m, sizeof(m));
        a->have_rtmr[n] = 1;
    } else if (strcmp(o, "--td-quote-pad") == 0) {
        if (mockcli_parse_u64(&a->td_quote_pad, v, 4096) != 0)
            return usage_error("--td-quote-pad must be 0..4096", v);
    } else {
        return 1;
    }
    return 0;
}

static int hcl_common_opt(hcl_args *a, const char *o, const char *v)
{
    if (strcmp(o, "--claims") == 0) {
        a->claims_path = v;
    } else if (strcmp(o, "-o") == 0) {
        a->out = v;
    } else if (strcmp(o, "--header-version") == 0) {
        if (mockcli_parse_u64(&a->header_version, v, UINT32_MAX) != 0)
            return usage_error("bad --header-version", v);
    } else if (strcmp(o, "--size") == 0) {
        if (mockcli_parse_u64(&a->size, v, 1u << 20) != 0)
            return usage_error("--size must be at most 1048576", v);
    } else if (strcmp(o, "--report-type") == 0) {
        if (mockcli_parse_u64(&a->report_type, v, UINT32_MAX) != 0)
            return usage_error("bad --report-type", v);
        a->have_report_type = 1;
    } else if (strcmp(o, "--hash-type") == 0) {
        if (mockcli_parse_u64(&a->hash_type, v, UINT32_MAX) != 0)
            return usage_error("bad --hash-type", v);
        a->have_hash_type = 1;
    } else if (strcmp(o, "--report-data-override") == 0) {
        if (mockcli_parse_hex_opt(&a->report_data, 64, v) != 0)
            return usage_error("--report-data-override needs 1..64 hex bytes",
                               v);
    } else {
        return mockcli_edit_opt(&cli, &a->edits, o, v);
    }
    return 0;
}

static int hcl_opt(void *ctx, const char *o, const char *v)
{
    hcl_args *a = ctx;
    int rc = hcl_snp_opt(a, o, v);
    if (rc == 1)
        rc = hcl_tdx_opt(a, o, v);
    return rc == 1 ? hcl_common_opt(a, o, v) : rc;
}

static int hcl_parse(hcl_args *a, int argc, char **argv)
{
    static const mockcli_flag flags[] = {{"--vlek", offsetof(hcl_args, snp.vlek)}};
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, 1, hcl_opt, a);
    int tdx_opts = a->td_quote_out != NULL || a->quote_version != 0 ||
                   a->mrtd.have || a->td_attributes.have ||
                   a->td_quote_pad != 0 || a->have_rtmr[0] ||
                   a->have_rtmr[1] || a->have_rtmr[2] || a->have_rtmr[3];
    if (rc != 0)
        return rc;
    if (a->claims_path == NULL || a->out == NULL ||
        (a->snp_pki == NULL) == (a->tdx_pki == NULL))
        return usage_error("azure hcl needs --claims, -o and one of "
                           "--snp-pki, --tdx-pki",
                           NULL);
    if (a->snp_pki != NULL && tdx_opts)
        return usage_error("TD options need --tdx-pki", NULL);
    if (a->tdx_pki != NULL && mockcli_snp_opts_given(&a->snp))
        return usage_error("SNP report options need --snp-pki", NULL);
    return 0;
}

/* The unsigned SNP report of the HCL (signed once the HCL is complete). */
static int hcl_snp_report(uint8_t r[SNPGEN_REPORT_SIZE], snpgen_pki **pki,
                          const hcl_args *a, const uint8_t rd[64])
{
    if (snpgen_pki_load(pki, a->snp_pki) != 0)
        return failure("cannot load SNP PKI directory", a->snp_pki);
    if (snpgen_report_init(r, *pki,
                           a->snp.version ? (uint32_t)a->snp.version : 3) != 0)
        return failure("cannot initialise SNP report", NULL);
    memcpy(r + SNPGEN_OFF_REPORT_DATA, rd, SNPGEN_LEN_REPORT_DATA);
    mockcli_snp_edit(r, &a->snp);
    return 0;
}

static void hcl_td_edit(dcapgen_quote_desc *d, const hcl_args *a,
                        const uint8_t rd[64])
{
    memcpy(d->body + DCAPGEN_TD_OFF_REPORTDATA, rd, DCAPGEN_LEN_REPORTDATA);
    mockcli_put_hex_opt(d->body, DCAPGEN_TD_OFF_MRTD, DCAPGEN_LEN_MR48,
                        &a->mrtd);
    mockcli_put_hex_opt(d->body, DCAPGEN_TD_OFF_TD_ATTRIBUTES,
                        DCAPGEN_LEN_TD_ATTRIBUTES, &a->td_attributes);
    for (unsigned i = 0; i < 4; i++)
        if (a->have_rtmr[i])
            memcpy(d->body + DCAPGEN_TD_OFF_RTMR0 + i * DCAPGEN_LEN_MR48,
                   a->rtmr[i], DCAPGEN_LEN_MR48);
    d->pad = (size_t)a->td_quote_pad;
}

/* The TD quote (written to --td-quote-out) and the TDREPORT it was made
 * from, which goes into the HCL. */
static int hcl_tdx_report(uint8_t r[AZGEN_TDR_SIZE], const hcl_args *a,
                          const uint8_t rd[64])
{
    dcapgen_pki *pki = NULL;
    dcapgen_quote_desc *d = NULL;
    EVP_PKEY *att = NULL;
    uint8_t *q = NULL;
    size_t len = 0;
    int rc = 0;
    if (dcapgen_pki_load(&pki, a->tdx_pki) != 0)
        return failure("cannot load DCAP PKI directory", a->tdx_pki);
    d = malloc(sizeof(*d));
    if (d == NULL || dcapgen_p256_keygen(&att) != 0 ||
        dcapgen_quote_desc_init(d, pki, 1, (uint16_t)a->quote_version, 0) !=
            0) {
        rc = failure("cannot initialise TD quote", NULL);
        goto done;
    }
    hcl_td_edit(d, a, rd);
    d->att_key = att;
    if (dcapgen_quote_build(&q, &len, NULL, d) != 0 ||
        azgen_tdreport_from_td_body(r, d->body, d->body_len,
                                    pki->pck_ext.cpusvn) != 0)
        rc = failure("TD quote generation failed", NULL);
    else if (a->td_quote_out != NULL &&
             mockcli_write_file(a->td_quote_out, q, len) != 0)
        rc = failure("cannot write TD quote", a->td_quote_out);
done:
    free(q);
    free(d);
    EVP_PKEY_free(att);
    dcapgen_pki_free(pki);
    return rc;
}

/* --set into the HCL, then the hardware report made consistent again (SNP:
 * signed; TDX: hashes), --flip, write. */
static int hcl_finish(uint8_t *h, size_t len, const hcl_args *a,
                      const snpgen_pki *snp)
{
    uint8_t *hw = h + AZGEN_HCL_OFF_HW_REPORT;
    if (mockcli_kv_apply(h, len, a->edits.sets, a->edits.n_sets) != 0)
        return usage_error("--set outside the HCL report", NULL);
    if (snp != NULL) {
        if (snpgen_report_sign(hw, a->snp.vlek ? snp->vlek_key
                                           : snp->vcek_key) !=
            0)
            return failure("SNP report signing failed", NULL);
    } else if (azgen_tdreport_rehash(hw) != 0) {
        return failure("TDREPORT hashing failed", NULL);
    }
    return mockcli_flip_and_write(&cli, &a->edits.flips, h, len, a->out,
                                  "HCL report");
}

static int hcl_assemble(const hcl_args *a, const uint8_t *claims,
                        size_t claims_len, const uint8_t *hw, size_t hw_len,
                        const snpgen_pki *snp)
{
    azgen_hcl_desc d;
    uint8_t *h = NULL;
    size_t len = 0;
    int rc;
    azgen_hcl_desc_init(&d,
                        snp != NULL ? AZGEN_HCL_REPORT_TYPE_SNP
                                    : AZGEN_HCL_REPORT_TYPE_TDX,
                        hw, hw_len, claims, claims_len);
    d.header_version = (uint32_t)a->header_version;
    d.total_size = (size_t)a->size;
    if (a->have_report_type)
        d.report_type = (uint32_t)a->report_type;
    if (a->have_hash_type)
        d.hash_type = (uint32_t)a->hash_type;
    if (azgen_hcl_build(&h, &len, &d) != 0)
        return usage_error("the claims do not fit --size", NULL);
    rc = hcl_finish(h, len, a, snp);
    free(h);
    return rc;
}

static int hcl_make(const hcl_args *a)
{
    uint8_t rd[64] = {0}, hw[SNPGEN_REPORT_SIZE] = {0};
    char *text = NULL;
    size_t claims_len = 0;
    snpgen_pki *snp = NULL;
    int rc;
    _Static_assert(SNPGEN_REPORT_SIZE >= AZGEN_TDR_SIZE, "hw report room");
    if (gen_read_file(&text, &claims_len, NULL, a->claims_path) != 0)
        return failure("cannot read --claims", a->claims_path);
    const uint8_t *claims = (const uint8_t *)text;
    if (a->report_data.have)
        memcpy(rd, a->report_data.bytes, a->report_data.len);
    else if (azgen_report_data(rd, claims, claims_len) != 0) {
        free(text);
        return failure("cannot hash the claims", NULL);
    }
    rc = a->snp_pki != NULL ? hcl_snp_report(hw, &snp, a, rd)
                            : hcl_tdx_report(hw, a, rd);
    if (rc == 0)
        rc = hcl_assemble(a, claims, claims_len, hw,
                          snp != NULL ? SNPGEN_REPORT_SIZE : AZGEN_TDR_SIZE,
                          snp);
    snpgen_pki_free(snp);
    free(text);
    return rc;
}

static int cmd_hcl(int argc, char **argv)
{
    hcl_args *a = calloc(1, sizeof(*a));
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    a->header_version = 2;
    a->size = AZGEN_HCL_SIZE_DEFAULT;
    rc = hcl_parse(a, argc, argv);
    if (rc == 0)
        rc = hcl_make(a);
    mockcli_edits_free(&a->edits);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* azure quote                                                              */

typedef struct {
    const char *pki_dir, *out, *sig_out, *pcrs_out, *sign_with;
    int no_nonce, pcrs_out_all, have_clock, have_pcrs;
    mockcli_hex_opt nonce;
    uint64_t clock;
    uint32_t selection, pcr_set, tamper_set; /* bit i: PCR i given */
    uint8_t pcr[AZGEN_PCR_COUNT][AZGEN_PCR_LEN];
    uint8_t tamper[AZGEN_PCR_COUNT][AZGEN_PCR_LEN];
    mockcli_edits edits; /* on TPMS_ATTEST */
    mockcli_flips sig_flips;
} quote_args;

/* --pcr / --tamper-pcr N=HEX into vals[N], marking bit N of *set. */
static int quote_pcr_opt(uint8_t vals[][AZGEN_PCR_LEN], uint32_t *set,
                         const char *o, const char *v)
{
    uint8_t m[AZGEN_PCR_LEN];
    uint64_t n;
    if (parse_indexed(&n, m, sizeof(m), v, AZGEN_PCR_COUNT - 1) != 0)
        return usage_error(o, "needs N=HEX, N 0..23, 1..32 bytes");
    memcpy(vals[n], m, sizeof(m));
    *set |= 1u << n;
    return 0;
}

static int quote_opt(void *ctx, const char *o, const char *v)
{
    quote_args *a = ctx;
    if (strcmp(o, "--pki") == 0) {
        a->pki_dir = v;
    } else if (strcmp(o, "-o") == 0) {
        a->out = v;
    } else if (strcmp(o, "--sig-out") == 0) {
        a->sig_out = v;
    } else if (strcmp(o, "--pcrs-out") == 0) {
        a->pcrs_out = v;
    } else if (strcmp(o, "--sign-with") == 0) {
        a->sign_with = v;
    } else if (strcmp(o, "--nonce") == 0) {
        if (mockcli_parse_hex_opt(&a->nonce, AZGEN_NONCE_MAX, v) != 0)
            return usage_error("--nonce needs 1..64 hex bytes", v);
    } else if (strcmp(o, "--pcrs") == 0) {
        if (azgen_pcr_list_parse(&a->selection, v) != 0)
            return usage_error("--pcrs needs a list such as 0-7,14", v);
        a->have_pcrs = 1;
    } else if (strcmp(o, "--pcr") == 0) {
        return quote_pcr_opt(a->pcr, &a->pcr_set, o, v);
    } else if (strcmp(o, "--tamper-pcr") == 0) {
        return quote_pcr_opt(a->tamper, &a->tamper_set, o, v);
    } else if (strcmp(o, "--clock") == 0) {
        if (mockcli_parse_u64(&a->clock, v, UINT64_MAX) != 0)
            return usage_error("bad --clock", v);
        a->have_clock = 1;
    } else if (strcmp(o, "--flip-sig") == 0) {
        if (mockcli_flips_add(&a->sig_flips, v, 0, 0xFFFF) != 0)
            return usage_error("bad --flip-sig (OFFSET[:BIT])", v);
    } else {
        return mockcli_edit_opt(&cli, &a->edits, o, v);
    }
    return 0;
}

static int quote_parse(quote_args *a, int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--no-nonce", offsetof(quote_args, no_nonce)},
        {"--pcrs-out-all", offsetof(quote_args, pcrs_out_all)}};
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, 2, quote_opt, a);
    if (rc != 0)
        return rc;
    if (a->pki_dir == NULL || a->out == NULL || a->sig_out == NULL)
        return usage_error("azure quote needs --pki, -o and --sig-out", NULL);
    if (a->no_nonce == a->nonce.have)
        return usage_error("azure quote needs one of --nonce, --no-nonce",
                           NULL);
    return 0;
}

static void quote_desc_edit(azgen_quote_desc *d, const quote_args *a)
{
    memcpy(d->nonce, a->nonce.bytes, a->nonce.len);
    d->nonce_len = a->nonce.have ? a->nonce.len : 0;
    if (a->have_pcrs)
        d->selection = a->selection;
    if (a->have_clock)
        d->clock = a->clock;
    for (unsigned i = 0; i < AZGEN_PCR_COUNT; i++)
        if (a->pcr_set & (1u << i))
            memcpy(d->pcrs[i], a->pcr[i], AZGEN_PCR_LEN);
}

/* The PCR values file: the selection's values (every PCR with
 * --pcrs-out-all), with the --tamper-pcr values in place. */
static int quote_write_pcrs(const azgen_quote_desc *d, const quote_args *a)
{
    static const uint8_t none[1];
    azgen_quote_desc w = *d;
    uint8_t *v = NULL;
    size_t n = 0;
    int rc;
    if (a->pcrs_out == NULL)
        return 0;
    for (unsigned i = 0; i < AZGEN_PCR_COUNT; i++)
        if (a->tamper_set & (1u << i))
            memcpy(w.pcrs[i], a->tamper[i], AZGEN_PCR_LEN);
    if (a->pcrs_out_all)
        w.selection = (1u << AZGEN_PCR_COUNT) - 1;
    if (azgen_quote_pcr_values(&v, &n, &w) != 0)
        return failure("out of memory", NULL);
    rc = mockcli_write_file(a->pcrs_out, v != NULL ? v : none, n) == 0
             ? 0
             : failure("cannot write PCR values", a->pcrs_out);
    free(v);
    return rc;
}

/* Sign msg (after --set), then --flip and --flip-sig, and write both. */
static int quote_sign_write(uint8_t *msg, size_t len, EVP_PKEY *key,
                            const quote_args *a)
{
    uint8_t *sig = NULL;
    size_t slen = 0;
    int rc;
    if (mockcli_kv_apply(msg, len, a->edits.sets, a->edits.n_sets) != 0)
        return usage_error("--set outside the quote", NULL);
    if (azgen_quote_sign(&sig, &slen, msg, len, key) != 0)
        return failure("quote signing failed (an RSA key?)", NULL);
    if (mockcli_flips_apply(&a->sig_flips, sig, slen) != 0)
        rc = usage_error("--flip-sig outside the signature", NULL);
    else if (mockcli_write_file(a->sig_out, sig, slen) != 0)
        rc = failure("cannot write signature", a->sig_out);
    else
        rc = mockcli_flip_and_write(&cli, &a->edits.flips, msg, len, a->out,
                                    "quote");
    free(sig);
    return rc;
}

static int quote_make(const quote_args *a)
{
    azgen_pki *pki = NULL;
    EVP_PKEY *other = NULL;
    azgen_quote_desc d;
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc = load_pki(&pki, a->pki_dir);
    if (rc != 0)
        return rc;
    if (a->sign_with != NULL && snpgen_key_load_pem(&other, a->sign_with) != 0)
        rc = failure("cannot read --sign-with key", a->sign_with);
    else if (azgen_quote_desc_init(&d, pki->ak_key) != 0)
        rc = failure("cannot initialise quote", NULL);
    if (rc == 0) {
        quote_desc_edit(&d, a);
        if (azgen_quote_build(&msg, &len, NULL, &d) != 0)
            rc = failure("quote generation failed", NULL);
    }
    if (rc == 0)
        rc = quote_sign_write(msg, len, other != NULL ? other : pki->ak_key,
                              a);
    if (rc == 0)
        rc = quote_write_pcrs(&d, a);
    free(msg);
    EVP_PKEY_free(other);
    azgen_pki_free(pki);
    return rc;
}

static int cmd_quote(int argc, char **argv)
{
    quote_args *a = calloc(1, sizeof(*a));
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    rc = quote_parse(a, argc, argv);
    if (rc == 0)
        rc = quote_make(a);
    mockcli_edits_free(&a->edits);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */

int attest_mock_azure_main(int argc, char **argv)
{
    static const mockcli_cmd cmds[] = {{"pki", cmd_pki},
                                       {"claims", cmd_claims},
                                       {"hcl", cmd_hcl},
                                       {"quote", cmd_quote}};
    /* argv[0] is "azure" */
    return mockcli_dispatch(&cli, argc - 1, argv + 1, 1,
                            "missing azure command (pki, claims, hcl, quote)",
                            "unknown azure command", cmds, 4);
}
