/* attest measure - expected launch measurements from launch inputs
 * (docs/measure.md), for writing a policy before the machine exists:
 *
 *   attest measure tdx --ovmf FILE [--order single-pass|two-pass] [--json|--policy]
 *   attest measure snp (--ovmf FILE | --ovmf-hash HEX --section GPA:SIZE:TYPE...
 *                       [--reset-eip N] [--hashes-table-gpa N])
 *                      --vcpus N [--vcpu-type T | --vcpu-family F:M:S]
 *                      --vmm qemu|ec2|ec2-rdx0|gce
 *                      [--kernel F | --kernel-sha256 HEX] [--initrd F | --initrd-sha256 HEX]
 *                      [--append S] [--guest-features N] [--json|--policy]
 *
 * Prints the 48-byte value as hex; --json an object with the inputs and the
 * value; --policy the policy member that pins it. Every value is computed by
 * the library (attest_measure_tdx, attest_measure_snp); this file only reads
 * options and files. Exit: 0 printed, 2 usage, I/O or refused input. */
#include "attest.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define MAX_FILE (1u << 30) /* kernels and initrds: up to 1 GiB */

int attest_measure_main(int argc, char **argv);

static const char USAGE[] =
    "usage: attest measure tdx --ovmf FILE [--order single-pass|two-pass] [--json|--policy]\n"
    "       attest measure snp (--ovmf FILE | --ovmf-hash HEX --section GPA:SIZE:TYPE...\n"
    "                           [--reset-eip N] [--hashes-table-gpa N])\n"
    "                          --vcpus N [--vcpu-type T | --vcpu-family F:M:S]\n"
    "                          --vmm qemu|ec2|ec2-rdx0|gce\n"
    "                          [--kernel F | --kernel-sha256 HEX]\n"
    "                          [--initrd F | --initrd-sha256 HEX] [--append S]\n"
    "                          [--guest-features N] [--svsm FILE --vars-size N]\n"
    "                          [--json|--policy]\n"
    "Print the MRTD (tdx) or the SEV-SNP launch MEASUREMENT (snp) that these launch\n"
    "inputs produce (docs/measure.md). --order: single-pass (QEMU >= 9.0, default)\n"
    "or two-pass (QEMU 8.x). --vmm ec2 sets the VMSA RDX to 0x600 (sev-snp-measure\n"
    "0.0.13 and later), ec2-rdx0 to 0 (sev-snp-measure-go): which one EC2 uses is an\n"
    "assumption. --vcpu-type and --vcpu-family only with qemu. Numbers are decimal\n"
    "or 0x hex; --section repeats, in the image's order (TYPE 1 SEC_MEM, 2 SECRETS,\n"
    "3 CPUID, 4 SVSM_CAA, 16 KERNEL_HASHES). --json prints the inputs and the value,\n"
    "--policy the policy member pinning it. --svsm: a COCONUT-SVSM launch (qemu, with\n"
    "--ovmf), the SVSM image loaded below OVMF minus its --vars-size (OVMF_VARS bytes).\n"
    "exit: 0 printed, 2 usage, I/O or refused input.\n";

enum { OPT_OVMF = 256, OPT_ORDER, OPT_JSON, OPT_POLICY, OPT_OVMF_HASH, OPT_SECTION,
       OPT_RESET_EIP, OPT_HASHES_GPA, OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_FAMILY, OPT_VMM,
       OPT_KERNEL, OPT_KERNEL_SHA, OPT_INITRD, OPT_INITRD_SHA, OPT_APPEND, OPT_FEATURES,
       OPT_SVSM, OPT_VARS_SIZE, OPT_HELP };

