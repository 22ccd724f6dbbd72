import Dispatch

/// Runs ledger reads for the HTTP handlers, one at a time, on a thread of their own: GRDB reads block on the
/// disk, and the handlers run on the cooperative pool, which must never block (see `Ledger`).
struct LedgerReader: Sendable {
    private let queue = DispatchQueue(label: "switchboard-ops-ledger")

    func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
