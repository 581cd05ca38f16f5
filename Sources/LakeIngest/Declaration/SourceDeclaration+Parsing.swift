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

    static let topKeys: Set = ["$schema", "source", "description", "base_url", "headers", "auth", "auths", "regions",
                               "queries", "rate_limit", "defaults", "resources"]
    static let resourceKeys: Set = ["dataset", "description", "default", "path", "params", "records", "paginator",
                                    "region_field", "parent", "incremental", "auth", "on_status"]

    /// Parses and checks a declaration: unknown keys and paths lake cannot read are refused
    /// here, naming the file and the key, rather than losing data at run time.
    public static func parse(data: Data, file: String) throws -> SourceDeclaration {
        let reader = Reader(file: file)
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw reader.problem("is not a JSON object; see docs/sources.md")
        }
        try reader.known(top, topKeys, "the declaration")
        let source = try reader.string(top, "source")
        guard Names.isValid(source) else {
            throw reader.problem("\"source\" must be lower-case letters, digits and '_', not \"\(source)\"")
        }
        let base = try reader.string(top, "base_url")
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? "") else {
            throw reader.problem("\"base_url\" must be an http(s) URL, not \"\(base)\"")
        }
        let headers = try reader.stringMap(top["headers"], "headers")
        let auth = try parseAuth(top["auth"], key: "auth", reader)
        var auths: [String: AuthDeclaration] = [:]
        for (name, value) in try reader.object(top["auths"], "auths") ?? [:] {
            auths[name] = try parseAuth(value, key: "auths.\(name)", reader)
        }
        let regions = try reader.strings(top["regions"], "regions")
        let queries = try reader.strings(top["queries"], "queries")
        var rateLimit: RateLimitDeclaration?
        if let r = top["rate_limit"] {
            guard let r = r as? [String: Any], let requests = r["requests"] as? Int, requests > 0 else {
                throw reader.problem("\"rate_limit\" must be {\"requests\": N, \"window_seconds\": S} with N above 0")
            }
            try reader.known(r, ["requests", "window_seconds"], "rate_limit")
            let window = (r["window_seconds"] as? NSNumber)?.doubleValue ?? 30
            guard window > 0 else { throw reader.problem("rate_limit.window_seconds must be above 0") }
            rateLimit = RateLimitDeclaration(requests: requests, windowSeconds: window)
        }
        let defaults = try reader.object(top["defaults"], "defaults") ?? [:]
        try reader.known(defaults, ["params", "paginator"], "defaults")
        guard let resources = top["resources"] as? [[String: Any]], !resources.isEmpty else {
            throw reader.problem("\"resources\" must be a non-empty array of objects")
        }
        var parsed: [ResourceDeclaration] = []
        for (index, resource) in resources.enumerated() {
            parsed.append(try parseResource(resource, index: index, defaults: defaults, auths: auths, reader))
        }
        let names = parsed.map(\.dataset)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw reader.problem("dataset \"\(twice)\" is declared twice")
        }
        for resource in parsed {
            if let parent = resource.parent, !names.contains(parent.resource) {
                throw reader.problem("resource \"\(resource.dataset)\" names parent \"\(parent.resource)\", which is not declared")
            }
            if resource.parent?.once == true, resource.usesRegion {
                throw reader.problem("resource \"\(resource.dataset)\": parent.once fetches each value once for all regions, so its path and params cannot use {region}")
            }
        }
        return SourceDeclaration(source: source, baseURL: base, headers: headers, auth: auth, auths: auths,
                                 regions: regions, queries: queries, rateLimit: rateLimit, resources: parsed)
    }

    private static func parseResource(_ r: [String: Any], index: Int, defaults: [String: Any],
                                      auths: [String: AuthDeclaration], _ reader: Reader)
        throws -> ResourceDeclaration
    {
        let dataset = try reader.string(r, "dataset", context: "resources[\(index)]")
        guard Names.isValid(dataset) else {
            throw reader.problem("resources[\(index)].dataset must be lower-case letters, digits and '_', not \"\(dataset)\"")
        }
        let context = "resource \"\(dataset)\""
        try reader.known(r, resourceKeys, context)
        var params = try reader.stringMap(defaults["params"], "defaults.params").sorted { $0.key < $1.key }
        for (key, value) in try reader.stringMap(r["params"], "\(context).params").sorted(by: { $0.key < $1.key }) {
            params.removeAll { $0.key == key }
            params.append((key, value))
        }
        let paginator = try parsePaginator(r["paginator"] ?? defaults["paginator"], context: context, reader)
        if case let .offset(o) = paginator, params.contains(where: { $0.0 == o.limitParam || $0.0 == o.offsetParam }) {
            throw reader.problem("\(context).params sets \"\(o.limitParam)\" or \"\(o.offsetParam)\", which the offset paginator sets itself")
        }
        var parent: ParentLink?
        if let p = r["parent"] {
            guard let p = p as? [String: Any], let resource = p["resource"] as? String, let field = p["field"] as? String
            else { throw reader.problem("\(context).parent must be {\"resource\": …, \"field\": …}") }
            try reader.known(p, ["resource", "field", "once"], "\(context).parent")
            try reader.path(field, "\(context).parent.field", allowEach: true)
            guard p["once"].map(isJSONBoolean) ?? true else { throw reader.problem("\(context).parent.once must be true or false") }
            parent = ParentLink(resource: resource, field: field, once: p["once"] as? Bool ?? false)
        }
        var incremental: IncrementalDeclaration?
        if let i = r["incremental"] {
            guard let i = i as? [String: Any], let field = i["field"] as? String, let param = i["param"] as? String
            else { throw reader.problem("\(context).incremental must be {\"field\": …, \"param\": …, \"initial\": …}") }
            try reader.known(i, ["field", "param", "initial", "as"], "\(context).incremental")
            try reader.path(field, "\(context).incremental.field")
            var format = IncrementalDeclaration.Format.text
            if let name = i["as"] {
                guard let name = name as? String, let parsed = IncrementalDeclaration.Format(rawValue: name) else {
                    throw reader.problem("\(context).incremental.as must be \"text\", \"epoch_ms\" or \"epoch_s\"")
                }
                format = parsed
            }
            incremental = IncrementalDeclaration(field: field, param: param, initial: i["initial"].map { "\($0)" }, format: format)
        }
        let path = (r["path"] as? String) ?? dataset
        if parent != nil, !path.contains("{parent}"), !params.contains(where: { $0.1.contains("{parent}") }) {
            throw reader.problem("\(context) has a parent but no {parent} in its path or params")
        }
        var records: String?
        if let value = r["records"] {
            guard let text = value as? String else { throw reader.problem("\(context).records must be a path string") }
            try reader.path(text, "\(context).records")
            records = text
        }
        let regionField = r["region_field"] as? String
        if let regionField { try reader.path(regionField, "\(context).region_field") }
        var auth: AuthDeclaration?
        if let name = r["auth"] as? String {
            guard let named = auths[name] else {
                throw reader.problem("\(context).auth names \"\(name)\", which \"auths\" does not declare")
            }
            auth = named
        } else if let value = r["auth"] {
            auth = try parseAuth(value, key: "\(context).auth", reader)
        }
        guard r["default"].map(isJSONBoolean) ?? true else {
            throw reader.problem("\(context).default must be true or false")
        }
        var onStatus: [Int: StatusRule] = [:]
        if let rules = r["on_status"] {
            guard let rules = rules as? [String: Any] else {
                throw reader.problem("\(context).on_status must map HTTP statuses to {\"action\": …, \"message\": …}")
            }
            for (status, rule) in rules {
                let key = "\(context).on_status.\(status)"
                guard let code = Int(status), (400...599).contains(code) else {
                    throw reader.problem("\(key): \"\(status)\" is not an HTTP error status (400–599)")
                }
                guard let rule = rule as? [String: Any], let actionName = rule["action"] as? String,
                      let action = StatusRule.Action(rawValue: actionName) else {
                    throw reader.problem("\(key) must be {\"action\": \"stop_dataset\" or \"skip\", \"message\": …}")
                }
                try reader.known(rule, ["action", "message"], key)
                onStatus[code] = StatusRule(action: action, message: rule["message"] as? String ?? "")
            }
        }
        var resource = ResourceDeclaration(
            dataset: dataset, path: path, params: params, records: records,
            paginator: paginator, regionField: regionField, parent: parent,
            incremental: incremental, auth: auth, onStatus: onStatus)
        resource.landsByDefault = r["default"] as? Bool ?? true
        return resource
    }

    static let paginatorKeys: [String: Set<String>] = [
        "single_page": [],
        "json_link": ["next", "has_more"],
        "link_header": [],
        "offset": ["limit", "offset_param", "limit_param", "total", "stop", "max_limit", "max_offset"],
        "page_number": ["page_param", "start", "total_pages", "page_size_param", "page_size"],
        "cursor": ["cursor", "cursor_param", "has_more"],
    ]

    private static func parsePaginator(_ value: Any?, context: String, _ reader: Reader) throws -> PaginatorDeclaration {
        guard let value else { return .single }
        guard let p = value as? [String: Any], let type = p["type"] as? String else {
            throw reader.problem("\(context).paginator must be an object with a \"type\"")
        }
        guard let allowed = paginatorKeys[type] else {
            throw reader.problem("\(context).paginator.type \"\(type)\" is unknown; use json_link, link_header, offset, page_number, cursor or single_page")
        }
        try reader.known(p, allowed.union(["type"]), "\(context).paginator (\(type))")
        func int(_ key: String, _ fallback: Int?) throws -> Int {
            // JSON's true and false arrive as Bool, which would also pass as 1 and 0.
            if let v = p[key] as? Int, let raw = p[key], !isJSONBoolean(raw) { return v }
            if let fallback, p[key] == nil { return fallback }
            throw reader.problem("\(context).paginator.\(key) must be a whole number")
        }
        func optionalInt(_ key: String) throws -> Int? { p[key] == nil ? nil : try int(key, nil) }
        func path(_ key: String) throws -> String? {
            guard let value = p[key] else { return nil }
            guard let text = value as? String else { throw reader.problem("\(context).paginator.\(key) must be a path string") }
            try reader.path(text, "\(context).paginator.\(key)")
            return text
        }
        switch type {
        case "single_page": return .single
        case "json_link":
            guard let next = try path("next") else {
                throw reader.problem("\(context).paginator json_link needs \"next\": the path of the next URL, e.g. \"links.next\"")
            }
            return .jsonLink(next: next, hasMore: try path("has_more"))
        case "link_header": return .linkHeader
        case "offset":
            var o = OffsetDeclaration(limit: try int("limit", nil), total: try path("total"))
            if let s = p["stop"] {
                guard let s = s as? String, let parsed = OffsetPaginator.Stop(rawValue: s) else {
                    throw reader.problem("\(context).paginator.stop must be \"total\", \"empty\" or \"short\"")
                }
                o.stop = parsed
            }
            if o.stop == .total, o.total == nil {
                throw reader.problem("\(context).paginator.stop \"total\" needs \"total\": the path of the total count")
            }
            o.offsetParam = p["offset_param"] as? String ?? "offset"
            o.limitParam = p["limit_param"] as? String ?? "limit"
            o.maxLimit = try optionalInt("max_limit")
            o.maxOffset = try optionalInt("max_offset")
            guard o.limit >= 1 else { throw reader.problem("\(context).paginator.limit must be at least 1") }
            if let cap = o.maxLimit, o.limit > cap {
                throw reader.problem("\(context).paginator.limit \(o.limit) is over its max_limit \(cap): the API would refuse it")
            }
            if let ceiling = o.maxOffset, ceiling < 1 {
                throw reader.problem("\(context).paginator.max_offset must be at least 1")
            }
            return .offset(o)
        case "page_number":
            return .pageNumber(param: p["page_param"] as? String ?? "page", start: try int("start", 1),
                               totalPages: try path("total_pages"), sizeParam: p["page_size_param"] as? String,
                               size: try optionalInt("page_size"))
        default:
            guard let cursor = try path("cursor") else {
                throw reader.problem("\(context).paginator cursor needs \"cursor\": the path of the next cursor in the body, e.g. \"meta.next_cursor\" or \"data[-1].id\"")
            }
            return .cursor(path: cursor, param: p["cursor_param"] as? String ?? "cursor", hasMore: try path("has_more"))
        }
    }

    static let authKeys: [String: Set<String>] = [
        "none": [],
        "bearer": ["token_env"],
        "api_key": ["name", "location", "value_env"],
        "basic": ["username_env", "password_env"],
        "oauth2_client_credentials": ["token_url", "client_id_env", "client_secret_env", "scope"],
        "oauth2_user": ["store", "authorize_url", "token_url", "client_id_env", "client_secret_env", "scopes"],
    ]

    private static func parseAuth(_ value: Any?, key: String, _ reader: Reader) throws -> AuthDeclaration {
        guard let value else { return .none }
        guard let a = value as? [String: Any], let type = a["type"] as? String else {
            throw reader.problem("\"\(key)\" must be an object with a \"type\"")
        }
        guard let allowed = authKeys[type] else {
            throw reader.problem("\(key) type \"\(type)\" is unknown; use \(authKeys.keys.sorted().joined(separator: ", "))")
        }
        try reader.known(a, allowed.union(["type"]), "\(key) (\(type))")
        func env(_ name: String) throws -> String {
            guard let variable = a[name] as? String, !variable.isEmpty else {
                throw reader.problem("\(key) \(type) needs \"\(name)\": the name of the environment variable holding it (secrets never sit in the file)")
            }
            return variable
        }
        func url(_ name: String) throws -> String {
            guard let text = a[name] as? String, let u = URL(string: text), ["http", "https"].contains(u.scheme ?? "") else {
                throw reader.problem("\(key) \(type) needs \"\(name)\": an http(s) URL")
            }
            return text
        }
        switch type {
        case "none": return .none
        case "bearer": return .bearer(tokenEnv: try env("token_env"))
        case "api_key":
            let location = APIKeyAuth.Location(rawValue: a["location"] as? String ?? "header")
            guard let location else { throw reader.problem("\(key) api_key location must be \"header\" or \"query\"") }
            return .apiKey(name: a["name"] as? String ?? "X-API-Key", location: location, valueEnv: try env("value_env"))
        case "basic": return .basic(usernameEnv: try env("username_env"), passwordEnv: try env("password_env"))
        case "oauth2_client_credentials":
            return .clientCredentials(tokenURL: try url("token_url"), clientIDEnv: try env("client_id_env"),
                                      clientSecretEnv: try env("client_secret_env"), scope: a["scope"] as? String)
        default:
            guard let store = a["store"] as? String, Names.isValid(store) else {
                throw reader.problem("\(key) oauth2_user needs \"store\": the sign-in's name in the token store (lower-case letters, digits, '_'), as in `lake auth <store>`")
            }
            let scopes = a["scopes"] as? [String] ?? []
            guard a["scopes"] == nil || a["scopes"] is [String] else { throw reader.problem("\(key).scopes must be an array of strings") }
            return .user(UserAuthDeclaration(
                store: store, authorizeURL: try url("authorize_url"), tokenURL: try url("token_url"),
                clientIDEnv: try env("client_id_env"), clientSecretEnv: a["client_secret_env"] as? String, scopes: scopes))
        }
    }

    private struct Reader {
        let file: String

        func problem(_ text: String) -> IngestError { .invalidDeclaration(file: file, problem: text) }

        /// Refuses keys the format does not have: a typo would otherwise be ignored.
        func known(_ object: [String: Any], _ allowed: Set<String>, _ context: String) throws {
            if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw problem("\(context) has an unknown key \"\(unknown)\"; it takes \(allowed.sorted().joined(separator: ", "))")
            }
        }

        func path(_ text: String, _ key: String, allowEach: Bool = false) throws {
            do { _ = try JSONPath.parse(text, allowEach: allowEach) } catch {
                throw problem("\(key): \(error)")
            }
        }

        func strings(_ value: Any?, _ key: String) throws -> [String] {
            guard let value else { return [] }
            guard let list = value as? [String] else { throw problem("\"\(key)\" must be an array of strings") }
            return list
        }

        func object(_ value: Any?, _ key: String) throws -> [String: Any]? {
            guard let value else { return nil }
            guard let object = value as? [String: Any] else { throw problem("\"\(key)\" must be an object") }
            return object
        }

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
