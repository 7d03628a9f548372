/*
 * attest-mock dcap - a mock Intel SGX/TDX quoting platform for integration
 * tests, built on dcapgen. Entry point: attest_mock_dcap_main (called by
 * attest_mock.c's main for `attest-mock dcap ...`).
 *
 * Exit status: 0 success, 2 usage error, 1 any other failure; messages go
 * to stderr. See vectors/README.md.
 */
#include "dcapgen.h"
#include "mockcli.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "attest-mock dcap"

static const char dcap_usage_text[] =
    "usage:\n"
    "  " PROG " pki --out DIR [--fmspc HEX] [--processor-ca]\n"
    "  " PROG " quote --pki DIR --tee tdx|sgx [--version 3|4|5]\n"
    "          [--body-type 1|2|3] [--report-data HEX] [--mrtd HEX]\n"
    "          [--td-attributes HEX] [--tee-tcb-svn HEX] [--tee-tcb-svn2 HEX]\n"
    "          [--qe-isvsvn N] [--no-nul] [--pad N] [--set OFFSET=HEX ...]\n"
    "          [--flip OFFSET[:BIT] ...] -o FILE|-\n"
    "  " PROG " crl --pki DIR --issuer root|pck [--revoke SERIAL ...]\n"
    "          [--this-update UNIX] [--next-update UNIX] -o FILE|-\n"
    "  " PROG " tcb-info --pki DIR --tee tdx|sgx [--status STATUS|none]\n"
    "          [--pretty] -o FILE|-\n"
    "Defaults: sgx quote v3, tdx quote v4; v5 body type sgx 1, tdx 3.\n"
    "OFFSET, SERIAL and N accept decimal or 0x-prefixed hex. HEX byte\n"
    "strings shorter than the field are zero-padded on the right. OFFSET\n"
    "is from the start of the quote; --set is applied before signing (both\n"
    "signatures are recomputed), --flip after.\n";

static const mockcli_prog cli = {PROG, dcap_usage_text};

/* A usage error (exit status 2) / any other failure (1), on stderr. */
#define usage_error(msg, arg) mockcli_usage_error(&cli, msg, arg)
#define failure(msg, arg) mockcli_failure(&cli, msg, arg)

static int parse_tee(int *tdx, const char *v)
{
    if (strcmp(v, "tdx") == 0)
        *tdx = 1;
    else if (strcmp(v, "sgx") == 0)
        *tdx = 0;
    else
        return -1;
    return 0;
}

static int load_pki(dcapgen_pki **out, const char *dir)
{
    if (dcapgen_pki_load(out, dir) != 0)
        return failure("cannot load PKI directory", dir);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* dcap pki                                                                 */

static int cmd_pki(int argc, char **argv)
{
    dcapgen_pki_opts o;
    dcapgen_pki *pki = NULL;
    const char *out = NULL;
    size_t len;
    int rc;
    dcapgen_pki_opts_init(&o);
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i], *v;
        if (strcmp(opt, "--processor-ca") == 0) {
            o.pck_processor = 1;
            continue;
        }
        v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", opt);
        if (strcmp(opt, "--out") == 0) {
            out = v;
        } else if (strcmp(opt, "--fmspc") == 0) {
            uint8_t f[6];
            if (mockcli_parse_hex(f, sizeof(f), &len, v) != 0 || len != 6)
                return usage_error("--fmspc needs 6 hex bytes", v);
            memcpy(o.pck_ext.fmspc, f, 6);
        } else {
            return usage_error("unknown option", opt);
        }
    }
    if (out == NULL)
        return usage_error("dcap pki needs --out", NULL);
    if (dcapgen_pki_generate(&pki, &o) != 0)
        return failure("PKI generation failed", NULL);
    rc = dcapgen_pki_save(pki, out) == 0 ? 0
                                         : failure("cannot write PKI", out);
    dcapgen_pki_free(pki);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* dcap quote                                                               */

_Static_assert(DCAPGEN_LEN_REPORTDATA <= MOCKCLI_HEX_OPT_MAX,
               "hex options hold the largest field");

typedef struct {
    const char *pki_dir, *out;
    int tdx, have_tee, no_nul;
    uint64_t version, body_type, pad, qe_isvsvn;
    int have_qe_isvsvn;
    mockcli_hex_opt report_data, mrtd, td_attributes, tee_tcb_svn,
        tee_tcb_svn2;
    mockcli_edits edits; /* freed by cmd_quote */
} quote_args;

