#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An exclusive advisory lock (`flock`) on the ledger's lock file, so that two daemons never share a ledger.
/// Held until ``release()`` or deinit; the kernel drops it if the process dies, so a crash leaves no stale lock.
/// The lock file holds the pid of the holder, for the error message of the next one.
final class DirectoryLock: Sendable {
    let path: String
    /// The open lock file, -1 once released. Behind a mutex because `release()` and deinit may race.
    private let descriptor: Mutex<Int32>

    /// Takes the lock or throws: "locked by another process" (naming `databasePath`) if someone holds it.
    init(path: String, databasePath: String) throws(LedgerError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw LedgerError.lockFile(path, errno) }
        var result: Int32
        repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        if result != 0 {
            let code = errno
            let holder = DirectoryLock.holder(fd)
            close(fd)
            if code == EWOULDBLOCK { throw LedgerError.locked(databasePath, lockPath: path, holder: holder) }
            throw LedgerError.lockFile(path, code)
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        descriptor = Mutex(fd)
    }

    /// Releases the lock (idempotent).
    func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    deinit { release() }

    /// The pid written by the holder, if it reads as one.
    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingNewlines()
        return !text.isEmpty && text.allSatisfy(\.isNumber) ? text : nil
    }
}

extension String {
    fileprivate func trimmingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline { text.removeLast() }
        return String(text)
    }
}
