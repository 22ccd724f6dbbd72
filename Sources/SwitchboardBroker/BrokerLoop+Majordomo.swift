import Foundation
import SwitchboardCore
import SwitchboardSchema

/// Majordomo peers on the same ROUTER (schemas/PROTOCOL.md, section 14): their messages become Core calls
/// like any agent's or worker's, and what Core sends them is put in the dialect they speak. An MDP client's
/// REQUEST is a request of the department named by its service, with a ticket, a ledger entry and SLA clocks;
/// an MDP worker is a worker of one department with credit 1 that never says ACCEPT (taking a REQUEST is
/// accepting it).
extension BrokerLoop {
    mutating func handleMajordomo(identity: PeerID, frames: Slice<Frames>, now: Timestamp) {
        let decoded: (message: MajordomoInbound, dialect: MajordomoDialect, isWorker: Bool)
        do {
            decoded = try Majordomo.decode(frames, limits: limits)
        } catch {
            // Majordomo has no error reply: invalid messages are counted, logged (never the body) and dropped.
            refuse(peer: identity, frames: frames, error: error, reply: false)
            return
        }
        let peer = Peer(id: identity, majordomo: decoded.dialect)
        switch decoded.message {
        case let .request(service, body):
            if service.hasPrefix(MajordomoManagement.prefix) {
                // mmi.service tells only whether a department is served; the extensions list queues and workers,
                // which with CURVE on are for ops.
                let open = service == "mmi.service" || currentPrincipal.map { $0.kind == .ops } ?? true
                let answer = open ? MajordomoManagement.answer(service, body, core: core, now: now) : Array("403".utf8)
                replyToMajordomo(peer, service: service, body: answer)
                return
            }
            guard core.departmentNames.contains(service) else {
                let detail = ErrorDetail(
                    status: .notFound, error: "unknown-department",
                    message: "department '\(service)' is not known; known departments: "
                        + core.departmentNames.joined(separator: ", "))
                replyToMajordomo(peer, service: service, body: JSONCoding.encode(detail))
                return
            }
            if let refusal = authorize("submit", department: service, { $0.maySubmit(to: service) }) {
                replyToMajordomo(peer, service: service, body: JSONCoding.encode(ErrorDetail(refusal)))
                return
            }
            // Unguessable: another agent must not claim a Majordomo client's request by its id.
            let requestID = "mdp-\(UUID().uuidString.lowercased())"
            majordomoSubmission = service
            perform(core.submit(
                from: peer, requestID: requestID, department: service, priority: .normal, body: body, now: now,
                owner: currentPrincipal?.name))
            majordomoSubmission = nil
        case .ready(let service):
            guard !service.hasPrefix(MajordomoManagement.prefix) else {
                // 8/MMI: mmi.* belongs to the broker; a worker that claims it is disconnected.
                send(to: peer, worker: .disconnect)
                return
            }
            if authorize("serve", department: service, { $0.mayServe(service) }) != nil {
                send(to: peer, worker: .disconnect)
                return
            }
            if let key = keyByIdentity[peer.id], currentPrincipal != nil { workerKeys[peer.id] = key }
            let info = ReadyInfo(departments: [service], credit: 1, name: "mdp-\(peer)")
            perform(core.ready(from: peer, info: info, now: now))
        case let .partial(address, body):
            let ticket = Ticket(text: address)
            guard workerMay("update", ticket, String(decoding: address, as: UTF8.self), from: peer) else { return }
            // An address this broker never gave out is no ticket of its: dropped, as Majordomo has no error.
            guard let ticket else { return perform(core.heartbeat(from: peer, now: now)) }
            perform(core.update(from: peer, ticket: ticket, body: body, now: now))
        case let .final(address, body):
            let ticket = Ticket(text: address)
            guard workerMay("answer", ticket, String(decoding: address, as: UTF8.self), from: peer) else { return }
            guard let ticket else { return perform(core.heartbeat(from: peer, now: now)) }
            perform(core.answer(from: peer, ticket: ticket, body: body, now: now))
        case .heartbeat:
            perform(core.heartbeat(from: peer, now: now))
        case .disconnect:
            perform(core.disconnect(from: peer, now: now))
        }
    }

    /// What Core tells an agent, for an MDP client: only the answer (FINAL, or 0.1 REPLY), updates (0.2
    /// PARTIAL) and a failure (FINAL with the error's JSON body: Majordomo has no error reply) reach it.
    mutating func sendToMajordomoClient(_ peer: Peer, _ message: AgentReply) {
        switch message {
        case let .accepted(_, ticket, _):
            if let service = majordomoSubmission { majordomoServices[ticket] = service }
        case let .answer(ticket, body):
            // After its FINAL a client hears nothing more of the request (a requeue may answer it again).
            guard let service = majordomoServices.removeValue(forKey: ticket) else { return }
            replyToMajordomo(peer, service: service, body: body)
        case let .update(ticket, body):
            guard let service = majordomoServices[ticket] else { return }
            replyToMajordomo(peer, service: service, body: body, final: false)
        case let .error(reference, _, detail):
            if let service = majordomoSubmission {
                replyToMajordomo(peer, service: service, body: detail)
            } else if let ticket = Ticket(reference), let service = majordomoServices.removeValue(forKey: ticket) {
                replyToMajordomo(peer, service: service, body: detail)
            }
        case let .status(ticket, info, _):
            // A request cancelled (by an operator) ends with a FINAL saying so, like any failure.
            guard let status = try? JSONCoding.decode(RequestStatus.self, from: info), status.state == .cancelled,
                let service = majordomoServices.removeValue(forKey: ticket)
            else { return }
            let detail = ErrorDetail(
                status: .gone, error: "cancelled", message: "ticket \(ticket) was cancelled: \(status.reason ?? "")",
                ticket: ticket.text)
            replyToMajordomo(peer, service: service, body: JSONCoding.encode(detail))
        case .history, .question, .heartbeat:
            break
        }
    }

    /// What Core tells a worker, for an MDP worker: a DISPATCH is a REQUEST addressed with the ticket (and
    /// accepted at once), heartbeats and DISCONNECT are theirs; a refused READY is a DISCONNECT (as 7/MDP
    /// wants for an unexpected command); CANCEL and other errors have no Majordomo form and are dropped.
    mutating func sendToMajordomoWorker(_ peer: Peer, _ message: WorkerOrder, dialect: MajordomoDialect) {
        switch message {
        case let .dispatch(ticket, _, _, _, body):
            sendFrames(to: peer, Majordomo.workerRequest(address: ticket.bytes, body: body, dialect: dialect), toWorker: true)
            perform(core.accept(from: peer, ticket: ticket, now: Timestamp.now()))
        case .heartbeat:
            sendFrames(to: peer, Majordomo.heartbeat(dialect), toWorker: true)
        case .disconnect:
            sendFrames(to: peer, Majordomo.disconnect(dialect), toWorker: true)
        case .error(let reference, _, _) where reference == "READY":
            // A refused READY (a second one, an unknown department): DISCONNECT, and no registration stays.
            sendFrames(to: peer, Majordomo.disconnect(dialect), toWorker: true)
            perform(core.disconnect(from: peer, now: Timestamp.now()))
        case .error, .cancel, .info:
            break
        }
    }

    private mutating func replyToMajordomo(_ peer: Peer, service: String, body: [UInt8], final: Bool = true) {
        guard let dialect = peer.majordomo,
            let frames = Majordomo.reply(service: service, body: body, final: final, dialect: dialect)
        else { return }
        sendFrames(to: peer, frames, toWorker: false)
    }
}
