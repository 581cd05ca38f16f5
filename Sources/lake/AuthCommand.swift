import ArgumentParser
import Foundation
import LakeCore
import LakeIngest

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Sign a user in for the datasets that read their own data (authorization code with PKCE).",
        subcommands: [AuthSpotifyCommand.self, AuthAPICommand.self])
}

/// Flags both sign-ins share.
struct SignInOptions: ParsableArguments {
    @Option(help: "Loopback port of the redirect listener (0: any free one; register http://127.0.0.1/callback without a port in the app's settings, or pass yours).")
    var port = 0
    @Option(help: "Seconds to wait for the browser to come back.") var timeout = 300.0
    @Flag(help: "Only print the URL to open; do not try to open a browser.") var noBrowser = false
    @Flag(help: "Forget the saved sign-in instead (the user can also revoke the app in their account settings).")
    var forget = false

    func run(_ user: UserAuthDeclaration) async throws {
        let store = TokenStore()
        if forget {
            store.remove(user.store)
            print("Forgot the sign-in saved in \(store.path(user.store)).")
            return
        }
        var signIn = try UserSignIn(declaration: user, environment: ProcessInfo.processInfo.environment)
        signIn.port = port
        signIn.timeout = timeout
        let openBrowser = !noBrowser
        let outcome = try await signIn.run { url in
            Progress.shared.note("Open this URL to sign in (it waits \(Int(timeout)) s for the browser to come back):\n\n  \(url)\n")
            if openBrowser { Self.openBrowser(url) }
        }
        print("Signed in: the refresh token is saved in \(outcome.path) (mode 0600, outside the lake).")
        print("Scopes: \(outcome.scope.isEmpty ? "(none)" : outcome.scope). Redirect URI used: \(outcome.redirectURI).")
    }

    /// Opens a browser only where there is one to open: a desktop session with xdg-open.
    static func openBrowser(_ url: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil,
              let opener = ["/usr/bin/xdg-open", "/usr/local/bin/xdg-open"].first(where: FileManager.default.isExecutableFile)
        else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

struct AuthSpotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotify",
        abstract: "Sign in to Spotify for my_playlists, playlist_items and recently_played.",
        discussion: """
            Uses SPOTIFY_CLIENT_ID (no secret: PKCE). In the app's settings on Spotify's developer
            dashboard, add the redirect URI http://127.0.0.1/callback (Spotify allows any port on a
            loopback IP literal; `localhost` is refused). The refresh token is saved with mode 0600 in
            $LAKE_TOKEN_DIR, else ~/.config/lake/tokens/spotify.json; `lake ingest spotify` trades it
            for access tokens as they lapse. Development Mode apps serve only the allow-listed users
            the app's owner added (at most 5).
            """)

    @Option(help: "Spotify's app mode whose declaration names the sign-in.") var appMode: SpotifyAppModeOption = .development
    @Option(help: ArgumentHelp("A declaration to use instead of the shipped one.", valueName: "file")) var declaration: String?
    @Option(help: "Token endpoint (default: the declaration's); the authorize endpoint moves to the same host.") var tokenUrl: String?
    @OptionGroup var signIn: SignInOptions

    func run() async throws {
        let source = try SpotifyPreset.load(mode: appMode, file: declaration).moved(apiBase: nil, tokenURL: tokenUrl)
        try await signIn.run(try AuthAPICommand.userAuth(in: source, named: nil))
    }
}

struct AuthAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Sign in for a declared API's oauth2_user auth.")

    @Argument(help: "The source declaration (JSON).") var file: String
    @Option(help: "Which entry of its \"auths\" (default: the only oauth2_user one).") var auth: String?
    @Option(help: "Token endpoint (default: the declaration's).") var tokenUrl: String?
    @OptionGroup var signIn: SignInOptions

    func run() async throws {
        let source = try SourceDeclaration.load(path: file).moved(apiBase: nil, tokenURL: tokenUrl)
        try await signIn.run(try Self.userAuth(in: source, named: auth))
    }

    static func userAuth(in source: SourceDeclaration, named: String?) throws -> UserAuthDeclaration {
        var found: [(String, UserAuthDeclaration)] = source.auths.compactMap { name, auth in
            if case let .user(user) = auth { return (name, user) } else { return nil }
        }
        if case let .user(user) = source.auth { found.append(("auth", user)) }
        if let named { found = found.filter { $0.0 == named } }
        guard let user = found.sorted(by: { $0.0 < $1.0 }).first?.1 else {
            throw ValidationError("the declaration of \(source.source) has no oauth2_user auth\(named.map { " named \($0)" } ?? "")")
        }
        return user
    }
}
