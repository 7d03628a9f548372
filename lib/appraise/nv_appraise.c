/* NVIDIA GPU / NVSwitch appraisal. Per device, after its evidence is
 * verified (lib/chain/nv_evidence.c: chain, signature, nonce, FWID, OCSP,
 * RIMs): golden measurements and versions; then across devices: their
 * count, feature mode and PPCIe topology. Steps and claim names follow
 * nvtrust's local verifier and NVIDIA's v3 claims (research/nvidia.md (b)). */
#include "nv_appraise.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NVDEC0_INDEX 35
#define NVDEC0_ENABLED 0xAA
#define NVDEC0_DISABLED 0x55

/* ---- versions ----------------------------------------------------------- */

/* Compare dotted versions component by component (decimal for drivers,
 * hexadecimal for VBIOS: "96.00.9F.00.01"). */
static int version_cmp(const char *a, const char *b, int base)
{
    while (*a || *b) {
        char *ea, *eb;
        unsigned long x = strtoul(a, &ea, base), y = strtoul(b, &eb, base);
        if (x != y)
            return x < y ? -1 : 1;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
        if (ea == a && eb == b && !*a && !*b)
            break;
        if (*ea && *ea != '.' && *eb && *eb != '.')
            return strcasecmp(ea, eb) < 0 ? -1 : strcasecmp(ea, eb) > 0;
        if ((*ea && *ea != '.') || (*eb && *eb != '.'))
            break;
    }
    return 0;
}

/* ---- per device --------------------------------------------------------- */

typedef struct device_ctx {
    attest_result *r;
    const nv_policy *p;
    char prefix[24];             /* "gpu0", "switch1" */
    json_t *claims;
} device_ctx;

static const char *cname(device_ctx *d, const char *check, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%s", d->prefix, check);
    return buf;
}

/* Golden values: active RIM measurements of both RIMs, each index once. */
typedef struct golden {
    const nv_rim_measurement *m[NV_MAX_BLOCKS];
} golden;

static int collect_golden(device_ctx *d, const nv_rim *a, const nv_rim *b, golden *g)
{
    char name[128];
    memset(g, 0, sizeof *g);
    const nv_rim *rims[2] = {a, b};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; rims[k] && i < rims[k]->measurement_count; i++) {
            const nv_rim_measurement *m = &rims[k]->measurements[i];
            if (!m->active)
                continue;
            if (m->index < 0 || m->index >= NV_MAX_BLOCKS)
                return attest_check_fail(d->r, cname(d, "measurements", name, sizeof name),
                                         ATTEST_E_MALFORMED, "RIM index %d out of range", m->index);
            if (g->m[m->index])
                return attest_check_fail(d->r, cname(d, "measurements", name, sizeof name),
                                         ATTEST_E_NV_RIM_CONFLICT,
                                         "index %d is active in both the driver and the "
                                         "VBIOS RIM", m->index);
            g->m[m->index] = m;
        }
    return ATTEST_OK;
}

static const nv_block *runtime_block(const nv_report *rep, int index)
{
    for (unsigned i = 0; i < rep->block_count; i++)
        if (rep->blocks[i].index == index + 1)
            return &rep->blocks[i];
    return NULL;
}

/* nvtrust's rule: every golden index must exist at runtime and equal one
 * of its alternatives; NVDEC0's index follows NVDEC0_STATUS as NVIDIA's
 * SDK does (skipped when disabled, checked when enabled). */
