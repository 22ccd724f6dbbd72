/// How hard ``Ledger/apply(_:)`` works before it returns: what a committed group survives.
public enum Durability: String, Sendable, CaseIterable {
    /// Survives power loss: every commit is fsynced (`PRAGMA synchronous = FULL`). The default.
    case fsync
    /// Survives a crash of the process, not of the machine: commits reach the OS, the WAL is
    /// fsynced at checkpoints (`PRAGMA synchronous = NORMAL`).
    case os

    /// The value of `PRAGMA synchronous` this setting stands for (as SQLite reads it back).
    var synchronous: Int {
        switch self {
        case .fsync: 2
        case .os: 1
        }
    }
}