static const struct option OPTIONS[] = {
    {"ovmf", required_argument, NULL, OPT_OVMF},
    {"order", required_argument, NULL, OPT_ORDER},
    {"json", no_argument, NULL, OPT_JSON},
    {"policy", no_argument, NULL, OPT_POLICY},
    {"ovmf-hash", required_argument, NULL, OPT_OVMF_HASH},
    {"section", required_argument, NULL, OPT_SECTION},
    {"reset-eip", required_argument, NULL, OPT_RESET_EIP},
    {"hashes-table-gpa", required_argument, NULL, OPT_HASHES_GPA},
    {"vcpus", required_argument, NULL, OPT_VCPUS},
    {"vcpu-type", required_argument, NULL, OPT_VCPU_TYPE},
    {"vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY},
    {"vmm", required_argument, NULL, OPT_VMM},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"kernel-sha256", required_argument, NULL, OPT_KERNEL_SHA},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"initrd-sha256", required_argument, NULL, OPT_INITRD_SHA},
    {"append", required_argument, NULL, OPT_APPEND},
    {"guest-features", required_argument, NULL, OPT_FEATURES},
    {"svsm", required_argument, NULL, OPT_SVSM},
    {"vars-size", required_argument, NULL, OPT_VARS_SIZE},
    {"help", no_argument, NULL, OPT_HELP},
    {0},
};

/* What the command line gave; the JSON output echoes it. */
typedef struct opts {
    bool snp, json, policy, help;
    const char *ovmf, *order, *ovmf_hash, *vcpu_type, *vcpu_family, *vmm;
    const char *kernel, *kernel_sha, *initrd, *initrd_sha, *append, *svsm, *vars_size;
    json_t *inputs; /* option name -> value as given */
    attest_snp_launch *launch;
} opts;

static int fail(const char *what, int st)
{
    fprintf(stderr, "attest measure: %s: %s (%s)\n", what,
            attest_error_last()[0] ? attest_error_last() : attest_strerror(st),
            attest_status_name(st));
    return EXIT_USAGE;
}

static int bad(const char *fmt, const char *arg)
{
    fputs("attest measure: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (attest measure --help explains)\n", stderr);
    return EXIT_USAGE;
}

/* A decimal or 0x-hex number that fits `max`, nothing else. */
static int number(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (!isxdigit((unsigned char)s[hex ? 2 : 0]))
        return -1; /* also refuses a sign or space, which strtoull would take */
    /* base 10 or 16, never strtoull's base 0: "010" is ten, not octal 8 */
    errno = 0;
    unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
    if (*end || errno || v > max)
        return -1;
    *out = v;
    return 0;
}

static int hex_bytes(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    *len = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (*len == cap) {
            uint8_t *nb = cap < MAX_FILE ? realloc(buf, cap ? 2 * cap : 65536) : NULL;
            if (!nb) {
                free(buf), fclose(f);
                return NULL;
            }
            buf = nb, cap = cap ? 2 * cap : 65536;
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0)
            break;
    }
    bool err = ferror(f);
    fclose(f);
    if (err)
        free(buf), buf = NULL;
    return buf ? buf : err ? NULL : malloc(1);
}

/* SHA-256 of a file, or the HEX given instead of it. */
static int file_sha256(const char *path, const char *hex, uint8_t out[32], const char *what)
{
    static const uint8_t EMPTY[32] = {
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
        0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
        0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    if (path && hex)
        return bad("%s: give the file or its SHA-256, not both", what);
    if (hex)
        return hex_bytes(hex, out, 32) ? bad("%s: not 64 hex digits", what) : 0;
    if (!path) { /* QEMU hashes an absent initrd as empty */
        memcpy(out, EMPTY, 32);
        return 0;
    }
    size_t len;
    uint8_t *data = read_file(path, &len);
    if (!data)
        return bad("cannot read %s", path);
    int ok = EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) == 1;
    free(data);
    return ok ? 0 : bad("%s: SHA-256 failed", what);
}

