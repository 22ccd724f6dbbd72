import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardSchema
import ZeroMQ

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the broker's event stream, one line per event.",
        discussion: "Topics are event types such as request.answered or worker.lost; --topic request. follows all request events.")

    @Option(
        name: [.customLong("endpoint"), .customLong("events")],
        help: "The broker's events endpoint (its PUB socket, default port 5571; not the request endpoint, 5570); a pair's two, comma-separated.")
    var endpoint: String = ProcessInfo.processInfo.environment["SWITCHBOARD_EVENTS"] ?? "tcp://127.0.0.1:5571"

    @Option(help: "Only events whose type starts with this prefix (repeatable).")
    var topic: [String] = []

    @Option(help: "Exit after this many events.")
    var count: Int?

    @Flag(help: "Print each event's JSON as published.")
    var json = false

    @OptionGroup var keys: CurveOptions

    func run() async throws {
        let endpoint = self.endpoint, topics = self.topic, count = self.count, json = self.json
        let curve = try keys.credentials()
        // The SUB socket blocks in receive: keep it off the cooperative pool, on a thread of its own.
        let done = OneShot<Result<Void, ZMQError>>()
        let thread = Thread {
            done.fulfil(Result { try Events.follow(endpoint: endpoint, topics: topics, count: count, json: json, curve: curve) }
                .mapError { $0 as? ZMQError ?? ZMQError(code: 0, operation: "\($0)") })
        }
        thread.start()
        try await done.value.get()
    }

    static func follow(endpoint: String, topics: [String], count: Int?, json: Bool, curve: CurveCredentials?) throws {
        let context = try Context()
        let socket = try context.socket(.sub)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 0)
        if let curve { try socket.setCurveClient(keyPair: curve.clientKey, serverKey: curve.serverPublicKey) }
        for topic in topics.isEmpty ? [""] : topics { try socket.subscribe(Array(topic.utf8)) }
        // A pair: both daemons' events endpoints; only the leader publishes.
        try BrokerEndpoints.connect(socket, to: endpoint)
        var seen = 0
        var poller = Poller()
        poller.add(socket)
        let quietWarning = Timestamp.now() + .seconds(10)
        var warned = false
        while count.map({ seen < $0 }) ?? true {
            guard try poller.poll(timeoutMilliseconds: 1000)[0], let message = try socket.receive(dontWait: true) else {
                if !warned && seen == 0 && Timestamp.now() >= quietWarning {
                    warned = true
                    FileHandle.standardError.write(Data(
                        "switchboard events: nothing received from \(endpoint) yet; is it the broker's events endpoint?\n".utf8))
                }
                continue
            }
            guard message.frames.count == 2 else { continue }
            seen += 1
            let body = message.frames[1]
            // Unbuffered, so a pipe (`switchboard events | grep ...`) sees each event as it happens.
            if json {
                FileHandle.standardOutput.write(Data(body + [0x0A]))
            } else if let event = try? JSONCoding.decode(EventRecord.self, from: body) {
                FileHandle.standardOutput.write(Data((line(event) + "\n").utf8))
            }
        }
    }

    /// `2026-11-29T10:49:27.123Z request.answered T-01JDX… claims worker=claims-bot-1`
    static func line(_ event: EventRecord) -> String {
        var parts = [event.at, event.type.rawValue]
        if let ticket = event.ticket { parts.append(ticket) }
        if let department = event.department { parts.append(department) }
        if let from = event.fromDepartment { parts.append("from=\(from)") }
        if let priority = event.priority { parts.append(priority.rawValue) }
        if let attempt = event.attempt, attempt > 0 { parts.append("attempt=\(attempt)") }
        if let worker = event.worker { parts.append("worker=\(worker)") }
        if let departments = event.departments { parts.append("departments=\(departments.joined(separator: ","))") }
        if let credit = event.credit { parts.append("credit=\(credit)") }
        if let target = event.target { parts.append("target=\(target.rawValue)") }
        if let threshold = event.threshold { parts.append("threshold=\(threshold)%") }
        if let reason = event.reason { parts.append("reason=\"\(reason)\"") }
        return parts.joined(separator: " ")
    }
}
