/*
 * attest-mock nras - a mock NVIDIA Remote Attestation Service: a signer
 * PKI (P-384 key, its certificate and CA) and signed /v3/attest/gpu
 * responses (vectors/gen/nrasgen.h), good or with one defect, plus the JWKS
 * that verifies them. With --bind-cpu it prints the REPORT_DATA that binds
 * the GPUs to a CVM (docs/results.md, "Beside raw CPU evidence"):
 * SHA-512(nonce || each GPU's eat_nonce), for `attest-mock snp report
 * --report-data HEX`.
 */
#include "gencommon.h"
#include "mockcli.h"
#include "nrasgen.h"

#include <stddef.h>
#include <time.h>

#define PROG "attest-mock nras"

static const char nras_usage_text[] =
    "usage:\n"
    "  " PROG " pki --out DIR\n"
    "  " PROG " result --pki DIR --nonce HEX --gpus N [--eat-nonce HEX]\n"
    "          [--iat UNIX] [--no-x5c] [--bind-cpu] [--measres-fail] [--no-measres]\n"
    "          [--error-details] [--overall-false] [--splice] [--expired]\n"
    "          [--kid-unknown] -o RESPONSE.json --jwks-out JWKS.json\n"
    "Every GPU JWT and the overall answer one eat_nonce (32 bytes): --eat-nonce,\n"
    "else the nonce itself, or with --bind-cpu SHA-256(\"attest-mock nras\" ||\n"
    "nonce). --bind-cpu prints SHA-512(nonce || eat_nonce x N) in hex on stdout:\n"
    "give it to `attest-mock snp report --report-data`. Defects touch GPU-0.\n";

static const mockcli_prog cli = {PROG, nras_usage_text};

#define usage_error(msg, arg) mockcli_usage_error(&cli, msg, arg)
#define failure(msg, arg) mockcli_failure(&cli, msg, arg)

/* ---- nras pki ------------------------------------------------------------ */

static X509 *make_cert(const char *cn, EVP_PKEY *subject, EVP_PKEY *issuer_key,
                       const X509 *issuer, uint64_t serial)
{
    X509 *x = X509_new();
    X509_NAME *name = NULL;
    X509 *out = NULL;
    EVP_MD_CTX *md = NULL;
    int ca = issuer == NULL;
    if (!x || gen_name_build(&name, cn, NULL, 0, 1) != 0 || gen_set_serial_u64(x, serial) != 0 ||
        gen_cert_set_body(x, name, 1735689600LL /* 2025-01-01 */, 2524608000LL /* 2050 */,
                          subject, issuer) != 0 ||
        gen_add_basic_constraints(x, 1, ca ? 0xFF : 0, -1) != 0 ||
        gen_add_key_usage(x, ca ? GEN_KU_KEY_CERT_SIGN : GEN_KU_DIGITAL_SIGNATURE, 1) != 0 ||
        gen_add_skid(x, subject) != 0 || gen_add_akid(x, NULL, issuer_key) != 0 ||
        gen_sign_ctx(&md, issuer_key, "SHA384") != 0) {
        X509_free(x);
        EVP_MD_CTX_free(md);
        return NULL;
    }
    return gen_cert_sign(&out, x, md) == 0 ? out : NULL;
}

static int pki_opt(void *ctx, const char *o, const char *v)
{
    if (strcmp(o, "--out") != 0)
        return usage_error("unknown option", o);
    *(const char **)ctx = v;
    return 0;
}

static int cmd_pki(int argc, char **argv)
{
    const char *out = NULL;
    int rc = mockcli_parse_opts(&cli, argc, argv, NULL, 0, pki_opt, &out);
    if (rc != 0)
        return rc;
    if (out == NULL)
        return usage_error("nras pki needs --out", NULL);
    EVP_PKEY *ca_key = nrasgen_key(), *key = nrasgen_key();
    X509 *ca = ca_key ? make_cert("attest-mock NRAS CA", ca_key, ca_key, NULL, 1) : NULL;
    X509 *leaf = ca && key ? make_cert("attest-mock NRAS signer", key, ca_key, ca, 2) : NULL;
    rc = leaf && gen_make_dir(out, NULL) == 0 && gen_save_cert(out, "ca.pem", ca) == 0 &&
                 gen_save_cert(out, "signer.pem", leaf) == 0 &&
                 gen_save_key(out, "signer.key", key) == 0
             ? 0
             : failure("cannot make or write the NRAS PKI", out);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    return rc;
}

/* ---- nras result --------------------------------------------------------- */

