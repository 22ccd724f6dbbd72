#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger's data directory: created (with its parents) if missing, and checked to be writable.
enum DataDirectory {
    /// Creates `directory` and its missing parents (mode 0750: the ledger holds member data), then checks
    /// that the daemon can create files in it.
    static func prepare(_ directory: String) throws(LedgerError) {
        var current = directory.hasPrefix("/") ? "/" : ""
        for part in directory.split(separator: "/", omittingEmptySubsequences: true) {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
            try makeDirectory(current, for: directory)
        }
        if access(directory.isEmpty ? "." : directory, W_OK | X_OK) != 0 {
            throw LedgerError.cannotWriteDirectory(directory, errno)
        }
    }

    /// Makes one component of the path unless it is already a directory.
    private static func makeDirectory(_ path: String, for directory: String) throws(LedgerError) {
        for _ in 0..<2 {
            var info = stat()
            if stat(path, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw LedgerError.notADirectory(directory, blockedBy: path)
                }
                return
            }
            guard errno == ENOENT else { throw LedgerError.cannotCreateDirectory(directory, errno) }
            if mkdir(path, 0o750) == 0 { return }
            // Someone else may have created it meanwhile: look again once.
            guard errno == EEXIST else { throw LedgerError.cannotCreateDirectory(directory, errno) }
        }
        throw LedgerError.cannotCreateDirectory(directory, EEXIST)
    }
}
