/* attest - command-line front end of libattest.
 *
 *   attest inspect FILE
 *   attest verify [--at RFC3339] [--policy FILE] [--nonce HEX] [--json]
 *                 [--anchor|--anchor-intel|... SPKI_SHA256_HEX]... [--no-builtin-anchors]
 *                 [--token-key KEY.pem --token-out FILE [--token-lifetime S]]
 *                 [--online [--cache DIR] [--ca-file F] [--kds URL] [--pcs URL | --pccs URL]
 *                  [--nvidia-rim URL] [--nvidia-ocsp URL] [--thim URL]] FILE|DIR...
 *   attest bundle create [--nonce HEX] [--tpm-quote F ... --td-quote F] -o BUNDLE FILE|DIR...
 *   attest collateral list [--json] [--thim URL] FILE|DIR...
 *   attest collateral fetch [--nonce HEX] [--cache DIR] [--ca-file F] [--kds URL]
 *                           [--pcs URL | --pccs URL] [--nvidia-rim URL] [--nvidia-ocsp URL]
 *                           [--thim URL] -o BUNDLE FILE|DIR...
 *   attest token verify TOKEN --pubkey PUB.pem [--nonce HEX] [--at RFC3339]
 *                       [--allow-warning]
 *   attest version | attest --version
 *
 * Options are read with getopt_long and may come anywhere among the files
 * (`--` ends them); every command takes --help. A file named `-` is
 * standard input (once). Directories are read in strcmp order of their
 * names, so that what they contribute, and in which order (a bundle's GPU
 * order binds their nonces), never depends on readdir. Files are sorted
 * into evidence and collateral by attest_classify.
 *
 * Exit status: 0 verified and the policy holds; 1 rejected; 2 usage, I/O
 * or unparseable input. token verify: 0 only for a valid token whose
 * ear.status is affirming (or warning with --allow-warning), 1 for an
 * invalid token or any other status, 2 usage or I/O. */
#include "attest.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define HELP_SHOWN (-1) /* --help printed: exit 0 */
#define ATTEST_MAX_INPUT (64u << 20)
#define PIN_LEN 32 /* --anchor*: SHA-256 of a SubjectPublicKeyInfo */
#define MAX_ANCHORS 8

/* One --nonce for every command: what attest_verify and a token take, and
 * what a bundle records. */
_Static_assert(ATTEST_NONCE_MAX <= 64, "attest_bundle_create records at most 64 nonce bytes");

/* ---- commands and their help --------------------------------------------- */

enum option_code {
    OPT_FILE = 1, /* getopt_long hands back a non-option argument as 1 */
    OPT_HELP = 'h',
    OPT_OUT = 'o',
    OPT_AT = 256,
    OPT_POLICY,
    OPT_NONCE,
    OPT_JSON,
    OPT_ANCHOR_AMD,
    OPT_ANCHOR_INTEL,
    OPT_ANCHOR_NV_DEVICE,
    OPT_ANCHOR_NV_RIM,
    OPT_NO_BUILTIN,
    OPT_TOKEN_KEY,
    OPT_TOKEN_OUT,
    OPT_TOKEN_LIFETIME,
    OPT_PUBKEY,
    OPT_ALLOW_WARNING,
    OPT_ONLINE,
    OPT_CACHE,
    OPT_CA_FILE,
    OPT_KDS,
    OPT_PCS,
    OPT_PCCS,
    OPT_NV_RIM,
    OPT_NV_OCSP,
    OPT_NRAS,
    OPT_TCB_UPDATE,
    OPT_TCB_EVALUATION,
    OPT_ANCHOR_AZURE,
    OPT_TPM_QUOTE, /* the evidence parts of an Azure CVM, in attest_part_kind order */
    OPT_TPM_SIGNATURE,
    OPT_TPM_PCRS,
    OPT_TD_QUOTE,
    OPT_THIM,
    OPT_TLS_CERT, /* RA-TLS: verify --tls-cert CERT [--binding RULE] */
    OPT_BINDING,
};

#define HELP_OPTION {"help", no_argument, NULL, OPT_HELP}

static const struct option NO_OPTIONS[] = {HELP_OPTION, {0}};

/* Where online collateral comes from (verify --online, collateral fetch). */
#define SERVICE_OPTIONS                                                                      \
    {"cache", required_argument, NULL, OPT_CACHE},                                           \
    {"ca-file", required_argument, NULL, OPT_CA_FILE},                                       \
    {"kds", required_argument, NULL, OPT_KDS},                                               \
    {"pcs", required_argument, NULL, OPT_PCS},                                               \
    {"pccs", required_argument, NULL, OPT_PCCS},                                             \
    {"nvidia-rim", required_argument, NULL, OPT_NV_RIM},                                     \
    {"nvidia-ocsp", required_argument, NULL, OPT_NV_OCSP},                                   \
    {"nras", required_argument, NULL, OPT_NRAS},                                             \
    {"tcb-update", required_argument, NULL, OPT_TCB_UPDATE},                                 \
    {"tcb-evaluation", required_argument, NULL, OPT_TCB_EVALUATION}, \
    {"thim", required_argument, NULL, OPT_THIM}

static const struct option VERIFY_OPTIONS[] = {
    {"at", required_argument, NULL, OPT_AT},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"nonce", required_argument, NULL, OPT_NONCE},
    {"json", no_argument, NULL, OPT_JSON},
    {"anchor", required_argument, NULL, OPT_ANCHOR_AMD},
    {"anchor-intel", required_argument, NULL, OPT_ANCHOR_INTEL},
    {"anchor-nvidia-device", required_argument, NULL, OPT_ANCHOR_NV_DEVICE},
    {"anchor-nvidia-rim", required_argument, NULL, OPT_ANCHOR_NV_RIM},
    {"anchor-azure-vtpm", required_argument, NULL, OPT_ANCHOR_AZURE},
    {"no-builtin-anchors", no_argument, NULL, OPT_NO_BUILTIN},
    {"tpm-quote", required_argument, NULL, OPT_TPM_QUOTE},
    {"tpm-signature", required_argument, NULL, OPT_TPM_SIGNATURE},
    {"tpm-pcrs", required_argument, NULL, OPT_TPM_PCRS},
    {"td-quote", required_argument, NULL, OPT_TD_QUOTE},
    {"token-key", required_argument, NULL, OPT_TOKEN_KEY},
    {"token-out", required_argument, NULL, OPT_TOKEN_OUT},
    {"token-lifetime", required_argument, NULL, OPT_TOKEN_LIFETIME},
    {"online", no_argument, NULL, OPT_ONLINE},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"binding", required_argument, NULL, OPT_BINDING},
    SERVICE_OPTIONS,
    HELP_OPTION,
    {0},
};

static const struct option FETCH_OPTIONS[] = {
    {"nonce", required_argument, NULL, OPT_NONCE},
    SERVICE_OPTIONS,
    HELP_OPTION,
    {0},
};

static const struct option BUNDLE_OPTIONS[] = {
    {"nonce", required_argument, NULL, OPT_NONCE},
    {"tpm-quote", required_argument, NULL, OPT_TPM_QUOTE},
    {"tpm-signature", required_argument, NULL, OPT_TPM_SIGNATURE},
    {"tpm-pcrs", required_argument, NULL, OPT_TPM_PCRS},
    {"td-quote", required_argument, NULL, OPT_TD_QUOTE},
    HELP_OPTION,
    {0},
};

static const struct option LIST_OPTIONS[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"thim", required_argument, NULL, OPT_THIM},
    HELP_OPTION,
    {0},
};

static const struct option TOKEN_OPTIONS[] = {
    {"pubkey", required_argument, NULL, OPT_PUBKEY},
    {"nonce", required_argument, NULL, OPT_NONCE},
    {"at", required_argument, NULL, OPT_AT},
    {"allow-warning", no_argument, NULL, OPT_ALLOW_WARNING},
    HELP_OPTION,
    {0},
};

typedef struct command command;
struct command {
    const char *word, *subword; /* "bundle" "create"; subword NULL for one word */
    const char *name;           /* both, for messages */
    const char *synopsis;       /* after "usage: attest " */
    const char *details;        /* what --help adds */
    /* getopt_long: '-' first hands back files in place (options may follow
     * them, whatever POSIXLY_CORRECT says); ':' reports a missing value. */
    const char *shorts;
    const struct option *longs;
    int (*run)(const command *cmd, int argc, char **argv);
};

