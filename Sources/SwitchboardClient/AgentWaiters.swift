import SwitchboardSchema

/// Calls waiting for a reply, by what the reply will reference (request id or ticket).
struct AgentWaiters: Sendable {
    typealias Waiter<Value> = (UInt64, CheckedContinuation<Value, Error>)

    var submits: [String: [Waiter<Submission>]] = [:]
    var answers: [String: [Waiter<[UInt8]>]] = [:]
    var statuses: [String: [Waiter<TicketStatus>]] = [:]
    /// cancel() calls: kept apart from `statuses`, so a STATUS reply meant for a query cannot end them.
    var cancels: [String: [Waiter<TicketStatus>]] = [:]
    var histories: [String: [Waiter<RequestHistory>]] = [:]
    /// provideInfo() calls: ended by a STATUS that no longer says waiting_on_agent, or an error.
    var infos: [String: [Waiter<TicketStatus>]] = [:]
    var pings: [Waiter<Void>] = []
    /// Called for every update and question the broker pushes (see `AgentClient.onPush`).
    var pushHandlers: [@Sendable (AgentPush) -> Void] = []
    var closed = false
    private var lastID: UInt64 = 0

    mutating func nextID() -> UInt64 {
        lastID += 1
        return lastID
    }

    /// Everything still waiting, for close().
    mutating func takeAll() -> PendingWaiters {
        closed = true
        defer {
            submits = [:]
            answers = [:]
            statuses = [:]
            cancels = [:]
            infos = [:]
            histories = [:]
            pings = []
        }
        return PendingWaiters(
            submits: submits.values.flatMap { $0.map(\.1) }, answers: answers.values.flatMap { $0.map(\.1) },
            statuses: (statuses.values.flatMap { $0 } + cancels.values.flatMap { $0 } + infos.values.flatMap { $0 }).map(\.1),
            histories: histories.values.flatMap { $0.map(\.1) }, pings: pings.map(\.1))
    }
}

struct PendingWaiters {
    var submits: [CheckedContinuation<Submission, Error>] = []
    var answers: [CheckedContinuation<[UInt8], Error>] = []
    var statuses: [CheckedContinuation<TicketStatus, Error>] = []
    var histories: [CheckedContinuation<RequestHistory, Error>] = []
    var pings: [CheckedContinuation<Void, Error>] = []

    func fail(_ error: SwitchboardClientError) {
        submits.forEach { $0.resume(throwing: error) }
        answers.forEach { $0.resume(throwing: error) }
        statuses.forEach { $0.resume(throwing: error) }
        histories.forEach { $0.resume(throwing: error) }
        pings.forEach { $0.resume(throwing: error) }
    }
}

extension Dictionary {
    /// Removes the waiter with this id from the list under `key`; returns its continuation.
    mutating func removeWaiter<Item>(_ key: Key, _ id: UInt64) -> CheckedContinuation<Item, Error>?
    where Dictionary.Value == [(UInt64, CheckedContinuation<Item, Error>)] {
        guard let index = self[key]?.firstIndex(where: { $0.0 == id }) else { return nil }
        let waiter = self[key]!.remove(at: index)
        if self[key]!.isEmpty { removeValue(forKey: key) }
        return waiter.1
    }

    /// Takes the oldest waiter under `key`.
    mutating func popWaiter<Item>(_ key: Key) -> CheckedContinuation<Item, Error>?
    where Dictionary.Value == [(UInt64, CheckedContinuation<Item, Error>)] {
        guard var list = self[key], !list.isEmpty else { return nil }
        let waiter = list.removeFirst()
        self[key] = list.isEmpty ? nil : list
        return waiter.1
    }

    /// Takes every waiter under `key`.
    mutating func takeWaiters<Item>(_ key: Key) -> [CheckedContinuation<Item, Error>]
    where Dictionary.Value == [(UInt64, CheckedContinuation<Item, Error>)] {
        (removeValue(forKey: key) ?? []).map(\.1)
    }
}