static int add_section(opts *o, const char *arg)
{
    unsigned long long v[3];
    char buf[96], *save = NULL, *tok;
    if (strlen(arg) >= sizeof buf)
        return bad("--section %s: GPA:SIZE:TYPE expected", arg);
    strcpy(buf, arg);
    tok = strtok_r(buf, ":", &save);
    for (int i = 0; i < 3; i++, tok = strtok_r(NULL, ":", &save))
        if (!tok || number(tok, 0xFFFFFFFFu, &v[i]))
            return bad("--section %s: GPA:SIZE:TYPE expected", arg);
    if (tok)
        return bad("--section %s: GPA:SIZE:TYPE expected", arg);
    int st = attest_snp_launch_add_section(o->launch, (uint32_t)v[0], (uint32_t)v[1],
                                           (uint32_t)v[2]);
    return st ? fail("--section", st) : 0;
}

/* Options that set a launch input directly. */
static int launch_option(opts *o, int c, const char *arg)
{
    unsigned long long v;
    int st;
    switch (c) {
    case OPT_RESET_EIP:
        if (number(arg, 0xFFFFFFFFu, &v))
            return bad("--reset-eip %s: a 32-bit number expected", arg);
        st = attest_snp_launch_set_reset_eip(o->launch, (uint32_t)v);
        return st ? fail("--reset-eip", st) : 0;
    case OPT_HASHES_GPA:
        if (number(arg, 0xFFFFFFFFu, &v))
            return bad("--hashes-table-gpa %s: a 32-bit number expected", arg);
        st = attest_snp_launch_set_hashes_table_gpa(o->launch, (uint32_t)v);
        return st ? fail("--hashes-table-gpa", st) : 0;
    case OPT_VCPUS:
        if (number(arg, 0xFFFFFFFFu, &v))
            return bad("--vcpus %s: a number expected", arg);
        st = attest_snp_launch_set_vcpus(o->launch, (unsigned)v);
        return st ? fail("--vcpus", st) : 0;
    case OPT_FEATURES:
        if (number(arg, UINT64_MAX, &v))
            return bad("--guest-features %s: a number expected", arg);
        st = attest_snp_launch_set_guest_features(o->launch, v);
        return st ? fail("--guest-features", st) : 0;
    default:
        return add_section(o, arg);
    }
}

static int take_option(opts *o, int c, const char *arg)
{
    const char **slot[] = {
        [OPT_OVMF - OPT_OVMF] = &o->ovmf, [OPT_ORDER - OPT_OVMF] = &o->order,
        [OPT_OVMF_HASH - OPT_OVMF] = &o->ovmf_hash, [OPT_VCPU_TYPE - OPT_OVMF] = &o->vcpu_type,
        [OPT_VCPU_FAMILY - OPT_OVMF] = &o->vcpu_family, [OPT_VMM - OPT_OVMF] = &o->vmm,
        [OPT_KERNEL - OPT_OVMF] = &o->kernel, [OPT_KERNEL_SHA - OPT_OVMF] = &o->kernel_sha,
        [OPT_INITRD - OPT_OVMF] = &o->initrd, [OPT_INITRD_SHA - OPT_OVMF] = &o->initrd_sha,
        [OPT_APPEND - OPT_OVMF] = &o->append, [OPT_SVSM - OPT_OVMF] = &o->svsm,
        [OPT_VARS_SIZE - OPT_OVMF] = &o->vars_size, [OPT_HELP - OPT_OVMF] = NULL,
    };
    if (c == OPT_JSON || c == OPT_POLICY || c == OPT_HELP) {
        *(c == OPT_JSON ? &o->json : c == OPT_POLICY ? &o->policy : &o->help) = true;
        return 0;
    }
    if (c < OPT_OVMF || c > OPT_HELP)
        return bad("%s", c == ':' ? "option needs a value" : "unknown option");
    const char *name = OPTIONS[0].name;
    for (size_t i = 0; OPTIONS[i].name; i++)
        if (OPTIONS[i].val == c)
            name = OPTIONS[i].name;
    json_t *prev = json_object_get(o->inputs, name);
    if (c == OPT_SECTION) {
        if (!prev)
            json_object_set_new(o->inputs, name, prev = json_array());
        json_array_append_new(prev, json_string(arg));
    } else if (prev) {
        return bad("--%s given twice", name);
    } else {
        json_object_set_new(o->inputs, name, json_string(arg));
    }
    if (slot[c - OPT_OVMF]) {
        *slot[c - OPT_OVMF] = arg;
        return 0;
    }
    return o->snp ? launch_option(o, c, arg) : bad("--%s is an snp option", name);
}

