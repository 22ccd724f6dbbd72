import SwitchboardSchema

/// One line of the audit trail: who did (or was refused) what to which ticket, never with a body. Kept in
/// the ledger when CURVE authentication is on, so every line names an authenticated principal.
public struct AuditRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case allowed, refused
    }

    public var at: Timestamp
    /// The principal's name and kind.
    public var principal: String
    public var kind: String
    /// `submit`, `view`, `history`, `cancel`, `info`, `serve`, `accept`, `answer`, `update`, `transfer`,
    /// `reject`, `needs_info`, `connect`.
    public var action: String
    public var ticket: String?
    public var department: String?
    public var outcome: Outcome
    /// Why it was refused (a sentence without member data).
    public var reason: String?

    public init(
        at: Timestamp, principal: String, kind: String, action: String, ticket: String? = nil, department: String? = nil,
        outcome: Outcome, reason: String? = nil
    ) {
        self.at = at
        self.principal = principal
        self.kind = kind
        self.action = action
        self.ticket = ticket
        self.department = department
        self.outcome = outcome
        self.reason = reason
    }
}
