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
 * errno is kept across the callback, as a successful allocation keeps it.
 *
 * A grandchild forked while its thread holds a write lock (OpenSSL takes
 * one around its provider and method stores, and allocates under it) must
 * be able to release it: glibc's pthread_rwlock_unlock releases a write
 * lock only when the lock names the caller's thread id as its writer
 * (__cur_writer, glibc's public pthread_rwlock_t layout), and the
 * grandchild's thread has a new id, so the unlock would be taken for a
 * reader's and the next locker would wait for ever. The write locks the
 * thread holds are therefore tracked here, and in the grandchild they are
 * given its thread id as their writer. */
#define _GNU_SOURCE /* gettid */
#include "allocfail.h"

#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

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
static _Thread_local void *injected_stack[64];
static _Thread_local int injected_depth;
static _Thread_local allocfail_point_fn *point_fn;
static _Thread_local void *point_ctx;
static _Thread_local void *huge_caller; /* allocfail_huge_caller */
static _Thread_local void **record_at; /* allocfail_record */
static _Thread_local long record_cap;

#define MAX_WRITE_LOCKS 64
static _Thread_local pthread_rwlock_t *write_locked[MAX_WRITE_LOCKS];
static _Thread_local int write_locks, write_lock_overflow;

/* glibc's own entry points (the names glibc exports besides the public
 * ones), so that the wrappers below do not call themselves. */
int glibc_rwlock_wrlock(pthread_rwlock_t *l);
int glibc_rwlock_trywrlock(pthread_rwlock_t *l);
int glibc_rwlock_unlock(pthread_rwlock_t *l);
__asm__(".symver glibc_rwlock_wrlock, __pthread_rwlock_wrlock@GLIBC_2.2.5");
__asm__(".symver glibc_rwlock_trywrlock, __pthread_rwlock_trywrlock@GLIBC_2.2.5");
__asm__(".symver glibc_rwlock_unlock, __pthread_rwlock_unlock@GLIBC_2.2.5");

static int write_locked_now(pthread_rwlock_t *l, int rc)
{
    if (rc == 0 && write_locks < MAX_WRITE_LOCKS)
        write_locked[write_locks++] = l;
    else if (rc == 0)
        write_lock_overflow = 1;
    return rc;
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    return write_locked_now(l, glibc_rwlock_wrlock(l));
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    return write_locked_now(l, glibc_rwlock_trywrlock(l));
}

int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    for (int i = write_locks - 1; i >= 0; i--)
        if (write_locked[i] == l) {
            write_locked[i] = write_locked[--write_locks];
            break;
        }
    return glibc_rwlock_unlock(l);
}

/* In the grandchild: its thread becomes the writer of what it holds. */
static void take_over_write_locks(void)
{
    if (write_lock_overflow)
        abort(); /* cannot hand them all over: the run would hang */
    for (int i = 0; i < write_locks; i++)
        write_locked[i]->__data.__cur_writer = gettid();
}

void allocfail_start(long n)
{
    count = 0;
    injected = 0;
    injected_caller = NULL;
    huge_caller = NULL;
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
    record_at = NULL;
    return count;
}

void *allocfail_huge_caller(void)
{
    return huge_caller;
}

/* A request no allocator can meet (a size computed from a failed call's
 * -1): NULL and ENOMEM, as glibc's malloc answers, where ASan would abort;
 * the caller is kept for the driver to judge. */
#define HUGE_REQUEST ((size_t)1 << 44)
static int huge(size_t size, void *caller)
{
    if (size < HUGE_REQUEST)
        return 0;
    if (armed && !huge_caller)
        huge_caller = caller;
    errno = ENOMEM;
    return 1;
}

void allocfail_record(void **blocks, long cap)
{
    record_at = blocks;
    record_cap = cap;
}

/* A counted allocation's block, recorded by its number when asked. */
static void *noted(void *p)
{
    if (armed && record_at && p && count < record_cap)
        record_at[count] = p;
    return p;
}

long allocfail_injected(void)
{
    return injected;
}

void *allocfail_injected_caller(void)
{
    return injected_caller;
}

int allocfail_injected_stack(void *const **frames)
{
    *frames = injected_stack;
    return injected ? injected_depth : 0;
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
    if (fail) {
        point_fn = NULL;
        take_over_write_locks();
    }
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
    armed = 0; /* backtrace's own first allocations are not counted */
    injected_depth = backtrace(injected_stack, 64);
    armed = 1;
    if (getenv("ALLOCFAIL_TRACE")) /* where the failure is made: finding its point */
        __sanitizer_print_stack_trace();
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t size)
{
    void *caller = __builtin_return_address(0);
    return noted(fail_now(caller) || huge(size, caller) ? NULL : __interceptor_malloc(size));
}

void *calloc(size_t n, size_t size)
{
    return noted(fail_now(__builtin_return_address(0)) ? NULL : __interceptor_calloc(n, size));
}

void *realloc(void *p, size_t size)
{
    void *caller = __builtin_return_address(0);
    return noted(fail_now(caller) || huge(size, caller) ? NULL : __interceptor_realloc(p, size));
}

char *strdup(const char *s)
{
    return noted(fail_now(__builtin_return_address(0)) ? NULL : __interceptor_strdup(s));
}

char *strndup(const char *s, size_t n)
{
    return noted(fail_now(__builtin_return_address(0)) ? NULL : __interceptor_strndup(s, n));
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (fail_now(__builtin_return_address(0)))
        return ENOMEM;
    int rc = __interceptor_posix_memalign(out, align, size);
    if (rc == 0)
        noted(*out);
    return rc;
}

void *aligned_alloc(size_t align, size_t size)
{
    return noted(fail_now(__builtin_return_address(0)) ? NULL : __interceptor_aligned_alloc(align, size));
}

void *memalign(size_t align, size_t size)
{
    return noted(fail_now(__builtin_return_address(0)) ? NULL : __interceptor_memalign(align, size));
}
