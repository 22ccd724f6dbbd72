import SwitchboardSchema

/// Work the ops surface hands to the broker thread: it runs there with the broker's state (reads see a
/// consistent moment; actions go through Core like any message) and resumes its caller with the result.
/// If the broker stops first, it fails instead, so no caller waits forever.
final class BrokerOperation: Sendable {
    private let body: @Sendable (inout BrokerLoop, Timestamp) -> Void
    private let failure: @Sendable (any Error) -> Void

    init(body: @escaping @Sendable (inout BrokerLoop, Timestamp) -> Void, failure: @escaping @Sendable (any Error) -> Void) {
        self.body = body
        self.failure = failure
    }

    func run(_ loop: inout BrokerLoop, _ now: Timestamp) { body(&loop, now) }
    func fail(_ error: any Error) { failure(error) }
}

/// The broker is not serving (starting, stopping or stopped): it cannot answer the ops surface now.
public struct BrokerUnavailable: Error, CustomStringConvertible {
    public var description: String { "the broker is not serving (starting or stopping)" }
}
