/*
 * mockcli - command-line helpers shared by the attest-mock front ends
 * (attest_mock.c for snp, attest_mock_dcap.c, attest_mock_nvidia.c):
 * messages and exit statuses, option values, number / hex parsing, the
 * --set and --flip edits, and writing the result.
 *
 * Parsers return 0, or -1 when the text is malformed or out of range.
 * Exit statuses: 0 success, MOCKCLI_EXIT_USAGE (2) usage error, 1 any other
 * failure. Uses gencommon.c (link it too).
 */
#ifndef MOCKCLI_H
#define MOCKCLI_H

#include <stddef.h>
#include <stdint.h>

#define MOCKCLI_EXIT_USAGE 2
#define MOCKCLI_MAX_EDITS 64   /* --set, --flip, ... of one command */
#define MOCKCLI_HEX_OPT_MAX 64 /* largest mockcli_hex_opt field */

/* A front end: its name in messages and its usage text. */
typedef struct {
    const char *prog;
    const char *usage;
} mockcli_prog;

/* "<prog>: msg[: arg]" (when msg != NULL) and the usage text on stderr;
 * returns MOCKCLI_EXIT_USAGE. */
int mockcli_usage_error(const mockcli_prog *p, const char *msg,
                        const char *arg);
/* "<prog>: msg[: arg]" on stderr; returns EXIT_FAILURE. */
int mockcli_failure(const mockcli_prog *p, const char *msg, const char *arg);
/* arg is "--help" or "-h". */
int mockcli_is_help(const char *arg);

/* A command: run(argc, argv) with the arguments after its name. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} mockcli_cmd;

/*
 * Run the command named argv[0] from cmds[0..n_cmds). No argv[0]: the usage
 * error `missing`; an unknown one: the usage error `unknown`. With help,
 * "--help" / "-h" print the usage on stdout instead (exit status 0).
 */
int mockcli_dispatch(const mockcli_prog *p, int argc, char **argv, int help,
                     const char *missing, const char *unknown,
                     const mockcli_cmd *cmds, size_t n_cmds);

/* Value of option argv[*i]; advances *i. NULL when it is missing. */
const char *mockcli_opt_value(int argc, char **argv, int *i);

/* An option without a value: sets the int at offset field of the context
 * to 1. */
typedef struct {
    const char *name;
    size_t field; /* offsetof(<args type>, <int member>) */
} mockcli_flag;

/* An option with a value; returns 0, or an exit status. */
typedef int (*mockcli_opt_fn)(void *ctx, const char *opt, const char *value);

/*
 * The options of one command, argv[0..argc): each is one of flags[0..n)
 * or takes the next argument as its value, handed to opt (a missing value
 * is a usage error). Returns 0, or the first exit status.
 */
int mockcli_parse_opts(const mockcli_prog *p, int argc, char **argv,
                       const mockcli_flag *flags, size_t n_flags,
                       mockcli_opt_fn opt, void *ctx);

/* Hex string (even length, not empty, no prefix) into out[0..max);
 * *len = bytes. */
int mockcli_parse_hex(uint8_t *out, size_t max, size_t *len, const char *s);
/* Unsigned integer, decimal or 0x hex, <= max. */
int mockcli_parse_u64(uint64_t *out, const char *s, uint64_t max);
/* The same in the given base (strtoull's: 0 = decimal, 0x hex or 0 octal). */
int mockcli_parse_u64_base(uint64_t *out, const char *s, int base,
                           uint64_t max);
/* Signed decimal integer. */
int mockcli_parse_i64(int64_t *out, const char *s);

/* A byte-string option, parsed while reading the command line. */
typedef struct {
    int have;
    uint8_t bytes[MOCKCLI_HEX_OPT_MAX];
    size_t len;
} mockcli_hex_opt;

/* mockcli_parse_hex into h (max <= MOCKCLI_HEX_OPT_MAX) and mark it. */
int mockcli_parse_hex_opt(mockcli_hex_opt *h, size_t max, const char *s);
/* A given h into base[off..off+max), zero-padded on the right. */
void mockcli_put_hex_opt(uint8_t *base, size_t off, size_t max,
                         const mockcli_hex_opt *h);

