/*
 * mockcli - helpers shared by the attest-mock front ends. See mockcli.h.
 */
#include "mockcli.h"

#include "gencommon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

int mockcli_usage_error(const mockcli_prog *p, const char *msg,
                        const char *arg)
{
    if (msg != NULL)
        fprintf(stderr, "%s: %s%s%s\n", p->prog, msg, arg ? ": " : "",
                arg ? arg : "");
    fputs(p->usage, stderr);
    return MOCKCLI_EXIT_USAGE;
}

int mockcli_failure(const mockcli_prog *p, const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\n", p->prog, msg, arg ? ": " : "",
            arg ? arg : "");
    return EXIT_FAILURE;
}

int mockcli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int mockcli_dispatch(const mockcli_prog *p, int argc, char **argv, int help,
                     const char *missing, const char *unknown,
                     const mockcli_cmd *cmds, size_t n_cmds)
{
    if (argc < 1)
        return mockcli_usage_error(p, missing, NULL);
    if (help && mockcli_is_help(argv[0])) {
        fputs(p->usage, stdout);
        return 0;
    }
    for (size_t i = 0; i < n_cmds; i++)
        if (strcmp(argv[0], cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    return mockcli_usage_error(p, unknown, argv[0]);
}

const char *mockcli_opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    (*i)++;
    return argv[*i];
}

int mockcli_parse_opts(const mockcli_prog *p, int argc, char **argv,
                       const mockcli_flag *flags, size_t n_flags,
                       mockcli_opt_fn opt, void *ctx)
{
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        size_t k;
        int rc;
        for (k = 0; k < n_flags && strcmp(o, flags[k].name) != 0; k++)
            ;
        if (k < n_flags) {
            *(int *)((char *)ctx + flags[k].field) = 1;
            continue;
        }
        v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return mockcli_usage_error(p, "missing value or unknown option",
                                       o);
        rc = opt(ctx, o, v);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Numbers and hex                                                          */

int mockcli_parse_hex(uint8_t *out, size_t max, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 != 0 || n / 2 > max ||
        gen_hex_decode(out, s, n / 2) != 0)
        return -1;
    *len = n / 2;
    return 0;
}

int mockcli_parse_u64_base(uint64_t *out, const char *s, int base,
                           uint64_t max)
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

int mockcli_parse_u64(uint64_t *out, const char *s, uint64_t max)
{
    return mockcli_parse_u64_base(out, s, 0, max);
}

int mockcli_parse_i64(int64_t *out, const char *s)
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

int mockcli_parse_hex_opt(mockcli_hex_opt *h, size_t max, const char *s)
{
    if (max > sizeof(h->bytes) || mockcli_parse_hex(h->bytes, max, &h->len, s))
        return -1;
    h->have = 1;
    return 0;
}

void mockcli_put_hex_opt(uint8_t *base, size_t off, size_t max,
                         const mockcli_hex_opt *h)
{
    if (!h->have)
        return;
    memset(base + off, 0, max);
    memcpy(base + off, h->bytes, h->len);
}

/* ------------------------------------------------------------------------ */
/* --set and --flip                                                         */

int mockcli_parse_kv_hex(uint64_t *key, uint8_t **bytes, size_t *len,
                         const char *s, uint64_t kmax)
{
    char k[32];
    const char *eq = strchr(s, '=');
    size_t n = eq != NULL ? (size_t)(eq - s) : 0, hl;
    if (n == 0 || n >= sizeof(k))
        return -1;
    memcpy(k, s, n);
    k[n] = '\0';
    hl = strlen(eq + 1);
    if (mockcli_parse_u64(key, k, kmax) != 0 || hl % 2)
        return -1;
    *bytes = malloc(hl / 2 + 1);
    if (*bytes == NULL)
        return -1;
    if (hl == 0) {
        *len = 0;
        return 0;
    }
    if (mockcli_parse_hex(*bytes, hl / 2, len, eq + 1) != 0) {
        free(*bytes);
        *bytes = NULL;
        return -1;
    }
    return 0;
}

int mockcli_parse_set(mockcli_kv *e, const char *s, uint64_t off_max)
{
    if (mockcli_parse_kv_hex(&e->key, &e->bytes, &e->len, s, off_max) != 0)
        return -1;
    if (e->len == 0) {
        free(e->bytes);
        e->bytes = NULL;
        return -1;
    }
    return 0;
}

void mockcli_kv_free(mockcli_kv *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].bytes);
}

int mockcli_kv_apply(uint8_t *d, size_t len, const mockcli_kv *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].key > len || e[i].len > len - e[i].key)
            return -1;
        memcpy(d + e[i].key, e[i].bytes, e[i].len);
    }
    return 0;
}

int mockcli_flips_add(mockcli_flips *f, const char *s, int bit_base,
                      uint64_t off_max)
{
    char b[32];
    char *colon;
    if (f->n == MOCKCLI_MAX_EDITS || strlen(s) >= sizeof(b))
        return -1;
    strcpy(b, s);
    colon = strchr(b, ':');
    f->bit[f->n] = 0;
    if (colon != NULL) {
        *colon = '\0';
        if (mockcli_parse_u64_base(&f->bit[f->n], colon + 1, bit_base, 7) !=
            0)
            return -1;
    }
    if (mockcli_parse_u64(&f->off[f->n], b, off_max) != 0)
        return -1;
    f->n++;
    return 0;
}

