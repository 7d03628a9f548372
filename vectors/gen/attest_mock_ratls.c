/*
 * attest-mock ratls - mock RA-TLS certificates (ratlsgen.h) for tests:
 * `attest-mock ratls cert --pki DIR -o CERT.pem --key-out KEY.pem ...`.
 * Exit status: 0 success, 2 usage error, 1 any other failure.
 */
#include "mockcli.h"
#include "ratlsgen.h"

#include <openssl/pem.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "attest-mock ratls"

static const char ratls_usage_text[] =
    "usage:\n"
    "  " PROG " cert --pki DIR -o CERT.pem --key-out KEY.pem [--tee tdx|sgx]\n"
    "          [--debug] [--bind-other-key] [--no-key-hash] [--second-ext]\n"
    "          [--tag N] [--trailing N] [--nonce HEX]\n"
    "  " PROG " cert --tee snp --pki DIR -o CERT.pem --key-out KEY.pem [--csr]\n"
    "          [--debug] [--bind-other-key] [--second-ext] [--trailing N]\n"
    "          [--no-crl] [--bad-crl]\n"
    "A self-signed P-256 certificate whose key is bound (TCG DICE tagged\n"
    "evidence, tag 60000 [quote, claims], REPORT_DATA = SHA-256(claims)) into\n"
    "a quote of the dcap PKI in DIR. The options break one thing each:\n"
    "--bind-other-key hashes another key into pubkey-hash, --no-key-hash\n"
    "leaves it out, --second-ext repeats the extension, --tag sets another\n"
    "CBOR tag, --trailing appends N zero bytes, --nonce adds a nonce claim.\n"
    "--tee snp: a P-384 certificate (--csr: a PKCS#10 request) with Enarx\n"
    "Steward's SNP extension 1.3.6.1.4.1.58270.1.3 (verify with --binding\n"
    "csr-spki-sha384): a report of the snp PKI in DIR signed by its VCEK,\n"
    "REPORT_DATA = SHA-384(DER SPKI) || 0^16, the VCEK and the ARK's CRL carried.\n"
    "--bind-other-key binds another key, --no-crl carries no CRL, --bad-crl one\n"
    "naming the ARK but signed by the ASK's key; --tag, --no-key-hash and\n"
    "--nonce do not apply (SNP has no claims map).\n";

static const mockcli_prog cli = {PROG, ratls_usage_text};

typedef struct {
    const char *pki_dir, *out, *key_out;
    int sgx, snp, debug, bind_other_key, no_key_hash, second_ext, csr, no_crl, bad_crl;
    uint64_t tag, trailing;
    mockcli_hex_opt nonce;
} cert_args;

static int cert_opt(void *ctx, const char *o, const char *v)
{
    cert_args *a = ctx;
    if (strcmp(o, "--pki") == 0)
        a->pki_dir = v;
    else if (strcmp(o, "-o") == 0)
        a->out = v;
    else if (strcmp(o, "--key-out") == 0)
        a->key_out = v;
    else if (strcmp(o, "--tee") == 0 &&
             (strcmp(v, "sgx") == 0 || strcmp(v, "tdx") == 0 || strcmp(v, "snp") == 0)) {
        a->sgx = strcmp(v, "sgx") == 0;
        a->snp = strcmp(v, "snp") == 0;
    }
    else if (strcmp(o, "--tag") == 0 && mockcli_parse_u64(&a->tag, v, UINT64_MAX) == 0)
        ;
    else if (strcmp(o, "--trailing") == 0 && mockcli_parse_u64(&a->trailing, v, 1024) == 0)
        ;
    else if (strcmp(o, "--nonce") == 0 && mockcli_parse_hex_opt(&a->nonce, 64, v) == 0)
        ;
    else
        return mockcli_usage_error(&cli, "bad option or value", o);
    return 0;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");
    int ok = f && (cert ? PEM_write_X509(f, cert) : PEM_write_PrivateKey(f, key, NULL, NULL,
                                                                          0, NULL, NULL));
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : mockcli_failure(&cli, "cannot write", path);
}

static int write_req_pem(const char *path, X509_REQ *req)
{
    FILE *f = fopen(path, "w");
    int ok = f && PEM_write_X509_REQ(f, req);
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : mockcli_failure(&cli, "cannot write", path);
}

/* --tee snp: Steward's SNP extension over the snp PKI in a->pki_dir. */
static int snp_cert(const cert_args *a)
{
    if (a->tag || a->no_key_hash || a->nonce.have)
        return mockcli_usage_error(&cli, "--tag, --no-key-hash and --nonce are TCG claims "
                                   "options, not for --tee snp", NULL);
    snpgen_pki *pki = NULL;
    if (snpgen_pki_load(&pki, a->pki_dir) != 0)
        return mockcli_failure(&cli, "cannot load SNP PKI directory", a->pki_dir);
    ratlsgen_snp_opts o = {a->csr, a->debug, a->bind_other_key, a->second_ext,
                           (size_t)a->trailing, a->no_crl, a->bad_crl};
    X509 *cert = NULL;
    X509_REQ *req = NULL;
    EVP_PKEY *key = NULL;
    int rc = ratlsgen_snp(&cert, &req, &key, pki, &o) != 0
                 ? mockcli_failure(&cli, "certificate generation failed", NULL)
             : req ? write_req_pem(a->out, req) || write_pem(a->key_out, NULL, key)
                   : write_pem(a->out, cert, NULL) || write_pem(a->key_out, NULL, key);
    X509_free(cert);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    snpgen_pki_free(pki);
    return rc;
}

static int cmd_cert(int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--debug", offsetof(cert_args, debug)},
        {"--bind-other-key", offsetof(cert_args, bind_other_key)},
        {"--no-key-hash", offsetof(cert_args, no_key_hash)},
        {"--second-ext", offsetof(cert_args, second_ext)},
        {"--csr", offsetof(cert_args, csr)},
        {"--no-crl", offsetof(cert_args, no_crl)},
        {"--bad-crl", offsetof(cert_args, bad_crl)},
    };
    cert_args a = {0};
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, sizeof flags / sizeof *flags, cert_opt,
                                &a);
    if (rc != 0)
        return rc;
    if (!a.pki_dir || !a.out || !a.key_out)
        return mockcli_usage_error(&cli, "ratls cert needs --pki, -o and --key-out", NULL);
    if (a.snp)
        return snp_cert(&a);
    if (a.csr || a.no_crl || a.bad_crl)
        return mockcli_usage_error(&cli, "--csr, --no-crl and --bad-crl need --tee snp", NULL);
    dcapgen_pki *pki = NULL;
    if (dcapgen_pki_load(&pki, a.pki_dir) != 0)
        return mockcli_failure(&cli, "cannot load PKI directory", a.pki_dir);
    ratlsgen_opts o = {a.sgx, a.debug, a.bind_other_key, a.no_key_hash, a.second_ext, a.tag,
                       (size_t)a.trailing, a.nonce.have ? a.nonce.bytes : NULL, a.nonce.len};
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    rc = ratlsgen_cert(&cert, &key, pki, &o) != 0
             ? mockcli_failure(&cli, "certificate generation failed", NULL)
             : write_pem(a.out, cert, NULL) || write_pem(a.key_out, NULL, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    dcapgen_pki_free(pki);
    return rc;
}

int attest_mock_ratls_main(int argc, char **argv)
{
    static const mockcli_cmd cmds[] = {{"cert", cmd_cert}};
    return mockcli_dispatch(&cli, argc - 1, argv + 1, 1, "missing command", "unknown command",
                            cmds, 1);
}
