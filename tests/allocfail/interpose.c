/* The allocation-failure interposer of tests/allocfail (issue 14).
 *
 * Linked into the driver executable, these definitions of malloc, calloc,
 * realloc, strdup, strndup and the aligned allocators take precedence over
 * AddressSanitizer's (weak) interceptors and over glibc's, for every shared
 * library the process uses: libattest's own allocations, jansson's,
 * OpenSSL's (CRYPTO_malloc calls malloc), libxml2's and xmlsec1's
 * (xmlMalloc), libjwt's, libcbor's and glibc's own (fopen, strdup). Each
 * forwards to ASan's allocator (__interceptor_*, libasan of GCC 12), so
 * ASan still checks every access and LeakSanitizer still sees every block;
 * free is not interposed (ASan frees what its allocator gave).
 *
 * Nothing is counted until the calling thread calls allocfail_start: the
 * counters are thread-local, so ASan's, the test harness's and other
 * threads' allocations never shift the count. Between allocfail_start(N)
 * and allocfail_stop(), the N-th allocation (1-based) returns NULL (errno
 * ENOMEM), every other one succeeds; N = 0 only counts. With ALLOCFAIL_TRACE
 * set in the environment, the stack of the failed allocation is printed.
 *
 * Fork at the point (allocfail_on_point): at every counted allocation the
 * driver's callback runs, with counting off, before the real allocator is
 * entered (so no allocator lock is held): it may fork a grandchild in which
 * this allocation fails, wait for it, and let the allocation succeed here.
 * errno is kept across the callback, as a successful allocation keeps it. */
#include "allocfail.h"

#include <errno.h>
#include <sanitizer/common_interface_defs.h>
#include <stddef.h>
#include <stdlib.h>

#if !defined(__SANITIZE_ADDRESS__)
#error "tests/allocfail is built with -fsanitize=address (leaks are judged by LeakSanitizer)"
#endif

void *__interceptor_malloc(size_t size);
void *__interceptor_calloc(size_t n, size_t size);
void *__interceptor_realloc(void *p, size_t size);
char *__interceptor_strdup(const char *s);
char *__interceptor_strndup(const char *s, size_t n);
int __interceptor_posix_memalign(void **out, size_t align, size_t size);
void *__interceptor_aligned_alloc(size_t align, size_t size);
void *__interceptor_memalign(size_t align, size_t size);

static _Thread_local int armed;
static _Thread_local long count, fail_at, injected;
static _Thread_local void *injected_caller;
static _Thread_local allocfail_point_fn *point_fn;
static _Thread_local void *point_ctx;

void allocfail_start(long n)
{
    count = 0;
    injected = 0;
    injected_caller = NULL;
    fail_at = n;
    armed = 1;
}

void allocfail_on_point(allocfail_point_fn *fn, void *ctx)
{
    point_fn = fn;
    point_ctx = ctx;
}

long allocfail_stop(void)
{
    armed = 0;
    point_fn = NULL;
    return count;
}

long allocfail_injected(void)
{
    return injected;
}

void *allocfail_injected_caller(void)
{
    return injected_caller;
}

/* The fork-at-point callback for allocation `count`: 1 in the process
 * where it is to fail (which forks no more), 0 where it succeeds. */
static int fail_at_point(void)
{
    if (!point_fn)
        return 0;
    int saved = errno;
    armed = 0; /* the walker's own allocations (pipe, fork, judgement) are not counted */
    int fail = point_fn(count, point_ctx);
    armed = 1;
    errno = saved;
    if (fail)
        point_fn = NULL;
    return fail;
}

/* Whether this allocation (called from `caller`) is the one to fail. */
static int fail_now(void *caller)
{
    if (!armed)
        return 0;
    if (++count != fail_at && !fail_at_point())
        return 0;
    injected = count;
    injected_caller = caller;
    if (getenv("ALLOCFAIL_TRACE")) /* where the failure is made: finding its point */
        __sanitizer_print_stack_trace();
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t size)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_realloc(p, size);
}

char *strdup(const char *s)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_strdup(s);
}

char *strndup(const char *s, size_t n)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_strndup(s, n);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    return fail_now(__builtin_return_address(0)) ? ENOMEM : __interceptor_posix_memalign(out, align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_aligned_alloc(align, size);
}

void *memalign(size_t align, size_t size)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __interceptor_memalign(align, size);
}
