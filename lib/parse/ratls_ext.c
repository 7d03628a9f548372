/* RA-TLS evidence extensions (ratls_ext.h). The outer CBOR of TCG tagged
 * evidence is read by hand so that the quote and the claims bytes are
 * located in the extension itself (the claims are hashed exactly as
 * carried); the claims map is decoded with libcbor. Steward's DER is read
 * with a bounded TLV reader. Every length is checked against what is left
 * before it is used. */
#include "ratls_ext.h"

#include <cbor.h>
#include <string.h>

static const struct {
    ratls_carrier carrier;
    const char *name;
    uint8_t oid[12];
    size_t len;
} carriers[] = {
    {RATLS_CARRIER_TCG_DICE, "tcg-dice-tagged-evidence", {0x67, 0x81, 0x05, 0x05, 0x04, 0x09}, 6},
    /* Gramine put the DER tag and length of 1.2.840.113741.1337.6 inside
     * the OID's value (kept for compatibility): match those exact bytes. */
    {RATLS_CARRIER_GRAMINE_LEGACY, "gramine-legacy-sgx",
     {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x8A, 0x39, 0x06}, 11},
    {RATLS_CARRIER_INTEL_LEGACY, "intel-sgx-sdk-legacy",
     {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01}, 9},
    {RATLS_CARRIER_OE, "open-enclave", {0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x69, 0x01}, 9},
    {RATLS_CARRIER_OE_LEGACY, "open-enclave-legacy",
     {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x14, 0x0A, 0x01, 0x01}, 9},
    {RATLS_CARRIER_STEWARD_SGX, "steward-sgx",
     {0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0xC7, 0x1E, 0x01, 0x02}, 10},
    {RATLS_CARRIER_STEWARD_SNP, "steward-snp",
     {0x2B, 0x06, 0x01, 0x04, 0x01, 0x83, 0xC7, 0x1E, 0x01, 0x03}, 10},
};
#define N_CARRIERS (sizeof carriers / sizeof carriers[0])

ratls_carrier ratls_carrier_of(const uint8_t *oid, size_t len)
{
    for (size_t i = 0; oid && i < N_CARRIERS; i++)
        if (carriers[i].len == len && memcmp(carriers[i].oid, oid, len) == 0)
            return carriers[i].carrier;
    return RATLS_CARRIER_NONE;
}

const char *ratls_carrier_name(ratls_carrier c)
{
    for (size_t i = 0; i < N_CARRIERS; i++)
        if (carriers[i].carrier == c)
            return carriers[i].name;
    return "none";
}

/* ---- CBOR heads (RFC 8949 §3): definite lengths only ------------------ */

typedef struct span {
    const uint8_t *p;
    size_t off, end;
} span;

static int cbor_head(span *s, const char *field, unsigned *major, uint64_t *val)
{
    if (s->off >= s->end)
        return attest_set_error(ATTEST_E_TRUNCATED, "%s: missing", field);
    uint8_t b = s->p[s->off++];
    unsigned ai = b & 31u, n = ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : ai == 27 ? 8 : 0;
    *major = b >> 5;
    if (ai > 27)
        return attest_set_error(ATTEST_E_MALFORMED, "%s: indefinite or reserved length "
                                "(additional information %u)", field, ai);
    if (n > s->end - s->off)
        return attest_set_error(ATTEST_E_TRUNCATED, "%s: length runs past the end", field);
    *val = ai < 24 ? ai : 0;
    for (unsigned i = 0; i < n; i++)
        *val = (*val << 8) | s->p[s->off++];
    return 0;
}

static int cbor_bstr(span *s, const char *field, const uint8_t **p, size_t *len)
{
    unsigned major;
    uint64_t n;
    int st = cbor_head(s, field, &major, &n);
    if (st)
        return st;
    if (major != 2)
        return attest_set_error(ATTEST_E_MALFORMED, "%s: CBOR major type %u, not a byte string",
                                field, major);
    if (n > s->end - s->off)
        return attest_set_error(ATTEST_E_TRUNCATED, "%s: %llu bytes, %zu left", field,
                                (unsigned long long)n, s->end - s->off);
    *p = s->p + s->off;
    *len = (size_t)n;
    s->off += (size_t)n;
    return 0;
}

