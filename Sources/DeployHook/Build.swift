/// The state of a build as Cloudflare reports it.
public enum BuildStatus: String, Sendable, CaseIterable {
    /// Waiting for a build slot.
    case queued
    /// The build environment is starting.
    case initializing
    /// The build is running.
    case running
    /// The build has ended (see its outcome).
    case stopped
    /// Absent, or a value this version does not know.
    case unknown

    /// Maps Cloudflare's status text; anything unrecognised is ``unknown``, never an error.
    public init(apiValue: String?) {
        self = apiValue.flatMap(BuildStatus.init(rawValue:)) ?? .unknown
    }
}

/// The build a deploy hook started (or found already pending). Every field is optional, as in the API.
public struct Build: Sendable, Equatable {
    /// The build's UUID.
    public var buildUUID: String?
    /// Its status when the trigger answered.
    public var status: BuildStatus
    /// True when a build for this branch was already pending, so no second build was started.
    public var alreadyExists: Bool?
    /// When the build was created, as sent (ISO 8601, e.g. `2019-12-27T18:11:19.117Z`).
    public var createdOn: String?
    /// The branch built (only in the shape the docs' guide shows).
    public var branch: String?
    /// The Worker's name (only in the shape the docs' guide shows).
    public var worker: String?

    /// Creates a build description.
    public init(buildUUID: String? = nil, status: BuildStatus = .unknown, alreadyExists: Bool? = nil,
                createdOn: String? = nil, branch: String? = nil, worker: String? = nil) {
        self.buildUUID = buildUUID
        self.status = status
        self.alreadyExists = alreadyExists
        self.createdOn = createdOn
        self.branch = branch
        self.worker = worker
    }
}

/// A successful trigger: the build and the answer it came in.
public struct TriggerResult: Sendable, Equatable {
    /// The build.
    public var build: Build
    /// The HTTP answer (status, cf-ray, raw body).
    public var response: APIResponse

    /// Creates a trigger result.
    public init(build: Build, response: APIResponse) {
        self.build = build
        self.response = response
    }
}
