import SwitchboardSchema

/// A graceful stop in two steps: ``beginDrain(now:)`` closes intake and lets workers finish what they hold;
/// ``handBack(reason:now:)`` (once nothing is held, or at the drain limit) puts what is still held back in its
/// queue, recorded in the ledger, and tells every worker the broker is leaving.
extension BrokerCore {
    /// No new submissions (503) and no new offers from now on; workers go on with what they hold.
    public mutating func beginDrain(now: Timestamp) -> [CoreAction] {
        draining = true
        return takeActions()
    }

    /// Requests a worker holds now (offered or accepted); a request waiting on its agent is not counted, since
    /// only the agent can move it.
    public var heldByWorkers: Int {
        workers.allValues.reduce(0) { count, worker in
            count + worker.inFlight.count { ticket in
                requests[ticket].map { $0.state == .offered || $0.state == .accepted } ?? false
            }
        }
    }

    /// Puts every request a worker still holds back in its queue without counting the attempt (the worker did
    /// not fail: the broker stopped), cancels it at the worker, and tells every worker to disconnect. The
    /// next start dispatches them again. Returns the actions, and how many requests were handed back.
    public mutating func handBack(reason: String, now: Timestamp) -> (actions: [CoreAction], handedBack: Int) {
        draining = true
        var handedBack = 0
        for worker in workers.allValues {
            for ticket in worker.inFlight.sorted() {
                guard let request = requests[ticket], request.state == .offered || request.state == .accepted else {
                    continue
                }
                requests.update(ticket) { $0.attempts = max(0, request.attempts - 1) }
                emit(.sendToWorker(worker.peer, .cancel(ticket: ticket)))
                requeue(ticket: ticket, reason: reason, now: now)
                handedBack += 1
            }
        }
        for worker in workers.allValues {
            emit(.sendToWorker(worker.peer, .disconnect))
        }
        return (takeActions(), handedBack)
    }
}
