/*
 * attest-mock - a mock AMD SEV-SNP TEE for integration tests.
 *
 * Builds a test PKI, signed attestation reports and CRLs with snpgen.
 * Exit status: 0 success, 2 usage error, 1 any other failure; messages go
 * to stderr. See vectors/README.md.
 */
#include "azgen.h"
#include "dcapgen.h"
#include "ratlsgen.h"
#include "mockcli.h"
#include "nrasgen.h"
#include "nvgen.h"
#include "snpgen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "attest-mock"

static const char usage_text[] =
    "usage:\n"
    "  " PROG " snp pki --product Milan|Genoa|Turin --out DIR [--rsa-bits N]\n"
    "          [--chip-id HEX] [--tcb fmc=N,bl=N,tee=N,snp=N,ucode=N]\n"
    "  " PROG " snp report --pki DIR [--vlek] [--version 2|3|5]\n"
    "          [--report-data HEX] [--measurement HEX] [--host-data HEX]\n"
    "          [--policy HEX] [--vmpl N] [--set OFFSET=HEX ...]\n"
    "          [--flip OFFSET[:BIT] ...] -o FILE|-\n"
    "  " PROG " snp crl --pki DIR [--revoke SERIAL ...] [--this-update UNIX]\n"
    "          [--next-update UNIX] -o FILE|-\n"
    "OFFSET and SERIAL accept decimal or 0x-prefixed hex. HEX byte strings\n"
    "shorter than the field are zero-padded on the right.\n"
    "Other families: " PROG " dcap|nvidia|nras|azure|ratls --help.\n";

static const mockcli_prog cli = {PROG, usage_text};

/* A usage error (exit status 2) / any other failure (1), on stderr. */
#define usage_error(msg, arg) mockcli_usage_error(&cli, msg, arg)
#define failure(msg, arg) mockcli_failure(&cli, msg, arg)

/* "fmc=1,bl=2,..." over *t; keys not named keep their value. */
static int parse_tcb(snpgen_tcb *t, const char *s)
{
    static const char *const keys[] = {"fmc", "bl", "tee", "snp", "ucode"};
    uint8_t *fields[] = {&t->fmc, &t->bl, &t->tee, &t->snp, &t->ucode};
    char buf[256], *save = NULL;
    if (strlen(s) >= sizeof(buf))
        return -1;
    strcpy(buf, s);
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        uint64_t v;
        size_t k;
        if (eq == NULL)
            return -1;
        *eq = '\0';
        for (k = 0; k < 5 && strcmp(tok, keys[k]) != 0; k++)
            ;
        if (k == 5 || mockcli_parse_u64(&v, eq + 1, 255) != 0)
            return -1;
        *fields[k] = (uint8_t)v;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* snp pki                                                                  */

typedef struct {
    const char *out;
    int have_product, have_chip, have_tcb;
    snpgen_product product;
    uint8_t chip_id[SNPGEN_CHIP_ID_LEN];
    snpgen_tcb tcb;
    uint64_t rsa_bits;
    const char *tcb_arg;
} pki_args;

static int pki_parse(pki_args *a, int argc, char **argv)
{
    size_t len;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        if (strcmp(o, "--product") == 0) {
            if (snpgen_product_parse(&a->product, v) != 0)
                return usage_error("unknown product", v);
            a->have_product = 1;
        } else if (strcmp(o, "--out") == 0) {
            a->out = v;
        } else if (strcmp(o, "--rsa-bits") == 0) {
            if (mockcli_parse_u64_base(&a->rsa_bits, v, 10, 16384) != 0 ||
                a->rsa_bits < 1024)
                return usage_error("--rsa-bits must be 1024..16384", v);
        } else if (strcmp(o, "--chip-id") == 0) {
            if (mockcli_parse_hex(a->chip_id, sizeof(a->chip_id), &len, v) !=
                0)
                return usage_error("--chip-id needs 1..64 hex bytes", v);
            a->have_chip = 1;
        } else if (strcmp(o, "--tcb") == 0) {
            a->tcb_arg = v;
        } else {
            return usage_error("unknown option", o);
        }
    }
    if (!a->have_product || a->out == NULL)
        return usage_error("snp pki needs --product and --out", NULL);
    if (a->tcb_arg != NULL) { /* applied over the product's default */
        if (snpgen_tcb_default(&a->tcb, a->product) != 0 ||
            parse_tcb(&a->tcb, a->tcb_arg) != 0)
            return usage_error("bad --tcb", a->tcb_arg);
        a->have_tcb = 1;
    }
    return 0;
}