static int cmd_inspect(const command *cmd, int argc, char **argv);
static int cmd_verify(const command *cmd, int argc, char **argv);
static int cmd_bundle(const command *cmd, int argc, char **argv);
static int cmd_token(const command *cmd, int argc, char **argv);
static int cmd_version(const command *cmd, int argc, char **argv);
static int cmd_collateral_list(const command *cmd, int argc, char **argv);
static int cmd_collateral_fetch(const command *cmd, int argc, char **argv);
static int cmd_measure(const command *cmd, int argc, char **argv);
static int cmd_tpm_verify(const command *cmd, int argc, char **argv);
static int cmd_verify_result(const command *cmd, int argc, char **argv);

#define SERVICE_HELP                                                                       \
    "  --cache DIR           keep answers in DIR until their own validity ends\n"         \
    "  --ca-file F           PEM CA bundle for TLS (default: libcurl's)\n"               \
    "  --kds URL             AMD KDS base (default https://kdsintf.amd.com)\n"           \
    "  --pcs URL             Intel PCS base (default https://api.trustedservices.intel.com)\n" \
    "  --pccs URL            an Intel PCCS instead of the PCS (Root CA CRL included)\n" \
    "  --nvidia-rim URL      NVIDIA RIM service base (default\n"                          \
    "                        https://rim.attestation.nvidia.com)\n"                      \
    "  --nvidia-ocsp URL     NVIDIA OCSP responder (default https://ocsp.ndis.nvidia.com;\n" \
    "                        a fresh nonce per request, answers never cached)\n"     \
    "  --nras URL            NVIDIA NRAS base for the key set of an NRAS result given\n" \
    "                        without one (default https://nras.attestation.nvidia.com)\n" \
    "  --tcb-update early|standard  which Intel TCB evaluation TCB Info and QE\n"     \
    "                        Identity are asked for (default: the service's)\n"        \
    "  --tcb-evaluation N    ask for tcbEvaluationDataNumber N and refuse answers of\n" \
    "                        another (Intel PCS only, not with --pccs)\n" \
    "  --thim URL            ask Azure THIM (the whole URL, e.g. http://169.254.169.254/\n" \
    "                        metadata/THIM/amd/certification; none by default) for SNP\n" \
    "                        VCEKs and their chain instead of KDS\n"

static const char COMMON_HELP[] =
    "Options may come before, between or after the files (-- ends them). A file\n"
    "named - is standard input (given once); an output named - is standard output.\n"
    "Directories are read in name order (strcmp); their files of no known kind\n"
    "are skipped with a note. HEX is an even number of hex digits [0-9a-fA-F],\n"
    "nothing else (no 0x). attest COMMAND --help describes a command.\n";

static const command COMMANDS[] = {
    {"inspect", NULL, "inspect", "inspect FILE\n",
     "Print every field of the evidence in FILE as JSON (byte strings in hex).\n"
     "exit: 0 printed, 2 usage, I/O or unparseable input.\n",
     "-:h", NO_OPTIONS, cmd_inspect},
    {"verify", NULL, "verify",
     "verify [--at RFC3339] [--policy FILE] [--nonce HEX] [--json]\n"
     "                     [--anchor|--anchor-intel|--anchor-nvidia-device|--anchor-nvidia-rim\n"
     "                      |--anchor-azure-vtpm HEX]...\n"
     "                     [--tpm-quote F --tpm-signature F [--tpm-pcrs F]] [--td-quote F]\n"
     "                     [--no-builtin-anchors] [--token-key KEY.pem --token-out FILE\n"
     "                     [--token-lifetime SECONDS]]\n"
     "                     [--online [--cache DIR] [--ca-file F] [--kds URL]\n"
     "                      [--pcs URL | --pccs URL] [--nvidia-rim URL]\n"
     "                      [--nvidia-ocsp URL] [--thim URL] [--tcb-update early|standard |\n"
     "                      --tcb-evaluation N]] FILE|DIR...\n"
     "       attest verify --tls-cert CERT [--binding RULE] [same options] [FILE|DIR...]\n",
     "Verify evidence (SEV-SNP report, DCAP quote, NVIDIA evidence or bundle) with\n"
     "its collateral (certificates PEM or DER, CRLs, Intel TCB Info / QE Identity,\n"
     "NVIDIA RIMs, DER OCSP responses), each recognised by content, or directories\n"
     "holding them.\n"
     "  --at RFC3339          verify as of this instant (default: now)\n"
     "  --tls-cert CERT       RA-TLS: the evidence is in this certificate or CSR (PEM\n"
     "                        or DER), bound to its key by --binding RULE:\n"
     "                        claims-sha256 (default), spki-sha256, csr-spki-sha384,\n"
     "                        oe-pem-sha256 (docs/ratls.md); FILEs are collateral;\n"
     "                        with --online, what its evidence lacks is fetched\n"
     "  --policy FILE         policy document (docs/policy.md; default: strict)\n"
     "  --nonce HEX           the challenge the evidence must answer (1 to 64 bytes)\n"
     "  --json                print the result as JSON\n"
     "  --anchor HEX          trust one more AMD root key (SHA-256 of its\n"
     "                        SubjectPublicKeyInfo, e.g. attest-mock's anchor.sha256);\n"
     "                        --anchor-intel, --anchor-nvidia-device,\n"
     "                        --anchor-nvidia-rim, --anchor-azure-vtpm for the others\n"
     "  --tpm-quote F --tpm-signature F [--tpm-pcrs F] [--td-quote F]\n"
     "                        with an Azure HCL report (vTPM NV 0x01400001): the\n"
     "                        TPM2_Quote (TPMS_ATTEST bytes), its signature, the\n"
     "                        selected PCRs' values (32 bytes each, ascending) and,\n"
     "                        for TDX, the TD quote of its TDREPORT (docs/azure.md)\n"
     "  --no-builtin-anchors  drop the pinned vendor roots\n"
     "  --token-key KEY.pem --token-out FILE [--token-lifetime SECONDS]\n"
     "                        also write the result as a signed JWT (EAR claims)\n"
     "  --online              first fetch what the inputs lack (AMD KDS, Intel PCS\n"
     "                        or PCCS, NVIDIA RIM service and OCSP), then verify\n"
     "                        as usual; what is still missing is listed on stderr.\n"
     "                        Without it nothing touches the network.\n"
     SERVICE_HELP
     "exit: 0 accepted, 1 rejected (the failing check named), 2 usage, I/O or\n"
     "unparseable input.\n",
     "-:h", VERIFY_OPTIONS, cmd_verify},
    {"bundle", "create", "bundle create", "bundle create [--nonce HEX] [--tpm-quote F "
     "--tpm-signature F [--tpm-pcrs F]] [--td-quote F] -o BUNDLE FILE|DIR...\n",
     "Write one machine's evidence and collateral as a bundle (docs/bundle.md):\n"
     "one CPU report or quote, GPU reports in the order given (a directory's in\n"
     "name order: the order their nonces are bound in), every collateral item\n"
     "byte for byte; --nonce records the nonce they answer (1 to 64 bytes).\n"
     "--tpm-quote, --tpm-signature, --tpm-pcrs, --td-quote: the other parts of\n"
     "an Azure HCL report among the inputs, as for verify.\n"
     "exit: 0 written, 2 usage, I/O or unusable input.\n",
     "-:ho:", BUNDLE_OPTIONS, cmd_bundle},
    {"collateral", "list", "collateral list",
     "collateral list [--json] [--thim URL] FILE|DIR...\n",
     "List what each evidence among the inputs still needs that the collateral\n"
     "among them does not hold, each item with the request at the vendor's service\n"
     "that provides it (AMD KDS, Intel PCS v4, NVIDIA RIM service and OCSP): one\n"
     "line per item (kind, method, URL, why). Nothing is fetched.\n"
     "  --json                print the list as JSON\n"
     "  --thim URL            list an SNP VCEK and its chain as the request to Azure\n"
     "                        THIM at URL that verify --online --thim would make\n"
     "exit: 0 nothing missing, 1 something missing, 2 usage, I/O or unparseable\n"
     "input.\n",
     "-:h", LIST_OPTIONS, cmd_collateral_list},
    {"collateral", "fetch", "collateral fetch",
     "collateral fetch [--nonce HEX] [--cache DIR] [--ca-file F] [--kds URL]\n"
     "                           [--pcs URL | --pccs URL] [--nvidia-rim URL]\n"
     "                           [--nvidia-ocsp URL] [--thim URL] [--tcb-update early|standard |\n"
     "                           --tcb-evaluation N] -o BUNDLE FILE|DIR...\n",
     "Fetch what the evidence among the inputs lacks (as verify --online) and\n"
     "write the inputs and the fetched collateral as one bundle (bundle create).\n"
     "What is still missing is listed on stderr.\n"
     SERVICE_HELP
     "exit: 0 written, nothing missing; 1 written, something missing; 2 usage, I/O\n"
     "or unusable input.\n",
     "-:ho:", FETCH_OPTIONS, cmd_collateral_fetch},
    {"fetch", NULL, "fetch", "fetch [collateral fetch options] -o BUNDLE FILE|DIR...\n",
     "The same as attest collateral fetch (attest collateral fetch --help).\n",
     "-:ho:", FETCH_OPTIONS, cmd_collateral_fetch},
    {"token", "verify", "token verify",
     "token verify TOKEN --pubkey PUB.pem [--nonce HEX] [--at RFC3339]\n"
     "                           [--allow-warning]\n",
     "Verify a result token (attest verify --token-out) and print its claims.\n"
     "exit: 0 only for a valid token whose ear.status is affirming (or warning,\n"
     "with --allow-warning); 1 for an invalid token or any other status (named on\n"
     "stderr); 2 usage or I/O.\n",
     "-:h", TOKEN_OPTIONS, cmd_token},
    {"version", NULL, "version", "version (or attest --version)\n",
     "Print the library version.\n", "-:h", NO_OPTIONS, cmd_version},
    /* These read their own options (attest_measure.c, attest_tpm.c,
     * attest_results.c);
     * listed here so that the help names every command the dispatcher runs. */
    {"measure", NULL, "measure",
     "measure tdx|snp ...   (expected MRTD / SNP MEASUREMENT from launch inputs:\n"
     "                     attest measure --help, docs/measure.md)\n",
     "", "", NO_OPTIONS, cmd_measure},
    {"tpm-verify", NULL, "tpm-verify",
     "tpm-verify --ak TPMT_PUBLIC --quote TPMS_ATTEST --signature SIG --pcrs VALUES\n"
     "                     --log EVENT_LOG [--nonce HEX]   (attest tpm-verify --help)\n",
     "", "", NO_OPTIONS, cmd_tpm_verify},
    {"verify-result", NULL, "verify-result",
     "verify-result --kind nras|ita|maa --keys JWKS_OR_PEM [--issuer URL] [--nonce HEX]\n"
     "                     [--policy P] [--at TIME] TOKEN   (another verifier's signed\n"
     "                     result: attest verify-result --help, docs/results.md)\n",
     "", "", NO_OPTIONS, cmd_verify_result},
};

