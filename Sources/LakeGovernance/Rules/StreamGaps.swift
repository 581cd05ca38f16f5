import LakeCatalog

/// Events a stream deleted (retention) before lake read them. Nothing in the lake can bring
/// them back, so the loss is an error that stays visible, per partition and offset range.
struct StreamGaps: GovernanceRule {
    func check(_ lake: LakeInventory) -> [Finding] {
        lake.streamGaps.map { gap in
            let count = gap.toOffset - gap.fromOffset + 1
            return Finding(
                rule: "stream-gap", category: .integrity, severity: .error, dataset: gap.dataset,
                path: "raw/\(lake.datasets[gap.dataset]?.source ?? gap.stream)/\(gap.dataset)",
                message: "\(gap.stream) partition \(gap.partition): offsets \(gap.fromOffset)–\(gap.toOffset) (\(count) event\(count == 1 ? "" : "s")) "
                    + "were deleted by \(gap.source) before lake read them (group \(gap.consumerGroup), noticed \(gap.detectedAt))",
                hint: "the events are lost upstream: recover them from the producer if it can replay, and run lake more often "
                    + "than the topic's retention (retention.ms) allows")
        }
    }
}
