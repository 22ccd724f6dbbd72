/// The ledger cannot be opened or written: names the file (or directory) and says, in words, what is
/// wrong and what to do about it. Start-up stops on it; the ledger never starts empty over existing data.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    /// The file or directory concerned.
    public let path: String
    /// The cause in words (for example "not a SQLite database ...", "locked by another process ...") and what to do.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `<path>: <reason>`
    public var description: String { "\(path): \(reason)" }
}