typedef struct {
    const char *pki, *out, *jwks_out;
    mockcli_hex_opt nonce, eat;
    uint64_t gpus, iat;
    int have_iat, no_x5c, bind_cpu, measres_fail, no_measres, error_details, overall_false,
        splice, expired, kid_unknown;
} result_args;

static int result_opt(void *ctx, const char *o, const char *v)
{
    result_args *a = ctx;
    if (!strcmp(o, "--pki"))
        a->pki = v;
    else if (!strcmp(o, "-o"))
        a->out = v;
    else if (!strcmp(o, "--jwks-out"))
        a->jwks_out = v;
    else if (!strcmp(o, "--nonce")) {
        if (mockcli_parse_hex(a->nonce.bytes, sizeof a->nonce.bytes, &a->nonce.len, v) != 0)
            return usage_error("--nonce needs 1..64 hex bytes", v);
    } else if (!strcmp(o, "--eat-nonce")) {
        if (mockcli_parse_hex(a->eat.bytes, sizeof a->eat.bytes, &a->eat.len, v) != 0 || a->eat.len != 32)
            return usage_error("--eat-nonce needs 32 hex bytes", v);
    } else if (!strcmp(o, "--gpus")) {
        if (mockcli_parse_u64(&a->gpus, v, NRASGEN_MAX_GPUS) != 0 || a->gpus == 0)
            return usage_error("--gpus must be 1..8", v);
    } else if (!strcmp(o, "--iat")) {
        if (mockcli_parse_u64(&a->iat, v, 4102444800ULL) != 0)
            return usage_error("bad --iat", v);
        a->have_iat = 1;
    } else
        return usage_error("unknown option", o);
    return 0;
}

/* The one eat_nonce every GPU answers (see the usage text). */
static int pick_eat_nonce(result_args *a, uint8_t eat[32])
{
    if (a->eat.len) {
        memcpy(eat, a->eat.bytes, 32);
        return 0;
    }
    if (!a->bind_cpu) {
        if (a->nonce.len != 32)
            return usage_error("without --bind-cpu or --eat-nonce, --nonce must be 32 bytes",
                               NULL);
        memcpy(eat, a->nonce.bytes, 32);
        return 0;
    }
    static const char tag[] = "attest-mock nras";
    return gen_digest2(EVP_sha256(), eat, 32, tag, sizeof tag - 1, a->nonce.bytes, a->nonce.len) == 0
               ? 0
               : failure("digest failed", NULL);
}

/* SHA-512(nonce || eat_nonce x n) in hex on stdout. */
static int print_report_data(const result_args *a, const uint8_t eat[32])
{
    uint8_t rd[64];
    char hex[129];
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) &&
             EVP_DigestUpdate(ctx, a->nonce.bytes, a->nonce.len);
    for (uint64_t i = 0; ok && i < a->gpus; i++)
        ok = EVP_DigestUpdate(ctx, eat, 32);
    ok = ok && EVP_DigestFinal_ex(ctx, rd, &len) && len == 64;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return failure("digest failed", NULL);
    gen_hex_encode(hex, rd, 64, 0);
    printf("%s\n", hex);
    return 0;
}

/* GPU i's claims, with the defects that touch GPU-0. */
static json_t *gpu_claims(const result_args *a, const char *eat_hex, int64_t iat, uint64_t i)
{
    json_t *c = nrasgen_gpu_claims(eat_hex, iat);
    if (i != 0 || !c)
        return c;
    if (a->measres_fail)
        json_object_set_new(c, "measres", json_string("fail"));
    if (a->no_measres)
        json_object_del(c, "measres");
    if (a->error_details)
        json_object_set_new(c, "x-nvidia-error-details",
                            json_pack("{s:s, s:s}", "message", "mock failure", "code", "E_MOCK"));
    return c;
}

/* The GPU JWTs, n = --gpus. */
static int sign_gpus(const result_args *a, EVP_PKEY *key, const char *kid, const char *eat_hex,
                     int64_t iat, char **jwt)
{
    for (uint64_t i = 0; i < a->gpus; i++) {
        json_t *c = gpu_claims(a, eat_hex, iat, i);
        jwt[i] = c ? nrasgen_jwt(key, kid, c) : NULL;
        json_decref(c);
        if (!jwt[i])
            return failure("cannot sign a GPU JWT", NULL);
    }
    return 0;
}

static int write_text(const char *path, char *text, const char *what)
{
    mockcli_flips none;
    memset(&none, 0, sizeof none);
    if (!text)
        return failure("cannot make", what);
    return mockcli_flip_and_write(&cli, &none, (uint8_t *)text, strlen(text), path, what);
}