/* "KEY=HEX" with a numeric KEY; the bytes are heap-allocated. */
typedef struct {
    uint64_t key;
    uint8_t *bytes;
    size_t len;
} mockcli_kv;

/*
 * "KEY=HEX": KEY decimal or 0x hex <= kmax, HEX of even length, possibly
 * empty (*len 0). *bytes is malloc'd (NULL again on failure).
 */
int mockcli_parse_kv_hex(uint64_t *key, uint8_t **bytes, size_t *len,
                         const char *s, uint64_t kmax);
/* --set OFFSET=HEX: mockcli_parse_kv_hex with at least one byte. */
int mockcli_parse_set(mockcli_kv *e, const char *s, uint64_t off_max);
void mockcli_kv_free(mockcli_kv *e, size_t n);
/* Copy each e[i].bytes to d + e[i].key; -1 at the first one that does not
 * fit in d[0..len). */
int mockcli_kv_apply(uint8_t *d, size_t len, const mockcli_kv *e, size_t n);

/* --flip OFFSET[:BIT] edits (applied after signing). */
typedef struct {
    uint64_t off[MOCKCLI_MAX_EDITS];
    uint64_t bit[MOCKCLI_MAX_EDITS];
    size_t n;
} mockcli_flips;

/* Parse "OFFSET[:BIT]" (OFFSET decimal or 0x hex <= off_max, BIT 0..7 in
 * bit_base) into the next free edit; -1 also when all are used. */
int mockcli_flips_add(mockcli_flips *f, const char *s, int bit_base,
                      uint64_t off_max);
/* Flip the bits in d[0..len); -1 at the first offset outside it. */
int mockcli_flips_apply(const mockcli_flips *f, uint8_t *d, size_t len);
/*
 * The last step of an evidence command: f's flips into d[0..len) (one
 * outside it: the usage error "--flip outside the <what>"), then d written
 * to path (else the failure "cannot write <what>"). 0, or an exit status.
 */
int mockcli_flip_and_write(const mockcli_prog *p, const mockcli_flips *f,
                           uint8_t *d, size_t len, const char *path,
                           const char *what);

/* The --set and --flip edits of one command. */
typedef struct {
    mockcli_kv sets[MOCKCLI_MAX_EDITS];
    size_t n_sets;
    mockcli_flips flips;
} mockcli_edits;

/*
 * --set OFFSET=HEX and --flip OFFSET[:BIT] as the dcap and nvidia commands
 * take them (OFFSET decimal or 0x hex <= 0xFFFFFFFF, checked against the
 * evidence later; BIT decimal or 0x hex). Returns 0, or a usage error: a
 * bad value, or "unknown option" when opt is neither.
 */
int mockcli_edit_opt(const mockcli_prog *p, mockcli_edits *e, const char *opt,
                     const char *value);
void mockcli_edits_free(mockcli_edits *e);

/* The SNP report field options of `snp report` and `azure hcl`. */
typedef struct {
    int vlek; /* a flag: set through a mockcli_flag */
    uint64_t version; /* 2, 3 or 5; 0 = 3 */
    mockcli_hex_opt report_data, measurement, host_data;
    int have_policy, have_vmpl;
    uint64_t policy, vmpl;
} mockcli_snp_opts;

/*
 * --version, --report-data, --measurement, --host-data, --policy, --vmpl
 * into o: 0, a usage error, or 1 when opt is none of them.
 */
int mockcli_snp_opt(const mockcli_prog *p, mockcli_snp_opts *o,
                    const char *opt, const char *value);
/* Any option of o given (--vlek included). */
int mockcli_snp_opts_given(const mockcli_snp_opts *o);
/* The given fields (and KEY_INFO's signing key for --vlek) into an
 * initialised SNP report, before it is signed. */
void mockcli_snp_edit(uint8_t *report, const mockcli_snp_opts *o);

/* Write len bytes to path ("-" = stdout). */
int mockcli_write_file(const char *path, const void *data, size_t len);

#endif /* MOCKCLI_H */
