# frozen_string_literal: true

require_relative "helper"

# Timeout.timeout, Thread#raise and Ctrl-C stop a call through the library's interrupt: the exception
# arrives within ~200 ms, the call has ended by then (no thread left running), and the client still works.
class TestInterrupt < Minitest::Test
  include TestSupport

  LIMIT = 0.35 # seconds from the interrupt to the exception: 100 ms for the library, the rest for Ruby

  def test_timeout_stops_a_trigger
    client = fake_client
    before = thread_count
    took = elapsed { assert_raises(Timeout::Error) { Timeout.timeout(0.2) { client.trigger(SLOW) } } }
    assert_operator took, :<, 0.2 + LIMIT
    assert_equal before, thread_count
    assert_equal :queued, client.trigger(OK).status # the client is unharmed
  end

  def test_timeout_stops_a_wait
    client = emulator_client
    build = client.trigger(E_LONG)
    events = []
    took = elapsed { assert_raises(Timeout::Error) { Timeout.timeout(0.5) { client.wait(build) { |e| events << e } } } }
    assert_operator took, :<, 0.5 + LIMIT
    assert_equal [:status], events.map(&:type) # the first poll, then stopped between polls
  end

  def test_timeout_stops_trigger_many
    hooks = [SLOW, OK, SLOW]
    took = elapsed { assert_raises(Timeout::Error) { Timeout.timeout(0.3) { fake_client.trigger_many(hooks) } } }
    assert_operator took, :<, 0.3 + LIMIT
  end

  def test_an_interrupt_that_comes_before_the_call_has_begun
    client = fake_client
    20.times do # the worker may not have entered the library yet: one shut_down of its copy still ends it
      ready = Queue.new
      waiter = Thread.new do
        ready << true
        client.trigger(SLOW)
      rescue KeyError => e
        e
      end
      ready.pop
      took = elapsed do
        waiter.raise(KeyError, "at once")
        assert_kind_of KeyError, waiter.value
      end
      assert_operator took, :<, LIMIT
    end
  end

  def test_thread_raise_stops_a_wait
    client = emulator_client
    build = client.trigger(E_LONG)
    started = Queue.new
    waiter = Thread.new do
      client.wait(build) { |_| started << true }
    rescue StandardError => e
      e
    end
    started.pop
    sleep 0.1
    before = monotonic
    waiter.raise(KeyError, "stop")
    error = waiter.value
    took = monotonic - before
    assert_kind_of KeyError, error
    assert_operator took, :<, LIMIT
  end

  def test_stopping_one_call_leaves_the_others_alone
    client = emulator_client
    long = client.trigger(E_LONG)
    other = Thread.new { client.trigger(E_OK, wait: true) }
    sleep 0.2
    assert_raises(Timeout::Error) { Timeout.timeout(0.3) { client.wait(long) } }
    assert_equal :success, other.value.outcome # its own copy of the options was not interrupted
  end

  def test_ctrl_c_stops_a_call
    script = <<~RUBY
      require "deployhook"
      client = DeployHook::Client.new(base_url: ARGV[0])
      $stdout.sync = true
      threads = Thread.list.size
      begin
        puts "calling"
        client.trigger("#{SLOW}")
      rescue Interrupt
        puts "interrupted with \#{Thread.list.size - threads} threads left"
      end
    RUBY
    Open3.popen2({ "RUBYLIB" => File.join(REPO, "bindings/ruby/lib") }, RbConfig.ruby, "-e", script, FAKE) do |_in, out, process|
      assert_equal "calling\n", out.gets
      sleep 0.3
      sent = monotonic
      Process.kill("INT", process.pid)
      assert_equal "interrupted with 0 threads left\n", out.gets
      assert_operator monotonic - sent, :<, LIMIT
      assert process.value.success?
    end
  end
end
