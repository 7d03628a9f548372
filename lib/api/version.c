/* The version of the library and the limits it enforces, as functions:
 * a binding (ctypes, cgo) cannot read the header's macros, and a program
 * compiled against an older header learns what the loaded library does. */
#include "api.h"
#include "../parse/spdm_report.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* The encoding gives each part one byte. */
_Static_assert(ATTEST_VERSION_MAJOR < 256 && ATTEST_VERSION_MINOR < 256 &&
                   ATTEST_VERSION_PATCH < 256,
               "a version part does not fit ATTEST_VERSION_NUMBER's byte");

const char *attest_version(void)
{
    return STRINGIFY(ATTEST_VERSION_MAJOR) "." STRINGIFY(ATTEST_VERSION_MINOR) "." STRINGIFY(
        ATTEST_VERSION_PATCH);
}

unsigned long attest_version_number(void) { return ATTEST_VERSION_NUMBER; }

size_t attest_nonce_max(void) { return ATTEST_NONCE_MAX; }

size_t attest_nvidia_device_max(void) { return NV_MAX_DEVICES; }

size_t attest_ocsp_response_max(void) { return ATTEST_COLLATERAL_MAX_OCSP; }

size_t attest_ocsp_nonce_max(void) { return ATTEST_OCSP_NONCE_MAX; }
