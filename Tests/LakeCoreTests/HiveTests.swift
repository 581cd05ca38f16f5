import LakeCore
import Testing

@Suite struct HiveTests {
    @Test func plainValuesStayReadable() {
        #expect(Hive.segment("region", "SE") == "region=SE")
        #expect(Hive.segment("dt", "2026-11-24") == "dt=2026-11-24")
        #expect(Hive.escape("Ünïcødé 東京") == "Ünïcødé 東京")
    }

    @Test func missingValuesUseHivesDefaultPartition() {
        #expect(Hive.segment("region", nil) == "region=__HIVE_DEFAULT_PARTITION__")
        #expect(Hive.segment("region", "") == "region=__HIVE_DEFAULT_PARTITION__")
        #expect(Hive.unescape("__HIVE_DEFAULT_PARTITION__") == nil)
    }

    @Test(arguments: ["../../etc", "a/b", "..", "/", "x=y", "50%", "a\nb", "a:b?c#d"])
    func noValueCanLeaveItsFolder(_ value: String) {
        let segment = Hive.segment("region", value)
        #expect(!segment.contains("/"))
        #expect(segment.hasPrefix("region="))
        #expect(segment != "." && segment != "..")
        #expect(Hive.unescape(String(segment.dropFirst("region=".count))) == value)
    }

    @Test func escapesAsHiveDoes() {
        #expect(Hive.escape("../../etc") == "..%2F..%2Fetc")
        #expect(Hive.escape("a/b") == "a%2Fb")
        #expect(Hive.escape("k=v:1") == "k%3Dv%3A1")
        #expect(Hive.escape("100%") == "100%25")
    }

    @Test func partitionPathsKeepTheirOrder() {
        let p = PartitionValues.dtRegion(dt: "2026-11-24", region: "a/b")
        #expect(p.path == "dt=2026-11-24/region=a%2Fb")
        #expect(p["region"] == "a/b")
    }
}
