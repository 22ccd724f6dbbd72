import SwitchboardCore
import SwitchboardSchema

/// 8/MMI, the Majordomo Management Interface, answered by the broker itself: `mmi.service` (200 when the
/// department has a live worker taking requests, 404 otherwise) and two Switchboard extensions,
/// `mmi.departments` and `mmi.workers` (JSON, as the HTTP API's bodies). Any other `mmi.*` is 501.
enum MajordomoManagement {
    static let prefix = "mmi."

    static func answer(_ service: String, _ body: [UInt8], core: BrokerCore, now: Timestamp) -> [UInt8] {
        switch service {
        case "mmi.service":
            let department = String(decoding: body, as: UTF8.self)
            return Array((core.isServed(department) ? "200" : "404").utf8)
        case "mmi.departments":
            return JSONCoding.encode(core.departmentSummaries(now: now))
        case "mmi.workers":
            return JSONCoding.encode(core.workerSummaries(now: now))
        default:
            return Array("501".utf8)
        }
    }
}
