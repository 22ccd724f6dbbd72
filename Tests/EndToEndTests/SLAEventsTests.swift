import Foundation
import SwitchboardSchema
import Testing

@Suite("End to end: SLA events", .serialized)
struct SLAEventsTests {
    @Test("a 2-second answer target with no worker: 50% and 75% warnings and the breach arrive within 200 ms of due")
    func warningsAndBreachOnTime() async throws {
        let configuration = """
            departments:
              claims: {}
              billing: {}
              quick:
                answer_targets: 2s
            """
        try await Daemon.with(extraConfiguration: configuration) { daemon in
            let ask = try daemon.cli("ask", ["ask", "--department", "quick", "--no-wait", "--json", "Quick question?"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            let ticket = try #require(try jsonObject(ask.stdout)["ticket"] as? String)
            let submitted = try await daemon.events.next { $0.type == .requestSubmitted && $0.ticket == ticket }
            let start = try #require(Self.milliseconds(submitted.at))

            for (threshold, offset) in [(50, 1000), (75, 1500)] {
                let warning = try await daemon.events.next { $0.type == .requestSLAWarning && $0.ticket == ticket }
                #expect(warning.target == .answer)
                #expect(warning.threshold == threshold)
                let late = try #require(Self.milliseconds(warning.at)) - (start + Int64(offset))
                #expect((0...200).contains(late), "\(threshold)% warning \(late) ms after it was due")
                // Received, not only stamped, on time.
                let received = Int64(Date().timeIntervalSince1970 * 1000) - (start + Int64(offset))
                #expect(received <= 1000, "\(threshold)% warning received \(received) ms after it was due")
            }
            let breach = try await daemon.events.next { $0.type == .requestSLABreached && $0.ticket == ticket }
            let late = try #require(Self.milliseconds(breach.at)) - (start + 2000)
            #expect((0...200).contains(late), "breach \(late) ms after it was due")
            #expect(breach.dueAt == Timestamp(milliseconds: start + 2000).iso8601)

            let status = try daemon.cli("status", ["status", ticket])
            #expect(try await status.exitCode() == 0)
            #expect(status.stdout.contains("breached"), "\(status.stdout)")
            #expect(status.stdout.contains("overdue by"), "\(status.stdout)")
            let json = try daemon.cli("status-json", ["status", "--json", ticket])
            #expect(try await json.exitCode() == 0)
            let clocks = try #require(try jsonObject(json.stdout)["clocks"] as? [[String: Any]])
            #expect(clocks.first?["state"] as? String == "breached")
            #expect(clocks.first?["target"] as? String == "answer")
        }
    }

    static func milliseconds(_ iso: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: iso).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
