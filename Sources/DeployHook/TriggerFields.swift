/// The `result` of a trigger, in either documented shape:
/// `{already_exists, build_uuid, created_on, status}` or `{build_uuid, branch, worker}`.
struct TriggerFields: EnvelopeResult {
    var build: Build

    init?(json result: JSONValue) {
        guard result.isObject else { return nil }
        build = Build(buildUUID: result["build_uuid"]?.string,
                      status: BuildStatus(apiValue: result["status"]?.string),
                      alreadyExists: result["already_exists"]?.bool,
                      createdOn: result["created_on"]?.string,
                      branch: result["branch"]?.string,
                      worker: result["worker"]?.string)
    }
}