/* ---- the claims map (libcbor) ------------------------------------------ */

static cbor_item_t *cbor_whole(const uint8_t *p, size_t len, const char *field, int *st)
{
    struct cbor_load_result res;
    cbor_item_t *item = cbor_load(p, len, &res);
    *st = 0;
    if (!item || res.error.code != CBOR_ERR_NONE)
        *st = attest_set_error(res.error.code == CBOR_ERR_NOTENOUGHDATA ? ATTEST_E_TRUNCATED
                                                                         : ATTEST_E_MALFORMED,
                               "%s: not CBOR (libcbor error %d at byte %zu)", field,
                               (int)res.error.code, res.error.position);
    else if (res.read != len)
        *st = attest_set_error(ATTEST_E_RATLS_TRAILING, "%s: %zu bytes after the CBOR item",
                               field, len - res.read);
    if (*st && item) {
        cbor_decref(&item);
        item = NULL;
    }
    return item;
}

static bool definite_bytes(const cbor_item_t *it)
{
    return it && cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it);
}

/* pubkey-hash: bstr holding CBOR [alg, hash], alg 1/7/8 with its length. */
static int claims_key_hash(ratls_evidence *out, const cbor_item_t *v)
{
    const char *f = "ratls.claims.pubkey-hash";
    if (!definite_bytes(v))
        return attest_set_error(ATTEST_E_MALFORMED, "%s: not a byte string", f);
    int st;
    cbor_item_t *a = cbor_whole(cbor_bytestring_handle(v), cbor_bytestring_length(v), f, &st);
    if (!a)
        return st;
    st = ATTEST_E_MALFORMED;
    if (cbor_isa_array(a) && cbor_array_is_definite(a) && cbor_array_size(a) == 2) {
        cbor_item_t **e = cbor_array_handle(a);
        uint64_t alg = cbor_isa_uint(e[0]) ? cbor_get_int(e[0]) : 0;
        size_t want = alg == 1 ? 32 : alg == 7 ? 48 : alg == 8 ? 64 : 0;
        if (want && definite_bytes(e[1]) && cbor_bytestring_length(e[1]) == want) {
            out->key_hash_alg = (unsigned)alg;
            out->key_hash_len = want;
            memcpy(out->key_hash, cbor_bytestring_handle(e[1]), want);
            st = 0;
        }
    }
    cbor_decref(&a);
    return st ? attest_set_error(st, "%s: not [alg 1|7|8, hash of that length]", f) : 0;
}

static int claims_nonce(ratls_evidence *out, const cbor_item_t *v)
{
    if (!definite_bytes(v) || cbor_bytestring_length(v) == 0 ||
        cbor_bytestring_length(v) > sizeof out->nonce)
        return attest_set_error(ATTEST_E_MALFORMED, "ratls.claims.nonce: not a byte string "
                                "of 1..64 bytes");
    out->has_nonce = true;
    out->nonce_len = cbor_bytestring_length(v);
    memcpy(out->nonce, cbor_bytestring_handle(v), out->nonce_len);
    return 0;
}

/* One claim: the two this verifier reads, each at most once; others are
 * the application's and ignored. */
static int claims_entry(ratls_evidence *out, const struct cbor_pair *pair)
{
    const cbor_item_t *k = pair->key;
    if (!k || !cbor_isa_string(k) || !cbor_string_is_definite(k))
        return attest_set_error(ATTEST_E_MALFORMED, "ratls.claims: a key is not a text string");
    size_t n = cbor_string_length(k);
    const char *name = (const char *)cbor_string_handle(k);
    bool key_hash = n == 11 && memcmp(name, "pubkey-hash", 11) == 0;
    bool nonce = n == 5 && memcmp(name, "nonce", 5) == 0;
    if ((key_hash && out->key_hash_alg) || (nonce && out->has_nonce))
        return attest_set_error(ATTEST_E_MALFORMED, "ratls.claims: \"%s\" twice",
                                key_hash ? "pubkey-hash" : "nonce");
    if (key_hash)
        return claims_key_hash(out, pair->value);
    return nonce ? claims_nonce(out, pair->value) : 0;
}

