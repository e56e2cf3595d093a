// Package cheap measures the C heap, for the tests: a binding that frees every result, options object and
// C string it makes leaves the bytes in use flat however many calls it makes.
package cheap

// #include <malloc.h>
import "C"

// InUse is the bytes of C heap in use now, in every malloc arena: glibc's mallinfo2 uordblks (chunks in
// use) plus hblkhd (chunks mmapped on their own).
func InUse() int64 {
	info := C.mallinfo2()
	return int64(info.uordblks) + int64(info.hblkhd)
}