static int compare_measurements(device_ctx *d, const nv_report *rep, const golden *g)
{
    char name[128];
    json_t *records = json_array();
    int mismatches = 0, unexplained = 0, first_bad = -1, checked = 0;
    cname(d, "measurements", name, sizeof name);
    for (int i = 0; i < NV_MAX_BLOCKS; i++) {
        const nv_rim_measurement *m = g->m[i];
        if (!m)
            continue;
        if (!rep->is_switch && i == NVDEC0_INDEX && rep->nvdec0_status == NVDEC0_DISABLED)
            continue;
        const nv_block *b = runtime_block(rep, i);
        bool ok = false;
        for (int k = 0; b && k < m->alternatives && k < NV_RIM_MAX_ALTERNATIVES; k++)
            ok = ok || (b->value_len == m->size && memcmp(b->value, m->hashes[k], m->size) == 0);
        checked++;
        if (ok)
            continue;
        mismatches++;
        json_t *rec = json_pack("{s:i, s:i, s:o, s:i, s:o}", "index", i, "goldenSize", m->size,
                                "goldenValue", attest_json_hex(m->hashes[0], (size_t)m->size),
                                "runtimeSize", b ? b->value_len : 0, "runtimeValue",
                                b ? attest_json_hex(b->value, b->value_len) : json_null());
        json_array_append_new(records, rec);
        if (!(i < 64 && (d->p->allowed_mismatch >> i & 1))) {
            unexplained++;
            if (first_bad < 0)
                first_bad = i;
        }
    }
    json_object_set_new(d->claims, "x-nvidia-mismatch-measurement-records", records);
    json_object_set_new(d->claims, "measres", json_string(unexplained ? "fail" : "success"));
    if (!rep->is_switch && rep->nvdec0_status >= 0 && rep->nvdec0_status != NVDEC0_ENABLED &&
        rep->nvdec0_status != NVDEC0_DISABLED)
        return attest_check_fail(d->r, name, ATTEST_E_MALFORMED,
                                 "NVDEC0_STATUS 0x%02x is neither enabled nor disabled",
                                 rep->nvdec0_status);
    if (unexplained)
        return attest_check_fail(d->r, name, ATTEST_E_NV_MEASUREMENT,
                                 "%d of %d golden measurements differ (first at index %d; "
                                 "records in x-nvidia-mismatch-measurement-records)",
                                 unexplained, checked, first_bad);
    attest_check_pass(d->r, name, "%d golden measurements match%s", checked,
                      mismatches ? " (mismatches allowed by the policy)" : "");
    return ATTEST_OK;
}

/* Also for GPUs appraised by another verifier (results_nras.c): the
 * versions are all the policy needs. */
int nv_check_versions(attest_result *r, const char *prefix, const nv_policy *p, bool is_switch,
                      const char *driver, const char *vbios)
{
    char name[128];
    snprintf(name, sizeof name, "%s.versions", prefix);
    if (!is_switch && p->min_driver_version[0] &&
        version_cmp(driver, p->min_driver_version, 10) < 0)
        return attest_check_fail(r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "driver %s below %s", driver, p->min_driver_version);
    if (!is_switch && p->allowed_driver_versions.count &&
        !policy_strings_has(&p->allowed_driver_versions, driver, true))
        return attest_check_fail(r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "driver %s is not an allowed version", driver);
    if (p->min_vbios_version[0] && version_cmp(vbios, p->min_vbios_version, 16) < 0)
        return attest_check_fail(r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "VBIOS %s below %s", vbios, p->min_vbios_version);
    if (p->allowed_vbios_versions.count &&
        !policy_strings_has(&p->allowed_vbios_versions, vbios, true))
        return attest_check_fail(r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "VBIOS %s is not an allowed version", vbios);
    attest_check_pass(r, name, "driver %s, VBIOS %s accepted", is_switch ? "-" : driver, vbios);
    return ATTEST_OK;
}

static int check_versions(device_ctx *d, const nv_report *rep)
{
    return nv_check_versions(d->r, d->prefix, d->p, rep->is_switch, rep->driver_version,
                             rep->vbios_version);
}

/* One entry of the evidence as devices are counted: its name, its kind by
 * the report, and what its verified chain says it is. */
typedef struct nv_identity {
    char name[24];               /* "gpu0", "switch1" */
    bool is_switch;              /* by the report */
    nv_device_identity id;       /* id.known: the chain verified */
} nv_identity;

/* The evidence checks of one device as the policy rules them. */
static nv_evidence_rules evidence_rules(const nv_policy *p)
{
    nv_evidence_rules rules = {
        .ocsp = {p->require_ocsp, p->allow_stored_ocsp, p->allow_stale_ocsp, p->allow_ocsp_hold,
                 p->allow_ocsp_unknown, p->ocsp_max_age_seconds},
        .require_nonce = p->require_nonce,
        .nonce_bound_by_cpu = p->nonce_bound_by_cpu,
    };
    return rules;
}

/* The report's bytes, kept by the result: its JSON (every parsed field,
 * 20-30 KB of objects) is built only when the whole result is read. */
typedef struct report_bytes {
    size_t len;
    uint8_t raw[];
} report_bytes;

static json_t *report_json_from_bytes(const void *arg)
{
    const report_bytes *b = arg;
    nv_report *rep = NULL;
    if (nv_report_parse(&rep, b->raw, b->len) != ATTEST_OK)
        return NULL; /* the same bytes parsed before: only out of memory */
    json_t *o = nv_report_to_json(rep);
    nv_report_free(rep);
    return o;
}