/* Every command's synopsis; usage errors go to stderr with exit 2. */
static int usage(FILE *f)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        fprintf(f, "%s attest %s", i ? "      " : "usage:", COMMANDS[i].synopsis);
    fputs(COMMON_HELP, f);
    fputs("exit: 0 accepted, 1 rejected, 2 usage, I/O or unparseable input.\n", f);
    return EXIT_USAGE;
}

static void print_help(const command *cmd, FILE *f)
{
    fprintf(f, "usage: attest %s%s%s", cmd->synopsis, cmd->details, COMMON_HELP);
}

static int command_usage(const command *cmd)
{
    fprintf(stderr, "usage: attest %s(attest %s --help explains)\n", cmd->synopsis, cmd->name);
    return EXIT_USAGE;
}

/* ---- reading and writing ---------------------------------------------- */

static int read_stream(FILE *f, const char *name, uint8_t **out, size_t *len)
{
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
    if (ferror(f) || !buf || n >= ATTEST_MAX_INPUT) {
        fprintf(stderr, "attest: %s: cannot read (or larger than %u bytes)\n", name,
                ATTEST_MAX_INPUT);
        free(buf);
        return -1;
    }
    *out = buf; /* n < cap: one byte to spare (token verify ends the text) */
    *len = n;
    return 0;
}

/* `path`, or standard input for "-": once only, a second would be empty. */
static int read_input(const char *path, uint8_t **out, size_t *len)
{
    static bool stdin_taken;
    if (strcmp(path, "-") == 0) {
        if (stdin_taken) {
            fprintf(stderr, "attest: -: standard input is given once only\n");
            return -1;
        }
        stdin_taken = true;
        return read_stream(stdin, "-", out, len);
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "attest: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = read_stream(f, path, out, len);
    fclose(f);
    return rc;
}

/* `text` and a newline into `path` ("-": standard output). */
static int write_output(const char *path, const char *text)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && (to_stdout ? fflush(f) : fclose(f)) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "attest: %s: cannot write\n", path);
    return ok ? 0 : -1;
}

static int report_failure(const char *path, int status)
{
    fprintf(stderr, "attest: %s: %s (%s)\n", path, attest_error_last(),
            attest_status_name(status));
    return -1;
}

/* ---- option values ---------------------------------------------------- */

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

typedef struct nonce_arg {
    uint8_t bytes[ATTEST_NONCE_MAX];
    size_t len; /* 0: no --nonce */
} nonce_arg;

/* --nonce, for every command. */
static int nonce_option(nonce_arg *n, const char *hex)
{
    return hex_option("--nonce", hex, n->bytes, 1, sizeof n->bytes, &n->len);
}

/* --at, for every command: an RFC 3339 instant. */
static int at_option(int64_t *at, const char *value)
{
    if (attest_time_parse(at, value) == ATTEST_OK)
        return 0;
    fprintf(stderr, "attest: --at: %s\n", attest_error_last());
    return -1;
}

/* ---- the command line ------------------------------------------------- */

typedef struct file_args {
    const char **paths;
    size_t count;
} file_args;

/* A command's option: 0, or -1 after saying why. */
typedef int (*option_fn)(void *opts, int code, const char *value);

static int no_option(void *opts, int code, const char *value)
{
    (void)opts, (void)code, (void)value;
    return -1;
}

static int bad_option(const command *cmd, int code, char **argv)
{
    const char *arg = argv[optind - 1];
    if (code == ':')
        fprintf(stderr, "attest %s: %s needs a value\n", cmd->name, arg);
    else if (optopt > 0 && optopt < 128 && arg[1] != '-')
        fprintf(stderr, "attest %s: unknown option '-%c'\n", cmd->name, optopt);
    else
        fprintf(stderr, "attest %s: unknown option '%s'\n", cmd->name, arg);
    return command_usage(cmd);
}

/* Options through `option`, files into `files` (free files->paths) in the
 * order given. Returns 0, HELP_SHOWN or EXIT_USAGE (said why). */
static int parse_args(const command *cmd, int argc, char **argv, option_fn option, void *opts,
                      file_args *files)
{
    files->count = 0;
    if (!(files->paths = calloc((size_t)argc + 1, sizeof *files->paths)))
        return EXIT_USAGE;
    opterr = 0; /* bad_option says it, naming the command */
    int code;
    while ((code = getopt_long(argc, argv, cmd->shorts, cmd->longs, NULL)) != -1) {
        if (code == OPT_FILE) {
            files->paths[files->count++] = optarg;
        } else if (code == OPT_HELP) {
            print_help(cmd, stdout);
            return HELP_SHOWN;
        } else if (code == '?' || code == ':') {
            return bad_option(cmd, code, argv);
        } else if (option(opts, code, optarg) != 0) {
            return EXIT_USAGE;
        }
    }
    while (optind < argc) /* after "--" */
        files->paths[files->count++] = argv[optind++];
    return 0;
}

static int exit_code(int rc)
{
    return rc == HELP_SHOWN ? 0 : rc;
}

/* ---- inputs: files, standard input and directories --------------------- */

/* Takes `data` (free() it) read from `path`; 0, or -1 after saying why. */
typedef int (*input_fn)(void *ctx, const char *path, uint8_t *data, size_t len);

/* Whether a directory leaves `path` out: of no known kind (READMEs, hex
 * dumps), or evidence by its look that its parser disowns
 * (ATTEST_E_FORMAT_UNKNOWN: a JSON document that merely names an
 * "attestation_report", say). Anything else in a directory is used, and
 * fails loudly if it does not parse. */
/* Base64 or hex text (what the library decodes once, any item given so):
 * in a directory it is a second copy of a binary file beside it, as
 * vector sets keep report.bin with report.hex, so only a file named on
 * the command line is read in that form. */
static bool encoded_text(const uint8_t *data, size_t len)
{
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (!isalnum(c) && c != '+' && c != '/' && c != '=')
            return false;
        digits++;
    }
    return digits >= 2;
}

static bool dir_skips(const char *path, const uint8_t *data, size_t len)
{
    attest_item_kind kind = ATTEST_ITEM_UNKNOWN;
    attest_evidence *ev = NULL;
    if (encoded_text(data, len)) {
        fprintf(stderr, "attest: note: skipping %s (base64 or hex text; name it to use it)\n",
                path);
        return true;
    }
    if (attest_classify(&kind, data, len) == ATTEST_OK && kind >= ATTEST_ITEM_CERTIFICATES)
        return false; /* collateral (attest.h: kinds from 16 up) */
    bool skip = kind == ATTEST_ITEM_UNKNOWN ||
                attest_evidence_parse(&ev, data, len) == ATTEST_E_FORMAT_UNKNOWN;
    attest_evidence_free(ev);
    if (skip)
        fprintf(stderr, "attest: note: skipping %s (not evidence or collateral)\n", path);
    return skip;
}

