/* attest verify-result - another verifier's signed result (docs/results.md):
 *
 *   attest verify-result --kind nras|ita|maa --keys JWKS_OR_PEM [--issuer URL]
 *                        [--nonce HEX] [--policy P] [--at RFC3339] [--allow-rs256]
 *                        [--json] TOKEN_FILE
 *
 * Every check is the library's (attest_verify_result_token); this file only
 * reads options and files. Exit: 0 accepted, 1 rejected (the failing check
 * named), 2 usage or I/O. */
#include "attest.h"
#include "cli_io.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define MAX_FILE (16u << 20)

int attest_results_main(int argc, char **argv);

static const char USAGE[] =
    "usage: attest verify-result --kind nras|ita|maa --keys JWKS_OR_PEM [--issuer URL]\n"
    "                            [--nonce HEX] [--policy P] [--at RFC3339] [--allow-rs256]\n"
    "                            [--json] TOKEN_FILE\n"
    "nras: the NRAS /v3/attest/gpu response body; ita, maa: the compact JWT.\n"
    "--issuer: the pinned iss (default: the service's production issuer; required for maa).\n"
    "exit: 0 accepted, 1 rejected (the failing check named), 2 usage or I/O.\n";

typedef struct options {
    int kind;
    const char *keys, *issuer, *policy, *at, *token;
    blob nonce;
    int json;
} options;

static int read_kind(const char *s)
{
    return !strcmp(s, "nras") ? ATTEST_RESULT_NRAS
           : !strcmp(s, "ita") ? ATTEST_RESULT_ITA
           : !strcmp(s, "maa") ? ATTEST_RESULT_MAA
                               : -1;
}

static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"kind", required_argument, NULL, 'k'},   {"keys", required_argument, NULL, 'K'},
        {"issuer", required_argument, NULL, 'i'}, {"nonce", required_argument, NULL, 'n'},
        {"policy", required_argument, NULL, 'p'}, {"at", required_argument, NULL, 'a'},
        {"allow-rs256", no_argument, NULL, 'r'},  {"json", no_argument, NULL, 'j'},
        {0, 0, 0, 0},
    };
    int c, rs256 = 0;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'k' && o->kind <= 0)
            o->kind = read_kind(optarg);
        else if (c == 'K' && !o->keys)
            o->keys = optarg;
        else if (c == 'i' && !o->issuer)
            o->issuer = optarg;
        else if (c == 'n' && !o->nonce.data && cli_read_hex(&o->nonce, optarg, 64) == 0)
            continue;
        else if (c == 'p' && !o->policy)
            o->policy = optarg;
        else if (c == 'a' && !o->at)
            o->at = optarg;
        else if (c == 'r' || c == 'j')
            *(c == 'r' ? &rs256 : &o->json) = 1;
        else
            return -1;
    }
    if (rs256 && o->kind != ATTEST_RESULT_ITA)
        return -1;
    o->kind |= rs256 ? ATTEST_RESULT_ALLOW_RS256 : 0;
    if (o->kind <= 0 || !o->keys || optind != argc - 1)
        return -1;
    o->token = argv[optind];
    return 0;
}

/* The verifier, policy and key set the options name; 0 or EXIT_USAGE. */
static int setup(const options *o, attest_verifier **v, attest_policy **p, attest_keyset **ks)
{
    blob keys = {0}, pol = {0};
    int64_t at = 0;
    int rc = attest_verifier_new(v) == ATTEST_OK ? 0 : EXIT_USAGE;
    if (!rc && o->at && (attest_time_parse(&at, o->at) != ATTEST_OK ||
                         attest_verifier_set_time(*v, at) != ATTEST_OK)) {
        fprintf(stderr, "attest verify-result: --at %s is not RFC 3339\n", o->at);
        rc = EXIT_USAGE;
    }
    /* a file that cannot be read was named by cli_read_file */
    if (!rc && o->policy && cli_read_file(&pol, "verify-result", o->policy, MAX_FILE) != 0)
        rc = EXIT_USAGE;
    else if (!rc && o->policy &&
             attest_policy_from_json(p, (const char *)pol.data, pol.len) != ATTEST_OK) {
        fprintf(stderr, "attest verify-result: policy %s: %s\n", o->policy, attest_error_last());
        rc = EXIT_USAGE;
    }
    if (!rc && cli_read_file(&keys, "verify-result", o->keys, MAX_FILE) != 0)
        rc = EXIT_USAGE;
    else if (!rc && attest_keyset_new(ks, keys.data, keys.len) != ATTEST_OK) {
        fprintf(stderr, "attest verify-result: keys %s: %s\n", o->keys, attest_error_last());
        rc = EXIT_USAGE;
    }
    free(keys.data);
    free(pol.data);
    return rc;
}

static int report(const options *o, int status, const attest_result *r)
{
    char *json = NULL;
    if (o->json && r && attest_result_to_json(&json, r) == ATTEST_OK) {
        printf("%s\n", json);
        attest_string_free(json);
    }
    if (status == ATTEST_OK) {
        if (!o->json)
            printf("accepted: %s\n", attest_result_ear_status(r));
        return 0;
    }
    fprintf(stderr, "rejected (%s): %s\n", attest_status_name(status),
            r ? attest_result_reason(r) : attest_error_last());
    return status == ATTEST_E_INVALID_ARG && !r ? EXIT_USAGE : 1;
}

int attest_results_main(int argc, char **argv)
{
    options o = {0};
    attest_verifier *v = NULL;
    attest_policy *p = NULL;
    attest_keyset *ks = NULL;
    attest_result *r = NULL;
    blob token = {0};
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(USAGE, stdout);
        return 0;
    }
    int rc = parse_options(argc, argv, &o) == 0 ? 0 : EXIT_USAGE;
    if (rc)
        fputs(USAGE, stderr);
    if (!rc)
        rc = setup(&o, &v, &p, &ks);
    if (!rc && cli_read_file(&token, "verify-result", o.token, MAX_FILE) != 0)
        rc = EXIT_USAGE;
    if (!rc) {
        int status = attest_verify_result_token(&r, v, o.kind, token.data, token.len, ks,
                                                o.issuer, p, o.nonce.data, o.nonce.len);
        rc = report(&o, status, r);
    }
    attest_result_free(r);
    attest_keyset_free(ks);
    attest_policy_free(p);
    attest_verifier_free(v);
    free(token.data);
    free(o.nonce.data);
    return rc;
}