static int parse_claims(ratls_evidence *out)
{
    if (out->claims_len > RATLS_CLAIMS_MAX)
        return attest_set_error(ATTEST_E_LENGTH, "ratls.claims: %zu bytes, at most %d",
                                out->claims_len, RATLS_CLAIMS_MAX);
    int st;
    cbor_item_t *m = cbor_whole(out->claims, out->claims_len, "ratls.claims", &st);
    if (!m)
        return st;
    if (!cbor_isa_map(m) || !cbor_map_is_definite(m))
        st = attest_set_error(ATTEST_E_MALFORMED, "ratls.claims: not a definite CBOR map");
    struct cbor_pair *pairs = st ? NULL : cbor_map_handle(m);
    for (size_t i = 0; !st && i < cbor_map_size(m); i++)
        st = claims_entry(out, &pairs[i]);
    cbor_decref(&m);
    return st;
}

/* TCG tagged evidence: tag(60000) [quote bstr, claims bstr], nothing after. */
static int parse_tcg(ratls_evidence *out, const uint8_t *v, size_t len)
{
    span s = {v, 0, len};
    unsigned major;
    uint64_t val;
    int st = cbor_head(&s, "ratls.tcg.tag", &major, &val);
    if (st)
        return st;
    if (major != 6)
        return attest_set_error(ATTEST_E_MALFORMED, "ratls.tcg.tag: CBOR major type %u, not a "
                                "tag", major);
    out->tag = val;
    if (val == RATLS_TAG_TDX_REPORT || val == RATLS_TAG_SGX_REPORT)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION, "ratls.tcg.tag: %llu is a local "
                                "report, which no remote verifier can check",
                                (unsigned long long)val);
    if (val != RATLS_TAG_INTEL_QUOTE)
        return attest_set_error(ATTEST_E_RATLS_UNKNOWN_TAG, "ratls.tcg.tag: %llu (known: 60000 "
                                "Intel TEE quote)", (unsigned long long)val);
    if ((st = cbor_head(&s, "ratls.tcg.array", &major, &val)))
        return st;
    if (major != 4 || val != 2)
        return attest_set_error(ATTEST_E_MALFORMED, "ratls.tcg.array: not an array of 2");
    if ((st = cbor_bstr(&s, "ratls.tcg.quote", &out->evidence, &out->evidence_len)) ||
        (st = cbor_bstr(&s, "ratls.tcg.claims", &out->claims, &out->claims_len)))
        return st;
    if (s.off != len)
        return attest_set_error(ATTEST_E_RATLS_TRAILING, "ratls.tcg: %zu bytes after the tagged "
                                "evidence", len - s.off);
    return parse_claims(out);
}

/* Open Enclave: oe_report_header {u32 version 1, u32 type 2 (remote), u64
 * size} then exactly `size` bytes of quote. */
static int parse_oe(ratls_evidence *out, const uint8_t *v, size_t len)
{
    if (len < 16)
        return attest_set_error(ATTEST_E_TRUNCATED, "ratls.oe.header: %zu bytes, 16 needed", len);
    uint32_t version = attest_le32(v), type = attest_le32(v + 4);
    uint64_t size = attest_le64(v + 8);
    if (version != 1 || type != 2)
        return attest_set_error(ATTEST_E_MALFORMED, "ratls.oe.header: version %u type %u "
                                "(1 and 2 = remote report expected)", version, type);
    if (size > len - 16)
        return attest_set_error(ATTEST_E_TRUNCATED, "ratls.oe.header.size: %llu, %zu bytes "
                                "follow", (unsigned long long)size, len - 16);
    if (size < len - 16)
        return attest_set_error(ATTEST_E_RATLS_TRAILING, "ratls.oe: %zu bytes after the report "
                                "of %llu", len - 16 - (size_t)size, (unsigned long long)size);
    out->evidence = v + 16;
    out->evidence_len = (size_t)size;
    return 0;
}