static int quote_opt(void *ctx, const char *o, const char *v)
{
    quote_args *a = ctx;
    if (strcmp(o, "--pki") == 0) {
        a->pki_dir = v;
    } else if (strcmp(o, "-o") == 0) {
        a->out = v;
    } else if (strcmp(o, "--tee") == 0) {
        if (parse_tee(&a->tdx, v) != 0)
            return usage_error("--tee must be tdx or sgx", v);
        a->have_tee = 1;
    } else if (strcmp(o, "--version") == 0) {
        if (mockcli_parse_u64(&a->version, v, 5) != 0 || a->version < 3)
            return usage_error("--version must be 3, 4 or 5", v);
    } else if (strcmp(o, "--body-type") == 0) {
        if (mockcli_parse_u64(&a->body_type, v, 3) != 0 || a->body_type < 1)
            return usage_error("--body-type must be 1, 2 or 3", v);
    } else if (strcmp(o, "--report-data") == 0) {
        if (mockcli_parse_hex_opt(&a->report_data, DCAPGEN_LEN_REPORTDATA,
                                  v) != 0)
            return usage_error("--report-data needs 1..64 hex bytes", v);
    } else if (strcmp(o, "--mrtd") == 0) {
        if (mockcli_parse_hex_opt(&a->mrtd, DCAPGEN_LEN_MR48, v) != 0)
            return usage_error("--mrtd needs 1..48 hex bytes", v);
    } else if (strcmp(o, "--td-attributes") == 0) {
        if (mockcli_parse_hex_opt(&a->td_attributes,
                                  DCAPGEN_LEN_TD_ATTRIBUTES, v) != 0)
            return usage_error("--td-attributes needs 1..8 hex bytes", v);
    } else if (strcmp(o, "--tee-tcb-svn") == 0) {
        if (mockcli_parse_hex_opt(&a->tee_tcb_svn, DCAPGEN_LEN_TEE_TCB_SVN,
                                  v) != 0)
            return usage_error("--tee-tcb-svn needs 1..16 hex bytes", v);
    } else if (strcmp(o, "--tee-tcb-svn2") == 0) {
        if (mockcli_parse_hex_opt(&a->tee_tcb_svn2, DCAPGEN_LEN_TEE_TCB_SVN,
                                  v) != 0)
            return usage_error("--tee-tcb-svn2 needs 1..16 hex bytes", v);
    } else if (strcmp(o, "--qe-isvsvn") == 0) {
        if (mockcli_parse_u64(&a->qe_isvsvn, v, 0xFFFF) != 0)
            return usage_error("--qe-isvsvn must be 0..65535", v);
        a->have_qe_isvsvn = 1;
    } else if (strcmp(o, "--pad") == 0) {
        if (mockcli_parse_u64(&a->pad, v, 1u << 20) != 0)
            return usage_error("--pad must be 0..1048576", v);
    } else {
        return mockcli_edit_opt(&cli, &a->edits, o, v);
    }
    return 0;
}

static int quote_parse(quote_args *a, int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--no-nul", offsetof(quote_args, no_nul)}};
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, 1, quote_opt, a);
    if (rc != 0)
        return rc;
    if (a->pki_dir == NULL || a->out == NULL || !a->have_tee)
        return usage_error("dcap quote needs --pki, --tee and -o", NULL);
    if (a->version == 0)
        a->version = a->tdx ? 4 : 3;
    if ((a->tdx && a->version == 3) || (!a->tdx && a->version == 4))
        return usage_error(a->tdx ? "TDX quotes are version 4 or 5"
                                  : "SGX quotes are version 3 or 5",
                           NULL);
    if (a->body_type != 0 && a->version != 5)
        return usage_error("--body-type needs --version 5", NULL);
    if (a->body_type != 0 && (a->tdx ? a->body_type == 1 : a->body_type != 1))
        return usage_error(a->tdx ? "TDX body types are 2 and 3"
                                  : "the SGX body type is 1",
                           NULL);
    if (!a->tdx && (a->mrtd.have || a->td_attributes.have ||
                    a->tee_tcb_svn.have || a->tee_tcb_svn2.have))
        return usage_error("--mrtd, --td-attributes and --tee-tcb-svn* are "
                           "TDX options",
                           NULL);
    return 0;
}

