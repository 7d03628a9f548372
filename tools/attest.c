/* attest - command-line front end of libattest.
 *
 *   attest inspect FILE
 *   attest verify [--at RFC3339] [--policy FILE] [--nonce HEX] [--json]
 *                 [--anchor|--anchor-intel SPKI_SHA256_HEX]... [--no-builtin-anchors]
 *                 FILE|DIR...
 *   attest bundle create [--nonce HEX] FILE|DIR... -o BUNDLE
 *   attest token verify TOKEN --pubkey PUB.pem [--nonce HEX] [--at RFC3339]
 *                       [--allow-warning]
 *   attest version
 *
 * Exit status: 0 verified and the policy holds; 1 rejected; 2 usage, I/O
 * or unparseable input. token verify: 0 only for a valid token whose
 * ear.status is affirming (or warning with --allow-warning), 1 for an
 * invalid token or any other status, 2 usage or I/O. */
#include "attest.h"

#include <dirent.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define ATTEST_MAX_INPUT (64u << 20)
/* Longest --nonce: what attest_verify takes (a result keeps the nonce it
 * verified, for eat_nonce). */
#define NONCE_MAX ATTEST_NONCE_MAX
/* A bundle records at most 64 bytes of nonce (attest_bundle_create). */
#define BUNDLE_NONCE_MAX 64
#define PIN_LEN 32 /* --anchor*: SHA-256 of a SubjectPublicKeyInfo */

static int usage(void)
{
    fprintf(stderr,
            "usage: attest inspect FILE\n"
            "       attest verify [--at RFC3339] [--policy FILE] [--nonce HEX] [--json]\n"
            "                     [--anchor|--anchor-intel|--anchor-nvidia-device|--anchor-nvidia-rim HEX]...\n"
            "                     [--no-builtin-anchors] [--token-key KEY.pem --token-out FILE]\n"
            "                     FILE|DIR...\n"
            "       attest bundle create [--nonce HEX] FILE|DIR... -o BUNDLE\n"
            "       attest token verify TOKEN_FILE --pubkey PUB.pem [--nonce HEX] [--at RFC3339]\n"
            "                           [--allow-warning]\n"
            "       attest version\n"
            "verify also takes --token-key KEY.pem --token-out FILE [--token-lifetime SECONDS]\n"
            "to write the result as a signed JWT (EAR claims).\n"
            "verify: FILEs are the evidence plus its collateral (certificates PEM or DER,\n"
            "CRLs), each recognised by content, or directories holding them.\n"
            "--anchor (AMD) and --anchor-intel trust one more root key (SHA-256 of its\n"
            "SubjectPublicKeyInfo, e.g. attest-mock's anchor.sha256); --no-builtin-anchors\n"
            "drops the pinned vendor roots.\n"
            "HEX is an even number of hex digits [0-9a-fA-F], nothing else (no 0x).\n"
            "exit: 0 accepted, 1 rejected, 2 usage, I/O or unparseable input.\n"
            "token verify exits 0 only for a valid token whose ear.status is affirming\n"
            "(or warning, with --allow-warning); 1 for an invalid token or any other\n"
            "status (named on stderr); 2 usage or I/O.\n");
    return EXIT_USAGE;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "attest: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= ATTEST_MAX_INPUT)
            break;
        uint8_t *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int err = ferror(f) || !buf || n >= ATTEST_MAX_INPUT;
    fclose(f);
    if (err) {
        fprintf(stderr, "attest: %s: cannot read (or larger than %u bytes)\n", path,
                ATTEST_MAX_INPUT);
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The CLI's one hex decoder, behind every hex option: exactly 2n characters
 * [0-9a-fA-F] with min <= n <= max, into out (max bytes). Nothing else is
 * taken: sscanf("%2x") read "0x12" as 00 12, "0g" as 00 and "-1" as ff, and
 * an empty --nonce silently meant "no nonce". On failure prints why, naming
 * the option, and returns -1. */
static int hex_option(const char *opt, const char *hex, uint8_t *out, size_t min, size_t max,
                      size_t *len)
{
    size_t n = strlen(hex);
    bool ok = n % 2 == 0 && n / 2 >= min && n / 2 <= max;
    for (size_t i = 0; ok && i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        out[i] = (uint8_t)(ok ? hi << 4 | lo : 0);
    }
    if (ok) {
        *len = n / 2;
        return 0;
    }
    if (min == max)
        fprintf(stderr, "attest: %s: want exactly %zu hex digits [0-9a-fA-F], got '%.80s'\n",
                opt, 2 * max, hex);
    else
        fprintf(stderr,
                "attest: %s: want an even number (%zu to %zu) of hex digits [0-9a-fA-F], "
                "got '%.80s'\n", opt, 2 * min, 2 * max, hex);
    return -1;
}

static int cmd_inspect(int argc, char **argv)
{
    if (argc != 1)
        return usage();
    uint8_t *data;
    size_t len;
    if (read_file(argv[0], &data, &len) != 0)
        return EXIT_USAGE;
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, data, len);
    free(data);
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: %s: %s (%s)\n", argv[0], attest_error_last(),
                attest_status_name(status));
        return EXIT_USAGE;
    }
    char *json = NULL;
    status = attest_evidence_to_json(&json, ev);
    if (json)
        printf("%s\n", json);
    attest_string_free(json);
    attest_evidence_free(ev);
    return status == ATTEST_OK ? 0 : EXIT_USAGE;
}