static void set_report_claim(device_ctx *d, const nv_report *rep)
{
    report_bytes *b = malloc(sizeof *b + rep->raw_len);
    json_t *brief = nv_report_brief_json(rep);
    if (b && brief) {
        b->len = rep->raw_len;
        memcpy(b->raw, rep->raw, rep->raw_len);
        if (attest_result_defer_claim(d->r, d->claims, "report", brief, report_json_from_bytes,
                                      b) == 0)
            return;
    } else {
        json_decref(brief);
    }
    free(b);
    json_object_set_new(d->claims, "report", nv_report_to_json(rep));
}

static int appraise_device(device_ctx *d, attest_verifier *v, const attest_collateral *coll,
                           const nv_device_evidence *e, const uint8_t *nonce, size_t nonce_len,
                           nv_identity *id)
{
    const nv_report *rep = e->report;
    nv_evidence_rules rules = evidence_rules(d->p);
    nv_device_facts facts;
    golden g;
    json_object_set_new(d->claims, "x-nvidia-device-type", json_string(rep->is_switch ? "nvswitch" : "gpu"));
    json_object_set_new(d->claims, rep->is_switch ? "x-nvidia-switch-bios-version" : "x-nvidia-gpu-vbios-version",
                        json_string(rep->vbios_version));
    if (!rep->is_switch)
        json_object_set_new(d->claims, "x-nvidia-gpu-driver-version", json_string(rep->driver_version));
    int status = nv_verify_device_evidence(d->r, v, e, coll, &rules, d->prefix, nonce, nonce_len,
                                           d->claims, &facts);
    id->id = facts.identity;
    if (status == ATTEST_OK && (status = collect_golden(d, facts.driver, facts.vbios, &g)) == ATTEST_OK)
        status = compare_measurements(d, rep, &g);
    if (status == ATTEST_OK)
        status = check_versions(d, rep);
    bool ok = status == ATTEST_OK;
    json_object_set_new(d->claims, "secboot", json_boolean(ok));
    json_object_set_new(d->claims, "dbgstat", json_string(ok ? "disabled" : "unknown"));
    json_object_set_new(d->claims, "x-nvidia-device-result", json_boolean(ok));
    set_report_claim(d, rep);
    return status;
}

/* ---- across devices ------------------------------------------------------ */

#define DEVICES_CHECK "nvidia.devices"
#define TOPOLOGY_CHECK "nvidia.topology"

static bool pdi_in(const uint64_t *set, size_t n, uint64_t pdi)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == pdi)
            return true;
    return false;
}

static void append_part(char *buf, size_t n, const char *part)
{
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s%s", used ? ", " : "", part);
}

/* Whether two identified entries are one device: the same BROM key (the
 * device identity key), the same leaf key or the same PDI. `shared` says
 * which. */
static bool same_device(const nv_identity *a, const nv_identity *b, char *shared, size_t n)
{
    char pdi[40];
    shared[0] = '\0';
    if (memcmp(a->id.brom_key, b->id.brom_key, 32) == 0)
        append_part(shared, n, "the BROM certificate key");
    if (memcmp(a->id.leaf_key, b->id.leaf_key, 32) == 0)
        append_part(shared, n, "the leaf key");
    if (a->id.has_pdi && b->id.has_pdi && a->id.pdi == b->id.pdi) {
        snprintf(pdi, sizeof pdi, "PDI %016" PRIx64, a->id.pdi);
        append_part(shared, n, pdi);
    }
    return shared[0] != '\0';
}

/* One device counts once. An entry whose chain did not verify has already
 * failed on its own; it could be any device, so beside others it is
 * refused here too and counts for none. Returns the distinct GPUs and
 * NVSwitches in *gpus, *switches; false when an entry is refused. */
static bool check_distinct(attest_result *r, const nv_identity *ids, size_t n, int *gpus,
                           int *switches)
{
    bool clean = true;
    char shared[128];
    *gpus = *switches = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i].id.known) {
            clean = false;
            if (n > 1)
                attest_check_fail(r, DEVICES_CHECK, ATTEST_E_MALFORMED,
                                  "%s has no verified device chain, so it cannot be told "
                                  "apart from the other devices", ids[i].name);
            continue;
        }
        size_t k = 0;
        while (k < i && !(ids[k].id.known && same_device(&ids[i], &ids[k], shared, sizeof shared)))
            k++;
        if (k < i) {
            attest_check_fail(r, DEVICES_CHECK, ATTEST_E_MALFORMED,
                              "%s and %s are the same device: they share %s", ids[k].name,
                              ids[i].name, shared);
            clean = false;
            continue;
        }
        ++*(ids[i].is_switch ? switches : gpus);
    }
    return clean;
}