static int dir_entry(const char *dir, const char *name, input_fn each, void *ctx)
{
    char path[4096];
    struct stat st;
    uint8_t *data;
    size_t len;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fprintf(stderr, "attest: %s/%s: path too long\n", dir, name);
        return -1;
    }
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0; /* subdirectories are not walked */
    if (read_input(path, &data, &len) != 0)
        return -1;
    if (dir_skips(path, data, len)) {
        free(data);
        return 0;
    }
    return each(ctx, path, data, len);
}

static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* `path` itself, or the regular files of a directory in name order. */
static int each_input(const char *path, input_fn each, void *ctx)
{
    struct stat st;
    uint8_t *data;
    size_t len;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (read_input(path, &data, &len) != 0)
            return -1;
        return each(ctx, path, data, len);
    }
    struct dirent **names;
    int n = scandir(path, &names, visible, by_name);
    if (n < 0) {
        fprintf(stderr, "attest: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0)
            rc = dir_entry(path, names[i]->d_name, each, ctx);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- inspect ---------------------------------------------------------- */

static int inspect_input(void *ctx, const char *path, uint8_t *data, size_t len)
{
    attest_evidence *ev = NULL;
    char *json = NULL;
    attest_item_kind kind = ATTEST_ITEM_UNKNOWN;
    (void)ctx;
    /* Event logs are collateral: shown event by event (docs/eventlog.md). */
    if (attest_classify(&kind, data, len) == ATTEST_OK && kind >= ATTEST_ITEM_CCEL_TABLE &&
        kind <= ATTEST_ITEM_AAEL_LOG) {
        int st = attest_eventlog_to_json(&json, data, len);
        free(data);
        if (st != ATTEST_OK)
            return report_failure(path, st);
        printf("%s\n", json);
        attest_string_free(json);
        return 0;
    }
    int status = attest_evidence_parse(&ev, data, len);
    free(data);
    if (status != ATTEST_OK)
        return report_failure(path, status);
    status = attest_evidence_to_json(&json, ev);
    if (json)
        printf("%s\n", json);
    attest_string_free(json);
    attest_evidence_free(ev);
    return status == ATTEST_OK ? 0 : -1;
}

static int cmd_inspect(const command *cmd, int argc, char **argv)
{
    file_args files;
    int rc = parse_args(cmd, argc, argv, no_option, NULL, &files);
    if (rc == 0 && files.count != 1)
        rc = command_usage(cmd);
    uint8_t *data;
    size_t len;
    if (rc == 0 && (read_input(files.paths[0], &data, &len) != 0 ||
                    inspect_input(NULL, files.paths[0], data, len) != 0))
        rc = EXIT_USAGE;
    free(files.paths);
    return exit_code(rc);
}

/* ---- verify ----------------------------------------------------------- */

/* ---- online collateral ------------------------------------------------ */

typedef struct service_opts {
    const char *cache, *ca_file, *kds, *pcs, *pccs, *rim, *ocsp, *nras, *thim;
    attest_tcb_update tcb_update;
    unsigned tcb_evaluation; /* 0: none */
    int64_t at; /* verify --at: the cache's "now" too */
} service_opts;

/* --tcb-update standard|early, --tcb-evaluation N (1..2^31-1); anything
 * else is a usage error, never a silent default. 0 taken, -1 bad. */
static int tcb_option(service_opts *o, int code, const char *value)
{
    if (code == OPT_TCB_UPDATE) {
        o->tcb_update = !strcmp(value, "early")      ? ATTEST_TCB_UPDATE_EARLY
                        : !strcmp(value, "standard") ? ATTEST_TCB_UPDATE_STANDARD
                                                     : ATTEST_TCB_UPDATE_DEFAULT;
        if (o->tcb_update != ATTEST_TCB_UPDATE_DEFAULT)
            return 0;
        fprintf(stderr, "attest: --tcb-update: want early or standard, got '%.40s'\n", value);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long v = *value >= '0' && *value <= '9' ? strtol(value, &end, 10) : -1;
    if (errno || !end || *end || v < 1 || v > INT32_MAX) {
        fprintf(stderr, "attest: --tcb-evaluation: want a number 1..%ld, got '%.40s'\n",
                (long)INT32_MAX, value);
        return -1;
    }
    o->tcb_evaluation = (unsigned)v;
    return 0;
}

/* 0 taken, -1 bad, 1 not a service option. */
static int service_option(service_opts *o, int code, const char *value)
{
    switch (code) {
    case OPT_CACHE: o->cache = value; return 0;
    case OPT_CA_FILE: o->ca_file = value; return 0;
    case OPT_KDS: o->kds = value; return 0;
    case OPT_PCS: o->pcs = value; return 0;
    case OPT_PCCS: o->pccs = value; return 0;
    case OPT_NV_RIM: o->rim = value; return 0;
    case OPT_NV_OCSP: o->ocsp = value; return 0;
    case OPT_NRAS: o->nras = value; return 0;
    case OPT_TCB_UPDATE:
    case OPT_TCB_EVALUATION: return tcb_option(o, code, value);
    case OPT_THIM: o->thim = value; return 0;
    default: return 1;
    }
}

static bool any_service_option(const service_opts *o)
{
    return o->cache || o->ca_file || o->kds || o->pcs || o->pccs || o->rim || o->ocsp || o->nras ||
           o->tcb_update || o->tcb_evaluation || o->thim;
}

static int make_fetcher(const service_opts *o, attest_fetcher **out)
{
    attest_fetcher *f = NULL;
    if (o->pcs && o->pccs) {
        fprintf(stderr, "attest: give --pcs or --pccs, not both\n");
        return -1;
    }
    if (o->tcb_update && o->tcb_evaluation) {
        fprintf(stderr, "attest: give --tcb-update or --tcb-evaluation, not both\n");
        return -1;
    }
    if (o->pccs && o->tcb_evaluation) { /* a PCCS ignores it: refused, not recorded */
        fprintf(stderr, "attest: a PCCS does not support --tcb-evaluation; use --pcs\n");
        return -1;
    }
    int status = attest_fetcher_new(&f);
    const struct { attest_service svc; const char *url; } urls[] = {
        {ATTEST_SERVICE_AMD_KDS, o->kds}, {ATTEST_SERVICE_INTEL_PCS, o->pcs},
        {ATTEST_SERVICE_INTEL_PCCS, o->pccs}, {ATTEST_SERVICE_NVIDIA_RIM, o->rim},
        {ATTEST_SERVICE_NVIDIA_OCSP, o->ocsp}, {ATTEST_SERVICE_AZURE_THIM, o->thim},
        {ATTEST_SERVICE_NVIDIA_NRAS, o->nras},
    };
    for (size_t i = 0; status == ATTEST_OK && i < sizeof urls / sizeof *urls; i++)
        if (urls[i].url)
            status = attest_fetcher_set_service(f, urls[i].svc, urls[i].url);
    if (status == ATTEST_OK && o->ca_file)
        status = attest_fetcher_set_ca_file(f, o->ca_file);
    if (status == ATTEST_OK && o->cache)
        status = attest_fetcher_set_cache_dir(f, o->cache);
    if (status == ATTEST_OK)
        status = attest_fetcher_set_tcb_evaluation(f, o->tcb_update, o->tcb_evaluation);
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: fetch: %s\n", attest_error_last());
        attest_fetcher_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

/* Progress of a fetch on stderr when it is a terminal: retries and slow
 * services can take seconds, and a silent command looks hung. Quiet when
 * stderr is a file or a pipe (scripts, logs): only what is still missing
 * is reported there. The library itself never prints; this wraps the
 * caller's on_added callback (collateral fetch keeps the bytes). */
typedef struct fetch_progress {
    attest_fetch_added_fn inner;
    void *inner_ctx;
} fetch_progress;

static void progress_added(void *ctx, attest_need_kind kind, const uint8_t *data, size_t len)
{
    const fetch_progress *p = ctx;
    fprintf(stderr, "attest: fetched %s (%zu bytes)\n", attest_need_kind_name(kind), len);
    if (p->inner)
        p->inner(p->inner_ctx, kind, data, len);
}

/* Announce the fetch and route added items through progress_added, when
 * stderr is a terminal; else just the caller's callback. */
static void set_progress(attest_fetcher *f, const attest_evidence *ev,
                         const attest_collateral *coll, fetch_progress *p)
{
    attest_needs *needs = NULL;
    if (!isatty(STDERR_FILENO)) {
        attest_fetcher_set_on_added(f, p->inner, p->inner_ctx);
        return;
    }
    if (attest_collateral_needs(&needs, ev, coll) == ATTEST_OK)
        fprintf(stderr, "attest: fetching %zu item(s) the inputs lack...\n",
                attest_needs_count(needs));
    attest_needs_free(needs);
    attest_fetcher_set_on_added(f, progress_added, p);
}

/* Fetch what `ev` lacks into `coll` (each added item also to `added`,
 * when set); list what is still missing on stderr. Returns the number
 * still missing, or -1. */
static long fetch_missing(const service_opts *o, const attest_evidence *ev,
                          attest_collateral *coll, attest_fetch_added_fn added, void *ctx)
{
    attest_fetcher *f = NULL;
    attest_needs *missing = NULL;
    fetch_progress progress = {added, ctx};
    if (make_fetcher(o, &f) != 0)
        return -1;
    set_progress(f, ev, coll, &progress);
    if (o->at != ATTEST_TIME_NOW) /* cached items valid at the verification's instant */
        attest_fetcher_set_time(f, o->at);
    int status = attest_fetch_collateral(f, ev, coll, &missing);
    attest_fetcher_free(f);
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: fetch: %s\n", attest_error_last());
        return -1;
    }
    long count = (long)attest_needs_count(missing);
    if (count)
        fprintf(stderr, "still missing after fetching:\n");
    for (size_t i = 0; i < (size_t)count; i++)
        fprintf(stderr, "  %s: %s\n", attest_need_kind_name(attest_needs_kind(missing, i)),
                attest_needs_reason(missing, i));
    attest_needs_free(missing);
    return count;
}

/* ---- verify ----------------------------------------------------------- */

/* Hex options are decoded while the command line is read, so that a bad
 * one is reported before any file is. */
typedef struct verify_opts {
    int64_t at; /* ATTEST_TIME_NOW: the clock */
    const char *policy_path, *token_key, *token_out;
    long token_lifetime;
    nonce_arg nonce;
    uint8_t anchors[MAX_ANCHORS][PIN_LEN];
    attest_vendor anchor_vendor[MAX_ANCHORS];
    int anchor_count;
    bool json, no_builtin;
    bool online;
    service_opts net;
    const char *parts[4]; /* --tpm-quote, --tpm-signature, --tpm-pcrs, --td-quote */
    const char *tls_cert; /* RA-TLS: the certificate holding the evidence */
    int binding;          /* its binding rule (attest_ratls_rule) */
} verify_opts;

static const struct {
    int code;
    const char *name;
    attest_vendor vendor;
} ANCHOR_OPTIONS[] = {
    {OPT_ANCHOR_AMD, "--anchor", ATTEST_VENDOR_AMD},
    {OPT_ANCHOR_INTEL, "--anchor-intel", ATTEST_VENDOR_INTEL},
    {OPT_ANCHOR_NV_DEVICE, "--anchor-nvidia-device", ATTEST_VENDOR_NVIDIA_DEVICE},
    {OPT_ANCHOR_NV_RIM, "--anchor-nvidia-rim", ATTEST_VENDOR_NVIDIA_RIM},
    {OPT_ANCHOR_AZURE, "--anchor-azure-vtpm", ATTEST_VENDOR_AZURE_VTPM},
};

static int anchor_option(verify_opts *o, int code, const char *hex)
{
    for (size_t i = 0; i < sizeof ANCHOR_OPTIONS / sizeof *ANCHOR_OPTIONS; i++) {
        const char *name = ANCHOR_OPTIONS[i].name;
        size_t len;
        if (ANCHOR_OPTIONS[i].code != code)
            continue;
        if (o->anchor_count >= MAX_ANCHORS) {
            fprintf(stderr, "attest: %s: more than %d anchors\n", name, MAX_ANCHORS);
            return -1;
        }
        if (hex_option(name, hex, o->anchors[o->anchor_count], PIN_LEN, PIN_LEN, &len) != 0)
            return -1;
        o->anchor_vendor[o->anchor_count++] = ANCHOR_OPTIONS[i].vendor;
        return 0;
    }
    return -1;
}

/* --token-lifetime: whole seconds, 1 to 31 days; anything else (sign,
 * spaces, suffixes, overflow) is a usage error, never a silent default. */
#define TOKEN_LIFETIME_MAX (31L * 86400)
static int lifetime_option(long *out, const char *value)
{
    char *end = NULL;
    errno = 0;
    long v = value && *value >= '0' && *value <= '9' ? strtol(value, &end, 10) : -1;
    if (errno || !end || *end || v < 1 || v > TOKEN_LIFETIME_MAX) {
        fprintf(stderr, "attest: --token-lifetime: want whole seconds 1..%ld, got '%.40s'\n",
                TOKEN_LIFETIME_MAX, value ? value : "");
        return -1;
    }
    *out = v;
    return 0;
}

static int verify_option(void *opts, int code, const char *value)
{
    verify_opts *o = opts;
    int taken = service_option(&o->net, code, value);
    if (taken <= 0)
        return taken;
    switch (code) {
    case OPT_ONLINE: o->online = true; return 0;
    case OPT_AT: return at_option(&o->at, value);
    case OPT_POLICY: o->policy_path = value; return 0;
    case OPT_NONCE: return nonce_option(&o->nonce, value);
    case OPT_JSON: o->json = true; return 0;
    case OPT_NO_BUILTIN: o->no_builtin = true; return 0;
    case OPT_TOKEN_KEY: o->token_key = value; return 0;
    case OPT_TOKEN_OUT: o->token_out = value; return 0;
    case OPT_TOKEN_LIFETIME: return lifetime_option(&o->token_lifetime, value);
    case OPT_TPM_QUOTE:
    case OPT_TPM_SIGNATURE:
    case OPT_TPM_PCRS:
    case OPT_TD_QUOTE: o->parts[code - OPT_TPM_QUOTE] = value; return 0;
    case OPT_TLS_CERT: o->tls_cert = value; return 0;
    case OPT_BINDING:
        if (attest_ratls_rule_parse(&o->binding, value) == ATTEST_OK &&
            o->binding <= ATTEST_RATLS_OE_PEM_SHA256)
            return 0;
        fprintf(stderr, "attest: --binding: '%.40s': one of claims-sha256, spki-sha256, "
                "csr-spki-sha384, oe-pem-sha256\n", value);
        return -1;
    default: return anchor_option(o, code, value);
    }
}

typedef struct inputs {
    attest_collateral *coll;
    attest_evidence *ev;
    char *ev_path;
    uint8_t *ev_data; /* the evidence bytes given in parts, or the --tls-cert file */
    size_t ev_len;
} inputs;

static int add_evidence(inputs *in, const char *path, const uint8_t *data, size_t len)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, data, len);
    if (status != ATTEST_OK)
        return report_failure(path, status);
    if (in->ev) {
        fprintf(stderr, "attest: %s: second evidence (first: %s); give one\n", path,
                in->ev_path);
        attest_evidence_free(ev);
        return -1;
    }
    in->ev = ev;
    in->ev_path = strdup(path);
    /* Kept only for an Azure HCL report, the one evidence that takes parts
     * (assemble_parts): a bundle's bytes would otherwise stay for nothing. */
    if (attest_evidence_format(ev) == ATTEST_FORMAT_AZURE_VTPM &&
        (in->ev_data = malloc(len ? len : 1)))
        memcpy(in->ev_data, data, len);
    in->ev_len = len;
    return 0;
}

static bool any_part(const verify_opts *o)
{
    for (size_t i = 0; i < 4; i++)
        if (o->parts[i])
            return true;
    return false;
}

/* Azure CVM evidence given in parts: the HCL report among the inputs,
 * the TPM quote, its signature, PCR values and TD quote from their
 * options (attest_evidence_from_parts). */
static int assemble_parts(const verify_opts *o, inputs *in)
{
    attest_part_kind kinds[5] = {ATTEST_PART_HCL_REPORT};
    uint8_t *data[5] = {in->ev_data};
    size_t lens[5] = {in->ev_len}, n = 1;
    int rc = 0;
    if (attest_evidence_format(in->ev) != ATTEST_FORMAT_AZURE_VTPM || !in->ev_data) {
        fprintf(stderr, "attest: --tpm-quote, --tpm-signature, --tpm-pcrs and --td-quote "
                        "belong to an Azure HCL report; %s is none\n", in->ev_path);
        return -1;
    }
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        if (!o->parts[i])
            continue;
        kinds[n] = (attest_part_kind)(ATTEST_PART_TPM_QUOTE + i);
        rc = read_input(o->parts[i], &data[n], &lens[n]);
        n += rc == 0;
    }
    attest_evidence *ev = NULL;
    if (rc == 0 && attest_evidence_from_parts(&ev, kinds, (const uint8_t *const *)data, lens,
                                              n) != ATTEST_OK) {
        fprintf(stderr, "attest: %s: %s\n", in->ev_path, attest_error_last());
        rc = -1;
    }
    for (size_t i = 1; i < n; i++)
        free(data[i]);
    if (rc == 0) {
        attest_evidence_free(in->ev);
        in->ev = ev;
    }
    return rc;
}