/* Apply the field options to a desc from dcapgen_quote_desc_init. */
static void quote_edit(dcapgen_quote_desc *d, const quote_args *a)
{
    uint8_t *b = d->body;
    if (a->tdx) {
        mockcli_put_hex_opt(b, DCAPGEN_TD_OFF_REPORTDATA,
                            DCAPGEN_LEN_REPORTDATA, &a->report_data);
        mockcli_put_hex_opt(b, DCAPGEN_TD_OFF_MRTD, DCAPGEN_LEN_MR48,
                            &a->mrtd);
        mockcli_put_hex_opt(b, DCAPGEN_TD_OFF_TD_ATTRIBUTES,
                            DCAPGEN_LEN_TD_ATTRIBUTES, &a->td_attributes);
        mockcli_put_hex_opt(b, DCAPGEN_TD_OFF_TEE_TCB_SVN,
                            DCAPGEN_LEN_TEE_TCB_SVN, &a->tee_tcb_svn);
        if (d->body_len == DCAPGEN_TD15_REPORT_SIZE) {
            /* TEE_TCB_SVN2 follows TEE_TCB_SVN unless given. */
            mockcli_put_hex_opt(b, DCAPGEN_TD_OFF_TEE_TCB_SVN2,
                                DCAPGEN_LEN_TEE_TCB_SVN,
                                a->tee_tcb_svn2.have ? &a->tee_tcb_svn2
                                                     : &a->tee_tcb_svn);
        }
    } else {
        mockcli_put_hex_opt(b, DCAPGEN_RPT_OFF_REPORTDATA,
                            DCAPGEN_LEN_REPORTDATA, &a->report_data);
    }
    if (a->have_qe_isvsvn) {
        dcapgen_put_u16(d->qe_report + DCAPGEN_RPT_OFF_ISVSVN,
                        (uint16_t)a->qe_isvsvn);
        if (d->version == 3)
            d->qe_svn = (uint16_t)a->qe_isvsvn;
    }
    if (a->no_nul)
        d->nul_terminate = 0;
    d->pad = (size_t)a->pad;
}

