/* Azure runtime claims parser (azure_hcl.h): the JSON that the HCL report
 * carries and binds through REPORT_DATA. research/azure.md section 3. The
 * AK is chosen by kid, never by position (Constellation took keys[0]), and
 * a second key with the same kid is refused: which of two AKs a verifier
 * would use must never be a question. */
#include "azure_hcl.h"

#include <string.h>

#define KID_AK "HCLAkPub"
#define KID_EK "HCLEkPub"

/* Strict unpadded base64url into a fixed buffer; leading zero bytes are
 * refused as JWK (RFC 7518 section 6.3.1) demands, so one key has one
 * spelling. */
static int jwk_int(const char *kid, const char *name, json_t *v, uint8_t *out,
                   size_t max, size_t *out_len)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    if (!json_is_string(v))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys[%s]"
                                ".%s: missing or not a string", kid, name);
    int rc = attest_base64url_decode(json_string_value(v), json_string_length(v),
                                     &buf, &n);
    if (rc == -2)
        return attest_set_error(ATTEST_E_NOMEM, "azure.runtime_claims: out of memory");
    const char *why = rc != 0 ? "not strict unpadded base64url"
                      : n == 0 || buf[0] == 0 ? "empty or leading zero byte"
                      : n > max ? "too long" : NULL;
    if (why) {
        free(buf);
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys[%s]"
                                ".%s: %s", kid, name, why);
    }
    memcpy(out, buf, n);
    *out_len = n;
    free(buf);
    return ATTEST_OK;
}

static int read_rsa_jwk(attest_rsa_jwk *k, json_t *key, const char *kid)
{
    json_t *kty = json_object_get(key, "kty");
    if (!json_is_string(kty) || strcmp(json_string_value(kty), "RSA") != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys[%s]"
                                ".kty: %s, expected \"RSA\"", kid,
                                json_is_string(kty) ? json_string_value(kty)
                                                    : "missing or not a string");
    int st = jwk_int(kid, "n", json_object_get(key, "n"), k->n, sizeof k->n, &k->n_len);
    if (st == ATTEST_OK)
        st = jwk_int(kid, "e", json_object_get(key, "e"), k->e, sizeof k->e, &k->e_len);
    k->present = st == ATTEST_OK;
    return st;
}

/* A key the claims name once at most (compared by the whole kid string:
 * json_string_length, so "HCLAkPub\u0000x" is another kid, not the AK). */
static int pick_key(attest_rsa_jwk *k, json_t *key, const char *kid, size_t index)
{
    if (k->present)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys[%zu]"
                                ".kid: a second \"%s\"", index, kid);
    return read_rsa_jwk(k, key, kid);
}

static int read_keys(attest_runtime_claims *c, json_t *keys)
{
    size_t i;
    json_t *key;
    if (!json_is_array(keys))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys: "
                                "missing or not an array");
    json_array_foreach(keys, i, key) {
        json_t *kid = json_object_get(key, "kid");
        if (!json_is_object(key) || !json_is_string(kid))
            return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys"
                                    "[%zu]: not an object with a string kid", i);
        const char *s = json_string_value(kid);
        size_t n = json_string_length(kid);
        int st = ATTEST_OK;
        if (n == strlen(KID_AK) && memcmp(s, KID_AK, n) == 0)
            st = pick_key(&c->ak, key, KID_AK, i);
        else if (n == strlen(KID_EK) && memcmp(s, KID_EK, n) == 0)
            st = pick_key(&c->ek, key, KID_EK, i);
        if (st != ATTEST_OK)
            return st;
    }
    if (!c->ak.present)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.keys: no "
                                "key with kid \"" KID_AK "\"");
    return ATTEST_OK;
}

static int read_bool(attest_tristate *out, json_t *vm, const char *name)
{
    json_t *v = json_object_get(vm, name);
    *out = ATTEST_ABSENT;
    if (!v)
        return ATTEST_OK;
    if (!json_is_boolean(v))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims."
                                "vm-configuration.%s: not a boolean", name);
    *out = json_is_true(v) ? ATTEST_TRUE : ATTEST_FALSE;
    return ATTEST_OK;
}

static int read_string(const char **out, json_t *vm, const char *name)
{
    json_t *v = json_object_get(vm, name);
    *out = NULL;
    if (!v)
        return ATTEST_OK;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims."
                                "vm-configuration.%s: not a string without NUL", name);
    *out = json_string_value(v);
    return ATTEST_OK;
}

