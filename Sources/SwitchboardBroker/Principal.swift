import SwitchboardSchema
import ZeroMQ

/// Who a peer is, as its CURVE public key says (the ZAP handler maps the key at the handshake; the broker
/// checks every command against the principal's permissions, never against what a message claims).
public struct Principal: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Submits requests and reads its own tickets.
        case agent
        /// A department bot: serves its departments.
        case bot
        /// Operations staff: reads every ticket and the events; with `operate`, also acts (cancel).
        case ops
    }

    /// Departments a permission covers: all of them, or a list.
    public enum Departments: Sendable, Equatable {
        case all
        case only(Set<String>)

        public func contains(_ department: String) -> Bool {
            switch self {
            case .all: true
            case .only(let names): names.contains(department)
            }
        }

        public static let none = Departments.only([])
    }

    public var name: String
    public var kind: Kind
    /// The 32-byte CURVE public key.
    public var publicKey: [UInt8]
    /// Departments an agent may submit to (ops may submit too, to test a department).
    public var submit: Departments
    /// Departments a bot may serve.
    public var serve: Departments
    /// Whether ops may act (cancel any ticket), not only observe.
    public var operate: Bool

    public init(
        name: String, kind: Kind, publicKey: [UInt8], submit: Departments = .none, serve: Departments = .none,
        operate: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.publicKey = publicKey
        self.submit = submit
        self.serve = serve
        self.operate = operate
    }

    public func maySubmit(to department: String) -> Bool {
        (kind == .agent || kind == .ops) && submit.contains(department)
    }

    public func mayServe(_ department: String) -> Bool {
        kind == .bot && serve.contains(department)
    }

    /// Reading a ticket: its submitter, or ops.
    public func mayView(ticketOwnedBy owner: String?) -> Bool {
        kind == .ops || owner == name
    }

    /// Cancelling a ticket: its submitter, or ops that may operate.
    public func mayCancel(ticketOwnedBy owner: String?) -> Bool {
        (kind == .ops && operate) || owner == name
    }
}

/// The daemon's CURVE security: its key pair, and who may connect.
public struct SecurityConfiguration: Sendable, Equatable {
    /// The broker's key pair (from a secret certificate). Without it the endpoints are plain: no encryption
    /// and no authentication, allowed only on loopback unless `insecure`.
    public var serverKey: CurveKeyPair?
    /// Plain endpoints beyond loopback, on purpose. Logged as a warning at every start.
    public var insecure = false
    public var principals: [Principal] = []

    public init() {}

    public var isEnabled: Bool { serverKey != nil }

    /// The principal with this public key, if any.
    public func principal(publicKey: [UInt8]) -> Principal? { principals.first { $0.publicKey == publicKey } }

    public func principal(named name: String) -> Principal? { principals.first { $0.name == name } }
}
