@testable import DeployHook
import Synchronization

/// Well-formed hooks for tests (not real ones).
enum Hooks {
    static let okUUID = "11111111-1111-4111-8111-111111111111"
    static let secret = "4f2a9c1e-7b3d-4e5f-9a8b-0c1d2e3f4a5b"
}

/// A transport that plays back scripted outcomes and records every request it is given.
final class ScriptedTransport: BlockingHTTPTransport, Sendable {
    private let state: Mutex<(outcomes: [Result<HTTPResponse, TransportFailure>], requests: [HTTPRequest])>

    init(_ outcomes: [Result<HTTPResponse, TransportFailure>]) {
        state = Mutex((outcomes, []))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func perform(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
        state.withLock { state in
            state.requests.append(request)
            return state.outcomes.isEmpty
                ? .failure(TransportFailure(kind: .internal, message: "script exhausted"))
                : state.outcomes.removeFirst()
        }
    }
}

/// Timing whose sleeps only advance a virtual clock, so retry schedules run instantly and are recorded.
final class VirtualTiming: RetryTiming, Sendable {
    private let state: Mutex<(now: ContinuousClock.Instant, sleeps: [Duration])>
    let fixedJitter: Double
    let wallTime: WallTime

    init(jitter: Double = 0, wallTime: WallTime = WallTime(secondsSince1970: 1_700_000_000)) {
        state = Mutex((ContinuousClock.now, []))
        fixedJitter = jitter
        self.wallTime = wallTime
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    func now() -> ContinuousClock.Instant { state.withLock { $0.now } }
    func wallClock() -> WallTime { wallTime }
    func jitter() -> Double { fixedJitter }
    func sleep(for duration: Duration, unless ticket: Interrupter.Ticket) -> Bool {
        guard !ticket.isInterrupted else { return false }
        state.withLock { $0.now = $0.now.advanced(by: duration); $0.sleeps.append(duration) }
        return true
    }
}

/// An HTTP answer with a JSON (or any) body.
func response(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Result<HTTPResponse, TransportFailure> {
    .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
}

let okBody = """
{"errors":[],"messages":[],"success":true,"result":{"already_exists":false,"build_uuid":"182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e","created_on":"2019-12-27T18:11:19.117Z","status":"running"}}
"""

/// A client over `transport` and `timing`, with an explicit local base URL and no environment.
func makeClient(_ transport: ScriptedTransport, timing: VirtualTiming = VirtualTiming(), retries: Int = 2,
                environment: [String: String] = [:]) throws -> DeployHookClient {
    var configuration = Configuration()
    try configuration.setMaxRetries(retries)
    return DeployHookClient(configuration: configuration, transport: transport, timing: timing,
                            environment: { environment[$0] })
}

extension ResponseClassifier {
    /// A trigger answer classified as the client does, before redaction and validation.
    static func classify(_ http: HTTPResponse, hook: DeployHookID) -> Result<TriggerResult, DeployHookError> {
        let outcome: Result<(TriggerFields?, APIResponse), DeployHookError> = classify(http, Subject(hook))
        return outcome.map { fields, response in TriggerResult(build: fields?.build ?? Build(), response: response) }
    }
}
