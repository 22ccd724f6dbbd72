import Foundation
import GRDB
import SwitchboardCore
import SwitchboardSchema
import Testing
@testable import SwitchboardStore

@Suite("Ledger files")
struct LedgerFileTests {
    @Test("durability sets PRAGMA synchronous: FULL (2) for fsync, NORMAL (1) for os; WAL and foreign keys on",
        arguments: [(Durability.fsync, 2), (Durability.os, 1)])
    func durabilityPragma(durability: Durability, expected: Int) throws {
        try withTemporaryDirectory { directory in
            let ledger = try Ledger(directory: directory, durability: durability)
            defer { try? ledger.close() }
            let (synchronous, journal, foreignKeys) = try ledger.writer.write { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                 try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
            }
            #expect(synchronous == expected)
            #expect(journal == "wal")
            #expect(foreignKeys == 1)
            #expect(ledger.path == directory + "/switchboard.sqlite")
        }
    }

    @Test("reopening a closed ledger keeps the data")
    func reopenKeepsData() throws {
        try withTemporaryDirectory { directory in
            let t1 = ticket(0), t2 = ticket(1)
            let first = try Ledger(directory: directory)
            try first.apply(Changes.answered(t1, requestID: "r-1", at: 0))
            try first.apply([Changes.submitted(t2, requestID: "r-2", at: 1, body: "still open")])
            let before = try first.request(ticket: t1)
            try first.close()

            let second = try Ledger(directory: directory)
            defer { try? second.close() }
            #expect(try second.request(ticket: t1) == before)
            #expect(try second.openRequests().map(\.body) == [bytes("still open")])
            #expect(
                try second.history(ticket: t1).map(\.type) == [.requestSubmitted, .requestOffered, .requestAnswered])
            #expect(try second.lastTicket()?.text == t2)
            let applied = try second.writer.read { db in try LedgerSchema.migrator.appliedMigrations(db) }
            #expect(applied == [
                "v1: requests and events", "v2: service levels", "v3: operations", "v4: audit trail", "v5: compact history",
                "v6: agents over HTTP",
            ])
        }
    }

    @Test("a file of random bytes is refused with a clear error and left byte for byte as it was")
    func garbageFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/switchboard.sqlite"
            var generator = SystemRandomNumberGenerator()
            let garbage = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try garbage.write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.path == path)
            #expect(error.description.hasPrefix(path + ": "))
            #expect(error.description.contains("not a valid SQLite database"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test("a file with the SQLite header but garbage after it is refused and left untouched")
    func garbageAfterHeader() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/switchboard.sqlite"
            var generator = SystemRandomNumberGenerator()
            let rest = (16..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let garbage = Data(DatabaseFile.header + rest)
            try garbage.write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.path == path)
            #expect(error.reason.contains("not a valid SQLite database") || error.reason.contains("corrupt"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
        }
    }

    @Test("a ledger with damaged pages is refused as corrupt and left untouched")
    func corruptPages() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/switchboard.sqlite"
            let ledger = try Ledger(directory: directory)
            for index in 0..<50 {
                try ledger.apply([Changes.submitted(ticket(Int64(index)), requestID: "r-\(index)", at: Int64(index),
                    body: String(repeating: "x", count: 1_000))])
            }
            try ledger.close()
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let pageSize = 4096
            #expect(bytes.count > 8 * pageSize)
            // Keep page 1 (header and schema); scribble over the middle of every other page.
            for page in 1..<(bytes.count / pageSize) {
                for offset in 0..<64 { bytes[page * pageSize + 100 + offset] = 0xA5 }
            }
            try bytes.write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.path == path)
            #expect(error.reason.contains("corrupt"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        }
    }

    @Test("a second ledger on an open one's directory is refused: locked by another process")
    func secondLedgerIsLocked() throws {
        try withTemporaryDirectory { directory in
            let first = try Ledger(directory: directory)
            try first.apply([Changes.submitted(ticket(0), requestID: "r-0", at: 0)])
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.path == directory + "/switchboard.sqlite")
            #expect(error.description.contains("locked by another process"))
            #expect(error.reason.contains("pid \(ProcessInfo.processInfo.processIdentifier)"))
            // The refused one did no harm, and closing the first lets the next one in.
            #expect(try first.openRequests().count == 1)
            try first.close()
            let third = try Ledger(directory: directory)
            defer { try? third.close() }
            #expect(try third.openRequests().count == 1)
        }
    }

    @Test("a ledger that goes away releases its lock")
    func deinitReleasesLock() throws {
        try withTemporaryDirectory { directory in
            func openAndDrop() throws {
                let ledger = try Ledger(directory: directory)
                try ledger.apply([Changes.submitted(ticket(0), requestID: "r-0", at: 0)])
            }
            try openAndDrop()
            let again = try Ledger(directory: directory)
            defer { try? again.close() }
            #expect(try again.lastTicket()?.text == ticket(0))
        }
    }

    @Test("a data directory under a regular file gives an error naming the directory")
    func directoryUnderFile() throws {
        try withTemporaryDirectory { root in
            let file = root + "/not-a-directory"
            try Data("plain file".utf8).write(to: URL(fileURLWithPath: file))
            let directory = file + "/var/ledger"
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.path == directory)
            #expect(error.description.hasPrefix(directory + ": cannot create the data directory"))
            #expect(error.reason.contains("\(file) is a file, not a directory"))
        }
    }

    @Test("a data directory that is a file gives an error naming it")
    func directoryIsFile() throws {
        try withTemporaryDirectory { root in
            let file = root + "/data"
            try Data("plain file".utf8).write(to: URL(fileURLWithPath: file))
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: file) }
            #expect(error.path == file)
            #expect(error.reason.contains("exists and is not a directory"))
        }
    }

    @Test("missing parent directories are created, and the files are not world-readable")
    func createsDirectories() throws {
        try withTemporaryDirectory { root in
            let directory = root + "/a/b/c/"
            let ledger = try Ledger(directory: directory)
            defer { try? ledger.close() }
            #expect(ledger.path == root + "/a/b/c/switchboard.sqlite")
            let attributes = try FileManager.default.attributesOfItem(atPath: ledger.path)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o007 == 0)
        }
    }

    @Test("someone else's SQLite database is refused, untouched")
    func foreignDatabase() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/switchboard.sqlite"
            let other = try DatabaseQueue(path: path)
            try other.write { db in try db.execute(sql: "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)") }
            try other.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.reason.contains("not a Switchboard ledger"))
            #expect(error.reason.contains("patients"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("a ledger migrated by a newer version is refused")
    func newerLedger() throws {
        try withTemporaryDirectory { directory in
            let ledger = try Ledger(directory: directory)
            try ledger.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2: sla events')")
            }
            try ledger.close()
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.reason.contains("newer switchboardd"))
            #expect(error.reason.contains("v2: sla events"))
        }
    }

    @Test("a write-ahead log without its database is refused rather than starting empty")
    func orphanWAL() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/switchboard.sqlite"
            try Data(repeating: 7, count: 1024).write(to: URL(fileURLWithPath: path + "-wal"))
            let error = try #require(throws: LedgerError.self) { try Ledger(directory: directory) }
            #expect(error.path == path)
            #expect(error.reason.contains("missing"))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("a closed ledger refuses further work")
    func closedLedgerThrows() throws {
        try withTemporaryDirectory { directory in
            let ledger = try Ledger(directory: directory)
            try ledger.close()
            try ledger.close()
            #expect(throws: (any Error).self) {
                try ledger.apply([Changes.submitted(ticket(0), requestID: "r", at: 0)])
            }
            #expect(throws: (any Error).self) { try ledger.openRequests() }
        }
    }
}
