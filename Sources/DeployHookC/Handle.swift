import CDeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A C handle struct whose one field holds a retained Swift object (its "box").
protocol BoxHandle {
    init(box: UnsafeMutableRawPointer!)
    var box: UnsafeMutableRawPointer! { get }
}

extension deployhook_result: BoxHandle {}
extension deployhook_options: BoxHandle {}

/// Making, reading and freeing boxed handles: the only unsafe memory code of the C boundary.
enum Handle {
    /// A malloc'ed handle retaining `object`, owned by the caller; nil when out of memory.
    static func make<H: BoxHandle>(_ object: AnyObject, as _: H.Type) -> UnsafeMutablePointer<H>? {
        guard let raw = malloc(MemoryLayout<H>.stride) else { return nil }
        let handle = raw.bindMemory(to: H.self, capacity: 1)
        handle.initialize(to: H(box: Unmanaged.passRetained(object).toOpaque()))
        return handle
    }

    /// The object behind a handle, borrowed; nil for a NULL handle.
    static func borrow<H: BoxHandle, Box: AnyObject>(_ handle: UnsafePointer<H>?, as _: Box.Type) -> Box? {
        guard let box = handle?.pointee.box else { return nil }
        return Unmanaged<Box>.fromOpaque(box).takeUnretainedValue()
    }

    /// Releases the object and frees the handle.
    static func destroy<H: BoxHandle>(_ handle: UnsafeMutablePointer<H>) {
        if let box = handle.pointee.box { Unmanaged<AnyObject>.fromOpaque(box).release() }
        free(handle)
    }
}