static int quote_make(const quote_args *a)
{
    dcapgen_pki *pki = NULL;
    dcapgen_quote_desc *d = NULL;
    dcapgen_quote_layout l;
    EVP_PKEY *att = NULL;
    uint8_t *q = NULL;
    size_t len = 0;
    int rc;
    rc = load_pki(&pki, a->pki_dir);
    if (rc != 0)
        return rc;
    d = malloc(sizeof(*d));
    if (d == NULL || dcapgen_p256_keygen(&att) != 0) {
        rc = failure("out of memory or key generation failed", NULL);
        goto done;
    }
    if (dcapgen_quote_desc_init(d, pki, a->tdx, (uint16_t)a->version,
                                (uint16_t)a->body_type) != 0) {
        rc = failure("cannot initialise quote", NULL);
        goto done;
    }
    quote_edit(d, a);
    d->att_key = att;
    if (dcapgen_quote_build(&q, &len, &l, d) != 0) {
        rc = failure("quote generation failed", NULL);
        goto done;
    }
    if (mockcli_kv_apply(q, len, a->edits.sets, a->edits.n_sets) != 0) {
        rc = usage_error("--set outside the quote", NULL);
        goto done;
    }
    if (a->edits.n_sets != 0 &&
        (dcapgen_quote_sign_qe_report(q, len, &l, pki->pck_key) != 0 ||
         dcapgen_quote_sign(q, len, &l, att) != 0)) {
        rc = failure("re-signing failed", NULL);
        goto done;
    }
    /* flipped after signing, on purpose */
    rc = mockcli_flip_and_write(&cli, &a->edits.flips, q, len, a->out,
                                "quote");
done:
    free(q);
    free(d);
    EVP_PKEY_free(att);
    dcapgen_pki_free(pki);
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
/* dcap crl                                                                 */

#define MAX_REVOKED 1024

typedef struct {
    const char *pki_dir, *out, *issuer;
    dcapgen_crl_opts o;
    uint64_t revoked[MAX_REVOKED];
} crl_args;

static int crl_opt(void *ctx, const char *o, const char *v)
{
    crl_args *a = ctx;
    if (strcmp(o, "--pki") == 0) {
        a->pki_dir = v;
    } else if (strcmp(o, "-o") == 0) {
        a->out = v;
    } else if (strcmp(o, "--issuer") == 0) {
        if (strcmp(v, "root") != 0 && strcmp(v, "pck") != 0)
            return usage_error("--issuer must be root or pck", v);
        a->issuer = v;
    } else if (strcmp(o, "--revoke") == 0) {
        if (a->o.n_revoked == MAX_REVOKED ||
            mockcli_parse_u64(&a->revoked[a->o.n_revoked], v, UINT64_MAX) !=
                0)
            return usage_error("bad --revoke serial", v);
        a->o.n_revoked++;
    } else if (strcmp(o, "--this-update") == 0) {
        if (mockcli_parse_i64(&a->o.this_update, v) != 0)
            return usage_error("bad --this-update", v);
    } else if (strcmp(o, "--next-update") == 0) {
        if (mockcli_parse_i64(&a->o.next_update, v) != 0)
            return usage_error("bad --next-update", v);
    } else {
        return usage_error("unknown option", o);
    }
    return 0;
}

static int crl_parse(crl_args *a, int argc, char **argv)
{
    int rc = mockcli_parse_opts(&cli, argc, argv, NULL, 0, crl_opt, a);
    if (rc != 0)
        return rc;
    if (a->pki_dir == NULL || a->out == NULL || a->issuer == NULL)
        return usage_error("dcap crl needs --pki, --issuer and -o", NULL);
    return 0;
}

static int crl_make(crl_args *a)
{
    dcapgen_pki *pki = NULL;
    X509_CRL *crl = NULL;
    unsigned char *der = NULL;
    int len = -1, rc, root;
    rc = load_pki(&pki, a->pki_dir);
    if (rc != 0)
        return rc;
    root = strcmp(a->issuer, "root") == 0;
    a->o.revoked = a->revoked;
    if (dcapgen_crl_create(&crl, root ? pki->root : dcapgen_pki_pck_ca(pki),
                           root ? pki->root_key
                                : pki->pck_processor ? pki->processor_ca_key
                                                     : pki->platform_ca_key,
                           &a->o) == 0)
        len = i2d_X509_CRL(crl, &der);
    if (len <= 0)
        rc = failure("CRL creation failed", NULL);
    else if (mockcli_write_file(a->out, der, (size_t)len) != 0)
        rc = failure("cannot write CRL", a->out);
    OPENSSL_free(der);
    X509_CRL_free(crl);
    dcapgen_pki_free(pki);
    return rc;
}

static int cmd_crl(int argc, char **argv)
{
    crl_args *a = calloc(1, sizeof(*a));
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    dcapgen_crl_opts_init(&a->o);
    rc = crl_parse(a, argc, argv);
    if (rc == 0)
        rc = crl_make(a);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* dcap tcb-info                                                            */

static int cmd_tcb_info(int argc, char **argv)
{
    const char *pki_dir = NULL, *out = NULL, *status = "UpToDate";
    int tdx = 0, have_tee = 0, rc;
    unsigned flags = 0;
    dcapgen_pki *pki = NULL;
    char *json = NULL;
    size_t len = 0;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        if (strcmp(o, "--pretty") == 0) {
            flags |= DCAPGEN_JSON_PRETTY;
            continue;
        }
        v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        if (strcmp(o, "--pki") == 0) {
            pki_dir = v;
        } else if (strcmp(o, "-o") == 0) {
            out = v;
        } else if (strcmp(o, "--tee") == 0) {
            if (parse_tee(&tdx, v) != 0)
                return usage_error("--tee must be tdx or sgx", v);
            have_tee = 1;
        } else if (strcmp(o, "--status") == 0) {
            status = strcmp(v, "none") == 0 ? NULL : v;
        } else {
            return usage_error("unknown option", o);
        }
    }
    if (pki_dir == NULL || out == NULL || !have_tee)
        return usage_error("dcap tcb-info needs --pki, --tee and -o", NULL);
    rc = load_pki(&pki, pki_dir);
    if (rc != 0)
        return rc;
    if (dcapgen_tcb_info_with_status(&json, &len, pki, tdx, status, flags) !=
        0)
        rc = failure("TCB Info generation failed", NULL);
    else if (mockcli_write_file(out, json, len) != 0)
        rc = failure("cannot write TCB Info", out);
    free(json);
    dcapgen_pki_free(pki);
    return rc;
}

/* ------------------------------------------------------------------------ */

int attest_mock_dcap_main(int argc, char **argv)
{
    static const mockcli_cmd cmds[] = {{"pki", cmd_pki},
                                       {"quote", cmd_quote},
                                       {"crl", cmd_crl},
                                       {"tcb-info", cmd_tcb_info}};
    /* argv[0] is "dcap" */
    return mockcli_dispatch(&cli, argc - 1, argv + 1, 1,
                            "missing dcap command (pki, quote, crl, tcb-info)",
                            "unknown dcap command", cmds, 4);
}
