/* NVIDIA evidence JSON containers: the formats NVIDIA's tools wrap device
 * reports and their certificate chains in (NVAT serialized evidence, the
 * nvtrust / NRAS request, go-nvattest-tools' jsonpickle dump), read into an
 * evidence set; each report is parsed by nv_report_parse. Pure parsing. */
#include "nv_container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool nv_evidence_json_detect(const uint8_t *data, size_t len)
{
    if (!data)
        return false;
    size_t i = 0;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        i = 3; /* UTF-8 byte order mark */
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
                       data[i] == '\n'))
        i++;
    if (i >= len || (data[i] != '[' && data[i] != '{'))
        return false;
    static const char *const markers[] = {
        "\"evidence\"", "\"evidence_list\"", "\"AttestationReport\"",
        "\"attestation_report\"",
    };
    for (size_t m = 0; m < sizeof markers / sizeof markers[0]; m++) {
        size_t ml = strlen(markers[m]);
        for (size_t j = i; j + ml <= len; j++)
            if (data[j] == '"' && memcmp(data + j, markers[m], ml) == 0)
                return true;
    }
    return false;
}

/* A string member, or a jsonpickle {"py/b64": "..."} object. */
static const char *b64_member(json_t *v, size_t *n)
{
    if (json_is_object(v))
        v = json_object_get(v, "py/b64");
    if (!json_is_string(v))
        return NULL;
    *n = json_string_length(v);
    return json_string_value(v);
}

static int container_b64(json_t *v, const char *path, uint8_t **out, size_t *out_len)
{
    size_t n = 0;
    const char *s = b64_member(v, &n);
    if (!s)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: missing, or not a base64 string", path);
    int rc = attest_base64_decode(s, n, out, out_len);
    if (rc == -2)
        return attest_set_error(ATTEST_E_NOMEM, "%s: out of memory", path);
    if (rc != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "%s: invalid base64", path);
    return ATTEST_OK;
}

static int device_report(nv_device_evidence *d, json_t *v, const char *path)
{
    uint8_t *bytes;
    size_t n;
    int st = container_b64(v, path, &bytes, &n);
    if (st != ATTEST_OK)
        return st;
    st = nv_report_parse(&d->report, bytes, n);
    free(bytes);
    if (st != ATTEST_OK) {
        char detail[400];
        snprintf(detail, sizeof detail, "%s", attest_error_last());
        return attest_set_error(st, "%s: %s", path, detail);
    }
    return ATTEST_OK;
}

/* Append base64-encoded PEM text to the device chain. */
static int device_chain_append(nv_device_evidence *d, json_t *v, const char *path)
{
    uint8_t *bytes;
    size_t n;
    int st = container_b64(v, path, &bytes, &n);
    if (st != ATTEST_OK)
        return st;
    while (n > 0 && bytes[n - 1] == 0)
        n--;
    if (n == 0 || memchr(bytes, 0, n)) {
        free(bytes);
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: %s, not PEM text", path,
                                n == 0 ? "empty" : "holds a NUL byte");
    }
    size_t old = d->chain_pem ? strlen(d->chain_pem) : 0;
    bool sep = old > 0 && d->chain_pem[old - 1] != '\n';
    char *chain = realloc(d->chain_pem, old + sep + n + 1);
    if (!chain) {
        free(bytes);
        return attest_set_error(ATTEST_E_NOMEM, "%s: out of memory", path);
    }
    if (sep)
        chain[old] = '\n';
    memcpy(chain + old + sep, bytes, n);
    chain[old + sep + n] = '\0';
    d->chain_pem = chain;
    free(bytes);
    return ATTEST_OK;
}

static int device_nonce(nv_device_evidence *d, json_t *v, const char *path)
{
    if (!v || json_is_null(v))
        return ATTEST_OK;
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) != 64 || attest_hex_decode(d->nonce, 32, s) != 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s.nonce: not a string of 64 hex digits", path);
    d->has_nonce = true;
    return ATTEST_OK;
}

static int device_arch(nv_device_evidence *d, const char *arch, const char *path)
{
    if (!arch)
        return ATTEST_OK;
    size_t n = strlen(arch);
    if (n >= sizeof d->arch)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s.arch: %zu characters, at most %zu", path, n,
                                sizeof d->arch - 1);
    memcpy(d->arch, arch, n + 1);
    return ATTEST_OK;
}

