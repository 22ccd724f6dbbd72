import SwitchboardCore

extension Ledger {
    /// Applies `changes` in order in ONE transaction (group commit), and returns once it is durable per the
    /// ``Durability`` setting: after an fsync with `.fsync`, once in the OS with `.os`.
    ///
    /// Change by change: `request.submitted` inserts the request (a request id already in the ledger is
    /// ignored); `request.duplicate_answer` only adds to the history; every other request change updates the
    /// request row (state, attempts, worker, reason, failure; the answer for `request.answered`; the update
    /// count for `request.updated`; the finish time when the state becomes final) and adds a history entry;
    /// `worker.*` changes go to the worker log. Changes of a ticket the ledger does not hold are skipped.
    ///
    /// Throws (and writes nothing of the group) on a database error, or on a request change without the
    /// fields it needs (a ticket; for a submission also request id, department, priority and deadline).
    public func apply(_ changes: [Change]) throws {
        guard !changes.isEmpty else { return }
        try reportingErrors {
            try writer.write { db in
                let changeWriter = try ChangeWriter(db, path: path)
                for change in changes {
                    try changeWriter.apply(change)
                }
            }
        }
    }
}
