import DeployHook
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM: the CLI interrupts every request in flight at once (the library's interrupt is
/// async-signal-safe), still prints what it knows and writes its GitHub files, then exits 128 + the signal
/// (130 for SIGINT, 143 for SIGTERM).
enum Signals {
    /// Every call of the CLI runs with this interrupter; the handlers interrupt it.
    static let interrupter = Interrupter()
    /// The signal received, 0 while none was.
    private static let received = Atomic<Int32>(0)

    /// Installs the handlers. Everything they touch exists before they can run.
    static func install() {
        _ = interrupter
        _ = received.load(ordering: .relaxed)
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                Signals.received.store(number, ordering: .relaxed)
                Signals.interrupter.interrupt()
            }
        }
    }

    /// 128 + the signal received, or nil when none was.
    static var exitStatus: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : 128 + number
    }
}