/* ---- DER TLVs (single-byte tags, definite lengths) --------------------- */

typedef struct tlv {
    uint8_t tag;
    size_t hdr;        /* offset of the tag byte */
    size_t off, len;   /* the content */
} tlv;

static int der_next(span *s, uint8_t want, const char *field, tlv *t)
{
    if (s->end - s->off < 2)
        return attest_set_error(ATTEST_E_TRUNCATED, "%s: missing", field);
    t->hdr = s->off;
    t->tag = s->p[s->off++];
    size_t n = s->p[s->off++], len = n;
    if (n & 0x80) {
        n &= 0x7f;
        if (n == 0 || n > 4 || n > s->end - s->off)
            return attest_set_error(ATTEST_E_MALFORMED, "%s: bad DER length", field);
        for (len = 0; n; n--)
            len = (len << 8) | s->p[s->off++];
    }
    if (t->tag != want)
        return attest_set_error(ATTEST_E_MALFORMED, "%s: DER tag 0x%02x, 0x%02x expected",
                                field, t->tag, want);
    if (len > s->end - s->off)
        return attest_set_error(ATTEST_E_TRUNCATED, "%s: %zu bytes, %zu left", field, len,
                                s->end - s->off);
    t->off = s->off;
    t->len = len;
    s->off += len;
    return 0;
}

static span inside(const span *s, const tlv *t)
{
    return (span){s->p, t->off, t->off + t->len};
}

static int der_done(const span *s, const char *field)
{
    return s->off == s->end ? 0
                            : attest_set_error(ATTEST_E_RATLS_TRAILING, "%s: %zu bytes after it",
                                               field, s->end - s->off);
}

/* Steward SNP: SEQ{ SEQ{ vcek Certificate, crls SEQ{ SEQ OF SEQ{url
 * UTF8String, CertificateList} } }, report OCTET STRING } (the real
 * requests wrap the list once more). */
static int steward_crls(ratls_evidence *out, span wrap)
{
    tlv list;
    int wst = der_next(&wrap, 0x30, "ratls.steward.crls", &list);
    if (wst || (wst = der_done(&wrap, "ratls.steward.crls")))
        return wst;
    span crls = inside(&wrap, &list);
    while (crls.off < crls.end) {
        tlv entry, url, crl;
        int st = der_next(&crls, 0x30, "ratls.steward.crls[]", &entry);
        span e = inside(&crls, &entry);
        if (st || (st = der_next(&e, 0x0C, "ratls.steward.crls[].url", &url)) ||
            (st = der_next(&e, 0x30, "ratls.steward.crls[].crl", &crl)) ||
            (st = der_done(&e, "ratls.steward.crls[]")))
            return st;
        if (out->crl_count == RATLS_MAX_CRLS)
            return attest_set_error(ATTEST_E_LENGTH, "ratls.steward.crls: more than %d",
                                    RATLS_MAX_CRLS);
        out->crls[out->crl_count] = crls.p + crl.hdr;
        out->crl_lens[out->crl_count++] = crl.off + crl.len - crl.hdr;
    }
    return 0;
}

static int parse_steward_snp(ratls_evidence *out, const uint8_t *v, size_t len)
{
    span s = {v, 0, len};
    tlv outer, crts, vcek, crls, report;
    int st = der_next(&s, 0x30, "ratls.steward.snp", &outer);
    if (st || (st = der_done(&s, "ratls.steward.snp")))
        return st;
    span o = inside(&s, &outer);
    if ((st = der_next(&o, 0x30, "ratls.steward.crts", &crts)))
        return st;
    span c = inside(&o, &crts);
    if ((st = der_next(&c, 0x30, "ratls.steward.vcek", &vcek)) ||
        (st = der_next(&c, 0x30, "ratls.steward.crls", &crls)) ||
        (st = der_done(&c, "ratls.steward.crts")) ||
        (st = der_next(&o, 0x04, "ratls.steward.report", &report)) ||
        (st = der_done(&o, "ratls.steward.snp")) ||
        (st = steward_crls(out, inside(&c, &crls))))
        return st;
    out->vcek = v + vcek.hdr;
    out->vcek_len = vcek.off + vcek.len - vcek.hdr;
    out->evidence = v + report.off;
    out->evidence_len = report.len;
    return 0;
}

