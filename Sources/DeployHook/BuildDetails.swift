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
struct BuildFields: EnvelopeResult {
    var details: BuildDetails

    init?(json result: JSONValue) {
        guard result.isObject else { return nil }
        details = BuildDetails(buildUUID: result["build_uuid"]?.string ?? "",
                               status: BuildStatus(apiValue: result["status"]?.string),
                               outcome: BuildOutcome(apiValue: result["build_outcome"]?.string),
                               createdOn: result["created_on"]?.string,
                               initializingOn: result["initializing_on"]?.string,
                               runningOn: result["running_on"]?.string,
                               stoppedOn: result["stopped_on"]?.string,
                               previewURL: result["preview_url"]?.string)
        details.modifiedOn = result["modified_on"]?.string
        // `build_trigger_metadata`: the fields a user acts on; `deploy_hook` and `trigger`: their names.
        // Each read as absent when not an object.
        let metadata = result["build_trigger_metadata"]
        details.source = BuildSource(
            branch: metadata?["branch"]?.string, commitHash: metadata?["commit_hash"]?.string,
            commitMessage: metadata?["commit_message"]?.string, author: metadata?["author"]?.string,
            triggerSource: metadata?["build_trigger_source"]?.string,
            deployHookName: result["deploy_hook"]?["deploy_hook_name"]?.string,
            triggerName: result["trigger"]?["trigger_name"]?.string)
    }
}

/// The `result` of a logs answer. `lines` is a list of `[number, string]` pairs (more elements are
/// ignored); a pair of other types is skipped, and a list with an entry that is not a list at all reads as
/// no lines, as any field of the wrong type reads as absent.
struct LogFields: EnvelopeResult {
    var page: BuildLogPage

    init?(json result: JSONValue) {
        guard result.isObject else { return nil }
        let entries = result["lines"]?.elements ?? []
        let lines = entries.allSatisfy(\.isArray) ? entries.compactMap(Self.line) : []
        page = BuildLogPage(cursor: result["cursor"]?.string, lines: lines, truncated: result["truncated"]?.bool ?? false)
    }

    private static func line(_ pair: JSONValue) -> BuildLogLine? {
        guard let items = pair.elements, items.count >= 2, let time = items[0].number, let message = items[1].string else {
            return nil
        }
        return BuildLogLine(timestamp: BuildLogLine.seconds(fromAPI: time), message: message)
    }
}
