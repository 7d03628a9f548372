/*
 * attest-mock nvidia - a mock NVIDIA GPU / NVSwitch (plus RIM service and
 * OCSP responder) for integration tests, built on nvgen. Entry point:
 * attest_mock_nvidia_main (called by attest_mock.c's main for
 * `attest-mock nvidia ...`).
 *
 * Exit status: 0 success, 2 usage error, 1 any other failure; messages go
 * to stderr. See vectors/README.md.
 */
#include "mockcli.h"
#include "nvgen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "attest-mock nvidia"
#define MAX_EDITS MOCKCLI_MAX_EDITS

static const char nv_usage_text[] =
    "usage:\n"
    "  " PROG " pki --out DIR [--blackwell | --switch] [--gpus N]\n"
    "          [--driver VERSION] [--vbios VERSION] [--no-fwid]\n"
    "  " PROG " report --pki DIR [--gpu K] [--peers DIR] [--nonce HEX]\n"
    "          [--driver VERSION] [--vbios VERSION] [--measurement INDEX=HEX ...]\n"
    "          [--nvdec0 aa|55] [--ppcie aa|55] [--odv N] [--feature-flag N]\n"
    "          [--chip-info S] [--no-fwid] [--fwid HEX] [--tlv TYPE=HEX ...]\n"
    "          [--del-tlv TYPE ...] [--sign-key FILE] [--trailing N]\n"
    "          [--trailing-fill HEX] [--set OFFSET=HEX ...]\n"
    "          [--flip OFFSET[:BIT] ...] -o FILE|-\n"
    "  " PROG " rim --pki DIR --kind driver|vbios [--version V] [--name NAME]\n"
    "          [--product P] [--measurement INDEX=HEX ...] [--inactive INDEX ...]\n"
    "          [--debug-chain] [--sign-in-payload] [--exc-c14n] [--c14n10]\n"
    "          [--sha256] [--tamper] [--tamper-version] [--tamper-signature]\n"
    "          [--move-signature] [--dup-signature] -o FILE|-\n"
    "  " PROG " ocsp --pki DIR --cert N [--chain device|rim] [--gpu K]\n"
    "          [--status good|revoked|hold|unknown] [--this-update UNIX]\n"
    "          [--next-update UNIX|none] [--produced-at UNIX]\n"
    "          [--revoked-at UNIX] [--nonce HEX] [--sha1] [--wrong-key]\n"
    "          [--no-eku] [--by-issuer] [--no-certs] -o FILE|-\n"
    "INDEX is the 0-based RIM measurement index (report block INDEX+1);\n"
    "measurement HEX shorter than 48 bytes is zero-padded on the right.\n"
    "N, K, TYPE, OFFSET accept decimal or 0x-prefixed hex. --set is applied\n"
    "before signing (the report is re-signed), --flip after. --cert N is the\n"
    "position in the chain: device 0 leaf .. 3 Identity; rim 0 leaf .. 2 CA.\n"
    "--peers DIR (PPCIe): the PKI of the other side, the NVSwitches for a GPU\n"
    "report, the 8 GPUs for an NVSwitch report; the report names their PDIs.\n";

static const mockcli_prog cli = {PROG, nv_usage_text};

/* A usage error (exit status 2) / any other failure (1), on stderr. */
#define usage_error(msg, arg) mockcli_usage_error(&cli, msg, arg)
#define failure(msg, arg) mockcli_failure(&cli, msg, arg)