static int read_vm_configuration(attest_runtime_claims *c, json_t *vm)
{
    int st;
    if (!json_is_object(vm))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims."
                                "vm-configuration: missing or not an object");
    if ((st = read_bool(&c->console_enabled, vm, "console-enabled")) ||
        (st = read_bool(&c->secure_boot, vm, "secure-boot")) ||
        (st = read_bool(&c->tpm_enabled, vm, "tpm-enabled")) ||
        (st = read_bool(&c->tpm_persisted, vm, "tpm-persisted")) ||
        (st = read_bool(&c->filtered_vpci_devices_allowed, vm,
                        "filtered-vpci-devices-allowed")) ||
        (st = read_string(&c->vm_unique_id, vm, "vmUniqueId")) ||
        (st = read_string(&c->root_cert_thumbprint, vm, "root-cert-thumbprint")))
        return st;
    json_t *t = json_object_get(vm, "current-time");
    if (t && !json_is_integer(t))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims."
                                "vm-configuration.current-time: not an integer");
    c->has_current_time = t != NULL;
    c->current_time = t ? (int64_t)json_integer_value(t) : 0;
    return ATTEST_OK;
}

static int read_user_data(attest_runtime_claims *c, json_t *v)
{
    if (!v)
        return ATTEST_OK;
    /* attest_hex_decode takes exactly 2 * 64 digits */
    if (!json_is_string(v) ||
        attest_hex_decode(c->user_data, sizeof c->user_data, json_string_value(v)) != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims.user-data: "
                                "not %zu hex digits", 2 * sizeof c->user_data);
    c->has_user_data = true;
    return ATTEST_OK;
}

static int load_document(json_t **root, const uint8_t *json, size_t len)
{
    json_error_t err;
    if (len > ATTEST_RUNTIME_CLAIMS_MAX)
        return attest_set_error(ATTEST_E_LENGTH, "azure.runtime_claims: %zu bytes, "
                                "more than %d", len, ATTEST_RUNTIME_CLAIMS_MAX);
    if (memchr(json, 0, len))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims: NUL byte "
                                "at offset %zu",
                                (size_t)((const uint8_t *)memchr(json, 0, len) - json));
    *root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &err);
    if (!*root)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims: not JSON "
                                "(%s at position %d)", err.text, err.position);
    if (!json_is_object(*root)) {
        json_decref(*root);
        return attest_set_error(ATTEST_E_MALFORMED, "azure.runtime_claims: not a "
                                "JSON object");
    }
    return ATTEST_OK;
}

int attest_runtime_claims_parse(attest_runtime_claims *out, const uint8_t *json, size_t len)
{
    attest_runtime_claims c;
    int st;
    memset(out, 0, sizeof *out);
    if (!json)
        return attest_set_error(ATTEST_E_INVALID_ARG, "azure.runtime_claims: NULL");
    memset(&c, 0, sizeof c);
    if ((st = load_document(&c.root, json, len)) != ATTEST_OK)
        return st;
    if ((st = read_keys(&c, json_object_get(c.root, "keys"))) != ATTEST_OK ||
        (st = read_vm_configuration(&c, json_object_get(c.root, "vm-configuration"))) ||
        (st = read_user_data(&c, json_object_get(c.root, "user-data")))) {
        json_decref(c.root);
        return st;
    }
    *out = c;
    return ATTEST_OK;
}

void attest_runtime_claims_free(attest_runtime_claims *c)
{
    if (!c)
        return;
    json_decref(c->root);
    memset(c, 0, sizeof *c);
}

static json_t *jwk_json(const attest_rsa_jwk *k)
{
    if (!k->present)
        return json_null();
    return json_pack("{s:o, s:o}", "n", attest_json_hex(k->n, k->n_len), "e",
                     attest_json_hex(k->e, k->e_len));
}

/* A copy of the document, not a reference: the evidence holding c->root is
 * shared read-only by threads, and jansson's json_incref/json_decref read
 * the reference count without an atomic load (a data race under TSan). */
json_t *attest_runtime_claims_to_json(const attest_runtime_claims *c)
{
    return json_pack("{s:o, s:o, s:o}", "document", json_deep_copy(c->root), "ak", jwk_json(&c->ak),
                     "ek", jwk_json(&c->ek));
}
