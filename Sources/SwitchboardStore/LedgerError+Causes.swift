#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import SwitchboardSchema

/// The causes the ledger reports, each with what the operator can do about it.
extension LedgerError {
    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// What a failed system call on `path` means, in words (permission denied, read-only, no space...).
    static func cause(_ code: Int32) -> String {
        switch code {
        case EACCES, EPERM:
            "permission denied (the daemon runs as uid \(getuid())); give its user access "
                + "or choose another data directory"
        case EROFS: "the file system is read-only; choose a data directory on a writable file system"
        case ENOSPC, EDQUOT: "no space left on the device (or quota exceeded); free some space and start again"
        case EIO: "disk I/O error; check the disk and the kernel log (dmesg)"
        case ENOTDIR: "a part of the path is not a directory; fix the data directory setting"
        case ENAMETOOLONG: "the path is too long; choose a shorter data directory"
        default: "\(systemMessage(code)) (errno \(code))"
        }
    }

    static func cannotCreateDirectory(_ directory: String, _ code: Int32) -> LedgerError {
        LedgerError(path: directory, reason: "cannot create the data directory: " + cause(code))
    }

    static func notADirectory(_ directory: String, blockedBy file: String) -> LedgerError {
        let what = file == directory ? "it exists and is not a directory" : "\(file) is a file, not a directory"
        return LedgerError(
            path: directory,
            reason: "cannot create the data directory: \(what); move that file away or choose another data directory")
    }

    static func cannotWriteDirectory(_ directory: String, _ code: Int32) -> LedgerError {
        LedgerError(path: directory, reason: "cannot write to the data directory: " + cause(code))
    }

    static func lockFile(_ lockPath: String, _ code: Int32) -> LedgerError {
        LedgerError(path: lockPath, reason: "cannot open or lock the ledger's lock file: " + cause(code))
    }

    static func locked(_ path: String, lockPath: String, holder: String?) -> LedgerError {
        let who = holder.map { " (pid \($0), per \(lockPath))" } ?? " (\(lockPath) is locked)"
        return LedgerError(
            path: path,
            reason: "locked by another process\(who): another switchboardd is using this ledger; stop it, "
                + "or give each daemon its own data directory")
    }

    static func cannotOpen(_ path: String, _ code: Int32) -> LedgerError {
        LedgerError(path: path, reason: "cannot open the database file: " + cause(code))
    }

    static func isADirectory(_ path: String) -> LedgerError {
        LedgerError(
            path: path, reason: "is a directory, not a database file; move it away or choose another data directory")
    }

    static func notADatabase(_ path: String, _ detail: String) -> LedgerError {
        LedgerError(
            path: path,
            reason: "not a valid SQLite database (\(detail)); it is another kind of file or is damaged. "
                + "It was left untouched: move it aside and restore the ledger from a backup, "
                + "or point the data directory elsewhere")
    }

    static func corrupt(_ path: String, _ detail: String) -> LedgerError {
        LedgerError(
            path: path,
            reason: "the database is corrupt (\(detail)). It was left untouched: move it aside and restore the "
                + "ledger from a backup (sqlite3 .recover may save what is readable)")
    }

    static func orphanWAL(_ path: String) -> LedgerError {
        LedgerError(
            path: path,
            reason: "the database file is missing but its write-ahead log \(path)-wal is not: the ledger was "
                + "deleted or moved while it had uncommitted pages. Restore the database file, or remove "
                + "\(path)-wal and \(path)-shm to start an empty ledger")
    }

    static func notALedger(_ path: String, tables: [String]) -> LedgerError {
        LedgerError(
            path: path,
            reason: "is a SQLite database but not a Switchboard ledger (it has tables "
                + tables.joined(separator: ", ") + " and no migration history); point the data directory elsewhere")
    }

    static func newerLedger(_ path: String, unknown: [String]) -> LedgerError {
        LedgerError(
            path: path,
            reason: "was written by a newer switchboardd (unknown migrations: " + unknown.joined(separator: ", ")
                + "); run that version or newer, or restore a backup made by this one")
    }

    public static func unknownValue(path: String, column: String, value: String, ticket: String) -> LedgerError {
        LedgerError(
            path: path,
            reason: "ticket \(ticket) has \(column) '\(value)', which this version does not know; "
                + "was the ledger written by a newer switchboardd?")
    }

    /// What an SQLite error while opening or writing the ledger means.
    static func database(_ path: String, _ error: DatabaseError) -> LedgerError {
        let sqlite = error.message.map { "SQLite: \($0)" } ?? "SQLite code \(error.extendedResultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return notADatabase(path, sqlite)
        case .SQLITE_CORRUPT:
            return corrupt(path, sqlite)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerError(
                path: path,
                reason: "locked by another process (\(sqlite)): stop whatever else has the database open "
                    + "(another switchboardd, a sqlite3 shell, a backup tool) and try again")
        case .SQLITE_CANTOPEN:
            return LedgerError(
                path: path,
                reason: "cannot open the database file (\(sqlite)); check that the data directory exists and that "
                    + "the daemon's user can read and write it and the files in it")
        case .SQLITE_PERM, .SQLITE_AUTH, .SQLITE_READONLY:
            return LedgerError(
                path: path,
                reason: "permission denied or read-only (\(sqlite)); the daemon's user must be able to write the "
                    + "database file, its -wal and -shm files and the data directory")
        case .SQLITE_IOERR:
            return LedgerError(
                path: path, reason: "disk I/O error (\(sqlite)); check the disk and the kernel log (dmesg)")
        case .SQLITE_FULL:
            return LedgerError(path: path, reason: "the disk is full (\(sqlite)); free some space and start again")
        default:
            return LedgerError(path: path, reason: "database error (\(sqlite))")
        }
    }
}
