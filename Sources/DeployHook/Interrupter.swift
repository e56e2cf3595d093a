#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Stops calls in flight: ``interrupt()`` ends every call that began before it (trigger, trigger-many,
/// wait, cancel) with ``DeployHookError/Kind/cancelled``, within milliseconds, whatever it is doing:
/// resolving, connecting, sending, receiving, waiting before a retry or between polls. Calls that begin
/// afterwards are not affected.
///
/// ``interrupt()`` takes no lock and allocates nothing: an atomic increment and `write(2)` to pipes, so
/// it is safe from any thread, from a callback of the call it stops, and from a signal handler.
///
/// How: each call holds a ``Ticket`` that remembers the interrupt count when the call began and owns one
/// of a fixed number of wake-up pipes, whose read end the call's waits poll. ``interrupt()`` bumps the
/// count, then writes to every held pipe. The pipes are made on first use and closed only when
/// the interrupter goes, so an interrupt never writes to a descriptor that was reused for something else.
/// A call beyond the fixed number of slots polls its interrupt count every ``fallbackPollInterval`` instead.
public final class Interrupter: Sendable {
    /// How many calls at once get a wake-up pipe.
    static let slotCount = 64
    /// How often a call without a descriptor looks whether it was interrupted.
    static let fallbackPollInterval = Duration.milliseconds(20)

    private let interrupts = Atomic<Int>(0)
    /// Set by ``shutDown()``: every call, in flight or to come, is interrupted.
    private let shut = Atomic<Bool>(false)
    private let slots: [Slot]
    /// An interrupter whose interrupts reach this one's calls too (e.g. a client's, above one task's).
    let parent: Interrupter?

    /// An interrupter that has stopped nothing yet; `parent`'s interrupts stop its calls as well.
    public init(parent: Interrupter? = nil) {
        slots = (0..<Self.slotCount).map { _ in Slot() }
        self.parent = parent
    }

    deinit {
        slots.forEach { $0.closeEnds() }
    }

    /// Ends every call that began before now, with ``DeployHookError/Kind/cancelled``. Async-signal-safe.
    public func interrupt() {
        interrupts.add(1, ordering: .sequentiallyConsistent)
        for slot in slots where slot.held.load(ordering: .sequentiallyConsistent) { slot.wake() }
    }

    /// Interrupts every call in flight and every call that begins from now on, for good: what a binding
    /// uses on the interrupter of one call's own options, when it cannot know whether that call has begun.
    /// Async-signal-safe.
    public func shutDown() {
        shut.store(true, ordering: .sequentiallyConsistent)
        interrupt()
    }

    /// A ticket for a call that begins now (holding a slot here and in every ancestor); give it back with
    /// ``Ticket/finish()``.
    func begin() -> Ticket {
        var holds: [Ticket.Hold] = []
        var next: Interrupter? = self
        while let interrupter = next {
            holds.append(interrupter.hold())
            next = interrupter.parent
        }
        return Ticket(holds)
    }

    /// A slot of this interrupter for a call that begins now, or none when all are held.
    private func hold() -> Ticket.Hold {
        for (index, slot) in slots.enumerated() {
            guard slot.held.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
            else { continue }
            guard let descriptor = slot.openDescriptor() else {
                slot.held.store(false, ordering: .sequentiallyConsistent)
                break
            }
            if slot.woken.exchange(false, ordering: .sequentiallyConsistent) { slot.drain() }  // an earlier interrupt left it readable
            return Ticket.Hold(interrupter: self, slot: index, descriptor: descriptor,
                               since: interrupts.load(ordering: .sequentiallyConsistent))
        }
        return Ticket.Hold(interrupter: self, slot: nil, descriptor: nil, since: interrupts.load(ordering: .sequentiallyConsistent))
    }

    /// What one call holds: whether it was interrupted, and the descriptors its waits can poll.
    public final class Ticket: @unchecked Sendable {  // immutable but for `finished`, touched by the owning call only
        /// The call's place in one interrupter: its slot, if it got one, and the interrupt count it began at.
        struct Hold {
            let interrupter: Interrupter
            let slot: Int?
            let descriptor: Int32?
            let since: Int
        }

        private let holds: [Hold]
        /// Readable once the call was interrupted; a hold without one is polled every ``fallbackPollInterval``.
        let descriptors: [Int32]
        /// True when some interrupter had no free slot, so waits must look at the counts regularly.
        let needsPolling: Bool
        private var finished = false

