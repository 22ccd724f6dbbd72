import Foundation
import ZeroMQ

/// The broker's request endpoint, or the endpoints of an active/standby pair (issue 16), as the libraries and
/// the CLI take them: `tcp://a:5570,tcp://b:5570`. Only the leader binds its endpoint, so a socket connected
/// to all of them talks to whichever daemon leads, and reaches the new leader by itself after a failover.
public enum BrokerEndpoints {
    /// The endpoints of a comma-separated list, trimmed, empty entries dropped.
    public static func parse(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Connects `socket` to every endpoint of `text`. With several, messages go only to a connection that is
    /// complete (ZMQ_IMMEDIATE): to the daemon that leads, never queued for one that stands by.
    public static func connect(_ socket: Socket, to text: String) throws {
        let endpoints = parse(text)
        if endpoints.count > 1 { try socket.setImmediate(true) }
        for endpoint in endpoints.isEmpty ? [text] : endpoints { try socket.connect(endpoint) }
    }

    static func isPair(_ text: String) -> Bool { parse(text).count > 1 }
}
