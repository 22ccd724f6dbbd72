import Synchronization

/// Tells the agents' streams and the webhook dispatcher that the ledger has written notifications up to
/// some id. It carries no events: readers read them from the ledger, so a wake-up lost or merged with
/// another loses nothing.
public final class NotificationHub: Sendable {
    private struct State {
        var latest: Int64 = 0
        var finished = false
        var next = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The last notification id written (as far as this process has heard).
    public var latest: Int64 { state.withLock { $0.latest } }

    /// Whether the broker has stopped: streams end (their agents resume with the next daemon).
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// The broker stopped: every waiter returns, and every later wait returns at once.
    public func finish() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// The ledger writer committed notifications up to `id`.
    public func advance(to id: Int64) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard id > state.latest else { return [] }
            state.latest = id
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once a notification after `id` is written, after `timeout`, or when the task is cancelled,
    /// whichever comes first.
    public func wait(after id: Int64, timeout: Duration) async {
        let token = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.latest > id || state.finished || Task.isCancelled { return true }
                    state.waiters[token] = continuation
                    return false
                }
                if now {
                    continuation.resume()
                    return
                }
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.resume(token)
                }
            }
        } onCancel: {
            resume(token)
        }
    }

    private func resume(_ token: Int) {
        state.withLock { $0.waiters.removeValue(forKey: token) }?.resume()
    }
}