static int load_pki(nvgen_pki **out, const char *dir)
{
    if (nvgen_pki_load(out, dir) != 0)
        return failure("cannot load PKI directory", dir);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* nvidia pki                                                               */

static int cmd_pki(int argc, char **argv)
{
    nvgen_pki_opts o;
    nvgen_pki *pki = NULL;
    const char *out = NULL, *driver = NULL, *vbios = NULL;
    int blackwell = 0, sw = 0, no_fwid = 0, rc;
    uint64_t gpus = 1;
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i], *v;
        if (strcmp(opt, "--blackwell") == 0) {
            blackwell = 1;
            continue;
        }
        if (strcmp(opt, "--switch") == 0) {
            sw = 1;
            continue;
        }
        if (strcmp(opt, "--no-fwid") == 0) {
            no_fwid = 1;
            continue;
        }
        v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", opt);
        if (strcmp(opt, "--out") == 0) {
            out = v;
        } else if (strcmp(opt, "--gpus") == 0) {
            if (mockcli_parse_u64(&gpus, v, NVGEN_MAX_DEVICES) != 0 ||
                gpus == 0)
                return usage_error("--gpus must be 1..8", v);
        } else if (strcmp(opt, "--driver") == 0) {
            driver = v;
        } else if (strcmp(opt, "--vbios") == 0) {
            vbios = v;
        } else {
            return usage_error("unknown option", opt);
        }
    }
    if (out == NULL)
        return usage_error("nvidia pki needs --out", NULL);
    if (blackwell && sw)
        return usage_error("--blackwell and --switch exclude each other",
                           NULL);
    nvgen_pki_opts_init(&o, blackwell ? NVGEN_BLACKWELL
                            : sw      ? NVGEN_LS10
                                      : NVGEN_HOPPER);
    o.n_devices = (size_t)gpus;
    o.driver_version = driver;
    o.vbios_version = vbios;
    if (no_fwid)
        o.fwid_form = NVGEN_FWID_NONE;
    if (vbios != NULL && !sw) {
        uint8_t tmp[8];
        if (nvgen_vbios_encode(tmp, vbios) != 0)
            return usage_error("--vbios must look like 96.00.9F.00.01", vbios);
    }
    if (nvgen_pki_generate(&pki, &o) != 0)
        return failure("PKI generation failed", NULL);
    rc = nvgen_pki_save(pki, out) == 0 ? 0 : failure("cannot write PKI", out);
    nvgen_pki_free(pki);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* nvidia report                                                            */

typedef struct {
    const char *pki_dir, *peers_dir, *out, *driver, *vbios, *chip_info, *sign_key;
    uint64_t gpu, trailing, trailing_fill, odv, feature_flag;
    int have_odv, have_ff, have_nonce, no_fwid, have_fwid;
    int nvdec0, ppcie; /* < 0: default */
    uint8_t nonce[NVGEN_NONCE_SIZE], fwid[NVGEN_DIGEST_SIZE];
    mockcli_kv meas[MAX_EDITS], tlvs[MAX_EDITS];
    size_t n_meas, n_tlvs;
    uint64_t del_tlv[MAX_EDITS];
    size_t n_del;
    mockcli_edits edits;
} report_args;

static int parse_status_byte(int *out, const char *v)
{
    uint8_t b;
    size_t n;
    if (mockcli_parse_hex(&b, 1, &n, v) != 0 || n != 1)
        return -1;
    *out = b;
    return 0;
}