typedef struct inputs {
    attest_collateral *coll;
    attest_evidence *ev;
    char *ev_path;
} inputs;

/* One file: collateral if it is a certificate/CRL, else evidence. Inside a
 * directory, files that are neither are skipped (READMEs, hex dumps). */
static int add_input(inputs *in, const char *path, int in_dir)
{
    uint8_t *data;
    size_t len;
    if (read_file(path, &data, &len) != 0)
        return -1;
    int rc = 0;
    if (len && attest_collateral_add(in->coll, data, len) == ATTEST_OK)
        goto done;
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, data, len);
    if (status == ATTEST_OK) {
        if (in->ev) {
            fprintf(stderr, "attest: %s: second evidence (first: %s); give one\n", path,
                    in->ev_path);
            attest_evidence_free(ev);
            rc = -1;
        } else {
            in->ev = ev;
            in->ev_path = strdup(path);
        }
    } else if (in_dir && status == ATTEST_E_FORMAT_UNKNOWN) {
        fprintf(stderr, "attest: note: skipping %s (not evidence or collateral)\n", path);
    } else {
        fprintf(stderr, "attest: %s: %s (%s)\n", path, attest_error_last(),
                attest_status_name(status));
        rc = -1;
    }
done:
    free(data);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(inputs *in, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "attest: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[n++] = strdup(path);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str); /* deterministic order */
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && names[i] && add_input(in, names[i], 1) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

#define MAX_ANCHORS 8

/* Hex options are decoded while the command line is read, so that a bad
 * one is reported before any file is. */
typedef struct verify_opts {
    const char *at, *policy_path;
    const char *token_key, *token_out;
    long token_lifetime;
    uint8_t nonce[NONCE_MAX];
    size_t nonce_len; /* 0: no --nonce */
    uint8_t anchors[MAX_ANCHORS][PIN_LEN];
    attest_vendor anchor_vendor[MAX_ANCHORS];
    int anchor_count;
    int json, no_builtin;
} verify_opts;

static int configure_anchors(attest_verifier *v, const verify_opts *o)
{
    if (o->no_builtin) {
        for (int k = ATTEST_VENDOR_AMD; k <= ATTEST_VENDOR_NVIDIA_RIM; k++)
            attest_verifier_clear_anchors(v, (attest_vendor)k);
    }
    for (int i = 0; i < o->anchor_count; i++) {
        if (attest_verifier_add_anchor(v, o->anchor_vendor[i], o->anchors[i]) != ATTEST_OK) {
            fprintf(stderr, "attest: anchor: %s\n", attest_error_last());
            return -1;
        }
    }
    return 0;
}

static int load_policy(const char *path, attest_policy **out)
{
    uint8_t *data;
    size_t len;
    *out = NULL;
    if (!path)
        return 0;
    if (read_file(path, &data, &len) != 0)
        return -1;
    int status = attest_policy_from_json(out, (const char *)data, len);
    free(data);
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: %s: %s\n", path, attest_error_last());
        return -1;
    }
    return 0;
}

/* The result, accepted or not, as a signed token: a rejection is worth
 * passing on and logging as much as an acceptance. */
