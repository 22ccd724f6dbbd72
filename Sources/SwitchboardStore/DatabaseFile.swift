#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks done on the database file before SQLite opens it, so that a wrong file gets a clear error and is
/// never touched.
enum DatabaseFile {
    /// The first 16 bytes of every SQLite 3 database.
    static let header = Array("SQLite format 3\0".utf8)

    /// Creates a missing database file (mode 0640: it holds member data) or checks an existing one's header.
    /// An empty file is a new ledger; SQLite initializes it.
    static func prepare(_ path: String) throws(LedgerError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            guard errno == ENOENT else { throw LedgerError.cannotOpen(path, errno) }
            try create(path)
            return
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { throw LedgerError.isADirectory(path) }
        var bytes = [UInt8](repeating: 0, count: header.count)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + count, $0.count - count, off_t(count))
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw LedgerError.cannotOpen(path, errno) }
            if got == 0 { break }
            count += got
        }
        if count == 0 { return }
        guard count == header.count, bytes == header else {
            throw LedgerError.notADatabase(path, "it does not start with the SQLite header \"SQLite format 3\"")
        }
    }

    private static func create(_ path: String) throws(LedgerError) {
        var info = stat()
        if stat(path + "-wal", &info) == 0, info.st_size > 0 { throw LedgerError.orphanWAL(path) }
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw LedgerError.cannotOpen(path, errno) }
        close(fd)
    }
}