static int report_opt(void *ctx, const char *o, const char *v)
{
    report_args *a = ctx;
    size_t n;
    if (strcmp(o, "--pki") == 0) {
        a->pki_dir = v;
    } else if (strcmp(o, "-o") == 0) {
        a->out = v;
    } else if (strcmp(o, "--peers") == 0) {
        a->peers_dir = v;
    } else if (strcmp(o, "--gpu") == 0) {
        if (mockcli_parse_u64(&a->gpu, v, NVGEN_MAX_DEVICES - 1) != 0)
            return usage_error("--gpu must be 0..7", v);
    } else if (strcmp(o, "--nonce") == 0) {
        memset(a->nonce, 0, sizeof(a->nonce));
        if (mockcli_parse_hex(a->nonce, NVGEN_NONCE_SIZE, &n, v) != 0)
            return usage_error("--nonce needs 1..32 hex bytes", v);
        a->have_nonce = 1;
    } else if (strcmp(o, "--driver") == 0) {
        a->driver = v;
    } else if (strcmp(o, "--vbios") == 0) {
        a->vbios = v;
    } else if (strcmp(o, "--chip-info") == 0) {
        a->chip_info = v;
    } else if (strcmp(o, "--sign-key") == 0) {
        a->sign_key = v;
    } else if (strcmp(o, "--fwid") == 0) {
        memset(a->fwid, 0, sizeof(a->fwid));
        if (mockcli_parse_hex(a->fwid, NVGEN_DIGEST_SIZE, &n, v) != 0)
            return usage_error("--fwid needs 1..48 hex bytes", v);
        a->have_fwid = 1;
    } else if (strcmp(o, "--nvdec0") == 0) {
        if (parse_status_byte(&a->nvdec0, v) != 0)
            return usage_error("--nvdec0 needs one hex byte (aa, 55)", v);
    } else if (strcmp(o, "--ppcie") == 0) {
        if (parse_status_byte(&a->ppcie, v) != 0)
            return usage_error("--ppcie needs one hex byte (aa, 55)", v);
    } else if (strcmp(o, "--odv") == 0) {
        if (mockcli_parse_u64(&a->odv, v, 0xFFFF) != 0)
            return usage_error("--odv must be 0..65535", v);
        a->have_odv = 1;
    } else if (strcmp(o, "--feature-flag") == 0) {
        if (mockcli_parse_u64(&a->feature_flag, v, 0xFFFF) != 0)
            return usage_error("--feature-flag must be 0..65535", v);
        a->have_ff = 1;
    } else if (strcmp(o, "--trailing") == 0) {
        if (mockcli_parse_u64(&a->trailing, v, 1u << 20) != 0)
            return usage_error("--trailing must be 0..1048576", v);
    } else if (strcmp(o, "--trailing-fill") == 0) {
        int b;
        if (parse_status_byte(&b, v) != 0)
            return usage_error("--trailing-fill needs one hex byte", v);
        a->trailing_fill = (uint64_t)b;
    } else if (strcmp(o, "--measurement") == 0) {
        mockcli_kv *e = &a->meas[a->n_meas];
        if (a->n_meas == MAX_EDITS ||
            mockcli_parse_kv_hex(&e->key, &e->bytes, &e->len, v, 254) != 0 ||
            e->len == 0 || e->len > NVGEN_MAX_VALUE) {
            if (a->n_meas < MAX_EDITS)
                free(e->bytes), e->bytes = NULL;
            return usage_error("bad --measurement (INDEX=HEX, 1..64 bytes)",
                               v);
        }
        a->n_meas++;
    } else if (strcmp(o, "--tlv") == 0) {
        mockcli_kv *e = &a->tlvs[a->n_tlvs];
        if (a->n_tlvs == MAX_EDITS ||
            mockcli_parse_kv_hex(&e->key, &e->bytes, &e->len, v, 0xFFFF) !=
                0 ||
            e->len > NVGEN_MAX_TLV_VALUE) {
            if (a->n_tlvs < MAX_EDITS)
                free(e->bytes), e->bytes = NULL;
            return usage_error("bad --tlv (TYPE=HEX)", v);
        }
        a->n_tlvs++;
    } else if (strcmp(o, "--del-tlv") == 0) {
        if (a->n_del == MAX_EDITS ||
            mockcli_parse_u64(&a->del_tlv[a->n_del], v, 0xFFFF) != 0)
            return usage_error("bad --del-tlv TYPE", v);
        a->n_del++;
    } else {
        return mockcli_edit_opt(&cli, &a->edits, o, v);
    }
    return 0;
}

static int report_parse(report_args *a, int argc, char **argv)
{
    static const mockcli_flag flags[] = {
        {"--no-fwid", offsetof(report_args, no_fwid)}};
    int rc = mockcli_parse_opts(&cli, argc, argv, flags, 1, report_opt, a);
    if (rc != 0)
        return rc;
    if (a->pki_dir == NULL || a->out == NULL)
        return usage_error("nvidia report needs --pki and -o", NULL);
    return 0;
}

static int put_u16_tlv(nvgen_report_desc *d, uint16_t type, uint64_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return nvgen_report_set_tlv(d, type, b, 2);
}