static int write_token(const verify_opts *o, const attest_result *res)
{
    uint8_t *key;
    size_t key_len;
    char *token = NULL;
    if (!o->token_out) {
        fprintf(stderr, "attest: --token-key needs --token-out\n");
        return -1;
    }
    if (read_file(o->token_key, &key, &key_len) != 0)
        return -1;
    int status = attest_token_sign(&token, res, (const char *)key, key_len,
                                   o->token_lifetime > 0 ? o->token_lifetime : 3600);
    OPENSSL_cleanse(key, key_len);
    free(key);
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: token: %s\n", attest_error_last());
        return -1;
    }
    FILE *f = fopen(o->token_out, "w");
    int ok = f && fprintf(f, "%s\n", token) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    attest_string_free(token);
    if (!ok) {
        fprintf(stderr, "attest: %s: cannot write\n", o->token_out);
        return -1;
    }
    return 0;
}

static int run_verify(const verify_opts *o, inputs *in)
{
    attest_verifier *v = NULL;
    attest_policy *policy = NULL;
    attest_result *res = NULL;
    int64_t at;
    int rc = EXIT_USAGE;
    if (attest_verifier_new(&v) != ATTEST_OK || configure_anchors(v, o) != 0)
        goto out;
    if (o->at && (attest_time_parse(&at, o->at) != ATTEST_OK ||
                  attest_verifier_set_time(v, at) != ATTEST_OK)) {
        fprintf(stderr, "attest: --at: %s\n", attest_error_last());
        goto out;
    }
    if (load_policy(o->policy_path, &policy) != 0)
        goto out;
    int status = attest_verify(&res, v, in->ev, in->coll, policy,
                               o->nonce_len ? o->nonce : NULL, o->nonce_len);
    if (!res) {
        fprintf(stderr, "attest: %s\n", attest_error_last());
        goto out;
    }
    if (o->json) {
        char *json = NULL;
        if (attest_result_to_json(&json, res) == ATTEST_OK)
            printf("%s\n", json);
        attest_string_free(json);
    } else if (status == ATTEST_OK) {
        printf("accepted: %s\n", in->ev_path);
    }
    if (status != ATTEST_OK)
        fprintf(stderr, "rejected: %s (%s)\n", attest_result_reason(res),
                attest_status_name(status));
    rc = status == ATTEST_OK ? 0 : EXIT_REJECTED;
    if (o->token_key && write_token(o, res) != 0)
        rc = EXIT_USAGE;
out:
    attest_result_free(res);
    attest_policy_free(policy);
    attest_verifier_free(v);
    return rc;
}

/* --anchor (AMD), --anchor-intel, --anchor-nvidia-device, --anchor-nvidia-rim */
static attest_vendor anchor_vendor(const char *opt)
{
    if (!strcmp(opt, "--anchor")) return ATTEST_VENDOR_AMD;
    if (!strcmp(opt, "--anchor-intel")) return ATTEST_VENDOR_INTEL;
    if (!strcmp(opt, "--anchor-nvidia-device")) return ATTEST_VENDOR_NVIDIA_DEVICE;
    if (!strcmp(opt, "--anchor-nvidia-rim")) return ATTEST_VENDOR_NVIDIA_RIM;
    return (attest_vendor)0;
}

/* A hex option of verify (--nonce, --anchor*) with its value at argv[*i + 1].
 * Returns 0, or EXIT_USAGE after saying why. */
