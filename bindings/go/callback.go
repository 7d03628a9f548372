package attest

/*
#include <attest.h>
#include <stdint.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// goFetchAdded is attest_fetch_added_fn for WithOnAdded: C holds only the
// integer cgo.Handle, never a Go pointer (bridge.c passes it as ctx).
//
//export goFetchAdded
func goFetchAdded(h C.uintptr_t, kind C.int, data *C.uint8_t, n C.size_t) {
	fn, ok := cgo.Handle(h).Value().(func(NeedKind, []byte))
	if !ok {
		return
	}
	fn(NeedKind(kind), C.GoBytes(unsafe.Pointer(data), C.int(n)))
}