/* Field options over a default description. 0, or an exit status. */
static int report_edit(nvgen_report_desc *d, const nvgen_pki *pki,
                       const report_args *a)
{
    if (a->have_nonce)
        memcpy(d->nonce, a->nonce, NVGEN_NONCE_SIZE);
    if (a->driver != NULL &&
        nvgen_report_set_tlv(d, NVGEN_TLV_DRIVER_VERSION, a->driver,
                             strlen(a->driver) + 1) != 0)
        return usage_error("--driver too long", a->driver);
    if (a->vbios != NULL) {
        uint8_t vb[8];
        int rc;
        if (pki->arch == NVGEN_LS10)
            rc = nvgen_report_set_tlv(d, NVGEN_TLV_VBIOS_VERSION, a->vbios,
                                      strlen(a->vbios));
        else if (nvgen_vbios_encode(vb, a->vbios) != 0)
            return usage_error("--vbios must look like 96.00.9F.00.01",
                               a->vbios);
        else
            rc = nvgen_report_set_tlv(d, NVGEN_TLV_VBIOS_VERSION, vb, 8);
        if (rc != 0)
            return usage_error("--vbios too long", a->vbios);
    }
    if (a->nvdec0 >= 0) {
        uint8_t b = (uint8_t)a->nvdec0;
        nvgen_report_set_tlv(d, NVGEN_TLV_NVDEC0_STATUS, &b, 1);
    }
    if (a->ppcie >= 0) {
        uint8_t b = (uint8_t)a->ppcie;
        nvgen_report_set_tlv(d, NVGEN_TLV_PROTECTED_PCIE_STATUS, &b, 1);
    }
    if (a->chip_info != NULL &&
        nvgen_report_set_tlv(d, NVGEN_TLV_CHIP_INFO, a->chip_info,
                             strlen(a->chip_info) + 1) != 0)
        return usage_error("--chip-info too long", a->chip_info);
    if (a->have_odv)
        put_u16_tlv(d, NVGEN_TLV_OPAQUE_DATA_VERSION, a->odv);
    if (a->have_ff)
        put_u16_tlv(d, NVGEN_TLV_FEATURE_FLAG, a->feature_flag);
    if (a->no_fwid)
        nvgen_report_del_tlv(d, NVGEN_TLV_FWID);
    if (a->have_fwid)
        nvgen_report_set_tlv(d, NVGEN_TLV_FWID, a->fwid, NVGEN_DIGEST_SIZE);
    for (size_t i = 0; i < a->n_meas; i++) {
        /* shorter than a digest: zero-padded to 48 bytes on the right */
        uint8_t v[NVGEN_MAX_VALUE] = {0};
        size_t n = a->meas[i].len < NVGEN_DIGEST_SIZE ? NVGEN_DIGEST_SIZE
                                                      : a->meas[i].len;
        memcpy(v, a->meas[i].bytes, a->meas[i].len);
        if (nvgen_report_set_measurement(d, (unsigned)a->meas[i].key, v, n) !=
            0)
            return usage_error("--measurement INDEX has no block", NULL);
    }
    for (size_t i = 0; i < a->n_del; i++)
        nvgen_report_del_tlv(d, (uint16_t)a->del_tlv[i]);
    for (size_t i = 0; i < a->n_tlvs; i++)
        if (nvgen_report_set_tlv(d, (uint16_t)a->tlvs[i].key,
                                 a->tlvs[i].bytes, a->tlvs[i].len) != 0)
            return usage_error("too many TLVs", NULL);
    d->trailing = (size_t)a->trailing;
    d->trailing_fill = (uint8_t)a->trailing_fill;
    return 0;
}

/* PPCIe: name the devices of the other side's PKI (none: 0). 0, or an
 * exit status. */
static int report_peers(nvgen_report_desc *d, const nvgen_pki *pki,
                        const char *peers_dir)
{
    nvgen_pki *peers = NULL;
    int rc;
    if (peers_dir == NULL)
        return 0;
    rc = load_pki(&peers, peers_dir);
    if (rc == 0 && nvgen_report_ppcie(d, pki, peers) != 0)
        rc = usage_error("--peers needs the other side's PKI (GPUs and "
                         "NVSwitches; 8 GPUs for a switch report)",
                         peers_dir);
    nvgen_pki_free(peers);
    return rc;
}