static int cmd_pki(int argc, char **argv)
{
    pki_args a;
    snpgen_pki *pki = NULL;
    int rc;
    memset(&a, 0, sizeof(a));
    rc = pki_parse(&a, argc, argv);
    if (rc != 0)
        return rc;
    if (snpgen_pki_generate(&pki, a.product, a.have_chip ? a.chip_id : NULL,
                            a.have_tcb ? &a.tcb : NULL,
                            (unsigned)a.rsa_bits) != 0)
        return failure("PKI generation failed", NULL);
    rc = snpgen_pki_save(pki, a.out) == 0 ? 0
                                          : failure("cannot write PKI", a.out);
    snpgen_pki_free(pki);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* snp report                                                               */

_Static_assert(SNPGEN_LEN_REPORT_DATA <= MOCKCLI_HEX_OPT_MAX,
               "hex options hold the largest field");

typedef struct {
    const char *pki_dir, *out;
    mockcli_snp_opts snp;
    mockcli_edits edits; /* --set inside the report, --flip BIT decimal */
} report_args;

/* "OFFSET=HEX", inside the report. */
static int parse_set(mockcli_kv *e, const char *s)
{
    if (mockcli_parse_set(e, s, SNPGEN_REPORT_SIZE - 1) != 0)
        return -1;
    if (e->len > SNPGEN_REPORT_SIZE - e->key) {
        free(e->bytes);
        e->bytes = NULL;
        return -1;
    }
    return 0;
}

/* Options that carry a value; returns 0, or an exit status. */
static int report_opt(void *ctx, const char *o, const char *v)
{
    report_args *a = ctx;
    int rc;
    if (strcmp(o, "--pki") == 0)
        a->pki_dir = v;
    else if (strcmp(o, "-o") == 0)
        a->out = v;
    else if ((rc = mockcli_snp_opt(&cli, &a->snp, o, v)) != 1)
        return rc; /* an SNP field option: 0 or a usage error */
    else if (strcmp(o, "--set") == 0) {
        mockcli_edits *e = &a->edits;
        if (e->n_sets == MOCKCLI_MAX_EDITS ||
            parse_set(&e->sets[e->n_sets], v) != 0)
            return usage_error("bad --set (OFFSET=HEX inside the report)", v);
        e->n_sets++;
    } else if (strcmp(o, "--flip") == 0) {
        if (mockcli_flips_add(&a->edits.flips, v, 10,
                              SNPGEN_REPORT_SIZE - 1) != 0)
            return usage_error("bad --flip (OFFSET[:BIT])", v);
    } else
        return usage_error("unknown option", o);
    return 0;
}

static int report_parse(report_args *a, int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--vlek", offsetof(report_args, snp.vlek)}};
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, 1, report_opt, a);
    if (rc != 0)
        return rc;
    if (a->pki_dir == NULL || a->out == NULL)
        return usage_error("snp report needs --pki and -o", NULL);
    return 0;
}

/* Apply every pre-signature option to an initialised report. */
static void report_edit(uint8_t *r, const report_args *a)
{
    mockcli_snp_edit(r, &a->snp);
    /* checked against the report size when parsed */
    (void)mockcli_kv_apply(r, SNPGEN_REPORT_SIZE, a->edits.sets,
                           a->edits.n_sets);
}

static int report_make(const report_args *a)
{
    uint8_t report[SNPGEN_REPORT_SIZE];
    snpgen_pki *pki = NULL;
    int rc;
    if (snpgen_pki_load(&pki, a->pki_dir) != 0)
        return failure("cannot load PKI directory", a->pki_dir);
    if (snpgen_report_init(report, pki,
                           a->snp.version ? (uint32_t)a->snp.version : 3) !=
        0) {
        snpgen_pki_free(pki);
        return failure("cannot initialise report", NULL);
    }
    report_edit(report, a);
    rc = snpgen_report_sign(report,
                            a->snp.vlek ? pki->vlek_key : pki->vcek_key);
    if (rc != 0)
        rc = failure("signing failed", NULL);
    snpgen_pki_free(pki);
    if (rc != 0)
        return rc;
    /* flipped after signing, on purpose (offsets checked when parsed) */
    return mockcli_flip_and_write(&cli, &a->edits.flips, report,
                                  sizeof(report), a->out, "report");
}