        fileprivate init(_ holds: [Hold]) {
            self.holds = holds
            descriptors = holds.compactMap(\.descriptor)
            needsPolling = holds.contains { $0.descriptor == nil }
        }

        deinit { finish() }

        /// True once ``Interrupter/interrupt()`` was called, on this call's interrupter or an ancestor,
        /// after this call began.
        public var isInterrupted: Bool {
            holds.contains {
                $0.interrupter.shut.load(ordering: .sequentiallyConsistent)
                    || $0.interrupter.interrupts.load(ordering: .sequentiallyConsistent) != $0.since
            }
        }

        /// The longest a wait may block before it looks at ``isInterrupted`` again.
        var longestWait: Duration? { needsPolling ? Interrupter.fallbackPollInterval : nil }

        /// Blocks up to `duration`; returns false, at once, when the call is interrupted.
        func sleep(for duration: Duration) -> Bool {
            let start = ContinuousClock.now
            var remaining = duration
            while !isInterrupted {
                guard remaining > .zero else { return true }
                let slice = longestWait.map { min(remaining, $0) } ?? remaining
                if waitReadable(milliseconds: Self.milliseconds(slice)) && !isInterrupted { drainSpuriousWake() }
                remaining = duration - start.duration(to: .now)
            }
            return false
        }

        /// Empties the descriptors after a wake-up that was not for this call: an interrupt of a slot's
        /// previous holder whose write arrived late.
        func drainSpuriousWake() {
            for hold in holds { if let slot = hold.slot { hold.interrupter.slots[slot].drain() } }
        }

        /// Polls the descriptors (or sleeps, without any) up to `milliseconds`; true when one became readable.
        private func waitReadable(milliseconds: Int32) -> Bool {
            guard !descriptors.isEmpty else {
                var request = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
                _ = nanosleep(&request, nil)
                return false
            }
            var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            return poll(&entries, nfds_t(entries.count), milliseconds) > 0
        }

        /// Gives the slots back; later calls (by ``deinit``) do nothing.
        func finish() {
            guard !finished else { return }
            finished = true
            for hold in holds { if let slot = hold.slot { hold.interrupter.slots[slot].held.store(false, ordering: .sequentiallyConsistent) } }
        }

        /// Whole milliseconds in `duration`, rounded up, at least 0, at most a day.
        static func milliseconds(_ duration: Duration) -> Int32 {
            let (seconds, attoseconds) = duration.components
            guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
            let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            return Int32(clamping: min(total, 86_400_000))
        }
    }

    /// One wake-up pipe and whether a call holds it: calls poll the read end, interrupts write the other.
    private final class Slot: Sendable {
        let held = Atomic<Bool>(false)
        /// Set before an interrupt writes to the pipe: only then does a new holder need to empty it (which
        /// keeps a read(2) off every call's path).
        let woken = Atomic<Bool>(false)
        /// The pipe's read end, -1 until made.
        let descriptor = Atomic<Int32>(-1)
        /// The pipe's write end, -1 until made.
        let writeEnd = Atomic<Int32>(-1)

        /// The read end, made on first use by the call that holds the slot; nil when no pipe can be made.
        func openDescriptor() -> Int32? {
            let current = descriptor.load(ordering: .acquiring)
            if current >= 0 { return current }
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { return nil }
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            writeEnd.store(ends[1], ordering: .releasing)
            descriptor.store(ends[0], ordering: .releasing)
            return ends[0]
        }

        /// Empties the pipe, so that it polls readable only after the next interrupt.
        func drain() {
            var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            while withUnsafeMutableBytes(of: &bytes, { read(descriptor.load(ordering: .acquiring), $0.baseAddress, $0.count) }) > 0 {}
        }

        /// Makes the read end readable.
        func wake() {
            woken.store(true, ordering: .sequentiallyConsistent)
            var byte: UInt8 = 1
            let end = writeEnd.load(ordering: .acquiring)
            if end >= 0 { _ = write(end, &byte, 1) }  // a full pipe is readable already
        }

        /// Closes both ends (the interrupter is going).
        func closeEnds() {
            for end in [descriptor.load(ordering: .acquiring), writeEnd.load(ordering: .acquiring)] where end >= 0 { _ = close(end) }
        }
    }
}
