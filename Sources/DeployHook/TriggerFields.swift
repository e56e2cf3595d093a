/// The `result` of a trigger, in either documented shape:
/// `{already_exists, build_uuid, created_on, status}` or `{build_uuid, branch, worker}`.
struct TriggerFields: Decodable {
    var build: Build

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        build = Build(buildUUID: fields.lenient(String.self, .buildUUID),
                      status: BuildStatus(apiValue: fields.lenient(String.self, .status)),
                      alreadyExists: fields.lenient(Bool.self, .alreadyExists),
                      createdOn: fields.lenient(String.self, .createdOn),
                      branch: fields.lenient(String.self, .branch),
                      worker: fields.lenient(String.self, .worker))
    }

    private enum CodingKeys: String, CodingKey {
        case alreadyExists = "already_exists", buildUUID = "build_uuid", createdOn = "created_on", status, branch, worker
    }
}