static int check_count(size_t n, const char *path)
{
    if (n == 0)
        return attest_set_error(ATTEST_E_MALFORMED, "%s: no device evidence", path);
    if (n > NV_MAX_DEVICES)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: %zu devices, at most %d (8 GPUs + 4 NVSwitches)",
                                path, n, NV_MAX_DEVICES);
    return ATTEST_OK;
}

/* One {evidence, certificate, nonce, arch} item of a container. A nonce or
 * arch the item lacks is taken from `defaults` (the NRAS request carries
 * them once for all items), when given. */
static int parse_item(nv_evidence_set *s, json_t *e, const char *path, json_t *defaults)
{
    char sub[96];
    if (!json_is_object(e))
        return attest_set_error(ATTEST_E_MALFORMED, "%s: not an object", path);
    nv_device_evidence *d = &s->devices[s->count++];
    snprintf(sub, sizeof sub, "%s.evidence", path);
    int st = device_report(d, json_object_get(e, "evidence"), sub);
    json_t *cert = json_object_get(e, "certificate");
    if (st == ATTEST_OK && cert && !json_is_null(cert)) {
        snprintf(sub, sizeof sub, "%s.certificate", path);
        st = device_chain_append(d, cert, sub);
    }
    json_t *nonce = json_object_get(e, "nonce"), *arch = json_object_get(e, "arch");
    if (st == ATTEST_OK)
        st = nonce || !defaults ? device_nonce(d, nonce, path)
                                : device_nonce(d, json_object_get(defaults, "nonce"),
                                               "nvidia.evidence");
    if (st == ATTEST_OK)
        st = arch || !defaults ? device_arch(d, json_string_value(arch), path)
                               : device_arch(d, json_string_value(json_object_get(defaults, "arch")),
                                             "nvidia.evidence");
    return st;
}

/* NVAT serialized evidence: [{arch, nonce, evidence, certificate, ...}]. */
static int parse_nvat(nv_evidence_set *s, json_t *root)
{
    size_t n = json_array_size(root);
    int st = check_count(n, "nvidia.evidence");
    for (size_t i = 0; st == ATTEST_OK && i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "nvidia.evidence[%zu]", i);
        st = parse_item(s, json_array_get(root, i), path, NULL);
    }
    return st;
}

/* nvtrust / NRAS request: {nonce, arch, evidence_list:[{certificate, evidence}]}. */
static int parse_nras(nv_evidence_set *s, json_t *root)
{
    json_t *list = json_object_get(root, "evidence_list");
    if (!json_is_array(list))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.evidence.evidence_list: not an array");
    size_t n = json_array_size(list);
    int st = check_count(n, "nvidia.evidence.evidence_list");
    for (size_t i = 0; st == ATTEST_OK && i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "nvidia.evidence.evidence_list[%zu]", i);
        st = parse_item(s, json_array_get(list, i), path, root);
    }
    return st;
}

/* A go-nvattest-tools / jsonpickle certificate list: [{"pem": b64}, ...]. */
static int pem_list(nv_device_evidence *d, json_t *list, const char *path)
{
    if (!json_is_array(list) || json_array_size(list) == 0)
        return attest_set_error(ATTEST_E_MALFORMED, "%s: missing or empty", path);
    for (size_t j = 0; j < json_array_size(list); j++) {
        json_t *c = json_array_get(list, j);
        char sub[128];
        snprintf(sub, sizeof sub, "%s[%zu].pem", path, j);
        int st = device_chain_append(d, json_is_object(c) ? json_object_get(c, "pem") : c,
                                     sub);
        if (st != ATTEST_OK)
            return st;
    }
    return ATTEST_OK;
}

static const char *nvml_arch_name(json_t *v)
{
    if (!json_is_integer(v))
        return NULL;
    switch (json_integer_value(v)) {
    case 9: return "HOPPER";     /* NVML_DEVICE_ARCH_HOPPER */
    case 10: return "BLACKWELL"; /* NVML_DEVICE_ARCH_BLACKWELL */
    default: return NULL;
    }
}