/* One input, sorted by attest_classify: collateral is added to `coll`;
 * anything else is evidence (*evidence set; what is neither is reported
 * as evidence parsing reports it). 0, or -1 after saying why. */
static int sort_input(attest_collateral *coll, const char *path, const uint8_t *data,
                      size_t len, bool *evidence)
{
    attest_item_kind kind;
    int status = attest_classify(&kind, data, len);
    *evidence = false;
    if (status != ATTEST_OK)
        return report_failure(path, status);
    if (kind < ATTEST_ITEM_CERTIFICATES) { /* attest.h: collateral kinds from 16 up */
        *evidence = true;
        return 0;
    }
    status = attest_collateral_add(coll, data, len);
    return status == ATTEST_OK ? 0 : report_failure(path, status);
}

static int add_input(void *ctx, const char *path, uint8_t *data, size_t len)
{
    inputs *in = ctx;
    bool evidence;
    int rc = sort_input(in->coll, path, data, len, &evidence);
    if (rc == 0 && evidence)
        rc = add_evidence(in, path, data, len);
    free(data);
    return rc;
}

static int configure_verifier(attest_verifier *v, const verify_opts *o)
{
    if (o->no_builtin) {
        for (int k = ATTEST_VENDOR_AMD; k <= ATTEST_VENDOR_AZURE_VTPM; k++)
            attest_verifier_clear_anchors(v, (attest_vendor)k);
    }
    for (int i = 0; i < o->anchor_count; i++) {
        if (attest_verifier_add_anchor(v, o->anchor_vendor[i], o->anchors[i]) != ATTEST_OK) {
            fprintf(stderr, "attest: anchor: %s\n", attest_error_last());
            return -1;
        }
    }
    return attest_verifier_set_time(v, o->at) == ATTEST_OK ? 0 : -1;
}