static int verify_hex_option(verify_opts *o, char **argv, int *i)
{
    const char *opt = argv[*i], *hex = argv[++*i];
    size_t len;
    if (!strcmp(opt, "--nonce"))
        return hex_option(opt, hex, o->nonce, 1, NONCE_MAX, &o->nonce_len) ? EXIT_USAGE : 0;
    if (o->anchor_count >= MAX_ANCHORS) {
        fprintf(stderr, "attest: %s: more than %d anchors\n", opt, MAX_ANCHORS);
        return EXIT_USAGE;
    }
    if (hex_option(opt, hex, o->anchors[o->anchor_count], PIN_LEN, PIN_LEN, &len) != 0)
        return EXIT_USAGE;
    o->anchor_vendor[o->anchor_count++] = anchor_vendor(opt);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    verify_opts o = {0};
    int i = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (!strcmp(argv[i], "--json"))
            o.json = 1;
        else if (!strcmp(argv[i], "--at") && i + 1 < argc)
            o.at = argv[++i];
        else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            o.policy_path = argv[++i];
        else if ((!strcmp(argv[i], "--nonce") || anchor_vendor(argv[i])) && i + 1 < argc) {
            if (verify_hex_option(&o, argv, &i) != 0)
                return EXIT_USAGE;
        }
        else if (!strcmp(argv[i], "--no-builtin-anchors"))
            o.no_builtin = 1;
        else if (!strcmp(argv[i], "--token-key") && i + 1 < argc)
            o.token_key = argv[++i];
        else if (!strcmp(argv[i], "--token-out") && i + 1 < argc)
            o.token_out = argv[++i];
        else if (!strcmp(argv[i], "--token-lifetime") && i + 1 < argc)
            o.token_lifetime = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--"))
            { i++; break; }
        else
            return usage();
    }
    if (i >= argc)
        return usage();
    inputs in = {0};
    int rc = EXIT_USAGE;
    if (attest_collateral_new(&in.coll) != ATTEST_OK)
        return EXIT_USAGE;
    for (; i < argc; i++) {
        struct stat st;
        int bad = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? add_dir(&in, argv[i])
                                                                 : add_input(&in, argv[i], 0);
        if (bad)
            goto out;
    }
    if (!in.ev) {
        fprintf(stderr, "attest: no evidence among the inputs\n");
        goto out;
    }
    rc = run_verify(&o, &in);
out:
    attest_evidence_free(in.ev);
    attest_collateral_free(in.coll);
    free(in.ev_path);
    return rc;
}

typedef struct file_list {
    uint8_t **data;
    size_t *lens;
    size_t count;
} file_list;

static int list_add(file_list *l, const char *path)
{
    uint8_t *data;
    size_t len;
    if (read_file(path, &data, &len) != 0)
        return -1;
    uint8_t **d = realloc(l->data, (l->count + 1) * sizeof *d);
    size_t *n = d ? realloc(l->lens, (l->count + 1) * sizeof *n) : NULL;
    if (d)
        l->data = d;
    if (!n) {
        free(data);
        return -1;
    }
    l->lens = n;
    l->data[l->count] = data;
    l->lens[l->count++] = len;
    return 0;
}

/* Directories contribute the files that are evidence or collateral. */
static int list_add_dir(file_list *l, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        fprintf(stderr, "attest: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        uint8_t *data;
        size_t len;
        attest_evidence *ev = NULL;
        attest_collateral *c = NULL;
        if (read_file(path, &data, &len) != 0)
            continue;
        bool known = attest_evidence_parse(&ev, data, len) == ATTEST_OK ||
                     (attest_collateral_new(&c) == ATTEST_OK &&
                      attest_collateral_add(c, data, len) == ATTEST_OK);
        attest_evidence_free(ev);
        attest_collateral_free(c);
        free(data);
        if (known && list_add(l, path) != 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

static int cmd_bundle(int argc, char **argv)
{
    const char *out = NULL;
    file_list l = {0};
    uint8_t nonce[BUNDLE_NONCE_MAX];
    size_t nonce_len = 0;
    int rc = EXIT_USAGE;
    if (argc < 1 || strcmp(argv[0], "create") != 0)
        return usage();
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--nonce") && i + 1 < argc) {
            if (hex_option(argv[i], argv[i + 1], nonce, 1, BUNDLE_NONCE_MAX, &nonce_len) != 0)
                goto done;
            i++;
        }
        else if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? list_add_dir(&l, argv[i]) != 0
                                                                 : list_add(&l, argv[i]) != 0)
            goto done;
    }
    if (!out || l.count == 0) {
        rc = usage();
        goto done;
    }
    char *json = NULL;
    if (attest_bundle_create(&json, (const uint8_t *const *)l.data, l.lens, l.count,
                             nonce_len ? nonce : NULL, nonce_len) != ATTEST_OK) {
        fprintf(stderr, "attest: bundle: %s\n", attest_error_last());
        goto done;
    }
    FILE *f = fopen(out, "w");
    int ok = f && fputs(json, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0)
        ok = 0;
    attest_string_free(json);
    if (!ok)
        fprintf(stderr, "attest: %s: cannot write\n", out);
    else
        rc = 0;
done:
    for (size_t i = 0; i < l.count; i++)
        free(l.data[i]);
    free(l.data);
    free(l.lens);
    return rc;
}

/* The exit status a valid token earns: its top-level ear.status (the worst
 * device; contraindicated whenever the result was rejected) must be
 * affirming, or warning with --allow-warning. A signed rejection is a
 * valid token too, so signature and expiry alone must not mean "go". */