static char *splice_gpu0(const result_args *a, EVP_PKEY *key, const char *kid,
                         const char *eat_hex, int64_t iat, char *response)
{
    /* --splice: GPU-0 swapped, after the overall token signed its digest,
     * for another validly signed JWT (as from another response). */
    json_t *doc = json_loads(response, 0, NULL);
    json_t *c = gpu_claims(a, eat_hex, iat - 1, 0); /* another response's GPU-0 */
    char *other = c ? nrasgen_jwt(key, kid, c) : NULL;
    char *text = NULL;
    if (doc && other &&
        json_object_set_new(json_array_get(doc, 1), "GPU-0", json_string(other)) == 0)
        text = json_dumps(doc, JSON_COMPACT);
    json_decref(c);
    json_decref(doc);
    free(other);
    free(response);
    return text;
}

/* The response and its JWKS from the loaded signer. */
static int result_make(const result_args *a, EVP_PKEY *key, X509 **certs, size_t n_certs,
                       const uint8_t eat[32])
{
    char eat_hex[65], *jwt[NRASGEN_MAX_GPUS] = {NULL};
    const char *kid = NRASGEN_KID;
    int64_t iat = a->have_iat ? (int64_t)a->iat : (int64_t)time(NULL) - 60;
    if (a->expired)
        iat -= 2 * 86400; /* exp = iat + 1 h, long past */
    gen_hex_encode(eat_hex, eat, 32, 0);
    int rc = sign_gpus(a, key, kid, eat_hex, iat, jwt);
    char *resp = rc ? NULL
                    : nrasgen_response_v(key, kid, eat_hex, iat, jwt, a->gpus, NULL,
                                         !a->overall_false);
    if (resp && a->splice)
        resp = splice_gpu0(a, key, kid, eat_hex, iat, resp);
    for (size_t i = 0; i < NRASGEN_MAX_GPUS; i++)
        free(jwt[i]);
    if (rc == 0)
        rc = write_text(a->out, resp, "NRAS response");
    free(resp);
    /* --kid-unknown: the set holds the key under another kid (rotated). */
    char *jwks = nrasgen_jwks_x5c(key, a->kid_unknown ? "attest-mock-rotated" : kid, certs,
                                  a->no_x5c ? 0 : n_certs);
    if (rc == 0)
        rc = write_text(a->jwks_out, jwks, "JWKS");
    free(jwks);
    return rc;
}

static int cmd_result(int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--no-x5c", offsetof(result_args, no_x5c)},
        {"--bind-cpu", offsetof(result_args, bind_cpu)},
        {"--measres-fail", offsetof(result_args, measres_fail)},
        {"--no-measres", offsetof(result_args, no_measres)},
        {"--error-details", offsetof(result_args, error_details)},
        {"--overall-false", offsetof(result_args, overall_false)},
        {"--splice", offsetof(result_args, splice)},
        {"--expired", offsetof(result_args, expired)},
        {"--kid-unknown", offsetof(result_args, kid_unknown)}};
    result_args a;
    uint8_t eat[32];
    memset(&a, 0, sizeof a);
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, sizeof flags / sizeof flags[0],
                                result_opt, &a);
    if (rc != 0)
        return rc;
    if (!a.pki || !a.out || !a.jwks_out || !a.nonce.len || !a.gpus)
        return usage_error("nras result needs --pki, --nonce, --gpus, -o and --jwks-out", NULL);
    if ((rc = pick_eat_nonce(&a, eat)) != 0)
        return rc;
    EVP_PKEY *key = NULL;
    X509 *certs[2] = {NULL, NULL};
    if (gen_load_key(&key, a.pki, "signer.key") != 0 ||
        gen_load_cert(&certs[0], a.pki, "signer.pem") != 0 ||
        gen_load_cert(&certs[1], a.pki, "ca.pem") != 0)
        rc = failure("cannot load the NRAS PKI (attest-mock nras pki)", a.pki);
    if (rc == 0)
        rc = result_make(&a, key, certs, 2, eat);
    if (rc == 0 && a.bind_cpu)
        rc = print_report_data(&a, eat);
    EVP_PKEY_free(key);
    X509_free(certs[0]);
    X509_free(certs[1]);
    return rc;
}

int attest_mock_nras_main(int argc, char **argv)
{
    static const mockcli_cmd cmds[] = {{"pki", cmd_pki}, {"result", cmd_result}};
    return mockcli_dispatch(&cli, argc - 1, argv + 1, 1, "missing nras command (pki, result)",
                            "unknown nras command", cmds, 2);
}
