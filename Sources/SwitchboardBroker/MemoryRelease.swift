#if canImport(Glibc)
import Glibc
#endif

/// Hands memory freed by the C allocator back to the system (glibc's `malloc_trim`, looked up at run time:
/// Swift's Glibc module does not declare it). After recovery has read and restored 100,000 requests, what
/// the reading needed at once is free, and need not stay resident.
enum MemoryRelease {
    static func releaseFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