static int parse(opts *o, int argc, char **argv)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+:", OPTIONS, NULL)) != -1)
        if (take_option(o, c, optarg))
            return EXIT_USAGE;
    if (optind != argc)
        return bad("unexpected argument %s", argv[optind]);
    return 0;
}

/* Print the value as hex, as JSON with the inputs, or as a policy member. */
static int print_value(const opts *o, const uint8_t v[48])
{
    char hex[97];
    for (int i = 0; i < 48; i++)
        snprintf(hex + 2 * i, 3, "%02x", v[i]);
    if (!o->json && !o->policy) {
        printf("%s\n", hex);
        return 0;
    }
    json_t *doc;
    if (o->policy)
        doc = o->snp ? json_pack("{s:{s:[s]}}", "snp", "measurements", hex)
                     : json_pack("{s:{s:[s]}}", "tdx", "mrtd", hex);
    else
        doc = json_pack("{s:s, s:O, s:s}", "platform", o->snp ? "snp" : "tdx", "inputs",
                        o->inputs, o->snp ? "measurement" : "mrtd", hex);
    char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!s)
        return bad("%s", "out of memory");
    printf("%s\n", s);
    free(s);
    return 0;
}

static int run_tdx(const opts *o)
{
    const char *key;
    json_t *val;
    json_object_foreach(o->inputs, key, val)
        if (strcmp(key, "ovmf") && strcmp(key, "order"))
            return bad("--%s is an snp option", key);
    if (!o->ovmf)
        return bad("%s", "tdx needs --ovmf FILE");
    int order = ATTEST_TDX_ORDER_SINGLE_PASS;
    if (o->order && !strcmp(o->order, "two-pass"))
        order = ATTEST_TDX_ORDER_TWO_PASS;
    else if (o->order && strcmp(o->order, "single-pass"))
        return bad("--order %s: single-pass or two-pass", o->order);
    size_t len;
    uint8_t *img = read_file(o->ovmf, &len), mrtd[48];
    if (!img)
        return bad("cannot read %s", o->ovmf);
    int st = attest_measure_tdx(mrtd, img, len, order);
    free(img);
    return st ? fail(o->ovmf, st) : print_value(o, mrtd);
}

/* The firmware: an image, or its published hash (sections by --section). */
static int snp_firmware(const opts *o)
{
    if (!o->ovmf == !o->ovmf_hash)
        return bad("%s", "snp needs --ovmf FILE or --ovmf-hash HEX (one of them)");
    if (o->ovmf_hash) {
        uint8_t h[48];
        if (hex_bytes(o->ovmf_hash, h, 48))
            return bad("--ovmf-hash %s: not 96 hex digits", o->ovmf_hash);
        return attest_snp_launch_set_ovmf_hash(o->launch, h);
    }
    if (json_object_get(o->inputs, "section") || json_object_get(o->inputs, "reset-eip") ||
        json_object_get(o->inputs, "hashes-table-gpa"))
        return bad("%s", "--section, --reset-eip, --hashes-table-gpa come from --ovmf's image");
    size_t len;
    uint8_t *img = read_file(o->ovmf, &len);
    if (!img)
        return bad("cannot read %s", o->ovmf);
    int st = attest_snp_launch_set_ovmf(o->launch, img, len);
    free(img);
    return st ? fail(o->ovmf, st) : 0;
}

