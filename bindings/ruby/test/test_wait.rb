# frozen_string_literal: true

require_relative "helper"

# Following and cancelling builds, against the emulator (and the fake's build scenarios).
class TestWait < Minitest::Test
  include TestSupport

  def test_wait_with_logs_reports_every_event_in_order
    client = emulator_client
    build = client.trigger(E_OK)
    events = []
    final = client.wait(build) { |event| events << event }
    assert_equal [:stopped, :success], [final.status, final.outcome]
    statuses = events.select { |e| e.type == :status }
    assert_equal :stopped, statuses.last.status
    assert_equal [build.build_uuid], statuses.map(&:text).uniq
    lines = events.select { |e| e.type == :log }.map(&:text)
    assert_equal ["Cloning repository...", LOG_LINE], lines # the emulator's configured lines
    events.select { |e| e.type == :log }.each { |e| assert_kind_of Time, e.time }
    assert_equal :status, events.last.type # nothing after STOPPED
    events.each { |e| assert_equal Encoding::UTF_8, e.text.encoding }
    assert_equal LOG_LINE.encoding, lines[1].encoding
  end

  def test_build_details
    client = emulator_client
    final = client.trigger(E_OK, wait: true)
    assert_equal "main", final.branch
    assert_match(/\A\h{40}\z/, final.commit_hash)
    assert_equal COMMIT_MESSAGE, final.commit_message
    assert_equal Encoding::UTF_8, final.commit_message.encoding
    assert final.commit_message.valid_encoding?
    assert_equal "dev@example.com", final.author
    assert_equal "deploy_hook", final.trigger_source
    assert_equal "Ruby test hook", final.deploy_hook_name
    assert_equal "Deploy default branch", final.trigger_name
    assert_match(%r{\Ahttps://\h{8}-my-worker\.my-subdomain\.workers\.dev\z}, final.preview_url)
    %i[created_on initializing_on running_on stopped_on modified_on].each { |field| assert_kind_of Time, final[field], field }
    assert_operator final.created_on, :<, final.stopped_on
    refute_nil final.already_exists # the trigger's (true when another test's build was still pending)
  end

  def test_a_failed_build_and_trigger_with_wait
    events = []
    final = emulator_client.trigger(E_FAIL, wait: true, logs: false) { |event| events << event.type }
    assert_equal :fail, final.outcome
    assert_equal [:status], events.uniq # logs: false: statuses only
  end

  def test_wait_without_a_block
    client = emulator_client
    assert_equal :success, client.wait(client.trigger(E_OK).build_uuid).outcome
  end

  def test_the_fakes_full_build
    final = fake_client(api_token: FAKE_TOKEN, account_id: FAKE_ACCOUNT).wait("bd000003-0000-4000-8000-000000000003")
    assert_equal "Fix the café menu\n\nAnd its prices", final.commit_message
    assert_equal "Production deploy hook", final.deploy_hook_name
    assert_equal Time.utc(2019, 12, 27, 18, 11, 51.117r), final.stopped_on
  end

  def test_wait_errors
    client = emulator_client(wait_timeout: 0.5)
    build = client.trigger(E_LONG)
    error = assert_raises(DeployHook::WaitTimeoutError) { client.wait(build) }
    assert_equal :WAIT_TIMEOUT, error.code
    assert_raises(DeployHook::NotFoundError) { emulator_client.wait("00000000-0000-4000-8000-00000000dead") }
    wrong = DeployHook::Client.new(base_url: EMULATOR, api_token: "#{E_TOKEN}x", account_id: E_ACCOUNT)
    error = assert_raises(DeployHook::APIError) { wrong.wait(build) }
    assert_equal [10_000, 403], [error.api_code, error.http_status]
    refute_includes error.message, E_TOKEN
    assert_raises(DeployHook::InvalidArgumentError) { client.wait(DeployHook::Build.new) } # no UUID: NULL
  end

  def test_cancel
    client = emulator_client
    build = client.trigger(E_LONG)
    cancelled = client.cancel(build)
    assert_equal [build.build_uuid, :stopped, :cancelled, false],
                 [cancelled.build_uuid, cancelled.status, cancelled.outcome, cancelled.already_stopped]
    assert_kind_of Time, cancelled.stopped_on
    assert_equal :cancelled, client.cancel(build.build_uuid).outcome # cancelled before: stays so
    done = client.trigger(E_OK, wait: true)
    late = client.cancel(done)
    assert_equal [:success, true, done.stopped_on], [late.outcome, late.already_stopped, late.stopped_on]
    assert_equal :cancelled, client.wait(build).outcome
    assert_raises(DeployHook::NotFoundError) { client.cancel("00000000-0000-4000-8000-00000000dead") }
  end

  def test_a_block_that_raises_stops_the_wait
    client = emulator_client
    build = client.trigger(E_LONG)
    took = elapsed do
      error = assert_raises(ArgumentError) { client.wait(build) { |_| raise ArgumentError, "from the block" } }
      assert_equal "from the block", error.message
    end
    assert_operator took, :<, 1.0 # the build runs for minutes: the wait was stopped, not finished
    assert_equal :stopped, client.cancel(build).status
  end

  def test_break_out_of_the_block
    client = emulator_client
    build = client.trigger(E_LONG)
    before = thread_count
    value = client.wait(build) { |event| break event.status }
    assert_equal :queued, value
    assert_equal before, thread_count # the call ended before wait returned
    client.cancel(build)
  end

  def test_a_block_may_call_the_client
    client = emulator_client
    build = client.trigger(E_LONG)
    final = client.wait(build) { |event| client.cancel(build) if event.type == :status && event.status == :queued }
    assert_equal :cancelled, final.outcome
  end
end