static int load_policy(const char *path, attest_policy **out)
{
    uint8_t *data;
    size_t len;
    *out = NULL;
    if (!path)
        return 0;
    if (read_input(path, &data, &len) != 0)
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
    if (read_input(o->token_key, &key, &key_len) != 0)
        return -1;
    int status = attest_token_sign(&token, res, (const char *)key, key_len,
                                   o->token_lifetime > 0 ? o->token_lifetime : 3600);
    OPENSSL_cleanse(key, key_len);
    free(key);
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: token: %s\n", attest_error_last());
        return -1;
    }
    int rc = write_output(o->token_out, token);
    attest_string_free(token);
    return rc;
}

static void print_result(const verify_opts *o, const inputs *in, const attest_result *res)
{
    int status = attest_result_status(res);
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
}

/* After a rejection for a missing item: which URLs would provide what is
 * missing (the same list as `attest collateral list`). */
static void print_fetch_hint(const attest_evidence *ev, const attest_collateral *coll)
{
    attest_needs *needs = NULL;
    if (attest_collateral_needs(&needs, ev, coll) != ATTEST_OK)
        return;
    size_t count = attest_needs_count(needs);
    if (count)
        fprintf(stderr, "missing collateral: run `attest collateral list` or fetch:\n");
    for (size_t i = 0; i < count; i++) {
        const char *url = attest_needs_url(needs, i);
        fprintf(stderr, "  %s %s%s%s (%s)\n", attest_needs_method(needs, i),
                url[0] ? url : "(not fetchable)", attest_needs_subject(needs, i)[0] ? " " : "",
                attest_needs_subject(needs, i), attest_needs_reason(needs, i));
    }
    attest_needs_free(needs);
}

/* RA-TLS: the evidence comes out of the certificate (or CSR) and must be
 * bound to its key by the rule named (docs/ratls.md). */
static int verify_tls_cert(attest_result **res, attest_verifier *v, const verify_opts *o,
                           const inputs *in, const attest_policy *policy)
{
    return attest_verify_tls_peer(res, v, in->ev_data, in->ev_len,
                                  o->binding ? o->binding : ATTEST_RATLS_CLAIMS_SHA256, in->coll,
                                  policy, o->nonce.len ? o->nonce.bytes : NULL, o->nonce.len);
}

static int run_verify(const verify_opts *o, inputs *in)
{
    attest_verifier *v = NULL;
    attest_policy *policy = NULL;
    attest_result *res = NULL;
    int rc = EXIT_USAGE;
    if (attest_verifier_new(&v) != ATTEST_OK || configure_verifier(v, o) != 0 ||
        load_policy(o->policy_path, &policy) != 0)
        goto out;
    int status = o->tls_cert ? verify_tls_cert(&res, v, o, in, policy)
                             : attest_verify(&res, v, in->ev, in->coll, policy,
                                             o->nonce.len ? o->nonce.bytes : NULL, o->nonce.len);
    if (!res) {
        fprintf(stderr, "attest: %s\n", attest_error_last());
        goto out;
    }
    print_result(o, in, res);
    if (!o->online && (status == ATTEST_E_COLLATERAL_MISSING || status == ATTEST_E_CRL_MISSING))
        print_fetch_hint(in->ev, in->coll); /* online: the fetch listed what is missing */
    rc = status == ATTEST_OK ? 0 : EXIT_REJECTED;
    if (o->token_key && write_token(o, res) != 0)
        rc = EXIT_USAGE;
out:
    attest_result_free(res);
    attest_policy_free(policy);
    attest_verifier_free(v);
    return rc;
}

/* RA-TLS: the certificate's evidence, for the missing-collateral hint and
 * --online, which fetches what it lacks as for an evidence file. Offline,
 * a certificate without evidence is left to the verification to reject
 * with its code; online, nothing can be fetched for it: said, exit 2. */
static int tls_cert_evidence(const verify_opts *o, inputs *in)
{
    if (read_input(o->tls_cert, &in->ev_data, &in->ev_len) != 0)
        return -1;
    int status = attest_tls_peer_evidence(&in->ev, in->ev_data, in->ev_len,
                                          o->binding ? o->binding : ATTEST_RATLS_CLAIMS_SHA256);
    if (!o->online)
        return 0;
    if (status != ATTEST_OK) {
        fprintf(stderr, "attest: --online: no evidence to fetch collateral for in %s: %s (%s)\n",
                o->tls_cert, attest_error_last(), attest_status_name(status));
        return -1;
    }
    return fetch_missing(&o->net, in->ev, in->coll, NULL, NULL) >= 0 ? 0 : -1;
}

static int verify_files(const verify_opts *o, const file_args *files)
{
    inputs in = {0};
    int rc = EXIT_USAGE;
    if (attest_collateral_new(&in.coll) != ATTEST_OK)
        return EXIT_USAGE;
    for (size_t i = 0; i < files->count; i++)
        if (each_input(files->paths[i], add_input, &in) != 0)
            goto out;
    if (o->tls_cert && in.ev)
        fprintf(stderr, "attest: %s: evidence beside --tls-cert (the certificate carries "
                "it)\n", in.ev_path);
    else if (o->tls_cert && (in.ev_path = strdup(o->tls_cert)))
        rc = tls_cert_evidence(o, &in) == 0 ? run_verify(o, &in) : EXIT_USAGE;
    else if (!in.ev)
        fprintf(stderr, "attest: no evidence among the inputs\n");
    else if (any_part(o) && assemble_parts(o, &in) != 0)
        ;
    else if (!o->online || fetch_missing(&o->net, in.ev, in.coll, NULL, NULL) >= 0)
        rc = run_verify(o, &in);
out:
    attest_evidence_free(in.ev);
    attest_collateral_free(in.coll);
    free(in.ev_path);
    free(in.ev_data);
    return rc;
}