static int report_make(const report_args *a)
{
    nvgen_pki *pki = NULL;
    nvgen_report_desc *d = NULL;
    nvgen_report_layout *l = NULL;
    EVP_PKEY *other = NULL, *key;
    uint8_t *r = NULL;
    size_t len = 0;
    int rc = load_pki(&pki, a->pki_dir);
    if (rc != 0)
        return rc;
    if (a->gpu >= pki->n_devices) {
        rc = usage_error("--gpu beyond the PKI's devices", NULL);
        goto done;
    }
    if (a->sign_key != NULL && snpgen_key_load_pem(&other, a->sign_key) != 0) {
        rc = failure("cannot read --sign-key", a->sign_key);
        goto done;
    }
    key = other != NULL ? other : pki->dev[a->gpu].leaf.key;
    d = malloc(sizeof(*d));
    l = malloc(sizeof(*l));
    if (d == NULL || l == NULL ||
        nvgen_report_desc_init(d, pki, (size_t)a->gpu) != 0) {
        rc = failure("cannot initialise report", NULL);
        goto done;
    }
    rc = report_peers(d, pki, a->peers_dir);
    if (rc == 0)
        rc = report_edit(d, pki, a);
    if (rc != 0)
        goto done;
    if (nvgen_report_build(&r, &len, l, d, key) != 0) {
        rc = failure("report generation failed", NULL);
        goto done;
    }
    if (mockcli_kv_apply(r, len, a->edits.sets, a->edits.n_sets) != 0) {
        rc = usage_error("--set outside the report", NULL);
        goto done;
    }
    /* --set may have changed a length: re-sign at the offset the lengths
     * now give when they still parse, else where the signature was. */
    if (a->edits.n_sets != 0) {
        nvgen_report_layout *nl = malloc(sizeof(*nl));
        int ok = nl != NULL;
        if (ok && nvgen_report_layout_parse(nl, r, len) == 0)
            ok = nvgen_report_sign(r, len, nl, key) == 0;
        else if (ok)
            ok = nvgen_report_sign(r, len, l, key) == 0;
        free(nl);
        if (!ok) {
            rc = failure("re-signing failed", NULL);
            goto done;
        }
    }
    /* flipped after signing, on purpose */
    rc = mockcli_flip_and_write(&cli, &a->edits.flips, r, len, a->out,
                                "report");
done:
    free(r);
    free(d);
    free(l);
    EVP_PKEY_free(other);
    nvgen_pki_free(pki);
    return rc;
}

static int cmd_report(int argc, char **argv)
{
    report_args *a = calloc(1, sizeof(*a));
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    a->nvdec0 = a->ppcie = -1;
    rc = report_parse(a, argc, argv);
    if (rc == 0)
        rc = report_make(a);
    mockcli_kv_free(a->meas, a->n_meas);
    mockcli_kv_free(a->tlvs, a->n_tlvs);
    mockcli_edits_free(&a->edits);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* nvidia rim                                                               */

typedef struct {
    const char *pki_dir, *out, *version, *name, *product;
    int kind, have_kind, debug;
    unsigned sign_flags;
    int tamper[5];
    mockcli_kv meas[MAX_EDITS];
    size_t n_meas;
    uint64_t inactive[MAX_EDITS];
    size_t n_inactive;
} rim_args;

static int rim_parse(rim_args *a, int argc, char **argv)
{
    static const char *const tflags[5] = {
        "--tamper", "--tamper-version", "--tamper-signature",
        "--move-signature", "--dup-signature"};
    static const struct {
        const char *name;
        unsigned flag;
    } sflags[4] = {{"--sign-in-payload", NVGEN_RIM_SIGN_IN_PAYLOAD},
                   {"--exc-c14n", NVGEN_RIM_SIGN_EXC_C14N},
                   {"--c14n10", NVGEN_RIM_SIGN_C14N10},
                   {"--sha256", NVGEN_RIM_SIGN_SHA256}};
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        int flag = 0;
        for (int t = 0; t < 5; t++)
            if (strcmp(o, tflags[t]) == 0) {
                a->tamper[t] = flag = 1;
            }
        if (strcmp(o, "--debug-chain") == 0)
            a->debug = flag = 1;
        for (int t = 0; t < 4; t++)
            if (strcmp(o, sflags[t].name) == 0) {
                a->sign_flags |= sflags[t].flag;
                flag = 1;
            }
        if (flag)
            continue;
        v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        if (strcmp(o, "--pki") == 0) {
            a->pki_dir = v;
        } else if (strcmp(o, "-o") == 0) {
            a->out = v;
        } else if (strcmp(o, "--kind") == 0) {
            if (strcmp(v, "driver") == 0)
                a->kind = NVGEN_RIM_DRIVER;
            else if (strcmp(v, "vbios") == 0)
                a->kind = NVGEN_RIM_VBIOS;
            else
                return usage_error("--kind must be driver or vbios", v);
            a->have_kind = 1;
        } else if (strcmp(o, "--version") == 0) {
            a->version = v;
        } else if (strcmp(o, "--name") == 0) {
            a->name = v;
        } else if (strcmp(o, "--product") == 0) {
            a->product = v;
        } else if (strcmp(o, "--measurement") == 0) {
            mockcli_kv *e = &a->meas[a->n_meas];
            if (a->n_meas == MAX_EDITS ||
                mockcli_parse_kv_hex(&e->key, &e->bytes, &e->len, v,
                                     NVGEN_RIM_RESOURCES - 1) != 0 ||
                e->len == 0 || e->len > NVGEN_DIGEST_SIZE) {
                if (a->n_meas < MAX_EDITS)
                    free(e->bytes), e->bytes = NULL;
                return usage_error("bad --measurement (INDEX=1..48 hex "
                                   "bytes)",
                                   v);
            }
            a->n_meas++;
        } else if (strcmp(o, "--inactive") == 0) {
            if (a->n_inactive == MAX_EDITS ||
                mockcli_parse_u64(&a->inactive[a->n_inactive], v,
                                  NVGEN_RIM_RESOURCES - 1) != 0)
                return usage_error("bad --inactive INDEX", v);
            a->n_inactive++;
        } else {
            return usage_error("unknown option", o);
        }
    }
    if (a->pki_dir == NULL || a->out == NULL || !a->have_kind)
        return usage_error("nvidia rim needs --pki, --kind and -o", NULL);
    return 0;
}

