import CZeroMQ

/// What a socket monitor reports (`zmq_socket_monitor`'s event mask).
public struct MonitorEvents: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// An established connection was broken (the peer closed it, or died).
    public static let disconnected = MonitorEvents(rawValue: ZMQ_EVENT_DISCONNECTED)
    public static let connected = MonitorEvents(rawValue: ZMQ_EVENT_CONNECTED)
}

extension Socket {
    /// Publishes this socket's `events` on a PAIR socket bound at `endpoint` (an `inproc://` name); connect a
    /// PAIR of the same context to it to read them. Each event is two frames: 2 bytes of event, 4 of value, then
    /// the peer's address.
    public func monitor(_ endpoint: String, events: MonitorEvents) throws {
        try zmqCall("zmq_socket_monitor(\(endpoint))") { zmq_socket_monitor(handle, endpoint, events.rawValue) }
    }

    /// Stops the monitor started by ``monitor(_:events:)``.
    public func stopMonitor() {
        _ = zmq_socket_monitor(handle, nil, 0)
    }

    /// The event of a monitor's message (its first frame), if it is one.
    public static func monitorEvent(_ frames: [[UInt8]]) -> MonitorEvents? {
        guard let first = frames.first, first.count >= 2 else { return nil }
        return MonitorEvents(rawValue: Int32(first[0]) | Int32(first[1]) << 8)
    }
}
