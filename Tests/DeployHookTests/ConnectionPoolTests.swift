@testable import DeployHook
import Testing

@Suite("Connection pool")
struct ConnectionPoolTests {
    @Test func aHandleGivenBackIsTheNextOneTaken() throws {
        let pool = ConnectionPool()
        let handle = try #require(pool.takeEasy())
        pool.give(easy: handle)
        #expect(pool.takeEasy() == handle)
        let multi = try #require(pool.takeMulti())
        pool.give(multi: multi)
        #expect(pool.takeMulti() == multi)
    }
}
