import Dispatch
import SwitchboardStore

/// Runs ledger reads for the HTTP handlers on threads of their own: GRDB reads block on the disk, and the
/// handlers run on the cooperative pool, which must never block (see ``Ledger``).
struct LedgerReader: Sendable {
    private let queue = DispatchQueue(label: "switchboard-ops-ledger", attributes: .concurrent)

    func read<T: Sendable>(_ ledger: Ledger, _ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(ledger) })
            }
        }
    }
}
