import Testing

@testable import SwitchboardOps

@Suite("Prometheus text format")
struct PrometheusTextTests {
    @Test("a family has HELP and TYPE once, then samples with escaped label values")
    func familyAndSamples() {
        var out = PrometheusText()
        out.family("switchboard_x_total", .counter, "Things counted.\nSecond line \\ backslash.")
        out.sample("switchboard_x_total", ["reason": "say \"hi\"\\\n"], 3 as UInt64)
        out.sample("switchboard_x_total", 0.25)
        #expect(out.text == """
            # HELP switchboard_x_total Things counted.\\nSecond line \\\\ backslash.
            # TYPE switchboard_x_total counter
            switchboard_x_total{reason="say \\"hi\\"\\\\\\n"} 3
            switchboard_x_total 0.25

            """)
    }

    @Test("a histogram writes cumulative buckets, +Inf equal to the count, the sum and the count")
    func histogram() {
        var out = PrometheusText()
        out.histogram("h", [("department", "claims")], bounds: [1, 2.5], cumulative: [1, 3, 4], sum: 7.5, count: 4)
        #expect(out.text == """
            h_bucket{department="claims",le="1"} 1
            h_bucket{department="claims",le="2.5"} 3
            h_bucket{department="claims",le="+Inf"} 4
            h_sum{department="claims"} 7.5
            h_count{department="claims"} 4

            """)
    }

    @Test("numbers: integers without a fraction, special values by name")
    func numbers() {
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(-2) == "-2")
        #expect(PrometheusText.format(0.001) == "0.001")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
    }
}
