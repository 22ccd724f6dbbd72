import Logging
import SwitchboardCore
import SwitchboardSchema
import SwitchboardStore
import ZeroMQ

/// The ledger writer thread's state and work (see ``LedgerWriter``).
struct LedgerWriterLoop {
    let ledger: any LedgerStore
    var publisher: PublisherLoop
    let broker: Mailbox<BrokerMessage>
    let retention: Duration
    let logger: Logger
    /// Which changes the ledger writes as notifications, and who hears that it did.
    var policy: NotificationPolicy
    let hub: NotificationHub
    /// Set once a commit failed: nothing more is committed or acknowledged.
    var failed = false
    var nextPrune = Timestamp(milliseconds: 0)

    /// Finished requests deleted per prune step: small, so commits never wait long behind one.
    static let pruneBatch = 500
    static let pruneInterval: Duration = .seconds(60)

    init(
        ledger: any LedgerStore, publisher: PublisherLoop, broker: Mailbox<BrokerMessage>, retention: Duration,
        notifications policy: NotificationPolicy = .none, hub: NotificationHub = NotificationHub(), logger: Logger
    ) {
        self.policy = policy
        self.hub = hub
        self.ledger = ledger
        self.publisher = publisher
        self.broker = broker
        self.retention = retention
        self.logger = logger
        // The first prune runs soon after start: whatever expired while the daemon was down goes first.
        nextPrune = Timestamp.now() + .seconds(5)
    }

    enum Outcome { case running, stop }

    /// Handles a drained batch of commands: all commit groups in it go in one transaction.
    mutating func handle(_ commands: [LedgerWriter.Command]) -> Outcome {
        var changes: [Change] = []
        var audits: [AuditRecord] = []
        var lastGroup: UInt64?
        var queries: [LedgerWriter.Command] = []
        var stop = false
        for command in commands {
            switch command {
            case let .commit(group, groupChanges, groupAudits):
                changes.append(contentsOf: groupChanges)
                audits.append(contentsOf: groupAudits)
                lastGroup = group
            case .lookUp, .history:
                queries.append(command)
            case .notifications(let policy):
                // Groups before it in this batch were made under the old policy: commit them first.
                if let group = lastGroup { commit(changes, audits: audits, through: group) }
                changes = []
                audits = []
                lastGroup = nil
                self.policy = policy
            case .stop:
                stop = true
            }
        }
        if let lastGroup { commit(changes, audits: audits, through: lastGroup) }
        // Lookups' audit lines go in one transaction for the whole batch, not one fsync each.
        var lookupAudits: [AuditRecord] = []
        for query in queries { answer(query, audits: &lookupAudits) }
        if !lookupAudits.isEmpty, !failed {
            do {
                try ledger.apply([], audits: lookupAudits)
            } catch {
                logger.error("audit lines could not be written", metadata: ["error": "\(error)"])
            }
        }
        return stop ? .stop : .running
    }

    private mutating func commit(_ changes: [Change], audits: [AuditRecord], through group: UInt64) {
        guard !failed else { return }
        let started = ContinuousClock.now
        let lastNotification: Int64?
        do {
            lastNotification = try ledger.apply(changes, audits: audits, notifications: policy)
        } catch {
            failed = true
            logger.critical("the ledger cannot be written; stopping", metadata: ["ledger": "\(ledger.path)", "error": "\(error)"])
            broker.post(.ledgerFailed("\(error)"))
            return
        }
        // Events describe durable state only, so they go out after the commit.
        let commit = BrokerMessage.Commit(seconds: (ContinuousClock.now - started).seconds, changes: changes.count)
        publisher.publish(changes)
        broker.post(.durable(group: group, commit))
        if let lastNotification { hub.advance(to: lastNotification) }
    }

