import SwitchboardBroker
import Testing

@Suite("Histogram")
struct HistogramTests {
    @Test("observations land in the first bucket whose bound is not below them; counts read cumulatively")
    func buckets() {
        var histogram = Histogram(bounds: [1, 5, 10])
        for value in [0.5, 1, 1.01, 5, 9, 10, 11, 1000] { histogram.observe(value) }
        #expect(histogram.counts == [2, 2, 2, 2])
        #expect(histogram.cumulative == [2, 4, 6, 8])
        #expect(histogram.count == 8)
        #expect(histogram.sum == 0.5 + 1 + 1.01 + 5 + 9 + 10 + 11 + 1000)
    }

    @Test("an empty histogram is all zeros")
    func empty() {
        let histogram = Histogram(bounds: Histogram.serviceTimeBounds)
        #expect(histogram.cumulative == Array(repeating: 0, count: Histogram.serviceTimeBounds.count + 1))
        #expect(histogram.count == 0)
    }
}
