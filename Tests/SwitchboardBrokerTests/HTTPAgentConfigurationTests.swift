import Foundation
import SwitchboardCore
import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

/// `http.agents`, `http.integrations`, `http.cors` and `webhooks` in the configuration file.
@Suite("HTTP agents and webhooks configuration")
struct HTTPAgentConfigurationTests {
    static let departments = "departments:\n  claims: {}\n  billing: {}\n"

    @Test("agents, integrations, origins and webhooks with their defaults")
    func readsEverything() throws {
        let configuration = try BrokerConfiguration.parse(yaml: Self.departments + """
            http:
              agents:
                alice: {token: "alice-token-0123456789", submit: [claims]}
                bob@example.com: {token: "bob-token-0123456789ab"}
              integrations:
                crm: {token: "crm-token-0123456789ab"}
              cors:
                origins: ["https://CRM.example.com", "http://127.0.0.1:3000"]
            webhooks:
              crm-hook:
                url: https://crm.example.com/hook
                secret: "hook-secret-0123456789"
              pager:
                url: http://127.0.0.1:9000/
                secret: "pager-secret-0123456789"
                events: [request.sla_breached, request.dead_lettered]
                departments: [billing]
                timeout: 2s
                max_attempts: 3
            """)
        let holders = configuration.httpAgents.holders
        #expect(holders.map(\.name) == ["alice", "bob@example.com", "crm"])
        #expect(holders.map(\.kind) == [.agent, .agent, .integration])
        #expect(holders[0].submit == .only(["claims"]))
        #expect(holders[1].submit == .all)
        #expect(configuration.httpAgents.corsOrigins == ["https://crm.example.com", "http://127.0.0.1:3000"])
        let hooks = configuration.webhooks
        #expect(hooks.map(\.name) == ["crm-hook", "pager"])
        #expect(hooks[0].events == AgentEvent.defaultWebhookTypes && hooks[0].departments.isEmpty)
        #expect(hooks[0].timeout == .seconds(10) && hooks[0].maxAttempts == 12)
        #expect(hooks[1].events == [.requestSLABreached, .requestDeadLettered])
        #expect(hooks[1].departments == ["billing"] && hooks[1].timeout == .seconds(2) && hooks[1].maxAttempts == 3)
    }

    @Test("mistakes are refused where they are", arguments: [
        ("http:\n  agents:\n    alice: {submit: [claims]}", "give its token"),
        ("http:\n  agents:\n    alice: {token: short}", "at least 16 characters"),
        ("http:\n  agents:\n    alice: {token: \"alice-token-0123456789\", submit: [dental]}", "dental"),
        ("http:\n  agents:\n    a: {token: \"same-token-0123456789\"}\n    b: {token: \"same-token-0123456789\"}", "already"),
        ("http:\n  agents:\n    x: {token: \"x-token-0123456789ab\"}\n  integrations:\n    x: {token: \"y-token-0123456789ab\"}", "both"),
        ("http:\n  agents:\n    \"al ice\": {token: \"alice-token-0123456789\"}", "a name is"),
        ("http:\n  tokens:\n    observe: [\"ops-token-0123456789ab\"]\n  agents:\n    a: {token: \"ops-token-0123456789ab\"}", "already"),
        ("http:\n  agents:\n    alice: {token: \"alice-token-0123456789\", colour: red}", "colour"),
        ("http:\n  cors:\n    origins: [\"https://crm.example.com/path\"]", "an origin is"),
        ("webhooks:\n  h: {url: \"ftp://x\", secret: \"hook-secret-0123456789\"}", "is not an http"),
        ("webhooks:\n  h: {url: \"http://127.0.0.1:9/\"}", "needs url"),
        ("webhooks:\n  h: {url: \"http://127.0.0.1:9/\", secret: short}", "at least 16"),
        ("webhooks:\n  h: {url: \"http://127.0.0.1:9/\", secret: \"hook-secret-0123456789\", events: [request.offered]}", "unknown event type"),
        ("webhooks:\n  h: {url: \"http://127.0.0.1:9/\", secret: \"hook-secret-0123456789\", max_attempts: 0}", "max_attempts"),
    ])
    func mistakes(section: String, mention: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try BrokerConfiguration.parse(yaml: Self.departments + section) }
        #expect(error.description.contains(mention), "\(error)")
    }

    @Test("beyond loopback the operations surface needs ops tokens: agents' tokens do not protect it")
    func exposure() throws {
        let agentsOnly = try BrokerConfiguration.parse(
            yaml: "http:\n  listen: 0.0.0.0:8570\n  agents:\n    alice: {token: \"alice-token-0123456789\"}\n")
        #expect(agentsOnly.exposureProblems.contains { $0.contains("http.tokens") && $0.contains("http.agents") })
        let both = try BrokerConfiguration.parse(
            yaml: "http:\n  listen: 0.0.0.0:8570\n  tokens:\n    observe: [\"observe-token-0123456789\"]\n"
                + "  agents:\n    alice: {token: \"alice-token-0123456789\"}\n")
        #expect(both.exposureProblems.isEmpty, "\(both.exposureProblems)")
    }
}
