/// Which requests a list shows and in what order: the query of `GET /api/v1/requests` (and of
/// `switchboard pending`). Parsed from and written to URL query parameters, so the CLI and the daemon
/// agree on them.
public struct RequestFilter: Sendable, Equatable {
    public enum Order: String, Sendable, CaseIterable {
        /// Newest submission first.
        case newest
        /// Nearest deadline first (overdue first).
        case deadline
    }

    /// The states to list; the open states when empty.
    public var states: Set<RequestState> = []
    public var department: String?
    public var priority: Priority?
    /// Only requests that breached a target or passed a warning threshold (about to breach).
    public var breaching = false
    /// The named agent that submitted them (`submitter=me` is resolved to the caller's name by the API).
    public var submitter: String?
    /// The integration that submitted them.
    public var via: String?
    /// The request with this client-chosen id.
    public var requestID: String?
    public var order: Order = .newest
    public var limit = RequestFilter.defaultLimit
    public var offset = 0

    public static let defaultLimit = 50
    public static let maxLimit = 1000
    /// Deeper than any list an operator pages through; keeps `offset + limit` far from overflowing.
    public static let maxOffset = 10_000_000
    public static let openStates: Set<RequestState> = [.queued, .offered, .accepted, .waitingOnAgent]

    public init() {}

    /// The states the filter means when none is named: the open ones, or every state for an agent's own list
    /// or a request id (open and recent tickets alike).
    public var effectiveStates: Set<RequestState> {
        guard states.isEmpty else { return states }
        return submitter != nil || via != nil || requestID != nil ? Set(RequestState.allCases) : RequestFilter.openStates
    }

    /// Whether it asks only for open requests (which the broker holds in memory); lists by submitter or request
    /// id are the ledger's.
    public var isOpenOnly: Bool {
        submitter == nil && via == nil && requestID == nil && effectiveStates.isSubset(of: RequestFilter.openStates)
    }

    /// Parses `state` (repeatable or comma-separated), `department`, `priority`, `breaching`, `order`,
    /// `limit` and `offset`. Throws a 400 naming the parameter for anything it cannot use.
    public init(query: [(name: String, value: String)]) throws(ProtocolError) {
        for (name, value) in query {
            switch name {
            case "state":
                for part in value.split(separator: ",") {
                    guard let state = RequestState(rawValue: String(part)) else {
                        throw Self.invalid(name, value, "one of \(RequestState.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    states.insert(state)
                }
            case "department":
                department = value
            case "submitter":
                guard !value.isEmpty, value.utf8.count <= 128 else { throw Self.invalid(name, value, "me or an agent's name") }
                submitter = value
            case "request_id":
                guard !value.isEmpty, value.utf8.count <= 255 else { throw Self.invalid(name, value, "a request id") }
                requestID = value
            case "priority":
                guard let parsed = Priority(rawValue: value) else {
                    throw Self.invalid(name, value, "one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                priority = parsed
            case "breaching":
                guard let flag = ["true": true, "1": true, "false": false, "0": false][value] else {
                    throw Self.invalid(name, value, "true or false")
                }
                breaching = flag
            case "order":
                guard let parsed = Order(rawValue: value) else {
                    throw Self.invalid(name, value, "newest or deadline")
                }
                order = parsed
            case "limit":
                guard let number = Int(value), (1...RequestFilter.maxLimit).contains(number) else {
                    throw Self.invalid(name, value, "a number from 1 to \(RequestFilter.maxLimit)")
                }
                limit = number
            case "offset":
                guard let number = Int(value), (0...RequestFilter.maxOffset).contains(number) else {
                    throw Self.invalid(name, value, "a number from 0 to \(RequestFilter.maxOffset)")
                }
                offset = number
            default:
                throw ProtocolError(
                    .badRequest, "unknown-parameter",
                    "unknown query parameter '\(name)'; known: state, department, priority, breaching, submitter, request_id, "
                        + "order, limit, offset")
            }
        }
    }

    /// The filter as query parameters, in a stable order (only what differs from the defaults).
    public var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if !states.isEmpty { items.append(("state", states.map(\.rawValue).sorted().joined(separator: ","))) }
        if let department { items.append(("department", department)) }
        if let priority { items.append(("priority", priority.rawValue)) }
        if let submitter { items.append(("submitter", submitter)) }
        if let via { items.append(("via", via)) }
        if let requestID { items.append(("request_id", requestID)) }
        if breaching { items.append(("breaching", "true")) }
        if order != .newest { items.append(("order", order.rawValue)) }
        if limit != RequestFilter.defaultLimit { items.append(("limit", String(limit))) }
        if offset != 0 { items.append(("offset", String(offset))) }
        return items
    }

    public static func == (lhs: RequestFilter, rhs: RequestFilter) -> Bool {
        lhs.queryItems.elementsEqual(rhs.queryItems) { $0.name == $1.name && $0.value == $1.value }
    }

    private static func invalid(_ name: String, _ value: String, _ expected: String) -> ProtocolError {
        ProtocolError(.badRequest, "invalid-parameter", "query parameter '\(name)' is '\(value)'; expected \(expected)")
    }
}
