import SwitchboardCore
import SwitchboardSchema
import Testing

@testable import SwitchboardBroker

@Suite("Configuration: service levels")
struct ServiceLevelConfigurationTests {
    @Test("targets, warnings, a business calendar, escalation and the transfer rule are read per department")
    func serviceLevels() throws {
        let config = try BrokerConfiguration.parse(yaml: """
            defaults:
              warnings: [25%, 0.9]
              escalation: raise_priority
            departments:
              claims:
                first_response_targets: {urgent: 5m}
                update_targets: 2h
                calendar:
                  time_zone: America/Chicago
                  hours: {mon: "08:00-12:00,13:00-17:00", fri: "08:00-16:00", sat: closed}
                  holidays: [2026-12-25]
                escalation: {transfer: escalations}
                transfer_clock: restart
              escalations: {}
            """)
        let claims = try #require(config.core.departments.first { $0.name == "claims" })
        #expect(claims.firstResponseTargets == [.urgent: .seconds(300)])
        #expect(claims.updateTargets[.low] == .seconds(7200))
        #expect(claims.warnings == [0.25, 0.9])
        #expect(claims.escalation == .transfer(department: "escalations"))
        #expect(claims.transferClock == .restart)
        #expect(claims.calendar.timeZone == "America/Chicago")
        #expect(claims.calendar.weekly[1] == [.init(start: 480, end: 720), .init(start: 780, end: 1020)])
        #expect(claims.calendar.weekly[5] == [.init(start: 480, end: 960)])
        #expect(claims.calendar.weekly[6] == nil)
        #expect(claims.calendar.holidays == ["2026-12-25"])
        let escalations = try #require(config.core.departments.first { $0.name == "escalations" })
        #expect(escalations.escalation == .raisePriority)
        #expect(escalations.calendar.isAlways)
        #expect(escalations.warnings == [0.25, 0.9])
    }

    @Test("bad service-level settings are refused with their place and what to write")
    func refusals() throws {
        let tests = ConfigurationTests()
        try tests.expectRefusal(
            "defaults:\n  warnings: [75%, 50%]\n", .invalidValue, line: 2, column: 19, keyPath: "defaults.warnings[1]",
            mentioning: "must increase")
        try tests.expectRefusal(
            "defaults:\n  warnings: [150%]\n", .invalidValue, line: 2, column: 14, keyPath: "defaults.warnings[0]",
            mentioning: "between 0 and 100%")
        try tests.expectRefusal(
            "defaults:\n  calendar:\n    time_zone: Mars/Olympus\n    hours: {mon: \"09:00-17:00\"}\n", .invalidValue,
            line: 3, column: 16, keyPath: "defaults.calendar.time_zone", mentioning: "Mars/Olympus")
        try tests.expectRefusal(
            "defaults:\n  calendar:\n    time_zone: UTC\n    hours: {mon: \"9 to 5\"}\n", .invalidValue,
            line: 4, column: 18, keyPath: "defaults.calendar.hours.mon", mentioning: "09:00-17:00")
        try tests.expectRefusal(
            "defaults:\n  escalation: shout\n", .invalidValue, line: 2, column: 15, keyPath: "defaults.escalation",
            mentioning: "notify, raise_priority or {transfer: department}")
        try tests.expectRefusal(
            "defaults:\n  transfer_clock: keep\n", .invalidValue, line: 2, column: 19, keyPath: "defaults.transfer_clock",
            mentioning: "carry_over or restart")
        let unknownTarget = try #require(throws: ConfigurationError.self) {
            try BrokerConfiguration.parse(yaml: "departments:\n  claims:\n    escalation: {transfer: dental}\n")
        }
        #expect(unknownTarget.keyPath == "departments.claims.escalation")
        #expect(unknownTarget.message.contains("'dental', which is not a configured department"))
    }
}
