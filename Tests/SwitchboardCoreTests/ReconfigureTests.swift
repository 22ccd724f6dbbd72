import SwitchboardSchema
import Testing

@testable import SwitchboardCore

/// A reload (SIGHUP) changes departments and policies without touching what is open.
@Suite("Reconfigure")
struct ReconfigureTests {
    @Test("a new department takes requests at once; workers may register for it")
    func addsDepartment() throws {
        var h = Harness()
        #expect(h.submit("q", to: "dental").agentErrors(to: .agent).first?.detail.error == "unknown-department")
        var configuration = h.core.configuration
        configuration.departments.append(DepartmentPolicy(name: "dental"))
        _ = h.core.reconfigure(configuration, now: h.now)
        _ = h.ready(.w1, ["dental"])
        let ticket = try h.open("q2", to: "dental")
        #expect(h.core.state(of: ticket) == .offered)
        #expect(h.core.departmentNames.contains("dental"))
    }

    @Test("a removed department takes nothing new, and its open requests are still served")
    func retiresDepartment() throws {
        var h = Harness()
        _ = h.ready(.w1, ["pharmacy"])
        let held = try h.open("held", to: "pharmacy")
        let waiting = try h.open("waiting", to: "pharmacy")
        var configuration = h.core.configuration
        configuration.departments.removeAll { $0.name == "pharmacy" }
        _ = h.core.reconfigure(configuration, now: h.now)

        #expect(!h.core.departmentNames.contains("pharmacy"))
        #expect(h.submit("new", to: "pharmacy").agentErrors(to: .agent).first?.detail.error == "unknown-department")
        _ = h.ready(.w2, ["claims"])
        let claim = try h.open("claim")
        #expect(h.transfer(.w2, claim, to: "pharmacy").workerErrors(to: .w2).first?.detail.error == "unknown-department")

        _ = h.accept(.w1, held)
        let answered = h.answer(.w1, held)
        #expect(answered.answers(to: .agent).map(\.ticket) == [held])
        #expect(answered.offeredTickets(to: .w1) == [waiting], "the queue of a removed department still drains")
        #expect(h.core.departmentSummaries(now: h.now).contains { $0.name == "pharmacy" }, "shown while it has requests")
        _ = h.accept(.w1, waiting)
        _ = h.answer(.w1, waiting)
        _ = h.disconnect(.w1)
        #expect(!h.core.departmentSummaries(now: h.now).contains { $0.name == "pharmacy" }, "hidden once empty")
    }

    @Test("new policies apply to requests submitted after the reload; open requests keep the policy they pinned")
    func policiesApplyToNewRequests() throws {
        var h = Harness()
        let before = try h.open("before")
        var configuration = h.core.configuration
        let index = try #require(configuration.departments.firstIndex { $0.name == "claims" })
        configuration.departments[index].answerTargets[.normal] = .seconds(600)
        configuration.departments[index].maxAttempts = 1
        _ = h.core.reconfigure(configuration, now: h.now)
        let after = try h.open("after")
        let pinnedBefore = try #require(h.core.requests[before]?.sla?.policy.targets[.answer])
        let pinnedAfter = try #require(h.core.requests[after]?.sla?.policy.targets[.answer])
        #expect(pinnedBefore == .seconds(4 * 3600))
        #expect(pinnedAfter == .seconds(600))
        #expect(h.core.requests[after]!.deadline < h.core.requests[before]!.deadline)

        // max_attempts 1 from now on: the first offer that times out dead-letters.
        _ = h.ready(.w1)
        let offered = try #require(h.held(by: .w1).first)
        let timedOut = h.advance(by: .seconds(31))
        #expect(timedOut.records(.requestDeadLettered).map(\.ticket) == [offered])
        #expect(h.core.state(of: offered) == .deadLettered)
    }

    @Test("a shorter heartbeat limit does not lose workers that registered under the longer one")
    func heartbeatReloadKeepsWorkers() {
        var h = Harness(CoreConfiguration.with(heartbeatInterval: .seconds(2), heartbeatLiveness: 3))
        _ = h.ready(.w1)
        var configuration = h.core.configuration
        configuration.heartbeatInterval = .milliseconds(500)
        _ = h.core.reconfigure(configuration, now: h.now)
        _ = h.ready(.w2, ["billing"])
        // 2 s later: w2 (1.5 s limit) is lost, w1 (6 s limit) is not.
        let actions = h.advance(by: .seconds(2))
        #expect(actions.records(.workerLost).map(\.worker) == ["w2"])
        #expect(h.core.workerCount == 1)
        #expect(h.advance(by: .seconds(4)).records(.workerLost).map(\.worker) == ["w1"])
    }
}

extension ReconfigureTests {
    @Test("a restart dead-letters open requests of a department no longer configured, whatever their state")
    func restartAfterRemoval() {
        var h = Harness()
        let recovered = [RequestState.queued, .accepted, .waitingOnAgent].enumerated().map { index, state in
            RecoveredRequest(
                ticket: Ticket(rawValue: UInt64(index + 1)), requestID: "r\(index)", department: "dental", priority: .normal,
                state: state, attempts: state == .queued ? 0 : 1, body: bytes("q\(index)"), submittedAt: h.now,
                updatedAt: h.now, deadline: h.now + .seconds(3600))
        }
        let actions = h.core.restore(open: recovered, finished: [], lastTicket: nil, now: h.now)
        let deadLettered = actions.records(.requestDeadLettered)
        #expect(deadLettered.map(\.ticket) == recovered.map(\.ticket))
        #expect(deadLettered.allSatisfy { $0.reason?.contains("no longer configured") == true })
        #expect(recovered.allSatisfy { h.core.state(of: $0.ticket) == .deadLettered })
        #expect(h.core.openRequests == 0)
    }
}