static int rim_make(const rim_args *a)
{
    static const nvgen_rim_tamper_kind kinds[5] = {
        NVGEN_RIM_TAMPER_HASH, NVGEN_RIM_TAMPER_VERSION,
        NVGEN_RIM_TAMPER_SIGVALUE, NVGEN_RIM_TAMPER_MOVE_SIG,
        NVGEN_RIM_TAMPER_DUP_SIG};
    nvgen_pki *pki = NULL;
    nvgen_rim_desc *d = NULL;
    X509 *chain[4];
    EVP_PKEY *key;
    char *x = NULL;
    size_t n = 0, nc;
    int rc = load_pki(&pki, a->pki_dir), first_active = -1;
    if (rc != 0)
        return rc;
    d = malloc(sizeof(*d));
    if (d == NULL || nvgen_rim_desc_init(d, pki, (nvgen_rim_kind)a->kind)) {
        rc = a->kind == NVGEN_RIM_DRIVER && pki->arch == NVGEN_LS10
                 ? usage_error("an NVSwitch has no driver RIM", NULL)
                 : failure("cannot initialise RIM", NULL);
        goto done;
    }
    if ((a->version != NULL &&
         nvgen_rim_desc_set_version(d, pki, (nvgen_rim_kind)a->kind,
                                    a->version) != 0) ||
        (a->name != NULL &&
         snprintf(d->name, sizeof(d->name), "%s", a->name) < 0) ||
        (a->product != NULL &&
         snprintf(d->product, sizeof(d->product), "%s", a->product) < 0)) {
        rc = usage_error("bad --version, --name or --product", NULL);
        goto done;
    }
    for (size_t i = 0; i < a->n_meas; i++) {
        nvgen_rim_measurement *m = &d->m[a->meas[i].key];
        m->active = 1;
        m->alternatives = 1;
        memset(m->hash, 0, sizeof(m->hash));
        memcpy(m->hash[0], a->meas[i].bytes, a->meas[i].len);
    }
    for (size_t i = 0; i < a->n_inactive; i++)
        d->m[a->inactive[i]].active = 0;
    for (size_t i = 0; i < d->n_measurements && first_active < 0; i++)
        if (d->m[i].active)
            first_active = d->m[i].index;
    nc = nvgen_pki_rim_signer(chain, &key, pki, a->debug);
    {
        char *u = NULL;
        size_t un = 0;
        int ok = nvgen_rim_unsigned(&u, &un, d) == 0 &&
                 nvgen_rim_sign_ex(&x, &n, u, un, key, chain, nc,
                                   a->sign_flags) == 0;
        free(u);
        if (!ok) {
            rc = failure("RIM signing failed", NULL);
            goto done;
        }
    }
    for (int t = 0; t < 5; t++) {
        char *y = NULL;
        size_t yn = 0;
        if (!a->tamper[t])
            continue;
        if (nvgen_rim_tamper(&y, &yn, x, n, kinds[t],
                             first_active < 0 ? 0 : first_active) != 0) {
            rc = failure("tampering failed", NULL);
            goto done;
        }
        free(x);
        x = y;
        n = yn;
    }
    if (mockcli_write_file(a->out, x, n) != 0)
        rc = failure("cannot write RIM", a->out);
done:
    free(x);
    free(d);
    nvgen_pki_free(pki);
    return rc;
}

