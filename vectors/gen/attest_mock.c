/*
 * attest-mock - a mock AMD SEV-SNP TEE for integration tests.
 *
 * Builds a test PKI, signed attestation reports and CRLs with snpgen.
 * Exit status: 0 success, 2 usage error, 1 any other failure; messages go
 * to stderr. See vectors/README.md.
 */
#include "dcapgen.h"
#include "nvgen.h"
#include "snpgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
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
    "shorter than the field are zero-padded on the right.\n";

/* Print a usage error and return the usage exit status. */
static int usage_error(const char *msg, const char *arg)
{
    if (msg != NULL)
        fprintf(stderr, PROG ": %s%s%s\n", msg, arg ? ": " : "",
                arg ? arg : "");
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static int failure(const char *msg, const char *arg)
{
    fprintf(stderr, PROG ": %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return EXIT_FAILURE;
}

/* ------------------------------------------------------------------------ */
/* Argument parsing helpers (0 = ok, -1 = malformed)                        */

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex string (even length, no prefix) into out[0..max); *len = bytes. */
static int parse_hex(uint8_t *out, size_t max, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 != 0 || n / 2 > max)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return 0;
}

/* Unsigned integer in the given base (0 = decimal or 0x hex), <= max. */
static int parse_u64(uint64_t *out, const char *s, int base, uint64_t max)
{
    char *end;
    unsigned long long v;
    if (*s == '\0' || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_i64(int64_t *out, const char *s)
{
    char *end;
    long long v;
    if (*s == '\0')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (int64_t)v;
    return 0;
}

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
        if (k == 5 || parse_u64(&v, eq + 1, 0, 255) != 0)
            return -1;
        *fields[k] = (uint8_t)v;
    }
    return 0;
}

/* Value of option argv[*i]; advances *i. NULL when it is missing. */
static const char *opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    (*i)++;
    return argv[*i];
}

