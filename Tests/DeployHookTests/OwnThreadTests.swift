@testable import DeployHook
import Synchronization
import Testing

@Suite("Blocking work on a thread of its own")
struct OwnThreadTests {
    /// Set by the deinit of the object it is given to.
    final class ReleaseFlag: Sendable {
        private let value = Atomic<Bool>(false)
        var released: Bool { value.load(ordering: .sequentiallyConsistent) }
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
    }

    final class Captured: Sendable {
        let flag: ReleaseFlag
        init(_ flag: ReleaseFlag) { self.flag = flag }
        deinit { flag.set() }
    }

    /// The worker thread lets go of what the work captured before the caller resumes: a caller that exits
    /// the process right away must not race a worker still closing connections (seen as heap corruption
    /// in OpenSSL's exit handler when the last reference to a client was dropped on the worker).
    @Test func whatTheWorkCapturedIsReleasedBeforeTheCallerResumes() async {
        for _ in 0..<200 {
            let flag = ReleaseFlag()
            let answer = await runOnOwnThread { [captured = Captured(flag)] in captured.flag === flag ? 42 : 0 }
            #expect(answer == 42)
            let released = flag.released
            #expect(released, "the worker still held the work's captures")
        }
    }
}