static int cmd_rim(int argc, char **argv)
{
    rim_args *a = calloc(1, sizeof(*a));
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    rc = rim_parse(a, argc, argv);
    if (rc == 0)
        rc = rim_make(a);
    mockcli_kv_free(a->meas, a->n_meas);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* nvidia ocsp                                                              */

typedef struct {
    const char *pki_dir, *out;
    uint64_t cert, gpu;
    int have_cert, rim, wrong_key, no_eku, by_issuer, have_next;
    nvgen_ocsp_opts o;
    int have_this, have_produced;
    uint8_t nonce[64];
} ocsp_args;

static int ocsp_parse(ocsp_args *a, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        if (strcmp(o, "--sha1") == 0) {
            a->o.certid_digest = "SHA1";
            continue;
        }
        if (strcmp(o, "--wrong-key") == 0) {
            a->wrong_key = 1;
            continue;
        }
        if (strcmp(o, "--no-eku") == 0) {
            a->no_eku = 1;
            continue;
        }
        if (strcmp(o, "--by-issuer") == 0) {
            a->by_issuer = 1;
            continue;
        }
        if (strcmp(o, "--no-certs") == 0) {
            a->o.include_cert = 0;
            continue;
        }
        v = mockcli_opt_value(argc, argv, &i);
        if (v == NULL)
            return usage_error("missing value or unknown option", o);
        if (strcmp(o, "--pki") == 0) {
            a->pki_dir = v;
        } else if (strcmp(o, "-o") == 0) {
            a->out = v;
        } else if (strcmp(o, "--cert") == 0) {
            if (mockcli_parse_u64(&a->cert, v, 3) != 0)
                return usage_error("--cert must be 0..3", v);
            a->have_cert = 1;
        } else if (strcmp(o, "--gpu") == 0) {
            if (mockcli_parse_u64(&a->gpu, v, NVGEN_MAX_DEVICES - 1) != 0)
                return usage_error("--gpu must be 0..7", v);
        } else if (strcmp(o, "--chain") == 0) {
            if (strcmp(v, "device") == 0)
                a->rim = 0;
            else if (strcmp(v, "rim") == 0)
                a->rim = 1;
            else
                return usage_error("--chain must be device or rim", v);
        } else if (strcmp(o, "--status") == 0) {
            if (strcmp(v, "good") == 0)
                a->o.status = NVGEN_OCSP_GOOD;
            else if (strcmp(v, "revoked") == 0)
                a->o.status = NVGEN_OCSP_REVOKED;
            else if (strcmp(v, "hold") == 0)
                a->o.status = NVGEN_OCSP_HOLD;
            else if (strcmp(v, "unknown") == 0)
                a->o.status = NVGEN_OCSP_UNKNOWN;
            else
                return usage_error("--status must be good, revoked, hold or "
                                   "unknown",
                                   v);
        } else if (strcmp(o, "--this-update") == 0) {
            if (mockcli_parse_i64(&a->o.this_update, v) != 0)
                return usage_error("bad --this-update", v);
            a->have_this = 1;
        } else if (strcmp(o, "--next-update") == 0) {
            if (strcmp(v, "none") == 0)
                a->o.next_update = -1;
            else if (mockcli_parse_i64(&a->o.next_update, v) != 0 ||
                     a->o.next_update < 0)
                return usage_error("bad --next-update", v);
            a->have_next = 1;
        } else if (strcmp(o, "--produced-at") == 0) {
            if (mockcli_parse_i64(&a->o.produced_at, v) != 0)
                return usage_error("bad --produced-at", v);
            a->have_produced = 1;
        } else if (strcmp(o, "--revoked-at") == 0) {
            if (mockcli_parse_i64(&a->o.revoked_at, v) != 0)
                return usage_error("bad --revoked-at", v);
        } else if (strcmp(o, "--nonce") == 0) {
            size_t n;
            if (mockcli_parse_hex(a->nonce, sizeof(a->nonce), &n, v) != 0)
                return usage_error("--nonce needs 1..64 hex bytes", v);
            a->o.nonce = a->nonce;
            a->o.nonce_len = n;
        } else {
            return usage_error("unknown option", o);
        }
    }
    if (a->pki_dir == NULL || a->out == NULL || !a->have_cert)
        return usage_error("nvidia ocsp needs --pki, --cert and -o", NULL);
    if (a->rim ? a->cert > 2 : a->cert > 3)
        return usage_error(a->rim ? "--cert must be 0..2 for the RIM chain"
                                  : "--cert must be 0..3 for the device chain",
                           NULL);
    if (a->have_this && !a->have_next)
        a->o.next_update = a->o.this_update + 86400;
    if (a->have_this && !a->have_produced)
        a->o.produced_at = a->o.this_update;
    return 0;
}