static int cmd_verify(const command *cmd, int argc, char **argv)
{
    verify_opts o = {.at = ATTEST_TIME_NOW};
    file_args files;
    int rc = parse_args(cmd, argc, argv, verify_option, &o, &files);
    if (rc == 0 && files.count == 0 && !o.tls_cert)
        rc = command_usage(cmd);
    if (rc == 0 && o.binding && !o.tls_cert) {
        fprintf(stderr, "attest: --binding needs --tls-cert\n");
        rc = EXIT_USAGE;
    }
    o.net.at = o.at;
    if (rc == 0 && !o.online && any_service_option(&o.net)) {
        fprintf(stderr, "attest: --cache, --ca-file and the service URLs need --online\n");
        rc = EXIT_USAGE;
    }
    if (rc == 0 && o.token_key && !o.token_out) {
        fprintf(stderr, "attest: --token-key needs --token-out\n");
        rc = EXIT_USAGE;
    }
    if (rc == 0)
        rc = verify_files(&o, &files);
    free(files.paths);
    return exit_code(rc);
}

/* ---- bundle create ---------------------------------------------------- */

typedef struct bundle_opts {
    const char *out;
    nonce_arg nonce;
    const char *parts[4]; /* --tpm-quote, --tpm-signature, --tpm-pcrs, --td-quote */
} bundle_opts;

static int bundle_option(void *opts, int code, const char *value)
{
    bundle_opts *o = opts;
    if (code == OPT_OUT) {
        o->out = value;
        return 0;
    }
    if (code >= OPT_TPM_QUOTE && code <= OPT_TD_QUOTE) {
        o->parts[code - OPT_TPM_QUOTE] = value;
        return 0;
    }
    return code == OPT_NONCE ? nonce_option(&o->nonce, value) : -1;
}

typedef struct item_list {
    uint8_t **data;
    size_t *lens;
    size_t count;
} item_list;

/* Keep an item for attest_bundle_create, which sorts it. */
static int list_item(void *ctx, const char *path, uint8_t *data, size_t len)
{
    item_list *l = ctx;
    uint8_t **d = realloc(l->data, (l->count + 1) * sizeof *d);
    size_t *n = d ? realloc(l->lens, (l->count + 1) * sizeof *n) : NULL;
    if (d)
        l->data = d;
    if (!n) {
        fprintf(stderr, "attest: %s: out of memory\n", path);
        free(data);
        return -1;
    }
    l->lens = n;
    l->data[l->count] = data;
    l->lens[l->count++] = len;
    return 0;
}

static void item_list_free(item_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->data[i]);
    free(l->data);
    free(l->lens);
}

static int write_bundle(const bundle_opts *o, const item_list *l)
{
    char *json = NULL;
    attest_part_kind kinds[4];
    uint8_t *data[4];
    size_t lens[4], n = 0;
    int rc = 0;
    for (size_t i = 0; i < 4 && rc == 0; i++) /* the Azure parts, as for verify */
        if (o->parts[i]) {
            kinds[n] = (attest_part_kind)(ATTEST_PART_TPM_QUOTE + i);
            rc = read_input(o->parts[i], &data[n], &lens[n]);
            n += rc == 0;
        }
    if (rc == 0 && attest_bundle_create_with_parts(&json, (const uint8_t *const *)l->data,
                                                   l->lens, l->count,
                                                   o->nonce.len ? o->nonce.bytes : NULL,
                                                   o->nonce.len, kinds,
                                                   (const uint8_t *const *)data, lens,
                                                   n) != ATTEST_OK) {
        fprintf(stderr, "attest: bundle: %s\n", attest_error_last());
        rc = -1;
    }
    for (size_t i = 0; i < n; i++)
        free(data[i]);
    if (rc == 0)
        rc = write_output(o->out, json) == 0 ? 0 : -1;
    attest_string_free(json);
    return rc == 0 ? 0 : EXIT_USAGE;
}

static int cmd_bundle(const command *cmd, int argc, char **argv)
{
    bundle_opts o = {0};
    item_list l = {0};
    file_args files;
    int rc = parse_args(cmd, argc, argv, bundle_option, &o, &files);
    if (rc == 0 && (!o.out || files.count == 0))
        rc = command_usage(cmd);
    for (size_t i = 0; rc == 0 && i < files.count; i++)
        if (each_input(files.paths[i], list_item, &l) != 0)
            rc = EXIT_USAGE;
    if (rc == 0 && l.count == 0) {
        fprintf(stderr, "attest: bundle: no evidence or collateral among the inputs\n");
        rc = EXIT_USAGE;
    }
    if (rc == 0)
        rc = write_bundle(&o, &l);
    item_list_free(&l);
    free(files.paths);
    return exit_code(rc);
}

/* ---- collateral fetch ------------------------------------------------- */

typedef struct fetch_opts {
    bundle_opts bundle;
    service_opts net;
} fetch_opts;

static int fetch_option(void *opts, int code, const char *value)
{
    fetch_opts *o = opts;
    int taken = service_option(&o->net, code, value);
    return taken <= 0 ? taken : bundle_option(&o->bundle, code, value);
}

/* attest_fetch_added_fn: a fetched item joins the bundle's items. */
static void keep_fetched(void *ctx, attest_need_kind kind, const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy) {
        memcpy(copy, data, len);
        list_item(ctx, attest_need_kind_name(kind), copy, len);
    }
}

/* The inputs as one evidence (a bundle of them, so that a CPU report and
 * GPU reports are fetched for together), for attest_fetch_collateral. */
static int inputs_as_evidence(const item_list *l, attest_evidence **ev)
{
    char *json = NULL;
    int status = attest_bundle_create(&json, (const uint8_t *const *)l->data, l->lens, l->count,
                                      NULL, 0);
    if (status == ATTEST_OK)
        status = attest_evidence_parse(ev, (const uint8_t *)json, strlen(json));
    attest_string_free(json);
    if (status != ATTEST_OK)
        fprintf(stderr, "attest: bundle: %s\n", attest_error_last());
    return status == ATTEST_OK ? 0 : -1;
}

static int fetch_into_bundle(const fetch_opts *o, item_list *l)
{
    attest_evidence *ev = NULL;
    attest_collateral *coll = NULL;
    long missing = -1;
    if (inputs_as_evidence(l, &ev) == 0 && attest_collateral_new(&coll) == ATTEST_OK)
        missing = fetch_missing(&o->net, ev, coll, keep_fetched, l);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
    if (missing < 0)
        return EXIT_USAGE;
    int rc = write_bundle(&o->bundle, l);
    return rc != 0 ? rc : missing > 0 ? EXIT_REJECTED : 0;
}

static int cmd_collateral_fetch(const command *cmd, int argc, char **argv)
{
    fetch_opts o = {.net.at = ATTEST_TIME_NOW};
    item_list l = {0};
    file_args files;
    int rc = parse_args(cmd, argc, argv, fetch_option, &o, &files);
    if (rc == 0 && (!o.bundle.out || files.count == 0))
        rc = command_usage(cmd);
    for (size_t i = 0; rc == 0 && i < files.count; i++)
        if (each_input(files.paths[i], list_item, &l) != 0)
            rc = EXIT_USAGE;
    if (rc == 0)
        rc = fetch_into_bundle(&o, &l);
    item_list_free(&l);
    free(files.paths);
    return exit_code(rc);
}

/* ---- collateral list -------------------------------------------------- */

#define MAX_LIST_EVIDENCE 64

typedef struct list_inputs {
    attest_collateral *coll;
    attest_evidence *ev[MAX_LIST_EVIDENCE];
    char *path[MAX_LIST_EVIDENCE];
    size_t count;
} list_inputs;

static int keep_evidence(list_inputs *in, const char *path, const uint8_t *data, size_t len)
{
    if (in->count >= MAX_LIST_EVIDENCE) {
        fprintf(stderr, "attest: %s: more than %d evidences\n", path, MAX_LIST_EVIDENCE);
        return -1;
    }
    int status = attest_evidence_parse(&in->ev[in->count], data, len);
    if (status != ATTEST_OK)
        return report_failure(path, status);
    return (in->path[in->count++] = strdup(path)) ? 0 : -1;
}

/* As add_input, but every evidence is kept: each gets its own list. */
static int list_input(void *ctx, const char *path, uint8_t *data, size_t len)
{
    list_inputs *in = ctx;
    bool evidence;
    int rc = sort_input(in->coll, path, data, len, &evidence);
    if (rc == 0 && evidence)
        rc = keep_evidence(in, path, data, len);
    free(data);
    return rc;
}

typedef struct list_opts {
    bool json;
    const char *thim;  /* --thim URL */
    attest_fetcher *f; /* with --thim: the fetcher whose requests are shown */
} list_opts;

/* Item i's URL: the need's, or with --thim the request the fetcher makes. */
static const char *need_url(const list_opts *o, const attest_evidence *ev, const attest_needs *n,
                            size_t i, char *buf, size_t len)
{
    if (o->f && attest_fetcher_request_url(o->f, ev, n, i, buf, len) == ATTEST_OK && buf[0])
        return buf;
    return attest_needs_url(n, i);
}