static void check_devices(attest_result *r, const nv_identity *ids, size_t n, const nv_policy *p)
{
    int gpus, switches;
    bool distinct = check_distinct(r, ids, n, &gpus, &switches);
    if (gpus < p->min_gpus || switches < p->min_switches)
        attest_check_fail(r, DEVICES_CHECK, ATTEST_E_COLLATERAL_MISSING,
                          "%d distinct GPUs and %d distinct NVSwitches with a verified chain; "
                          "the policy requires %d and %d", gpus, switches, p->min_gpus,
                          p->min_switches);
    else if (distinct)
        attest_check_pass(r, DEVICES_CHECK,
                          "%d GPUs and %d NVSwitches, distinct by BROM key, leaf key and PDI",
                          gpus, switches);
}

/* A PPCIe system: its GPUs and NVSwitches, each with its identity. */
typedef struct topology {
    const nv_report *gpus[NV_MAX_DEVICES], *switches[NV_MAX_DEVICES];
    const nv_identity *gpu_ids[NV_MAX_DEVICES], *switch_ids[NV_MAX_DEVICES];
    size_t ng, ns;
} topology;

/* Every device's PDI from its verified BROM certificate, the PDIs distinct,
 * and each NVSwitch's reported PDI its own: what the reports say about the
 * fabric is then tied to the devices present. */
static int topology_identities(attest_result *r, const topology *t)
{
    const nv_identity *all[NV_MAX_DEVICES];
    size_t n = 0;
    for (size_t g = 0; g < t->ng; g++)
        all[n++] = t->gpu_ids[g];
    for (size_t s = 0; s < t->ns; s++)
        all[n++] = t->switch_ids[s];
    for (size_t i = 0; i < n; i++) {
        if (!all[i]->id.known || !all[i]->id.has_pdi)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s has no PDI from a verified BROM certificate "
                                     "(serial 0x41 or 0x50 then 8 bytes)", all[i]->name);
        for (size_t k = 0; k < i; k++)
            if (all[k]->id.pdi == all[i]->id.pdi)
                return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                         "%s and %s have the same PDI %016" PRIx64,
                                         all[k]->name, all[i]->name, all[i]->id.pdi);
    }
    for (size_t s = 0; s < t->ns; s++)
        if (t->switches[s]->switch_pdi_count < 1 ||
            t->switches[s]->switch_pdis[0] != t->switch_ids[s]->id.pdi)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s reports a PDI (SWITCH_PDI) other than its BROM "
                                     "certificate's %016" PRIx64, t->switch_ids[s]->name,
                                     t->switch_ids[s]->id.pdi);
    return ATTEST_OK;
}

/* Each GPU is linked to exactly the 4 NVSwitches present. */
static int topology_gpu_links(attest_result *r, const topology *t)
{
    for (size_t g = 0; g < t->ng; g++) {
        const nv_report *gpu = t->gpus[g];
        uint64_t seen[32];
        size_t n = 0;
        for (size_t k = 0; k < gpu->switch_pdi_count; k++)
            if (gpu->switch_pdis[k] && !pdi_in(seen, n, gpu->switch_pdis[k]))
                seen[n++] = gpu->switch_pdis[k];
        if (n != 4)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s is connected to %zu distinct NVSwitches, not 4",
                                     t->gpu_ids[g]->name, n);
        for (size_t s = 0; s < t->ns; s++)
            if (!pdi_in(seen, n, t->switch_ids[s]->id.pdi))
                return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                         "%s is not among %s's NVSwitches",
                                         t->switch_ids[s]->name, t->gpu_ids[g]->name);
    }
    return ATTEST_OK;
}

/* Each NVSwitch reports 8 GPUs, and every GPU present is among them: with
 * the 8 GPU PDIs distinct, each switch reports exactly the GPUs present. */
