import Synchronization

/// A condition a test waited for did not come true in time.
struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    let limit: Duration
    var description: String { "waited \(limit) for \(what)" }
}

/// Polls `condition` until it holds, failing after `limit`. The short sleep is only the poll interval.
func eventually(
    _ what: String, within limit: Duration = .seconds(5), _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while true {
        if try await condition() { return }
        guard clock.now < deadline else { throw WaitTimedOut(what: what, limit: limit) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The result of `task`, or ``WaitTimedOut`` if it takes longer than `limit` (the task is then cancelled
/// and left behind, so a stuck task fails the test instead of hanging the run).
func result<Value: Sendable>(
    of task: Task<Value, Error>, within limit: Duration, _ what: String
) async throws -> Value {
    let outcome: Result<Value, Error> = await withCheckedContinuation { continuation in
        let resumed = Mutex(false)
        let resume: @Sendable (Result<Value, Error>) -> Void = { result in
            let first = resumed.withLock { done in
                defer { done = true }
                return !done
            }
            if first { continuation.resume(returning: result) }
        }
        let timer = Task {
            // Cancelled: the task finished first.
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            resume(.failure(WaitTimedOut(what: what, limit: limit)))
        }
        Task {
            let result = await task.result
            resume(result)
            timer.cancel()
        }
    }
    if case .failure(let error) = outcome, error is WaitTimedOut { task.cancel() }
    return try outcome.get()
}
