/* attest tpm-verify - a TPM 2.0 quote and its TCG event log
 * (docs/eventlog.md "TPM quote and log"):
 *
 *   attest tpm-verify --ak TPMT_PUBLIC --quote TPMS_ATTEST --signature SIG
 *                     --pcrs VALUES --log EVENT_LOG [--nonce HEX]
 *
 * Every check is the library's (attest_tpm_log_verify); this file only
 * reads options and files. Exit: 0 accepted, 1 rejected (the failing
 * check named), 2 usage or I/O. */
#include "attest.h"
#include "cli_io.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define MAX_FILE (16u << 20) /* event logs are kilobytes; quotes bytes */

int attest_tpm_main(int argc, char **argv);

static const char USAGE[] =
    "usage: attest tpm-verify --ak TPMT_PUBLIC --quote TPMS_ATTEST --signature SIG\n"
    "                         --pcrs VALUES --log EVENT_LOG [--nonce HEX]\n"
    "VALUES: the selected PCRs of the quoted bank, ascending, concatenated.\n"
    "exit: 0 accepted, 1 rejected (the failing check named), 2 usage or I/O.\n";

enum { F_AK, F_QUOTE, F_SIG, F_PCRS, F_LOG, F_COUNT };

static int parse_options(int argc, char **argv, const char *paths[F_COUNT], blob *nonce)
{
    static const struct option longs[] = {
        {"ak", required_argument, NULL, 'a'},        {"quote", required_argument, NULL, 'q'},
        {"signature", required_argument, NULL, 's'}, {"pcrs", required_argument, NULL, 'p'},
        {"log", required_argument, NULL, 'l'},       {"nonce", required_argument, NULL, 'n'},
        {0, 0, 0, 0},
    };
    static const char keys[F_COUNT + 1] = "aqspl";
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        const char *at = c ? strchr(keys, c) : NULL;
        if (at)
            paths[at - keys] = optarg;
        else if (c != 'n' || nonce->data || cli_read_hex(nonce, optarg, 64) != 0)
            return -1;
    }
    for (int i = 0; i < F_COUNT; i++)
        if (!paths[i])
            return -1;
    return optind == argc ? 0 : -1;
}

int attest_tpm_main(int argc, char **argv)
{
    const char *paths[F_COUNT] = {0};
    blob f[F_COUNT] = {{0}}, nonce = {0};
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(USAGE, stdout);
        return 0;
    }
    int rc = parse_options(argc, argv, paths, &nonce) == 0 ? 0 : EXIT_USAGE;
    if (rc)
        fputs(USAGE, stderr);
    for (int i = 0; rc == 0 && i < F_COUNT; i++)
        if (cli_read_file(&f[i], "tpm-verify", paths[i], MAX_FILE) != 0)
            rc = EXIT_USAGE;
    if (rc == 0) {
        int st = attest_tpm_log_verify(f[F_AK].data, f[F_AK].len, f[F_QUOTE].data,
                                       f[F_QUOTE].len, f[F_SIG].data, f[F_SIG].len,
                                       f[F_PCRS].data, f[F_PCRS].len, f[F_LOG].data,
                                       f[F_LOG].len, nonce.data, nonce.len);
        if (st == ATTEST_OK)
            printf("accepted: quote signed by the AK, pcrDigest and event log replay match\n");
        else
            fprintf(stderr, "rejected (%s): %s\n", attest_status_name(st),
                    attest_error_last());
        rc = st == ATTEST_OK ? 0 : 1;
    }
    for (int i = 0; i < F_COUNT; i++)
        free(f[i].data);
    free(nonce.data);
    return rc;
}