static int token_status_exit(const char *claims, bool allow_warning)
{
    json_t *root = json_loads(claims, JSON_REJECT_DUPLICATES, NULL);
    json_t *result = json_object_get(root, "x-attest-result");
    const char *status = json_string_value(json_object_get(root, "ear.status"));
    const char *code = json_string_value(json_object_get(result, "status"));
    const char *reason = json_string_value(json_object_get(result, "reason"));
    int rc = EXIT_REJECTED;
    if (status && (!strcmp(status, "affirming") || (allow_warning && !strcmp(status, "warning"))))
        rc = 0;
    else if (status && !strcmp(status, "warning"))
        fprintf(stderr, "rejected: token ear.status is warning (--allow-warning accepts it)\n");
    else
        fprintf(stderr, "rejected: token ear.status is %s (%s%s%s)\n",
                status ? status : "missing", code ? code : "no x-attest-result",
                reason && *reason ? ": " : "", reason ? reason : "");
    json_decref(root);
    return rc;
}

typedef struct token_opts {
    const char *token_path, *pub_path;
    uint8_t nonce[NONCE_MAX];
    size_t nonce_len; /* 0: no --nonce */
    int64_t when;
    bool allow_warning;
} token_opts;

/* The command line of token verify; hex and time are decoded here. Returns
 * 0, or EXIT_USAGE after saying why. */
static int token_options(token_opts *o, int argc, char **argv)
{
    o->when = ATTEST_TIME_NOW;
    if (argc < 2 || strcmp(argv[0], "verify") != 0)
        return usage();
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--pubkey") && i + 1 < argc) {
            o->pub_path = argv[++i];
        } else if (!strcmp(opt, "--nonce") && i + 1 < argc) {
            if (hex_option(opt, argv[++i], o->nonce, 1, NONCE_MAX, &o->nonce_len) != 0)
                return EXIT_USAGE;
        } else if (!strcmp(opt, "--at") && i + 1 < argc) {
            if (attest_time_parse(&o->when, argv[++i]) != ATTEST_OK) {
                fprintf(stderr, "attest: --at: %s\n", attest_error_last());
                return EXIT_USAGE;
            }
        } else if (!strcmp(opt, "--allow-warning")) {
            o->allow_warning = true;
        } else if (!o->token_path && opt[0] != '-') {
            o->token_path = opt;
        } else {
            return usage();
        }
    }
    return o->token_path && o->pub_path ? 0 : usage();
}

static int cmd_token(int argc, char **argv)
{
    token_opts o = {0};
    if (token_options(&o, argc, argv) != 0)
        return EXIT_USAGE;
    uint8_t *token = NULL, *pub = NULL;
    size_t token_len, pub_len;
    int rc = EXIT_USAGE;
    char *claims = NULL;
    if (read_file(o.token_path, &token, &token_len) != 0 ||
        read_file(o.pub_path, &pub, &pub_len) != 0)
        goto done;
    while (token_len && (token[token_len - 1] == '\n' || token[token_len - 1] == '\r' ||
                         token[token_len - 1] == ' '))
        token_len--;
    token[token_len] = '\0'; /* read_file leaves room: the buffer is larger */
    int status = attest_token_verify(&claims, (const char *)token, (const char *)pub, pub_len,
                                     o.when, o.nonce_len ? o.nonce : NULL, o.nonce_len);
    if (status != ATTEST_OK) {
        fprintf(stderr, "rejected: %s (%s)\n", attest_error_last(), attest_status_name(status));
        rc = status == ATTEST_E_INVALID_ARG ? EXIT_USAGE : EXIT_REJECTED;
        goto done;
    }
    printf("%s\n", claims);
    rc = token_status_exit(claims, o.allow_warning);
done:
    attest_string_free(claims);
    free(token);
    free(pub);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (!strcmp(argv[1], "inspect"))
        return cmd_inspect(argc - 2, argv + 2);
    if (!strcmp(argv[1], "verify"))
        return cmd_verify(argc - 2, argv + 2);
    if (!strcmp(argv[1], "bundle"))
        return cmd_bundle(argc - 2, argv + 2);
    if (!strcmp(argv[1], "token"))
        return cmd_token(argc - 2, argv + 2);
    if (!strcmp(argv[1], "version")) {
        printf("attest %s\n", attest_version());
        return 0;
    }
    return usage();
}
