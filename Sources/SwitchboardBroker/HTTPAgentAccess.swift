import SwitchboardSchema

/// Who may use the agent API over HTTP (`http.agents`, `http.integrations`) and which web origins may call it
/// from a browser (`http.cors.origins`).
public struct HTTPAgentAccess: Sendable, Equatable {
    /// A named bearer token for the agent API.
    public struct Holder: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// The token is the agent: it acts as `name`.
            case agent
            /// A system (a CRM) that names the human agent in each call (`X-Switchboard-Agent`).
            case integration
        }

        public var name: String
        public var kind: Kind
        public var token: String
        /// Where it may submit.
        public var submit: Principal.Departments

        public init(name: String, kind: Kind, token: String, submit: Principal.Departments) {
            self.name = name
            self.kind = kind
            self.token = token
            self.submit = submit
        }
    }

    public var holders: [Holder] = []
    /// Origins (`https://crm.example.com`) whose pages may call the API and frame the agent page.
    public var corsOrigins: [String] = []

    public init() {}

    public var isEmpty: Bool { holders.isEmpty }
}

/// A webhook: where to POST which events, signed with its secret (`webhooks.<name>`).
public struct WebhookConfiguration: Sendable, Equatable {
    public var name: String
    public var url: String
    public var secret: String
    public var events: Set<EventType> = AgentEvent.defaultWebhookTypes
    /// The departments whose requests it covers; empty: every department.
    public var departments: Set<String> = []
    /// How long one attempt waits for the receiver's answer.
    public var timeout: Duration = .seconds(10)
    /// Attempts before a delivery is given up as failed.
    public var maxAttempts = 12

    public init(name: String, url: String, secret: String) {
        self.name = name
        self.url = url
        self.secret = secret
    }
}