/* Write len bytes to path ("-" = stdout). */
static int write_file(const char *path, const void *data, size_t len)
{
    int to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    int ok;
    if (f == NULL)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    if (to_stdout ? fflush(f) != 0 : fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
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
        const char *o = argv[i], *v = opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        if (strcmp(o, "--product") == 0) {
            if (snpgen_product_parse(&a->product, v) != 0)
                return usage_error("unknown product", v);
            a->have_product = 1;
        } else if (strcmp(o, "--out") == 0) {
            a->out = v;
        } else if (strcmp(o, "--rsa-bits") == 0) {
            if (parse_u64(&a->rsa_bits, v, 10, 16384) != 0 ||
                a->rsa_bits < 1024)
                return usage_error("--rsa-bits must be 1024..16384", v);
        } else if (strcmp(o, "--chip-id") == 0) {
            if (parse_hex(a->chip_id, sizeof(a->chip_id), &len, v) != 0)
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

#define MAX_EDITS 64

typedef struct {
    uint64_t off;
    uint8_t bytes[SNPGEN_REPORT_SIZE];
    size_t len;
} set_edit;

/* A byte-string option, parsed while reading the command line. */
typedef struct {
    int have;
    uint8_t bytes[SNPGEN_LEN_REPORT_DATA]; /* largest field */
    size_t len;
} hex_opt;

typedef struct {
    const char *pki_dir, *out;
    int vlek;
    uint64_t version;
    hex_opt report_data, measurement, host_data;
    int have_policy, have_vmpl;
    uint64_t policy, vmpl;
    set_edit *sets; /* MAX_EDITS entries, heap (large) */
    size_t n_sets;
    uint64_t flip_off[MAX_EDITS];
    uint64_t flip_bit[MAX_EDITS];
    size_t n_flips;
} report_args;

/* "OFFSET=HEX", checked against the report size. */
static int parse_set(set_edit *e, const char *s)
{
    char off[32];
    const char *eq = strchr(s, '=');
    size_t n = eq != NULL ? (size_t)(eq - s) : 0;
    if (n == 0 || n >= sizeof(off))
        return -1;
    memcpy(off, s, n);
    off[n] = '\0';
    if (parse_u64(&e->off, off, 0, SNPGEN_REPORT_SIZE - 1) != 0 ||
        parse_hex(e->bytes, SNPGEN_REPORT_SIZE - e->off, &e->len, eq + 1) != 0)
        return -1;
    return 0;
}

/* "OFFSET[:BIT]" */
static int parse_flip(uint64_t *off, uint64_t *bit, const char *s)
{
    char buf[32];
    char *colon;
    if (strlen(s) >= sizeof(buf))
        return -1;
    strcpy(buf, s);
    colon = strchr(buf, ':');
    *bit = 0;
    if (colon != NULL) {
        *colon = '\0';
        if (parse_u64(bit, colon + 1, 10, 7) != 0)
            return -1;
    }
    return parse_u64(off, buf, 0, SNPGEN_REPORT_SIZE - 1);
}

static int parse_hex_opt(hex_opt *h, size_t max, const char *s)
{
    if (parse_hex(h->bytes, max, &h->len, s) != 0)
        return -1;
    h->have = 1;
    return 0;
}

/* Options that carry a value; returns 0, or an exit status. */
static int report_opt(report_args *a, const char *o, const char *v)
{
    if (strcmp(o, "--pki") == 0)
        a->pki_dir = v;
    else if (strcmp(o, "-o") == 0)
        a->out = v;
    else if (strcmp(o, "--version") == 0) {
        if (parse_u64(&a->version, v, 10, 5) != 0 ||
            (a->version != 2 && a->version != 3 && a->version != 5))
            return usage_error("--version must be 2, 3 or 5", v);
    } else if (strcmp(o, "--report-data") == 0) {
        if (parse_hex_opt(&a->report_data, SNPGEN_LEN_REPORT_DATA, v) != 0)
            return usage_error("--report-data needs 1..64 hex bytes", v);
    } else if (strcmp(o, "--measurement") == 0) {
        if (parse_hex_opt(&a->measurement, SNPGEN_LEN_MEASUREMENT, v) != 0)
            return usage_error("--measurement needs 1..48 hex bytes", v);
    } else if (strcmp(o, "--host-data") == 0) {
        if (parse_hex_opt(&a->host_data, SNPGEN_LEN_HOST_DATA, v) != 0)
            return usage_error("--host-data needs 1..32 hex bytes", v);
    } else if (strcmp(o, "--policy") == 0) {
        if (parse_u64(&a->policy, v, 16, UINT64_MAX) != 0)
            return usage_error("bad --policy", v);
        a->have_policy = 1;
    } else if (strcmp(o, "--vmpl") == 0) {
        if (parse_u64(&a->vmpl, v, 0, UINT32_MAX) != 0)
            return usage_error("bad --vmpl", v);
        a->have_vmpl = 1;
    } else if (strcmp(o, "--set") == 0) {
        if (a->n_sets == MAX_EDITS || parse_set(&a->sets[a->n_sets], v) != 0)
            return usage_error("bad --set (OFFSET=HEX inside the report)", v);
        a->n_sets++;
    } else if (strcmp(o, "--flip") == 0) {
        if (a->n_flips == MAX_EDITS ||
            parse_flip(&a->flip_off[a->n_flips], &a->flip_bit[a->n_flips],
                       v) != 0)
            return usage_error("bad --flip (OFFSET[:BIT])", v);
        a->n_flips++;
    } else
        return usage_error("unknown option", o);
    return 0;
}

static int report_parse(report_args *a, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        int rc;
        if (strcmp(o, "--vlek") == 0) {
            a->vlek = 1;
            continue;
        }
        v = opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        rc = report_opt(a, o, v);
        if (rc != 0)
            return rc;
    }
    if (a->pki_dir == NULL || a->out == NULL)
        return usage_error("snp report needs --pki and -o", NULL);
    return 0;
}

/* Copy a parsed hex option into a field of size max (zero-padded). */
static void put_hex_field(uint8_t *report, size_t off, size_t max,
                          const hex_opt *h)
{
    if (!h->have)
        return;
    memset(report + off, 0, max);
    memcpy(report + off, h->bytes, h->len);
}

/* Apply every pre-signature option to an initialised report. */
static void report_edit(uint8_t *r, const report_args *a)
{
    put_hex_field(r, SNPGEN_OFF_REPORT_DATA, SNPGEN_LEN_REPORT_DATA,
                  &a->report_data);
    put_hex_field(r, SNPGEN_OFF_MEASUREMENT, SNPGEN_LEN_MEASUREMENT,
                  &a->measurement);
    put_hex_field(r, SNPGEN_OFF_HOST_DATA, SNPGEN_LEN_HOST_DATA,
                  &a->host_data);
    if (a->have_policy)
        snpgen_put_u64(r + SNPGEN_OFF_POLICY, a->policy);
    if (a->have_vmpl)
        snpgen_put_u32(r + SNPGEN_OFF_VMPL, (uint32_t)a->vmpl);
    if (a->vlek) {
        uint32_t ki = snpgen_get_u32(r + SNPGEN_OFF_KEY_INFO);
        ki = (ki & ~SNPGEN_KEYINFO_SIGNING_MASK) | SNPGEN_KEYINFO_SIGNING_VLEK;
        snpgen_put_u32(r + SNPGEN_OFF_KEY_INFO, ki);
    }
    for (size_t i = 0; i < a->n_sets; i++)
        memcpy(r + a->sets[i].off, a->sets[i].bytes, a->sets[i].len);
}

static int report_make(const report_args *a)
{
    uint8_t report[SNPGEN_REPORT_SIZE];
    snpgen_pki *pki = NULL;
    int rc;
    if (snpgen_pki_load(&pki, a->pki_dir) != 0)
        return failure("cannot load PKI directory", a->pki_dir);
    if (snpgen_report_init(report, pki, (uint32_t)a->version) != 0) {
        snpgen_pki_free(pki);
        return failure("cannot initialise report", NULL);
    }
    report_edit(report, a);
    rc = snpgen_report_sign(report, a->vlek ? pki->vlek_key : pki->vcek_key);
    if (rc != 0)
        rc = failure("signing failed", NULL);
    snpgen_pki_free(pki);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < a->n_flips; i++) /* after signing, on purpose */
        report[a->flip_off[i]] ^= (uint8_t)(1u << a->flip_bit[i]);
    if (write_file(a->out, report, sizeof(report)) != 0)
        return failure("cannot write report", a->out);
    return 0;
}

static int cmd_report(int argc, char **argv)
{
    report_args a;
    int rc;
    memset(&a, 0, sizeof(a));
    a.version = 3;
    a.sets = calloc(MAX_EDITS, sizeof(*a.sets));
    if (a.sets == NULL)
        return failure("out of memory", NULL);
    rc = report_parse(&a, argc, argv);
    if (rc == 0)
        rc = report_make(&a);
    free(a.sets);
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

static int crl_parse(crl_args *a, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        if (strcmp(o, "--pki") == 0)
            a->pki_dir = v;
        else if (strcmp(o, "-o") == 0)
            a->out = v;
        else if (strcmp(o, "--revoke") == 0) {
            if (a->n_revoked == MAX_REVOKED ||
                parse_u64(&a->revoked[a->n_revoked], v, 0, UINT64_MAX) != 0)
                return usage_error("bad --revoke serial", v);
            a->n_revoked++;
        } else if (strcmp(o, "--this-update") == 0) {
            if (parse_i64(&a->this_update, v) != 0)
                return usage_error("bad --this-update", v);
        } else if (strcmp(o, "--next-update") == 0) {
            if (parse_i64(&a->next_update, v) != 0)
                return usage_error("bad --next-update", v);
        } else
            return usage_error("unknown option", o);
    }
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
    else if (write_file(a->out, der, (size_t)len) != 0)
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
    if (argc == 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc < 2)
        return usage_error(NULL, NULL);
    if (strcmp(argv[1], "nvidia") == 0)
        return attest_mock_nvidia_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "dcap") == 0)
        return attest_mock_dcap_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "snp") != 0)
        return usage_error("unknown command", argv[1]);
    if (argc < 3)
        return usage_error("missing snp command (pki, report, crl)", NULL);
    if (strcmp(argv[2], "pki") == 0)
        return cmd_pki(argc - 3, argv + 3);
    if (strcmp(argv[2], "report") == 0)
        return cmd_report(argc - 3, argv + 3);
    if (strcmp(argv[2], "crl") == 0)
        return cmd_crl(argc - 3, argv + 3);
    return usage_error("unknown snp command", argv[2]);
}
