import Foundation
import LakeCore

extension SourceDeclaration {
    /// Reads a declaration file; every problem names the file and the key.
    public static func load(path: String) throws -> SourceDeclaration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError.invalidDeclaration(file: path, problem: "cannot be read — check the path")
        }
        return try parse(data: data, file: path)
    }

    public static func parse(data: Data, file: String) throws -> SourceDeclaration {
        let reader = Reader(file: file)
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw reader.problem("is not a JSON object; see the README's \"Declaring a REST API\"")
        }
        let source = try reader.string(top, "source")
        guard Names.isValid(source) else {
            throw reader.problem("\"source\" must be lower-case letters, digits and '_', not \"\(source)\"")
        }
        let base = try reader.string(top, "base_url")
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? "") else {
            throw reader.problem("\"base_url\" must be an http(s) URL, not \"\(base)\"")
        }
        let headers = try reader.stringMap(top["headers"], "headers")
        let auth = try parseAuth(top["auth"], reader)
        let regions = try (top["regions"] as? [Any] ?? []).map { value -> String in
            guard let s = value as? String else { throw reader.problem("\"regions\" must be strings") }
            return s
        }
        let defaults = top["defaults"] as? [String: Any] ?? [:]
        guard let resources = top["resources"] as? [[String: Any]], !resources.isEmpty else {
            throw reader.problem("\"resources\" must be a non-empty array of objects")
        }
        var parsed: [ResourceDeclaration] = []
        for (index, resource) in resources.enumerated() {
            parsed.append(try parseResource(resource, index: index, defaults: defaults, reader))
        }
        let names = Set(parsed.map(\.dataset))
        for resource in parsed {
            if let parent = resource.parent, !names.contains(parent.resource) {
                throw reader.problem("resource \"\(resource.dataset)\" names parent \"\(parent.resource)\", which is not declared")
            }
            if resource.usesRegion, regions.isEmpty {
                throw reader.problem("resource \"\(resource.dataset)\" uses {region} but \"regions\" lists none")
            }
        }
        return SourceDeclaration(source: source, baseURL: base, headers: headers, auth: auth,
                                 regions: regions, resources: parsed)
    }

    private static func parseResource(_ r: [String: Any], index: Int, defaults: [String: Any], _ reader: Reader)
        throws -> ResourceDeclaration
    {
        let dataset = try reader.string(r, "dataset", context: "resources[\(index)]")
        guard Names.isValid(dataset) else {
            throw reader.problem("resources[\(index)].dataset must be lower-case letters, digits and '_', not \"\(dataset)\"")
        }
        let context = "resource \"\(dataset)\""
        var params = try reader.stringMap(defaults["params"], "defaults.params").sorted { $0.key < $1.key }
        for (key, value) in try reader.stringMap(r["params"], "\(context).params").sorted(by: { $0.key < $1.key }) {
            params.removeAll { $0.key == key }
            params.append((key, value))
        }
        let paginatorObject = r["paginator"] ?? defaults["paginator"]
        let paginator = try parsePaginator(paginatorObject, context: context, reader)
        var parent: (String, String)?
        if let p = r["parent"] {
            guard let p = p as? [String: Any], let resource = p["resource"] as? String, let field = p["field"] as? String
            else { throw reader.problem("\(context).parent must be {\"resource\": …, \"field\": …}") }
            parent = (resource, field)
        }
        var incremental: IncrementalDeclaration?
        if let i = r["incremental"] {
            guard let i = i as? [String: Any], let field = i["field"] as? String, let param = i["param"] as? String
            else { throw reader.problem("\(context).incremental must be {\"field\": …, \"param\": …, \"initial\": …}") }
            incremental = IncrementalDeclaration(field: field, param: param, initial: i["initial"].map { "\($0)" })
        }
        let path = (r["path"] as? String) ?? dataset
        if parent != nil, !path.contains("{parent}"), !params.contains(where: { $0.1.contains("{parent}") }) {
            throw reader.problem("\(context) has a parent but no {parent} in its path or params")
        }
        return ResourceDeclaration(
            dataset: dataset, path: path, params: params, records: r["records"] as? String,
            paginator: paginator, regionField: r["region_field"] as? String, parent: parent,
            incremental: incremental)
    }

    private static func parsePaginator(_ value: Any?, context: String, _ reader: Reader) throws -> PaginatorDeclaration {
        guard let value else { return .single }
        guard let p = value as? [String: Any], let type = p["type"] as? String else {
            throw reader.problem("\(context).paginator must be an object with a \"type\"")
        }
        func int(_ key: String, _ fallback: Int?) throws -> Int {
            if let v = p[key] as? Int { return v }
            if let fallback, p[key] == nil { return fallback }
            throw reader.problem("\(context).paginator.\(key) must be a whole number")
        }
        switch type {
        case "single_page": return .single
        case "json_link":
            guard let next = p["next"] as? String else {
                throw reader.problem("\(context).paginator json_link needs \"next\": the path of the next URL, e.g. \"links.next\"")
            }
            return .jsonLink(next: next)
        case "link_header": return .linkHeader
        case "offset":
            var stop: OffsetPaginator.Stop?
            if let s = p["stop"] {
                guard let s = s as? String, let parsed = OffsetPaginator.Stop(rawValue: s) else {
                    throw reader.problem("\(context).paginator.stop must be \"total\", \"empty\" or \"short\"")
                }
                stop = parsed
            }
            if stop == .total, p["total"] == nil {
                throw reader.problem("\(context).paginator.stop \"total\" needs \"total\": the path of the total count")
            }
            return .offset(limit: try int("limit", nil), offsetParam: p["offset_param"] as? String ?? "offset",
                           limitParam: p["limit_param"] as? String ?? "limit", total: p["total"] as? String, stop: stop)
        case "page_number":
            return .pageNumber(param: p["page_param"] as? String ?? "page", start: try int("start", 1),
                               totalPages: p["total_pages"] as? String, sizeParam: p["page_size_param"] as? String,
                               size: p["page_size"] as? Int)
        case "cursor":
            guard let path = p["cursor"] as? String else {
                throw reader.problem("\(context).paginator cursor needs \"cursor\": the path of the next cursor in the body")
            }
            return .cursor(path: path, param: p["cursor_param"] as? String ?? "cursor")
        default:
            throw reader.problem("\(context).paginator.type \"\(type)\" is unknown; use json_link, link_header, offset, page_number, cursor or single_page")
        }
    }

    private static func parseAuth(_ value: Any?, _ reader: Reader) throws -> AuthDeclaration {
        guard let value else { return .none }
        guard let a = value as? [String: Any], let type = a["type"] as? String else {
            throw reader.problem("\"auth\" must be an object with a \"type\"")
        }
        func env(_ key: String) throws -> String {
            guard let name = a[key] as? String, !name.isEmpty else {
                throw reader.problem("auth \(type) needs \"\(key)\": the name of the environment variable holding it (secrets never sit in the file)")
            }
            return name
        }
        switch type {
        case "none": return .none
        case "bearer": return .bearer(tokenEnv: try env("token_env"))
        case "api_key":
            let location = APIKeyAuth.Location(rawValue: a["location"] as? String ?? "header")
            guard let location else { throw reader.problem("auth api_key location must be \"header\" or \"query\"") }
            return .apiKey(name: a["name"] as? String ?? "X-API-Key", location: location, valueEnv: try env("value_env"))
        case "basic": return .basic(usernameEnv: try env("username_env"), passwordEnv: try env("password_env"))
        case "oauth2_client_credentials":
            guard let url = a["token_url"] as? String else {
                throw reader.problem("auth oauth2_client_credentials needs \"token_url\"")
            }
            return .clientCredentials(tokenURL: url, clientIDEnv: try env("client_id_env"),
                                      clientSecretEnv: try env("client_secret_env"), scope: a["scope"] as? String)
        default:
            throw reader.problem("auth type \"\(type)\" is unknown; use bearer, api_key, basic, oauth2_client_credentials or none")
        }
    }

    private struct Reader {
        let file: String

        func problem(_ text: String) -> IngestError { .invalidDeclaration(file: file, problem: text) }

        func string(_ object: [String: Any], _ key: String, context: String? = nil) throws -> String {
            guard let value = object[key] as? String, !value.isEmpty else {
                throw problem("\(context.map { $0 + "." } ?? "")\(key) is missing or not a string")
            }
            return value
        }

        func stringMap(_ value: Any?, _ key: String) throws -> [String: String] {
            guard let value else { return [:] }
            guard let map = value as? [String: Any] else { throw problem("\"\(key)\" must be an object") }
            var result: [String: String] = [:]
            for (k, v) in map {
                switch v {
                case let s as String: result[k] = s
                case let n as NSNumber: result[k] = "\(n)"
                default: throw problem("\"\(key).\(k)\" must be a string or a number")
                }
            }
            return result
        }
    }
}