    private func answer(_ query: LedgerWriter.Command, audits: inout [AuditRecord]) {
        do {
            if let (agent, ticket, action, requester) = Self.guarded(query) {
                // With CURVE on, only the submitter and ops may see a ticket (others get 403, as for one in memory).
                let stored = try ledger.request(ticket: ticket.text)
                let allowed = action == "cancel"
                    ? requester.mayCancel(ticketOwnedBy: stored?.submitter)
                    : requester.mayView(ticketOwnedBy: stored?.submitter)
                let audit = AuditRecord(
                    at: Timestamp.now(), principal: requester.name, kind: requester.kind.rawValue, action: action,
                    ticket: ticket.text, department: stored?.department, outcome: allowed || stored == nil ? .allowed : .refused,
                    reason: allowed || stored == nil ? nil : "not the ticket's submitter")
                audits.append(audit)
                if stored != nil && !allowed {
                    broker.post(.reply(agent, LedgerReplies.forbidden(ticket, action: action, principal: requester.name)))
                    broker.post(.refused(kind: requester.kind.rawValue, action: action))
                    return
                }
            }
            switch query {
            case let .lookUp(.status(agent, ticket), _):
                if let stored = try ledger.request(ticket: ticket.text) {
                    broker.post(.reply(agent, .status(ticket: ticket, info: JSONCoding.encode(stored.status), answer: stored.answer)))
                } else {
                    broker.post(.reply(agent, LedgerReplies.unknownTicket(ticket)))
                }
            case let .lookUp(.info(agent, ticket), _):
                if try ledger.request(ticket: ticket.text) != nil {
                    broker.post(.reply(agent, .error(
                        reference: ticket.text, status: .conflict,
                        detail: JSONCoding.encode(ErrorDetail(
                            status: .conflict, error: "not-waiting",
                            message: "ticket \(ticket) is not waiting for information from the agent", ticket: ticket.text)))))
                } else {
                    broker.post(.reply(agent, LedgerReplies.unknownTicket(ticket)))
                }
            case let .lookUp(.cancel(agent, ticket), _):
                if let stored = try ledger.request(ticket: ticket.text) {
                    broker.post(.reply(agent, LedgerReplies.alreadyFinal(ticket, stored.state)))
                } else {
                    broker.post(.reply(agent, LedgerReplies.unknownTicket(ticket)))
                }
            case let .history(agent, ticket, _):
                let events = try ledger.history(ticket: ticket.text)
                if events.isEmpty {
                    broker.post(.reply(agent, LedgerReplies.unknownTicket(ticket)))
                } else {
                    let history = RequestHistory(ticket: ticket.text, events: LedgerReplies.bounded(events.map(\.entry)))
                    broker.post(.reply(agent, .history(ticket: ticket, info: JSONCoding.encode(history))))
                }
            case .commit, .stop, .notifications:
                break
            }
        } catch {
            logger.error("ledger read failed", metadata: ["error": "\(error)"])
        }
    }

    /// Milliseconds until the next prune step (the writer otherwise sleeps until told something).
    func pollTimeout(now: Timestamp) -> Int {
        Int(max(0, min(60_000, nextPrune.rawValue - now.rawValue)))
    }

    /// Deletes one small batch of requests finished before the retention; comes back soon if there is more.
    mutating func pruneIfDue(now: Timestamp) {
        guard !failed, now >= nextPrune else { return }
        do {
            let pruned = try ledger.prune(
                finishedBefore: Timestamp(milliseconds: now.rawValue - retention.milliseconds), limit: Self.pruneBatch)
            if !pruned.isEmpty { logger.info("pruned finished requests", metadata: ["count": "\(pruned.count)"]) }
            nextPrune = pruned.count == Self.pruneBatch ? now + .milliseconds(100) : now + Self.pruneInterval
        } catch {
            logger.error("ledger prune failed", metadata: ["error": "\(error)"])
            nextPrune = now + Self.pruneInterval
        }
    }
}

