import SwitchboardCore
import SwitchboardSchema
import ZeroMQ

/// Authorization of every command, from the principal the CURVE handshake established (never from what a
/// message claims). A refusal is a 403 naming what was refused, counted, logged and written to the audit
/// trail; so is each action that matters (submit, view, cancel, serve, accept, answer, ...). With CURVE off
/// there are no principals and everything is allowed, as on a loopback-only broker.
extension BrokerLoop {
    /// New principals (at start and on SIGHUP). A worker whose principal is gone or may no longer serve its
    /// departments is disconnected at once, what it held requeued: it must not receive another request.
    mutating func apply(security: SecurityConfiguration) {
        principalsByKey = Dictionary(security.principals.map { ($0.publicKey, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Timestamp.now()
        for (identity, key) in workerKeys {
            guard let worker = core.worker(identity: identity) else {
                workerKeys.removeValue(forKey: identity)
                continue
            }
            if let principal = principalsByKey[key], worker.departments.allSatisfy(principal.mayServe) { continue }
            workerKeys.removeValue(forKey: identity)
            logger.notice("worker disconnected: its principal may no longer serve", metadata: ["worker": "\(worker.name)"])
            perform(core.disconnect(from: worker.peer, now: now))
            send(to: worker.peer, worker: .disconnect)
        }
        flushChanges()
    }

    /// nil when the current principal may do it (audited as allowed); the refusal (audited, counted, logged)
    /// otherwise. Always nil with CURVE off.
    mutating func authorize(
        _ action: String, ticket: String? = nil, department: String? = nil, _ allowed: (Principal) -> Bool
    ) -> ProtocolError? {
        guard let principal = currentPrincipal else { return nil }
        if allowed(principal) {
            if action != "submit" {  // a submission is audited with its ticket, once accepted
                audit(action, principal, ticket: ticket, department: department, outcome: .allowed)
            }
            return nil
        }
        let what = [ticket.map { "ticket \($0)" }, department.map { "department \($0)" }].compactMap { $0 }
            .joined(separator: " in ")
        let reason = "\(principal.kind.rawValue) \(principal.name) may not \(action.replacingOccurrences(of: "_", with: " ")) \(what)"
        audit(action, principal, ticket: ticket, department: department, outcome: .refused, reason: reason)
        metrics.countRefusal(kind: principal.kind.rawValue, action: action)
        if warningLimiter.allow(now: Timestamp.now()) {
            logger.warning(
                "refused", metadata: [
                    "principal": "\(principal.name)", "kind": "\(principal.kind.rawValue)", "action": "\(action)",
                    "ticket": "\(ticket ?? "")", "department": "\(department ?? "")",
                ])
        }
        return ProtocolError(.forbidden, "not-permitted", reason)
    }

    /// An agent's command on a ticket Core holds: only its submitter (or ops) may. A ticket Core does not hold
    /// is checked by the ledger writer, which holds the submitter. Sends the refusal; false when refused.
    mutating func agentMay(
        _ action: String, _ ticket: Ticket, from peer: Peer, _ allowed: (Principal, String?) -> Bool
    ) -> Bool {
        guard currentPrincipal != nil, let owner = core.owner(of: ticket) else { return true }
        guard let refusal = authorize(action, ticket: ticket.text, department: core.department(of: ticket), { allowed($0, owner) })
        else { return true }
        send(to: peer, agent: .error(
            reference: ticket.text, status: refusal.status, detail: JSONCoding.encode(ErrorDetail(refusal, ticket: ticket.text))))
        return false
    }

    /// A worker's command on a ticket: only a bot serving the ticket's department may (Core then checks
    /// that this worker holds it). Sends the refusal; false when refused.
    /// `ticket` is nil for a ticket this broker could not have issued (`text` as the worker sent it).
    mutating func workerMay(_ action: String, _ ticket: Ticket?, _ text: String, from peer: Peer) -> Bool {
        guard currentPrincipal != nil else { return true }
        let department = ticket.flatMap { core.department(of: $0) }
        guard let refusal = authorize(action, ticket: text, department: department, { principal in
            department.map(principal.mayServe) ?? (principal.kind == .bot)
        }) else { return true }
        send(to: peer, worker: .error(reference: text, status: refusal.status, detail: JSONCoding.encode(ErrorDetail(refusal, ticket: text))))
        return false
    }

    /// A message from a connection whose principal is no longer configured (revoked by a reload): refused
    /// with 401, audited and counted; Majordomo peers, which have no error reply, are dropped.
    mutating func refuseUnknownPrincipal(identity: PeerID, frames: Slice<Frames>, now: Timestamp) {
        let principal = keyByIdentity[identity].flatMap { Z85.encode($0) } ?? "(unknown key)"
        audits.append(AuditRecord(
            at: now, principal: principal, kind: "unknown", action: "connect", outcome: .refused,
            reason: "the key of this connection is no longer known (revoked)"))
        metrics.countRefusal(kind: "unknown", action: "connect")
        let error = ProtocolError(
            .unauthorized, "unknown-principal",
            "the key this connection authenticated with is no longer known (revoked); connect with a known key")
        refuse(peer: identity, frames: frames, error: error, reply: !Majordomo.claims(frames))
    }

    /// An answer, update or question pushed to a routing id goes only to the ticket's submitter (or ops): a
    /// routing id another principal took over after the submitter left gets nothing.
    func mayReceivePush(_ message: AgentReply, at peer: Peer) -> Bool {
        let ticket: Ticket
        switch message {
        case .answer(let id, _), .update(let id, _), .question(let id, _): ticket = id
        default: return true
        }
        guard let owner = core.owner(of: ticket) ?? nil else { return true }
        guard let key = keyByIdentity[peer.id], let principal = principalsByKey[key] else { return false }
        return principal.kind == .ops || principal.name == owner
    }

    mutating func audit(
        _ action: String, _ principal: Principal, ticket: String? = nil, department: String? = nil,
        outcome: AuditRecord.Outcome, reason: String? = nil
    ) {
        audits.append(AuditRecord(
            at: Timestamp.now(), principal: principal.name, kind: principal.kind.rawValue, action: action, ticket: ticket,
            department: department, outcome: outcome, reason: reason))
    }
}

extension ErrorDetail {
    init(_ error: ProtocolError, ticket: String?) {
        self.init(status: error.status, error: error.reason, message: error.message, ticket: ticket)
    }
}
