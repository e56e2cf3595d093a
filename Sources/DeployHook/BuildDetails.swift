/// How a stopped build ended.
public enum BuildOutcome: String, Sendable, CaseIterable {
    /// Built and deployed.
    case success
    /// The build failed.
    case fail
    /// Skipped (e.g. superseded).
    case skipped
    /// Cancelled by someone.
    case cancelled
    /// Ended by Cloudflare (e.g. the 20-minute build timeout).
    case terminated
    /// A value this version does not know.
    case unknown

    /// Maps Cloudflare's `build_outcome`; nil stays nil (no outcome yet), anything unrecognised is ``unknown``.
    init?(apiValue: String?) {
        guard let apiValue else { return nil }
        self = BuildOutcome(rawValue: apiValue) ?? .unknown
    }
}

/// A build as `GET /accounts/{account_id}/builds/builds/{build_uuid}` describes it.
public struct BuildDetails: Sendable, Equatable {
    /// The build's UUID.
    public var buildUUID: String
    /// Its status.
    public var status: BuildStatus
    /// How it ended; nil until it has stopped.
    public var outcome: BuildOutcome?
    /// Timestamps as sent (ISO 8601), nil until reached.
    public var createdOn, initializingOn, runningOn, stoppedOn: String?
    /// Where a preview deployment can be seen, when there is one.
    public var previewURL: String?
    /// When the build's record last changed (ISO 8601), as sent.
    public var modifiedOn: String?
    /// What started the build and from which source: branch, commit, author, trigger source.
    public var source = BuildSource()
    /// The answer this state came in (status, cf-ray, raw body), when it came from the API.
    public var response: APIResponse?

    /// Creates a description of a build.
    public init(buildUUID: String, status: BuildStatus = .unknown, outcome: BuildOutcome? = nil, createdOn: String? = nil,
                initializingOn: String? = nil, runningOn: String? = nil, stoppedOn: String? = nil, previewURL: String? = nil,
                response: APIResponse? = nil) {
        self.response = response
        self.buildUUID = buildUUID
        self.status = status
        self.outcome = outcome
        self.createdOn = createdOn
        self.initializingOn = initializingOn
        self.runningOn = runningOn
        self.stoppedOn = stoppedOn
        self.previewURL = previewURL
    }
}

/// Where a build comes from, as `build_trigger_metadata`, `deploy_hook` and `trigger` describe it. Every
/// field is optional, as in the API.
public struct BuildSource: Sendable, Equatable {
    /// The branch built, e.g. `main`.
    public var branch: String?
    /// The commit built (40 hex digits).
    public var commitHash: String?
    /// The commit's message.
    public var commitMessage: String?
    /// Who made the commit or triggered the build.
    public var author: String?
    /// What triggered it: `push`, `pull_request`, `manual`, `api`, or `deploy_hook` (as sent).
    public var triggerSource: String?
    /// The name of the deploy hook that started it.
    public var deployHookName: String?
    /// The name of the build trigger it ran under.
    public var triggerName: String?

    /// Creates a description of a build's source.
    public init(branch: String? = nil, commitHash: String? = nil, commitMessage: String? = nil, author: String? = nil,
                triggerSource: String? = nil, deployHookName: String? = nil, triggerName: String? = nil) {
        self.branch = branch
        self.commitHash = commitHash
        self.commitMessage = commitMessage
        self.author = author
        self.triggerSource = triggerSource
        self.deployHookName = deployHookName
        self.triggerName = triggerName
    }
}

/// One line of a build's log.
public struct BuildLogLine: Sendable, Equatable {
    /// When it was written, in seconds since 1970.
    public var timestamp: Double
    /// The text.
    public var message: String

    /// Creates a log line.
    public init(timestamp: Double, message: String) {
        self.timestamp = timestamp
        self.message = message
    }

    /// The largest timestamp read as seconds (the year 5138): the schema's example is in seconds,
    /// Cloudflare's own client reads the number as milliseconds, and any larger value is milliseconds
    /// (1e11 ms is March 1973, before any build).
    public static let largestSecondsTimestamp = 1e11