int mockcli_flips_apply(const mockcli_flips *f, uint8_t *d, size_t len)
{
    for (size_t i = 0; i < f->n; i++) {
        if (f->off[i] >= len)
            return -1;
        d[f->off[i]] ^= (uint8_t)(1u << f->bit[i]);
    }
    return 0;
}

int mockcli_edit_opt(const mockcli_prog *p, mockcli_edits *e, const char *opt,
                     const char *value)
{
    if (strcmp(opt, "--set") == 0) {
        if (e->n_sets == MOCKCLI_MAX_EDITS ||
            mockcli_parse_set(&e->sets[e->n_sets], value, 0xFFFFFFFFu) != 0)
            return mockcli_usage_error(p, "bad --set (OFFSET=HEX)", value);
        e->n_sets++;
    } else if (strcmp(opt, "--flip") == 0) {
        if (mockcli_flips_add(&e->flips, value, 0, 0xFFFFFFFFu) != 0)
            return mockcli_usage_error(p, "bad --flip (OFFSET[:BIT])", value);
    } else {
        return mockcli_usage_error(p, "unknown option", opt);
    }
    return 0;
}

void mockcli_edits_free(mockcli_edits *e)
{
    mockcli_kv_free(e->sets, e->n_sets);
}

int mockcli_flip_and_write(const mockcli_prog *p, const mockcli_flips *f,
                           uint8_t *d, size_t len, const char *path,
                           const char *what)
{
    char msg[64];
    if (mockcli_flips_apply(f, d, len) != 0) {
        snprintf(msg, sizeof(msg), "--flip outside the %s", what);
        return mockcli_usage_error(p, msg, NULL);
    }
    if (mockcli_write_file(path, d, len) != 0) {
        snprintf(msg, sizeof(msg), "cannot write %s", what);
        return mockcli_failure(p, msg, path);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */

int mockcli_write_file(const char *path, const void *data, size_t len)
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
/* SNP report options                                                       */

static int snp_hex_opt(const mockcli_prog *p, mockcli_hex_opt *h, size_t max,
                       const char *opt, const char *value)
{
    char msg[64];
    if (mockcli_parse_hex_opt(h, max, value) == 0)
        return 0;
    snprintf(msg, sizeof(msg), "%s needs 1..%zu hex bytes", opt, max);
    return mockcli_usage_error(p, msg, value);
}

int mockcli_snp_opt(const mockcli_prog *p, mockcli_snp_opts *o,
                    const char *opt, const char *v)
{
    if (strcmp(opt, "--version") == 0) {
        if (mockcli_parse_u64_base(&o->version, v, 10, 5) != 0 ||
            (o->version != 2 && o->version != 3 && o->version != 5))
            return mockcli_usage_error(p, "--version must be 2, 3 or 5", v);
    } else if (strcmp(opt, "--report-data") == 0) {
        return snp_hex_opt(p, &o->report_data, SNPGEN_LEN_REPORT_DATA, opt, v);
    } else if (strcmp(opt, "--measurement") == 0) {
        return snp_hex_opt(p, &o->measurement, SNPGEN_LEN_MEASUREMENT, opt, v);
    } else if (strcmp(opt, "--host-data") == 0) {
        return snp_hex_opt(p, &o->host_data, SNPGEN_LEN_HOST_DATA, opt, v);
    } else if (strcmp(opt, "--policy") == 0) {
        if (mockcli_parse_u64_base(&o->policy, v, 16, UINT64_MAX) != 0)
            return mockcli_usage_error(p, "bad --policy", v);
        o->have_policy = 1;
    } else if (strcmp(opt, "--vmpl") == 0) {
        if (mockcli_parse_u64(&o->vmpl, v, UINT32_MAX) != 0)
            return mockcli_usage_error(p, "bad --vmpl", v);
        o->have_vmpl = 1;
    } else {
        return 1;
    }
    return 0;
}

int mockcli_snp_opts_given(const mockcli_snp_opts *o)
{
    return o->vlek || o->version != 0 || o->report_data.have ||
           o->measurement.have || o->host_data.have || o->have_policy ||
           o->have_vmpl;
}

void mockcli_snp_edit(uint8_t *r, const mockcli_snp_opts *o)
{
    mockcli_put_hex_opt(r, SNPGEN_OFF_REPORT_DATA, SNPGEN_LEN_REPORT_DATA,
                        &o->report_data);
    mockcli_put_hex_opt(r, SNPGEN_OFF_MEASUREMENT, SNPGEN_LEN_MEASUREMENT,
                        &o->measurement);
    mockcli_put_hex_opt(r, SNPGEN_OFF_HOST_DATA, SNPGEN_LEN_HOST_DATA,
                        &o->host_data);
    if (o->have_policy)
        snpgen_put_u64(r + SNPGEN_OFF_POLICY, o->policy);
    if (o->have_vmpl)
        snpgen_put_u32(r + SNPGEN_OFF_VMPL, (uint32_t)o->vmpl);
    if (o->vlek) {
        uint32_t ki = snpgen_get_u32(r + SNPGEN_OFF_KEY_INFO);
        ki = (ki & ~SNPGEN_KEYINFO_SIGNING_MASK) | SNPGEN_KEYINFO_SIGNING_VLEK;
        snpgen_put_u32(r + SNPGEN_OFF_KEY_INFO, ki);
    }
}
