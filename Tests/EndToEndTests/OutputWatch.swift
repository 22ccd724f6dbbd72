import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Waits until a child's output file holds a text, woken by inotify at each write (no polling): for what a
/// process only says in its log, such as a reload being applied.
enum OutputWatch {
    /// Returns once `url` contains `text` at least `count` times; throws after `timeout`.
    static func wait(
        for text: String, count: Int = 1, in url: URL, within timeout: Duration = .seconds(20)
    ) async throws {
        let found: Bool = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: watch(url.path, text: text, count: count, timeout: timeout))
            }.start()
        }
        guard found else {
            let content = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            throw TestFailure(
                "'\(text)' did not appear \(count) time(s) in \(url.lastPathComponent) within \(timeout):\n\(content.suffix(3000))")
        }
    }

    private static func watch(_ path: String, text: String, count: Int, timeout: Duration) -> Bool {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard inotify_add_watch(descriptor, path, UInt32(IN_MODIFY)) >= 0 else { return false }
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // Read after arming the watch, so that no write between the check and the wait goes unnoticed.
            let content = (try? String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)) ?? ""
            if content.components(separatedBy: text).count - 1 >= count { return true }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            if poll(&entry, 1, milliseconds) > 0 {
                _ = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            }
        }
    }
}