    /// Seconds since 1970 from the API's number, in seconds or milliseconds (see ``largestSecondsTimestamp``).
    public static func seconds(fromAPI value: Double) -> Double {
        value > largestSecondsTimestamp ? value / 1000 : value
    }
}

/// A page of a build's log, as `GET …/builds/{build_uuid}/logs?cursor=…` returns it.
public struct BuildLogPage: Sendable, Equatable {
    /// Where the next page starts.
    public var cursor: String?
    /// The lines after the cursor that was asked for.
    public var lines: [BuildLogLine]
    /// True when more lines are available right away.
    public var truncated: Bool
}

/// The `result` of a get-build answer.
struct BuildFields: Decodable {
    var details: BuildDetails

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        details = BuildDetails(buildUUID: fields.lenient(String.self, .buildUUID) ?? "",
                               status: BuildStatus(apiValue: fields.lenient(String.self, .status)),
                               outcome: BuildOutcome(apiValue: fields.lenient(String.self, .buildOutcome)),
                               createdOn: fields.lenient(String.self, .createdOn),
                               initializingOn: fields.lenient(String.self, .initializingOn),
                               runningOn: fields.lenient(String.self, .runningOn),
                               stoppedOn: fields.lenient(String.self, .stoppedOn),
                               previewURL: fields.lenient(String.self, .previewURL))
        details.modifiedOn = fields.lenient(String.self, .modifiedOn)
        let metadata = fields.lenient(Metadata.self, .metadata)
        details.source = BuildSource(
            branch: metadata?.branch, commitHash: metadata?.commitHash, commitMessage: metadata?.commitMessage,
            author: metadata?.author, triggerSource: metadata?.triggerSource,
            deployHookName: fields.lenient(Named.self, .deployHook)?.deployHookName,
            triggerName: fields.lenient(Named.self, .trigger)?.triggerName)
    }

    private enum CodingKeys: String, CodingKey {
        case buildUUID = "build_uuid", status, buildOutcome = "build_outcome", createdOn = "created_on"
        case initializingOn = "initializing_on", runningOn = "running_on", stoppedOn = "stopped_on", previewURL = "preview_url"
        case modifiedOn = "modified_on", metadata = "build_trigger_metadata", deployHook = "deploy_hook", trigger
    }

    /// `build_trigger_metadata`: the fields a user acts on.
    private struct Metadata: Decodable {
        var branch, commitHash, commitMessage, author, triggerSource: String?

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            branch = fields.lenient(String.self, .branch)
            commitHash = fields.lenient(String.self, .commitHash)
            commitMessage = fields.lenient(String.self, .commitMessage)
            author = fields.lenient(String.self, .author)
            triggerSource = fields.lenient(String.self, .triggerSource)
        }

        private enum CodingKeys: String, CodingKey {
            case branch, commitHash = "commit_hash", commitMessage = "commit_message", author
            case triggerSource = "build_trigger_source"
        }
    }

    /// `deploy_hook` or `trigger`: their names.
    private struct Named: Decodable {
        var deployHookName, triggerName: String?

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            deployHookName = fields.lenient(String.self, .deployHookName)
            triggerName = fields.lenient(String.self, .triggerName)
        }

        private enum CodingKeys: String, CodingKey { case deployHookName = "deploy_hook_name", triggerName = "trigger_name" }
    }
}

/// The `result` of a logs answer; lines that are not `[number, string]` pairs are skipped.
struct LogFields: Decodable {
    var page: BuildLogPage

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        let pairs = fields.lenient([LenientLogLine].self, .lines) ?? []
        page = BuildLogPage(cursor: fields.lenient(String.self, .cursor), lines: pairs.compactMap(\.line),
                            truncated: fields.lenient(Bool.self, .truncated) ?? false)
    }

    private struct LenientLogLine: Decodable {
        var line: BuildLogLine?

        init(from decoder: any Decoder) throws {
            var pair = try decoder.unkeyedContainer()
            let timestamp = try? pair.decode(Double.self)
            let message = try? pair.decode(String.self)
            line = timestamp.flatMap { time in message.map { BuildLogLine(timestamp: BuildLogLine.seconds(fromAPI: time), message: $0) } }
        }
    }

    private enum CodingKeys: String, CodingKey { case cursor, lines, truncated }
}