static int snp_vcpu_and_vmm(const opts *o)
{
    static const char *VMMS[] = {[ATTEST_VMM_QEMU] = "qemu", [ATTEST_VMM_EC2] = "ec2",
                                 [ATTEST_VMM_GCE] = "gce", [ATTEST_VMM_EC2_RDX0] = "ec2-rdx0"};
    int vmm = -1, st = 0;
    for (int i = 0; o->vmm && i < 4; i++)
        if (!strcmp(o->vmm, VMMS[i]))
            vmm = i;
    if (!o->vmm)
        return bad("%s", "snp needs --vmm qemu|ec2|ec2-rdx0|gce");
    if ((st = attest_snp_launch_set_vmm(o->launch, vmm)))
        return fail(o->vmm, st);
    if (o->vcpu_type && o->vcpu_family)
        return bad("%s", "--vcpu-type or --vcpu-family, not both");
    if (o->vcpu_type && (st = attest_snp_launch_set_vcpu_type(o->launch, o->vcpu_type)))
        return fail("--vcpu-type", st);
    if (o->vcpu_family) {
        unsigned f, m, s;
        char extra;
        if (sscanf(o->vcpu_family, "%u:%u:%u%c", &f, &m, &s, &extra) != 3)
            return bad("--vcpu-family %s: FAMILY:MODEL:STEPPING (decimal)", o->vcpu_family);
        if ((st = attest_snp_launch_set_vcpu_family(o->launch, f, m, s)))
            return fail("--vcpu-family", st);
    }
    return 0;
}

static int snp_kernel(const opts *o)
{
    bool any = o->kernel || o->kernel_sha || o->initrd || o->initrd_sha || o->append;
    if (!any)
        return 0;
    if (!o->kernel && !o->kernel_sha)
        return bad("%s", "--initrd and --append need --kernel (QEMU measures them together)");
    uint8_t k[32], i[32];
    int rc = file_sha256(o->kernel, o->kernel_sha, k, "kernel");
    if (rc == 0)
        rc = file_sha256(o->initrd, o->initrd_sha, i, "initrd");
    if (rc)
        return rc;
    int st = attest_snp_launch_set_kernel(o->launch, k, i, o->append);
    return st ? fail("--kernel", st) : 0;
}

/* COCONUT-SVSM: the SVSM image and the OVMF variable store's size. */
static int snp_svsm(const opts *o)
{
    if (!o->svsm && !o->vars_size)
        return 0;
    unsigned long long vars;
    if (!o->svsm || !o->vars_size)
        return bad("%s", "--svsm FILE and --vars-size N go together");
    if (number(o->vars_size, UINT64_MAX, &vars))
        return bad("--vars-size %s: a number expected", o->vars_size);
    size_t len;
    uint8_t *img = read_file(o->svsm, &len);
    if (!img)
        return bad("cannot read %s", o->svsm);
    int st = attest_snp_launch_set_svsm(o->launch, img, len, vars);
    free(img);
    return st ? fail(o->svsm, st) : 0;
}

static int run_snp(const opts *o)
{
    if (o->order)
        return bad("%s", "--order is a tdx option");
    int rc = snp_firmware(o);
    if (rc == 0)
        rc = snp_vcpu_and_vmm(o);
    if (rc == 0)
        rc = snp_kernel(o);
    if (rc == 0)
        rc = snp_svsm(o);
    if (rc)
        return rc > 0 ? rc : fail("--ovmf-hash", rc);
    uint8_t d[48];
    int st = attest_measure_snp(d, o->launch);
    return st ? fail("snp", st) : print_value(o, d);
}

int attest_measure_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    opts o = {.snp = !strcmp(argv[1], "snp"), .inputs = json_object()};
    if (!o.snp && strcmp(argv[1], "tdx"))
        return bad("%s: tdx or snp", argv[1]);
    if (!o.inputs || (o.snp && attest_snp_launch_new(&o.launch)))
        return bad("%s", "out of memory");
    int rc = parse(&o, argc - 1, argv + 1);
    if (rc == 0 && o.help)
        fputs(USAGE, stdout);
    else if (rc == 0 && o.json && o.policy)
        rc = bad("%s", "--json or --policy, not both");
    else if (rc == 0)
        rc = o.snp ? run_snp(&o) : run_tdx(&o);
    attest_snp_launch_free(o.launch);
    json_decref(o.inputs);
    return rc;
}
