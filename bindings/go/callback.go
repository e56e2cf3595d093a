package deployhook

// This file holds the one function C calls back. It is apart from the calls into C because cgo declares an
// exported function in _cgo_export.h with its Go parameter types (char *text), and a declaration with the
// callback type's const char * in this file's preamble would conflict with that one: deployhook.go
// declares it as deployhook_wait_callback has it, where the C compiler checks it against the typedef.

// #include <deployhook.h>
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// The events of deployhook_event.
const (
	eventStatus = 1
	eventLog    = 2
)

//export goWaitCallback
func goWaitCallback(event, status C.int, text *C.char, timestamp C.double, userData unsafe.Pointer) {
	state := cgo.Handle(uintptr(userData)).Value().(*waitState)
	if state.panicked {
		return
	}
	// The callback must return normally to the library: a panic is kept, the wait's own options shut down
	// (ending that wait alone), and the panic raised again once the library has returned.
	defer func() {
		if value := recover(); value != nil {
			state.panicked, state.panicVal = true, value
			C.deployhook_options_shut_down(state.own)
		}
	}()
	switch event {
	case eventStatus:
		if state.options.OnStatus != nil {
			state.options.OnStatus(C.GoString(text), Status(status))
		}
	case eventLog:
		if state.options.OnLog != nil {
			state.options.OnLog(C.GoString(text), logTime(float64(timestamp)))
		}
	}
}