static void print_needs_text(const list_opts *o, const char *path, const attest_evidence *ev,
                             const attest_needs *n, bool header)
{
    if (header)
        printf("# %s\n", path);
    for (size_t i = 0; i < attest_needs_count(n); i++) {
        char buf[1024];
        const char *method = attest_needs_method(n, i);
        const char *url = need_url(o, ev, n, i, buf, sizeof buf);
        const char *subject = attest_needs_subject(n, i);
        printf("%s %s %s%s%s (%s)\n", attest_need_kind_name(attest_needs_kind(n, i)),
               method[0] ? method : "-", url[0] ? url : "-", subject[0] ? " " : "", subject,
               attest_needs_reason(n, i));
    }
}

/* One list per evidence; JSON: [{"file": ..., "needs": [...]}]. Returns
 * the number of items missing, or -1. */
static long list_needs(const list_inputs *in, const list_opts *o)
{
    bool json = o->json;
    long missing = 0;
    json_t *all = json ? json_array() : NULL;
    for (size_t i = 0; i < in->count; i++) {
        attest_needs *n = NULL;
        char *text = NULL;
        if (attest_collateral_needs(&n, in->ev[i], in->coll) != ATTEST_OK ||
            (json && attest_needs_to_json(&text, n) != ATTEST_OK)) {
            fprintf(stderr, "attest: %s: %s\n", in->path[i], attest_error_last());
            attest_needs_free(n);
            json_decref(all);
            return -1;
        }
        missing += (long)attest_needs_count(n);
        json_t *items = json ? json_loads(text, 0, NULL) : NULL;
        for (size_t k = 0; items && o->f && k < json_array_size(items); k++) {
            char buf[1024];
            json_object_set_new(json_array_get(items, k), "url",
                                json_string(need_url(o, in->ev[i], n, k, buf, sizeof buf)));
        }
        if (json)
            json_array_append_new(all, json_pack("{s:s, s:o}", "file", in->path[i], "needs",
                                                 items));
        else
            print_needs_text(o, in->path[i], in->ev[i], n, in->count > 1);
        attest_string_free(text);
        attest_needs_free(n);
    }
    if (json) {
        char *out = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", out ? out : "[]");
        free(out);
        json_decref(all);
    }
    return missing;
}

static int list_option(void *opts, int code, const char *value)
{
    list_opts *o = opts;
    if (code == OPT_JSON)
        o->json = true;
    else if (code == OPT_THIM)
        o->thim = value;
    else
        return -1;
    return 0;
}

/* With --thim, the fetcher that shows THIM's requests. */
static int list_fetcher(list_opts *o)
{
    if (!o->thim)
        return 0;
    if (attest_fetcher_new(&o->f) == ATTEST_OK &&
        attest_fetcher_set_service(o->f, ATTEST_SERVICE_AZURE_THIM, o->thim) == ATTEST_OK)
        return 0;
    fprintf(stderr, "attest: --thim: %s\n", attest_error_last());
    return EXIT_USAGE;
}

static int cmd_collateral_list(const command *cmd, int argc, char **argv)
{
    list_opts opts = {0};
    file_args files;
    list_inputs in = {0};
    int rc = parse_args(cmd, argc, argv, list_option, &opts, &files);
    if (rc == 0)
        rc = list_fetcher(&opts);
    if (rc == 0 && files.count == 0)
        rc = command_usage(cmd);
    if (rc == 0 && attest_collateral_new(&in.coll) != ATTEST_OK)
        rc = EXIT_USAGE;
    for (size_t i = 0; rc == 0 && i < files.count; i++)
        if (each_input(files.paths[i], list_input, &in) != 0)
            rc = EXIT_USAGE;
    if (rc == 0 && in.count == 0) {
        fprintf(stderr, "attest: no evidence among the inputs\n");
        rc = EXIT_USAGE;
    }
    if (rc == 0) {
        long missing = list_needs(&in, &opts);
        rc = missing < 0 ? EXIT_USAGE : missing > 0 ? EXIT_REJECTED : 0;
    }
    for (size_t i = 0; i < in.count; i++) {
        attest_evidence_free(in.ev[i]);
        free(in.path[i]);
    }
    attest_collateral_free(in.coll);
    attest_fetcher_free(opts.f);
    free(files.paths);
    return exit_code(rc);
}

/* ---- token verify ----------------------------------------------------- */

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
    const char *pub_path;
    nonce_arg nonce;
    int64_t when;
    bool allow_warning;
} token_opts;

static int token_option(void *opts, int code, const char *value)
{
    token_opts *o = opts;
    switch (code) {
    case OPT_PUBKEY: o->pub_path = value; return 0;
    case OPT_NONCE: return nonce_option(&o->nonce, value);
    case OPT_AT: return at_option(&o->when, value);
    case OPT_ALLOW_WARNING: o->allow_warning = true; return 0;
    default: return -1;
    }
}

static int verify_token(const token_opts *o, const char *token_path)
{
    uint8_t *token = NULL, *pub = NULL;
    size_t token_len, pub_len;
    int rc = EXIT_USAGE;
    char *claims = NULL;
    if (read_input(token_path, &token, &token_len) != 0 ||
        read_input(o->pub_path, &pub, &pub_len) != 0)
        goto done;
    while (token_len && (token[token_len - 1] == '\n' || token[token_len - 1] == '\r' ||
                         token[token_len - 1] == ' '))
        token_len--;
    token[token_len] = '\0'; /* read_input leaves room: the buffer is larger */
    int status = attest_token_verify(&claims, (const char *)token, (const char *)pub, pub_len,
                                     o->when, o->nonce.len ? o->nonce.bytes : NULL, o->nonce.len);
    if (status != ATTEST_OK) {
        fprintf(stderr, "rejected: %s (%s)\n", attest_error_last(), attest_status_name(status));
        rc = status == ATTEST_E_INVALID_ARG ? EXIT_USAGE : EXIT_REJECTED;
        goto done;
    }
    printf("%s\n", claims);
    rc = token_status_exit(claims, o->allow_warning);
done:
    attest_string_free(claims);
    free(token);
    free(pub);
    return rc;
}

static int cmd_token(const command *cmd, int argc, char **argv)
{
    token_opts o = {.when = ATTEST_TIME_NOW};
    file_args files;
    int rc = parse_args(cmd, argc, argv, token_option, &o, &files);
    if (rc == 0 && (files.count != 1 || !o.pub_path))
        rc = command_usage(cmd);
    if (rc == 0)
        rc = verify_token(&o, files.paths[0]);
    free(files.paths);
    return exit_code(rc);
}

/* ---- version and dispatch --------------------------------------------- */

static int print_version(void)
{
    printf("attest %s\n", attest_version());
    return 0;
}

static int cmd_version(const command *cmd, int argc, char **argv)
{
    file_args files;
    int rc = parse_args(cmd, argc, argv, no_option, NULL, &files);
    free(files.paths);
    return rc == 0 ? print_version() : exit_code(rc);
}

static bool is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* argv[0] of a command is its last word, as getopt_long wants. */
static int dispatch(const command *cmd, int argc, char **argv)
{
    if (!cmd->subword)
        return cmd->run(cmd, argc - 1, argv + 1);
    if (argc > 2 && !strcmp(argv[2], cmd->subword))
        return cmd->run(cmd, argc - 2, argv + 2);
    if (argc > 2 && is_help(argv[2])) {
        print_help(cmd, stdout);
        return 0;
    }
    return command_usage(cmd);
}

int attest_measure_main(int argc, char **argv); /* tools/attest_measure.c */
int attest_tpm_main(int argc, char **argv);     /* tools/attest_tpm.c */
int attest_results_main(int argc, char **argv); /* tools/attest_results.c */

/* argv[0] is the command's word; they print their own --help. */
static int cmd_measure(const command *cmd, int argc, char **argv)
{
    (void)cmd;
    return attest_measure_main(argc, argv);
}

static int cmd_tpm_verify(const command *cmd, int argc, char **argv)
{
    (void)cmd;
    return attest_tpm_main(argc, argv);
}

static int cmd_verify_result(const command *cmd, int argc, char **argv)
{
    (void)cmd;
    return attest_results_main(argc, argv);
}

/* Every command is a row of COMMANDS, so that usage() lists it (tests/cli.sh
 * checks the help against this dispatcher). */
int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "--version"))
        return print_version();
    if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; argc > 2 && i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].word) && COMMANDS[i].subword &&
            !strcmp(argv[2], COMMANDS[i].subword))
            return dispatch(&COMMANDS[i], argc, argv);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].word))
            return dispatch(&COMMANDS[i], argc, argv);
    return usage(stderr);
}
