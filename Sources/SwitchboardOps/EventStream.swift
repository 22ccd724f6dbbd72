import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardBroker
import SwitchboardSchema
import SwitchboardStore

/// `GET /api/v1/stream`: an agent's (or an integration's) tickets' events as Server-Sent Events, read from the
/// ledger's notifications, so that a stream resumed with `Last-Event-ID` (after a dropped connection or a
/// daemon restart) misses nothing and repeats nothing.
struct EventStream: Sendable {
    let operations: Operations
    let audience: StreamAudience
    /// The last event the client has: the stream starts after it.
    let start: Int64

    /// Between two events, a comment at least this often keeps proxies from closing an idle stream.
    static let keepAlive: Duration = .seconds(15)
    /// Events read from the ledger at a time.
    static let batch = 500

    /// Checks where the client resumes from (`Last-Event-ID`, or `after`): 400 if it is not an event id, 409 if
    /// it is older than what the ledger keeps or newer than anything written. Without it, the stream starts now.
    static func resumePoint(_ text: String?, operations: Operations) async throws -> Int64 {
        let bounds = try await operations.ledgerRead { ledger in try ledger.notificationBounds() }
        guard let text else { return bounds.latest }
        guard let id = Int64(text.trimmingCharacters(in: .whitespaces)), id >= 0 else {
            throw OpsError(.badRequest, "invalid-event-id", "Last-Event-ID is '\(text.prefix(40))'; expected an event id (a number)")
        }
        if id > bounds.latest {
            throw OpsError(
                .conflict, "unknown-event-id",
                "event \(id) was never written by this daemon (its latest is \(bounds.latest)); reconnect without "
                    + "Last-Event-ID and re-read your tickets with GET /api/v1/requests?submitter=me")
        }
        if id < bounds.floor {
            throw OpsError(
                .conflict, "stale-event-id",
                "events up to \(bounds.floor) are past the ledger's retention, so some after \(id) are gone; reconnect "
                    + "without Last-Event-ID and re-read your tickets with GET /api/v1/requests?submitter=me")
        }
        return id
    }

    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Proxies such as nginx buffer responses unless told not to: events must arrive as they happen.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        let stream = self
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await stream.run(&writer)
            try await writer.finish(nil)
        })
    }

    private func run(_ writer: inout any ResponseBodyWriter) async throws {
        let hub = operations.broker.notifications
        try await writer.write(ByteBuffer(string: "retry: 2000\n: events after \(start)\n\n"))
        var cursor = start
        while !Task.isCancelled && !hub.isFinished {
            let seen = hub.latest
            let events = try await operations.ledgerRead { [audience, cursor] ledger in
                try ledger.notifications(for: audience, after: cursor, limit: EventStream.batch)
            }
            if !events.isEmpty {
                var buffer = ByteBuffer()
                for event in events { Self.write(event, to: &buffer) }
                try await writer.write(buffer)
                cursor = events.last?.id ?? cursor
                if events.count == Self.batch { continue }
            }
            await hub.wait(after: seen, timeout: Self.keepAlive)
            if hub.latest == seen && !hub.isFinished {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
    }

    static func write(_ event: AgentEvent, to buffer: inout ByteBuffer) {
        buffer.writeString("id: \(event.id ?? 0)\nevent: \(event.type.rawValue)\ndata: ")
        // JSON has no raw newline: one data line.
        buffer.writeBytes(JSONCoding.encode(event))
        buffer.writeString("\n\n")
    }
}
