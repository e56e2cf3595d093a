# frozen_string_literal: true

# Shared by the tests: the servers bindings/ruby/test.sh started (the test fake, the emulator), their hooks,
# and small helpers. Run them with: bash bindings/ruby/test.sh
require "minitest/autorun"
require "json"
require "net/http"
require "open3"
require "rbconfig"
require "timeout"
require "deployhook"

module TestSupport
  REPO = File.expand_path("../../..", __dir__)
  FAKE = ENV.fetch("DEPLOYHOOK_TEST_FAKE") # http://127.0.0.1:<port>/client/v4
  EMULATOR = ENV.fetch("DEPLOYHOOK_TEST_EMULATOR")

  # The fake's scenarios (Tests/fake_api/SCENARIOS.md).
  OK = "11111111-1111-4111-8111-111111111111"
  ALREADY = "33333333-3333-4333-8333-333333333333"
  UNKNOWN_STATUS = "44444444-4444-4444-8444-444444444444"
  RATE_LIMITED = "55555555-5555-4555-8555-555555555555"
  HTML_502 = "77777777-7777-4777-8777-777777777777"
  API_ERROR = "88888888-8888-4888-8888-888888888888"
  TRUNCATED = "99999999-9999-4999-8999-999999999999"
  SLOW = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
  UNKNOWN = "12345678-1234-4234-8234-123456789abc"
  BUILD_FULL = "b0000003-0000-4000-8000-000000000003"
  CANCEL_RUNNING = "b0000008-0000-4000-8000-000000000008"
  FAKE_TOKEN = "fake-api-token-for-builds"
  FAKE_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"

  # The emulator's hooks (bindings/ruby/test.sh writes its configuration).
  E_OK = "5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e"      # success after 3 x 0.2 s
  E_FAIL = "6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f"    # fail after 3 x 0.2 s
  E_LONG = "7c9a5e3f-4d6b-4e8c-9a0f-2b3c4d5e6f70"    # phases of 60 s: for cancel and interrupts
  E_TOKEN = "emulator-token-0f1e2d3c4b5a6978"
  E_ACCOUNT = "0123456789abcdef0123456789abcdef"
  COMMIT_MESSAGE = "Fix the café menu ✓\n\nAnd its prices"
  LOG_LINE = "Déployé ✓ 部署"

  def self.delayed_hook(serial, delay_ms)
    format("de1a0000-0000-4000-8000-%08d%04d", serial, delay_ms)
  end

  def fake_client(**options)
    DeployHook::Client.new(base_url: FAKE, **options)
  end

  def emulator_client(**options)
    DeployHook::Client.new(base_url: EMULATOR, api_token: E_TOKEN, account_id: E_ACCOUNT, **options)
  end

  def fake_control(path, method = :get)
    uri = URI(FAKE.sub(%r{/client/v4\z}, "") + path)
    response = Net::HTTP.start(uri.host, uri.port) do |http|
      method == :post ? http.post(uri.path, "") : http.get(uri.path)
    end
    JSON.parse(response.body)
  end

  def monotonic
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  # Seconds the block took.
  def elapsed
    start = monotonic
    yield
    monotonic - start
  end

  # The threads besides this test's own, so a test can tell that no worker is left running.
  def thread_count
    Thread.list.count(&:alive?)
  end

  def closed_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  def ruby(*args, env: {}, stdin: nil)
    Open3.capture3({ "RUBYLIB" => File.join(REPO, "bindings/ruby/lib") }.merge(env), RbConfig.ruby, *args,
                   stdin_data: stdin.to_s, chdir: REPO)
  end
end

require "socket"
# Neither the hooks' environment nor the token's may leak in from the caller.
%w[CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_BASE_URL CLOUDFLARE_DEPLOY_HOOK].each { |name| ENV.delete(name) }