static int cmd_report(int argc, char **argv)
{
    report_args a;
    int rc;
    memset(&a, 0, sizeof(a));
    rc = report_parse(&a, argc, argv);
    if (rc == 0)
        rc = report_make(&a);
    mockcli_edits_free(&a.edits);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* snp crl                                                                  */

#define MAX_REVOKED 1024

typedef struct {
    const char *pki_dir, *out;
    int64_t this_update, next_update;
    uint64_t revoked[MAX_REVOKED];
    size_t n_revoked;
} crl_args;

static int crl_opt(void *ctx, const char *o, const char *v)
{
    crl_args *a = ctx;
    if (strcmp(o, "--pki") == 0)
        a->pki_dir = v;
    else if (strcmp(o, "-o") == 0)
        a->out = v;
    else if (strcmp(o, "--revoke") == 0) {
        if (a->n_revoked == MAX_REVOKED ||
            mockcli_parse_u64(&a->revoked[a->n_revoked], v, UINT64_MAX) != 0)
            return usage_error("bad --revoke serial", v);
        a->n_revoked++;
    } else if (strcmp(o, "--this-update") == 0) {
        if (mockcli_parse_i64(&a->this_update, v) != 0)
            return usage_error("bad --this-update", v);
    } else if (strcmp(o, "--next-update") == 0) {
        if (mockcli_parse_i64(&a->next_update, v) != 0)
            return usage_error("bad --next-update", v);
    } else
        return usage_error("unknown option", o);
    return 0;
}

static int crl_parse(crl_args *a, int argc, char **argv)
{
    int rc = mockcli_parse_opts(&cli, argc, argv, NULL, 0, crl_opt, a);
    if (rc != 0)
        return rc;
    if (a->pki_dir == NULL || a->out == NULL)
        return usage_error("snp crl needs --pki and -o", NULL);
    return 0;
}

static int crl_make(const crl_args *a)
{
    snpgen_pki *pki = NULL;
    X509_CRL *crl = NULL;
    unsigned char *der = NULL;
    int len = -1, rc = 0;
    if (snpgen_pki_load(&pki, a->pki_dir) != 0)
        return failure("cannot load PKI directory", a->pki_dir);
    if (snpgen_crl_create(&crl, pki->ark, pki->ark_key, a->this_update,
                          a->next_update, a->revoked, a->n_revoked) == 0)
        len = i2d_X509_CRL(crl, &der);
    if (len <= 0)
        rc = failure("CRL creation failed", NULL);
    else if (mockcli_write_file(a->out, der, (size_t)len) != 0)
        rc = failure("cannot write CRL", a->out);
    OPENSSL_free(der);
    X509_CRL_free(crl);
    snpgen_pki_free(pki);
    return rc;
}

static int cmd_crl(int argc, char **argv)
{
    crl_args *a = calloc(1, sizeof(*a)); /* ~8 KiB of serials */
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    a->this_update = SNPGEN_T_2025_01_01;
    a->next_update = SNPGEN_T_2030_01_01;
    rc = crl_parse(a, argc, argv);
    if (rc == 0)
        rc = crl_make(a);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    static const mockcli_cmd snp_cmds[] = {
        {"pki", cmd_pki}, {"report", cmd_report}, {"crl", cmd_crl}};
    if (argc == 2 && mockcli_is_help(argv[1])) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc < 2)
        return usage_error(NULL, NULL);
    if (strcmp(argv[1], "nvidia") == 0)
        return attest_mock_nvidia_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "dcap") == 0)
        return attest_mock_dcap_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "azure") == 0)
        return attest_mock_azure_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "nras") == 0)
        return attest_mock_nras_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "ratls") == 0)
        return attest_mock_ratls_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "snp") != 0)
        return usage_error("unknown command", argv[1]);
    return mockcli_dispatch(&cli, argc - 2, argv + 2, 0,
                            "missing snp command (pki, report, crl)",
                            "unknown snp command", snp_cmds, 3);
}