static int topology_switch_gpus(attest_result *r, const topology *t)
{
    for (size_t s = 0; s < t->ns; s++) {
        const nv_report *sw = t->switches[s];
        if (sw->gpu_pdi_count != 8)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s reports %zu GPUs, not 8", t->switch_ids[s]->name,
                                     sw->gpu_pdi_count);
        for (size_t g = 0; g < t->ng; g++)
            if (!pdi_in(sw->gpu_pdis, sw->gpu_pdi_count, t->gpu_ids[g]->id.pdi))
                return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                         "%s (PDI %016" PRIx64 ") is not among the GPUs %s "
                                         "reports (SWITCH_GPU_PDIS)", t->gpu_ids[g]->name,
                                         t->gpu_ids[g]->id.pdi, t->switch_ids[s]->name);
    }
    return ATTEST_OK;
}

/* PPCIe topology (nvtrust ppcie validate_topology), tied to the devices
 * present: 8 GPUs and 4 NVSwitches, each a distinct device by the PDI of
 * its verified BROM certificate; each GPU linked to exactly those 4
 * switches; each switch reporting exactly those 8 GPUs. */
static int check_topology(attest_result *r, const nv_evidence_set *set, const nv_identity *ids)
{
    topology t = {.ng = 0};
    for (size_t i = 0; i < set->count; i++) {
        const nv_report *rep = set->devices[i].report;
        if (rep->is_switch) {
            t.switch_ids[t.ns] = &ids[i];
            t.switches[t.ns++] = rep;
        } else {
            t.gpu_ids[t.ng] = &ids[i];
            t.gpus[t.ng++] = rep;
        }
    }
    if (t.ng != 8 || t.ns != 4)
        return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                 "%zu GPUs and %zu NVSwitches; PPCIe needs 8 and 4", t.ng, t.ns);
    int status = topology_identities(r, &t);
    if (status == ATTEST_OK)
        status = topology_gpu_links(r, &t);
    if (status == ATTEST_OK)
        status = topology_switch_gpus(r, &t);
    if (status == ATTEST_OK)
        attest_check_pass(r, TOPOLOGY_CHECK,
                          "8 GPUs and 4 NVSwitches, distinct by their BROM PDIs, each GPU "
                          "linked to the 4 switches, each switch reporting the 8 GPUs");
    return status;
}

static int check_mode(attest_result *r, const nv_evidence_set *set, const nv_policy *p)
{
    int mode = -1;
    for (size_t i = 0; i < set->count; i++) {
        const nv_report *rep = set->devices[i].report;
        if (rep->is_switch || rep->feature_flag < 0)
            continue;
        if (mode >= 0 && rep->feature_flag != mode)
            return attest_check_fail(r, "nvidia.mode", ATTEST_E_POLICY_NV_MODE,
                                     "GPUs report different feature modes (%d and %d)", mode,
                                     rep->feature_flag);
        mode = rep->feature_flag;
    }
    if (p->required_mode >= 0 && mode != p->required_mode)
        return attest_check_fail(r, "nvidia.mode", ATTEST_E_POLICY_NV_MODE,
                                 "feature mode %d, the policy requires %d", mode, p->required_mode);
    attest_check_pass(r, "nvidia.mode", "feature mode %d", mode);
    return ATTEST_OK;
}

int nv_verify_devices(attest_result *r, attest_verifier *v, const nv_evidence_set *set,
                      const attest_collateral *coll, const nv_policy *p, const uint8_t *nonce,
                      size_t nonce_len, json_t *claims)
{
    json_t *devices = json_object();
    int gpus = 0, switches = 0;
    nv_identity ids[NV_MAX_DEVICES];
    memset(ids, 0, sizeof ids);
    json_object_set_new(claims, "devices", devices);
    nv_digest_memo_begin(); /* the devices share RIM chains and roots */
    for (size_t i = 0; i < set->count; i++) {
        const nv_device_evidence *e = &set->devices[i];
        device_ctx d = {r, p, "", json_object()};
        snprintf(d.prefix, sizeof d.prefix, "%s%d", e->report->is_switch ? "switch" : "gpu",
                 e->report->is_switch ? switches++ : gpus++);
        snprintf(ids[i].name, sizeof ids[i].name, "%s", d.prefix);
        ids[i].is_switch = e->report->is_switch;
        json_object_set_new(devices, d.prefix, d.claims);
        appraise_device(&d, v, coll, e, nonce, nonce_len, &ids[i]);
    }
    nv_digest_memo_end();
    check_devices(r, ids, set->count, p);
    check_mode(r, set, p);
    if (p->require_ppcie_topology)
        check_topology(r, set, ids);
    json_object_set_new(claims, "x-nvidia-overall-att-result", json_boolean(r->status == ATTEST_OK));
    return r->status;
}