/// Replies the writer prepares from ledger reads.
enum LedgerReplies {
    static func unknownTicket(_ ticket: Ticket) -> AgentReply {
        .error(
            reference: ticket.text, status: .notFound,
            detail: JSONCoding.encode(ErrorDetail(
                status: .notFound, error: "unknown-ticket", message: "ticket \(ticket) is not known", ticket: ticket.text)))
    }

    /// Most entries a HISTORY reply carries: the first (the submission) and the latest ones, so a request a
    /// chatty worker updated thousands of times still fits well within the body limit.
    static let maxHistoryEntries = 1000
    /// Longest reason quoted in a history entry.
    static let maxHistoryReasonBytes = 1024

    static func bounded(_ entries: [RequestHistory.Entry]) -> [RequestHistory.Entry] {
        var kept = entries.count > maxHistoryEntries
            ? [entries[0]] + entries.suffix(maxHistoryEntries - 1) : entries
        for index in kept.indices {
            if let reason = kept[index].reason, reason.utf8.count > maxHistoryReasonBytes {
                kept[index].reason = String(decoding: reason.utf8.prefix(maxHistoryReasonBytes), as: UTF8.self) + "…"
            }
        }
        return kept
    }

    static func forbidden(_ ticket: Ticket, action: String, principal: String) -> AgentReply {
        .error(
            reference: ticket.text, status: .forbidden,
            detail: JSONCoding.encode(ErrorDetail(
                status: .forbidden, error: "not-permitted",
                message: "\(principal) may not \(action == "cancel" ? "cancel" : "read") ticket \(ticket): it was "
                    + "submitted by another principal", ticket: ticket.text)))
    }

    static func alreadyFinal(_ ticket: Ticket, _ state: RequestState) -> AgentReply {
        .error(
            reference: ticket.text, status: .conflict,
            detail: JSONCoding.encode(ErrorDetail(
                status: .conflict, error: "already-final",
                message: "ticket \(ticket) is already \(state.rawValue); it cannot be cancelled", ticket: ticket.text)))
    }
}

extension StoredRequest {
    /// The STATUS body for a request read from the ledger.
    public var status: RequestStatus {
        RequestStatus(
            ticket: ticket, requestID: requestID, department: department, priority: priority, state: state,
            attempts: attempts, worker: state.isFinal ? nil : worker, reason: reason, updates: updates,
            submittedAt: submittedAt.iso8601, updatedAt: updatedAt.iso8601, deadline: deadline.iso8601,
            answeredAt: answeredAt?.iso8601, failure: failure)
    }

    /// The request as Core restores it after a restart (or an operator requeues it); nil if its ticket is not
    /// one this broker could have issued (the ledger was edited by hand).
    public var recovered: RecoveredRequest? {
        guard let ticket = Ticket(ticket) else { return nil }
        return RecoveredRequest(
            ticket: ticket, requestID: requestID, department: department, priority: priority, state: state,
            attempts: attempts, body: body, submittedAt: submittedAt, updatedAt: updatedAt, deadline: deadline,
            updates: updates, worker: worker, sla: sla, owner: agent, via: via)
    }
}

extension StoredEvent {
    /// The history entry HISTORY replies and the ops API show.
    public var entry: RequestHistory.Entry {
        RequestHistory.Entry(
            type: type, at: at.iso8601, department: department, fromDepartment: fromDepartment, state: state,
            attempt: attempt, worker: worker, reason: reason)
    }
}

extension LedgerWriterLoop {
    /// The agent, ticket, action and requester of a question that needs the requester's permission.
    static func guarded(_ query: LedgerWriter.Command) -> (Peer, Ticket, String, Principal)? {
        switch query {
        case let .lookUp(.status(agent, ticket), requester?): (agent, ticket, "view", requester)
        case let .lookUp(.cancel(agent, ticket), requester?): (agent, ticket, "cancel", requester)
        case let .lookUp(.info(agent, ticket), requester?): (agent, ticket, "info", requester)
        case let .history(agent, ticket, requester?): (agent, ticket, "history", requester)
        default: nil
        }
    }
}