/* One GPU of a go-nvattest-tools document. */
static int parse_go_gpu(nv_device_evidence *d, json_t *e, const char *path, json_t *nonce)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%s.AttestationReport", path);
    int st = device_report(d, json_object_get(e, "AttestationReport"), sub);
    if (st == ATTEST_OK) {
        snprintf(sub, sizeof sub, "%s.CertificateChains.GpuAttestationCertificateChain", path);
        st = pem_list(d,
                      json_object_get(json_object_get(e, "CertificateChains"),
                                      "GpuAttestationCertificateChain"),
                      sub);
    }
    if (st == ATTEST_OK)
        st = device_nonce(d, nonce, "nvidia.evidence");
    if (st == ATTEST_OK) {
        const char *arch = json_string_value(json_object_get(e, "Arch"));
        st = device_arch(d, arch ? arch : nvml_arch_name(json_object_get(e, "GPUArchitecture")),
                         path);
    }
    return st;
}

/* One NVSwitch of a go-nvattest-tools document. */
static int parse_go_switch(nv_device_evidence *d, json_t *e, const char *path, json_t *nonce)
{
    char sub[128];
    snprintf(sub, sizeof sub, "%s.attestation_report", path);
    int st = device_report(d, json_object_get(e, "attestation_report"), sub);
    if (st == ATTEST_OK) {
        snprintf(sub, sizeof sub, "%s.attestation_cert_chain", path);
        st = pem_list(d, json_object_get(e, "attestation_cert_chain"), sub);
    }
    if (st == ATTEST_OK)
        st = device_nonce(d, nonce, "nvidia.evidence");
    if (st == ATTEST_OK)
        st = device_arch(d, "LS10", path);
    return st;
}

/* go-nvattest-tools (nvtrust debug JSON, jsonpickle):
 * {"gpus":[{AttestationReport:{py/b64}, CertificateChains:
 *   {GpuAttestationCertificateChain:[{pem}]}, Arch|GPUArchitecture}],
 *  "nvswitches":[{attestation_report:{py/b64}, attestation_cert_chain:[{pem}]}]} */
static int parse_go(nv_evidence_set *s, json_t *root)
{
    json_t *gpus = json_object_get(root, "gpus");
    json_t *switches = json_object_get(root, "nvswitches");
    if ((gpus && !json_is_null(gpus) && !json_is_array(gpus)) ||
        (switches && !json_is_null(switches) && !json_is_array(switches)))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.evidence: gpus / nvswitches is not an array");
    size_t ng = json_array_size(gpus), ns = json_array_size(switches);
    int st = check_count(ng + ns, "nvidia.evidence");
    json_t *nonce = json_object_get(root, "nonce");
    for (size_t i = 0; st == ATTEST_OK && i < ng + ns; i++) {
        bool gpu = i < ng;
        json_t *e = gpu ? json_array_get(gpus, i) : json_array_get(switches, i - ng);
        char path[64];
        snprintf(path, sizeof path, "nvidia.evidence.%s[%zu]", gpu ? "gpus" : "nvswitches",
                 gpu ? i : i - ng);
        if (!json_is_object(e))
            return attest_set_error(ATTEST_E_MALFORMED, "%s: not an object", path);
        nv_device_evidence *d = &s->devices[s->count++];
        st = gpu ? parse_go_gpu(d, e, path, nonce) : parse_go_switch(d, e, path, nonce);
    }
    return st;
}

int nv_evidence_json_parse(nv_evidence_set *out, const uint8_t *data, size_t len)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "nvidia.evidence: NULL argument");
    memset(out, 0, sizeof *out);
    if (!data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "nvidia.evidence: NULL argument");
    json_error_t err;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.evidence: not JSON (line %d column %d: %s)",
                                err.line, err.column, err.text);
    int st;
    if (json_is_array(root))
        st = parse_nvat(out, root);
    else if (json_is_object(root) && json_object_get(root, "evidence_list"))
        st = parse_nras(out, root);
    else if (json_is_object(root) &&
             (json_object_get(root, "gpus") || json_object_get(root, "nvswitches")))
        st = parse_go(out, root);
    else
        st = attest_set_error(ATTEST_E_FORMAT_UNKNOWN,
                              "nvidia.evidence: JSON of no known container shape (NVAT "
                              "array, evidence_list, gpus/nvswitches)");
    json_decref(root);
    if (st != ATTEST_OK)
        nv_evidence_set_release(out);
    return st;
}
