@testable import DeployHook
import Foundation
import Testing

/// A transport that plays a script and runs an action at each request (e.g. an interrupt), for the
/// scheduler's interruptible waits under the virtual clock.
final class ActingTransport: BlockingHTTPTransport, @unchecked Sendable {  // driven by one thread per test
    private let script: ScriptedTransport
    private let action: @Sendable (Int) -> Void
    private(set) var count = 0

    init(_ outcomes: [Result<HTTPResponse, TransportFailure>], action: @escaping @Sendable (Int) -> Void) {
        script = ScriptedTransport(outcomes)
        self.action = action
    }

    func perform(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> {
        count += 1
        action(count)
        return script.perform(request)
    }
}

@Suite("Stopping calls")
struct InterruptTests {
    @Test func anInterruptDuringARetryWaitEndsTheCallWithoutSleepingOrRetrying() throws {
        let interrupter = Interrupter()
        let transport = ActingTransport([response(503, ""), response(200, okBody)]) { _ in interrupter.interrupt() }
        let timing = VirtualTiming()
        var configuration = Configuration()
        try configuration.setMaxRetries(5)
        var client = DeployHookClient(configuration: configuration, transport: transport, timing: timing, environment: { _ in nil })
        client.interrupter = interrupter
        do {
            _ = try client.triggerBlocking(Hooks.okUUID)
            Issue.record("expected the call to be cancelled")
        } catch {
            #expect(error.kind == .cancelled)
        }
        #expect(transport.count == 1)
        #expect(timing.sleeps.isEmpty)
        // A call that begins after the interrupt is not affected.
        #expect(try client.triggerBlocking(Hooks.okUUID).build.status == .running)
    }

    @Test func anInterruptEndsEveryHookOfABatchThatHasNotEnded() throws {
        let interrupter = Interrupter()
        let transport = ActingTransport([response(200, okBody), response(503, ""), response(503, "")]) { count in
            if count == 3 { interrupter.interrupt() }
        }
        var configuration = Configuration()
        try configuration.setMaxRetries(3)
        try configuration.setMaxConcurrency(1)
        var client = DeployHookClient(configuration: configuration, transport: transport, timing: VirtualTiming(), environment: { _ in nil })
        client.interrupter = interrupter
        let outcomes = client.triggerAllBlocking([Hooks.okUUID, Hooks.secret, Hooks.okUUID, Hooks.secret])
        #expect((try? outcomes[0].get()) != nil)  // ended before the interrupt: kept
        #expect(outcomes[1...].allSatisfy { outcomeKind($0) == .cancelled })
        #expect(transport.count == 3)
    }

    @Test func aWaitCallbackStopsItsOwnWait() throws {
        let interrupter = Interrupter()
        let transport = ScriptedTransport([BuildWaiterTests.buildBody("running"), BuildWaiterTests.buildBody("stopped", outcome: "success")])
        let timing = VirtualTiming()
        var client = try BuildWaiterTests().client(transport, timing)
        client.interrupter = interrupter
        var events = 0
        do {
            _ = try client.waitBlocking(forBuild: BuildWaiterTests.build) { _ in
                events += 1
                interrupter.interrupt()
            }
            Issue.record("expected the wait to be cancelled")
        } catch {
            #expect(error.kind == .cancelled)
        }
        #expect(events == 1)
        #expect(transport.requests.count == 1)
        #expect(timing.sleeps.isEmpty)
    }

    @Test func aParentsInterruptReachesItsChildrensCallsAndNotTheReverse() {
        let parent = Interrupter()
        let child = Interrupter(parent: parent)
        let childCall = child.begin()
        let parentCall = parent.begin()
        child.interrupt()
        #expect(childCall.isInterrupted && !parentCall.isInterrupted)
        let later = child.begin()
        #expect(!later.isInterrupted)
        parent.interrupt()
        #expect(later.isInterrupted && parentCall.isInterrupted)
        child.shutDown()
        #expect(child.begin().isInterrupted && !parent.begin().isInterrupted)
    }

    @Test func aRealSleepEndsAtOnceOnAnInterrupt() async throws {
        let interrupter = Interrupter()
        let ticket = interrupter.begin()
        let started = ContinuousClock.now
        Task.detached {
            try await Task.sleep(for: .milliseconds(50))
            interrupter.interrupt()
        }
        #expect(!ticket.sleep(for: .seconds(10)))
        #expect(started.duration(to: .now) < .seconds(2))
    }
}

@Suite("Stopping calls over real HTTP", .enabled(if: FakeAPI.baseURL != nil, "set DEPLOYHOOK_TEST_API_URL (make test does)"))
struct LiveInterruptTests {
    @Test func cancellingTheTaskInterruptsATrigger() async throws {
        let client = try FakeAPI.client(timeout: .seconds(20))
        let task = Task { try await client.trigger("cccccccc-cccc-4ccc-8ccc-cccccccccccc") }  // the fake answers after 5 s
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = ContinuousClock.now
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("expected the trigger to be cancelled")
        } catch let error as DeployHookError {
            #expect(error.kind == .cancelled)
        }
        #expect(cancelled.duration(to: .now) < .seconds(1))
    }

    @Test func cancellingABuildOverHTTP() throws {
        var configuration = try FakeAPI.client().configuration
        try configuration.setAPIToken("fake-api-token-for-builds")
        try configuration.setAccountID("023e105f4ecef8ad9ca31a8372d0c353")
        let client = DeployHookClient(configuration: configuration)
        let stopped = try client.cancelBuildBlocking("bd000009-0000-4000-8000-000000000009")
        #expect(stopped.status == .stopped && stopped.outcome == .success)  // it had already stopped
        let details = try client.buildDetailsBlocking("bd000003-0000-4000-8000-000000000003")
        #expect(details.source.branch == "main" && details.source.commitHash?.hasPrefix("1a2b3c4") == true)
        #expect(details.source.deployHookName == "Production deploy hook" && details.source.triggerSource == "deploy_hook")
    }
}