/* The issuer (certificate and key) of chain position pos. */
static void issuer_of(const nvgen_keycert **out, const nvgen_pki *p,
                      const ocsp_args *a)
{
    const nvgen_keycert *dev[4] = {&p->dev[a->gpu].brom, &p->ica,
                                   &p->identity, &p->dev_root};
    const nvgen_keycert *rim[3] = {&p->rim_l3, &p->rim_ca, &p->rim_root};
    *out = a->rim ? rim[a->cert] : dev[a->cert];
}

static int ocsp_make(ocsp_args *a)
{
    nvgen_pki *pki = NULL;
    OCSP_RESPONSE *r = NULL;
    EVP_PKEY *wrong = NULL;
    nvgen_keycert noeku = {NULL, NULL};
    const nvgen_keycert *iss;
    unsigned char *der = NULL;
    int len = -1, rc = load_pki(&pki, a->pki_dir);
    if (rc != 0)
        return rc;
    if (!a->rim && a->gpu >= pki->n_devices) {
        rc = usage_error("--gpu beyond the PKI's devices", NULL);
        goto done;
    }
    issuer_of(&iss, pki, a);
    if (a->by_issuer) {
        a->o.responder = iss->cert;
        a->o.responder_key = iss->key;
    }
    if (a->no_eku) {
        if (nvgen_responder_issue(&noeku.cert, &noeku.key, iss->cert,
                                  iss->key, "NVIDIA OCSP Responder No EKU", 0,
                                  0x9001) != 0) {
            rc = failure("cannot issue responder", NULL);
            goto done;
        }
        a->o.responder = noeku.cert;
        a->o.responder_key = noeku.key;
    }
    if (a->wrong_key) {
        if (snpgen_ec_p384_keygen(&wrong) != 0) {
            rc = failure("key generation failed", NULL);
            goto done;
        }
        a->o.signing_key = wrong;
    }
    if (nvgen_pki_ocsp(&r, pki, a->rim ? NVGEN_CHAIN_RIM : NVGEN_CHAIN_DEVICE,
                       (size_t)a->gpu, (size_t)a->cert, &a->o) == 0)
        len = i2d_OCSP_RESPONSE(r, &der);
    if (len <= 0)
        rc = failure("OCSP response generation failed", NULL);
    else if (mockcli_write_file(a->out, der, (size_t)len) != 0)
        rc = failure("cannot write OCSP response", a->out);
done:
    OPENSSL_free(der);
    OCSP_RESPONSE_free(r);
    EVP_PKEY_free(wrong);
    EVP_PKEY_free(noeku.key);
    X509_free(noeku.cert);
    nvgen_pki_free(pki);
    return rc;
}

static int cmd_ocsp(int argc, char **argv)
{
    ocsp_args *a = calloc(1, sizeof(*a));
    int rc;
    if (a == NULL)
        return failure("out of memory", NULL);
    nvgen_ocsp_opts_init(&a->o);
    rc = ocsp_parse(a, argc, argv);
    if (rc == 0)
        rc = ocsp_make(a);
    free(a);
    return rc;
}

/* ------------------------------------------------------------------------ */

int attest_mock_nvidia_main(int argc, char **argv)
{
    static const mockcli_cmd cmds[] = {{"pki", cmd_pki},
                                       {"report", cmd_report},
                                       {"rim", cmd_rim},
                                       {"ocsp", cmd_ocsp}};
    /* argv[0] is "nvidia" */
    return mockcli_dispatch(&cli, argc - 1, argv + 1, 1,
                            "missing nvidia command (pki, report, rim, ocsp)",
                            "unknown nvidia command", cmds, 4);
}
