import Foundation
import LakeCatalog
import LakeTestSupport
import Testing

@Suite struct ContractTests {
    static let valid = """
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "spotify.plays",
         "type": "object",
         "properties": {"event_id": {"type": "string"}, "user_id": {"type": ["string", "null"]}},
         "required": ["event_id"],
         "x-lake": {"zone": "staged", "owner": "team", "retention_days": 30, "pii": ["user_id"],
                    "partition_by": ["dt", "region"], "primary_key": ["event_id"]}}
        """

    func contract(_ text: String) throws -> DatasetContract {
        try DatasetContract(data: Data(text.utf8), file: "schemas/x.json")
    }

    @Test func aValidContractNamesSourceDatasetAndGovernance() throws {
        let c = try contract(Self.valid)
        #expect(c.source == "spotify")
        #expect(c.name == "plays")
        #expect(c.owner == "team")
        #expect(c.retentionDays == 30)
        #expect(c.pii == ["user_id"])
        #expect(c.primaryKey == ["event_id"])
        #expect(c.fingerprint.count == 64)
    }

    @Test(arguments: [
        ("{not json", "is not valid JSON"),
        ("[]", "must be a JSON object"),
        (#"{"$schema": "http://json-schema.org/draft-07/schema#", "title": "a.b"}"#, "draft 2020-12"),
        (#"{"type": "object"}"#, "missing \"title\""),
        (#"{"title": "Spotify Plays!"}"#, "title"),
        (#"{"title": "a.b", "type": "array"}"#, "\"type\""),
        (#"{"title": "a.b", "properties": {"x": {"type": "text"}}}"#, "property \"x\" has type text"),
        (#"{"title": "a.b", "properties": {}, "required": ["x"]}"#, "\"required\" names \"x\""),
        (#"{"title": "a.b", "x-lake": {"retention_days": -1}}"#, "retention_days"),
        (#"{"title": "a.b", "x-lake": {"zone": "lagoon"}}"#, "x-lake.zone"),
        (#"{"title": "a.b", "properties": {}, "x-lake": {"pii": ["email"]}}"#, "x-lake.pii names \"email\""),
    ])
    func anInvalidContractSaysWhichFileAndWhatIsWrong(_ text: String, _ problem: String) {
        let error = #expect(throws: CatalogError.self) { try contract(text) }
        #expect(error?.message.hasPrefix("schemas/x.json: ") == true)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    @Test func everySchemaVersionIsKept() throws {
        let lake = try TempLake()
        #expect(try lake.catalog.register(contract(Self.valid)) == .created(version: 1))
        #expect(try lake.catalog.register(contract(Self.valid)) == .unchanged(version: 1))
        let changed = Self.valid.replacingOccurrences(of: "\"retention_days\": 30", with: "\"retention_days\": 60")
        #expect(try lake.catalog.register(contract(changed)) == .newVersion(2))
        let versions = try lake.catalog.schemaVersions(of: "plays")
        #expect(versions.map(\.version) == [1, 2])
        #expect(try lake.catalog.dataset(named: "spotify.plays").retentionDays == 60)
        #expect(try lake.catalog.dataset(named: "plays").currentSchemaVersion == 2)
    }

    @Test func syncRegistersNothingWhenAnyContractIsInvalid() throws {
        let lake = try TempLake()
        let folder = temporaryFolder()
        try Self.valid.write(toFile: folder + "/plays.json", atomically: true, encoding: .utf8)
        try #"{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "a.b", "required": ["x"]}"#
            .write(toFile: folder + "/broken.json", atomically: true, encoding: .utf8)
        try #"{"questions": []}"#.write(toFile: folder + "/questions.json", atomically: true, encoding: .utf8)
        let error = #expect(throws: CatalogError.self) { try lake.catalog.sync(folder: folder) }
        #expect(error?.message.contains("broken.json") == true)
        #expect(try lake.catalog.datasets().isEmpty)
        try FileManager.default.removeItem(atPath: folder + "/broken.json")
        var skipped: [String] = []
        #expect(try lake.catalog.sync(folder: folder) { skipped.append($0) }.count == 1)
        #expect(skipped.count == 1 && skipped[0].contains("questions.json"))
    }

    @Test func theShippedContractsAreValid() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/schemas"
        let lake = try TempLake()
        let names = try lake.catalog.sync(folder: folder).map(\.0.name).sorted()
        #expect(names == ["album_tracks", "artists", "categories", "featured_playlists", "listener_activity_daily", "my_playlists",
                          "new_albums", "new_albums_by_region", "new_releases", "playlist_items", "playlist_presence",
                          "playlist_tracks", "plays", "recently_played", "search_tracks", "track_plays_daily"])
        #expect(try lake.catalog.datasets().allSatisfy { $0.owner != nil && $0.retentionDays != nil })
    }
}