/* Steward SGX: SEQ{ quote OCTET STRING, tcb SEQ, crls SEQ }; the quote is
 * the evidence, its collateral comes from the caller. */
static int parse_steward_sgx(ratls_evidence *out, const uint8_t *v, size_t len)
{
    span s = {v, 0, len};
    tlv outer, quote, tcb, crls;
    int st = der_next(&s, 0x30, "ratls.steward.sgx", &outer);
    if (st || (st = der_done(&s, "ratls.steward.sgx")))
        return st;
    span o = inside(&s, &outer);
    if ((st = der_next(&o, 0x04, "ratls.steward.quote", &quote)) ||
        (st = der_next(&o, 0x30, "ratls.steward.tcb", &tcb)) ||
        (st = der_next(&o, 0x30, "ratls.steward.crls", &crls)) ||
        (st = der_done(&o, "ratls.steward.sgx")))
        return st;
    out->evidence = v + quote.off;
    out->evidence_len = quote.len;
    return 0;
}

int ratls_parse_value(ratls_evidence *out, ratls_carrier c, const uint8_t *v, size_t len)
{
    memset(out, 0, sizeof *out);
    out->carrier = c;
    if (!v || len == 0)
        return attest_set_error(ATTEST_E_TRUNCATED, "ratls.%s: empty extension",
                                ratls_carrier_name(c));
    switch (c) {
    case RATLS_CARRIER_TCG_DICE: return parse_tcg(out, v, len);
    case RATLS_CARRIER_OE:
    case RATLS_CARRIER_OE_LEGACY: return parse_oe(out, v, len);
    case RATLS_CARRIER_STEWARD_SNP: return parse_steward_snp(out, v, len);
    case RATLS_CARRIER_STEWARD_SGX: return parse_steward_sgx(out, v, len);
    case RATLS_CARRIER_GRAMINE_LEGACY:
    case RATLS_CARRIER_INTEL_LEGACY:
        /* The raw quote: its own lengths end it (the DCAP parser judges). */
        out->evidence = v;
        out->evidence_len = len;
        return 0;
    default:
        return attest_set_error(ATTEST_E_INVALID_ARG, "ratls: no carrier");
    }
}

int ratls_find_evidence(ratls_evidence *out, const ratls_ext *exts, size_t n, unsigned accept)
{
    unsigned seen = 0;
    size_t pick = n;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        ratls_carrier c = ratls_carrier_of(exts[i].oid, exts[i].oid_len);
        if (c == RATLS_CARRIER_NONE)
            continue;
        if (seen & RATLS_CARRIER_BIT(c))
            return attest_set_error(ATTEST_E_RATLS_DUPLICATE, "ratls.extension: %s twice",
                                    ratls_carrier_name(c));
        seen |= RATLS_CARRIER_BIT(c);
        if (!(accept & RATLS_CARRIER_BIT(c)))
            continue;
        if (pick != n)
            return attest_set_error(ATTEST_E_RATLS_DUPLICATE, "ratls.extension: %s and %s both "
                                    "carry evidence the rule takes; which one binds is "
                                    "ambiguous", ratls_carrier_name(ratls_carrier_of(
                                        exts[pick].oid, exts[pick].oid_len)),
                                    ratls_carrier_name(c));
        pick = i;
    }
    if (pick == n)
        return attest_set_error(ATTEST_E_RATLS_NO_EVIDENCE, "ratls.extension: none the binding "
                                "rule takes");
    return ratls_parse_value(out, ratls_carrier_of(exts[pick].oid, exts[pick].oid_len),
                             exts[pick].value, exts[pick].value_len);
}
