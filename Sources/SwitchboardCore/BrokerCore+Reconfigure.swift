import SwitchboardSchema

extension BrokerCore {
    /// Applies a reloaded configuration (SIGHUP) without touching what is open.
    ///
    /// - Departments: new ones take requests at once; a removed one takes nothing new and its open requests are
    ///   served until they finish (a restart dead-letters what is left of it).
    /// - Policies (targets, warnings, calendar, escalation, attempts, offer timeout) apply to requests submitted
    ///   from now on; open requests keep the SLA policy pinned at their submission.
    /// - Heartbeats: workers already registered keep the longer of their silence limit and the new one, since
    ///   they heartbeat at the interval they were started with.
    /// - The retention, and whether a ledger backs Core, are fixed for the process's life.
    public mutating func reconfigure(_ new: CoreConfiguration, now: Timestamp) -> [CoreAction] {
        let names = Set(new.departments.map(\.name))
        for policy in new.departments {
            if !departments.contains(policy.name) {
                departments[policy.name] = DepartmentState(policy: policy)
            } else {
                departments.update(policy.name) { $0.retired = false }
                if departments.read(policy.name, { $0.policy }) != policy { departments.update(policy.name) { $0.policy = policy } }
            }
        }
        for name in departments.allKeys where !names.contains(name) {
            departments.update(name) { $0.retired = true }
        }
        let timeout = new.workerTimeout
        for (_, slot) in workers.slots where workers[slot: slot].timeout < timeout {
            workers[slot: slot].timeout = timeout
        }
        var applied = new
        applied.retention = configuration.retention
        applied.ledgerBacked = configuration.ledgerBacked
        // A lower limit of retained finished requests takes effect at the next finish.
        configuration = applied
        return takeActions()
    }
}
