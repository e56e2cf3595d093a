# frozen_string_literal: true

require_relative "helper"

# Triggers against the test fake: builds, every error kind, trigger_many, options, strings and secrets.
class TestTrigger < Minitest::Test
  include TestSupport

  def test_trigger_returns_the_build
    build = fake_client.trigger(OK)
    assert_equal "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", build.build_uuid
    assert_equal :queued, build.status
    assert_equal false, build.already_exists
    assert_nil build.already_stopped
    assert_nil build.outcome
    assert_equal Time.utc(2019, 12, 27, 18, 11, 19.117r), build.created_on
    assert_match(/\A\h{16}-SJC\z/, build.cf_ray)
    assert_equal 200, build.http_status
    assert_equal true, JSON.parse(build.response_body)["success"]
    assert build.frozen?
  end

  def test_already_exists_and_an_unknown_status
    client = fake_client
    already = client.trigger(ALREADY)
    assert_equal [true, :running], [already.already_exists, already.status]
    assert_equal :unknown, client.trigger(UNKNOWN_STATUS).status
  end

  def test_a_hook_in_any_spelling_and_as_a_trigger_url
    client = fake_client
    assert_equal :queued, client.trigger("  #{OK.upcase}\n").status
    assert_equal :queued, client.trigger("#{FAKE}/workers/builds/deploy_hooks/#{OK}").status
  end

  def test_module_trigger_uses_the_environment_base_url
    ENV["CLOUDFLARE_BASE_URL"] = FAKE
    assert_equal :queued, DeployHook.trigger(OK).status
  ensure
    ENV.delete("CLOUDFLARE_BASE_URL")
  end

  # One test per error kind the fake can provoke; each carries the library's message, code and details.
  def assert_failure(klass, code, api_code: nil, http_status: nil, cf_ray: true)
    error = assert_raises(klass) { yield }
    assert_kind_of DeployHook::Error, error
    assert_equal code, error.code
    assert_equal DeployHook::ERROR_CLASSES.key(klass), error.number
    assert_equal api_code, error.api_code
    assert_equal http_status, error.http_status
    cf_ray ? assert_match(/-SJC\z/, error.cf_ray) : assert_nil(error.cf_ray)
    refute_empty error.message
    assert_equal Encoding::UTF_8, error.message.encoding
    error
  end

  def test_invalid_argument
    error = assert_failure(DeployHook::InvalidArgumentError, :INVALID_ARGUMENT, cf_ray: false) { fake_client.trigger("not a hook") }
    assert_match(/deploy hook/, error.message) # the library's words
    assert_failure(DeployHook::InvalidArgumentError, :INVALID_ARGUMENT, cf_ray: false) { fake_client.trigger(nil) }
  end

  def test_not_found
    error = assert_failure(DeployHook::NotFoundError, :NOT_FOUND, api_code: 12_000, http_status: 404) { fake_client.trigger(UNKNOWN) }
    assert_includes error.message, "1234..."
  end

  def test_rate_limited
    assert_failure(DeployHook::RateLimitedError, :RATE_LIMITED, api_code: 12_051, http_status: 429) do
      fake_client(max_retries: 0).trigger(RATE_LIMITED)
    end
  end

  def test_api_error
    assert_failure(DeployHook::APIError, :API, api_code: 10_000, http_status: 403) { fake_client.trigger(API_ERROR) }
  end

  def test_http_error
    assert_failure(DeployHook::HTTPError, :HTTP, http_status: 502) { fake_client(max_retries: 0).trigger(HTML_502) }
  end

  def test_network_error
    client = DeployHook::Client.new(base_url: "http://127.0.0.1:#{closed_port}/client/v4", max_retries: 0)
    assert_failure(DeployHook::NetworkError, :NETWORK, cf_ray: false) { client.trigger(OK) }
  end

  def test_timeout
    assert_failure(DeployHook::TimeoutError, :TIMEOUT, cf_ray: false) { fake_client(timeout: 0.3, max_retries: 0).trigger(SLOW) }
  end

  def test_tls_error
    client = DeployHook::Client.new(base_url: FAKE.sub("http:", "https:"), max_retries: 0)
    assert_failure(DeployHook::TLSError, :TLS, cf_ray: false) { client.trigger(OK) }
  end

  def test_response_error
    assert_failure(DeployHook::ResponseError, :RESPONSE, http_status: 200) { fake_client.trigger(TRUNCATED) }
  end

  def test_no_credentials
    client = fake_client # neither a token nor an account, and none in the environment
    assert_failure(DeployHook::NoCredentialsError, :NO_CREDENTIALS, cf_ray: false) { client.wait("bd000003-0000-4000-8000-000000000003") }
  end

  def test_every_code_has_its_class_and_the_library_names_it
    (1..13).each do |number|
      klass = DeployHook::ERROR_CLASSES.fetch(number)
      assert_operator klass, :<, DeployHook::Error
      expected = klass.name.split("::").last.delete_suffix("Error").gsub(/([a-z])([A-Z])/, '\1_\2').upcase
      assert_equal expected.to_sym, DeployHook.error_code(number), klass.name
    end
    assert_equal :UNKNOWN, DeployHook.error_code(99) # a number from a newer library
    assert_equal 13, DeployHook::ERROR_CLASSES.size
  end

  def test_an_unknown_code_is_an_unknown_error
    error = DeployHook::ERROR_CLASSES.fetch(99, DeployHook::UnknownError).new("m", number: 99)
    assert_equal [DeployHook::UnknownError, :UNKNOWN, 99], [error.class, error.code, error.number]
  end

  def test_trigger_many_keeps_input_order
    hooks = [3, 2, 1, 0].map { |i| TestSupport.delayed_hook(i, 100 * i) } # the first answers last
    hooks.insert(2, "not a hook")
    hooks << UNKNOWN
    outcomes = fake_client.trigger_many(hooks)
    assert_equal 6, outcomes.size
    assert_equal %w[b11d0000-0000-4000-8000-000000030300 b11d0000-0000-4000-8000-000000020200],
                 outcomes[0, 2].map(&:build_uuid)
    assert_kind_of DeployHook::InvalidArgumentError, outcomes[2]
    assert_equal %w[b11d0000-0000-4000-8000-000000010100 b11d0000-0000-4000-8000-000000000000],
                 outcomes[3, 2].map(&:build_uuid)
    assert_kind_of DeployHook::NotFoundError, outcomes[5]
    assert_equal 12_000, outcomes[5].api_code
    assert_equal [], fake_client.trigger_many([])
  end

  def test_trigger_many_runs_max_concurrency_at_once
    fake_control("/_fake/reset", :post)
    hooks = (1..8).map { |i| TestSupport.delayed_hook(100 + i, 300) }
    took = elapsed { assert(fake_client(max_concurrency: 4).trigger_many(hooks).all?(DeployHook::Build)) }
    assert_equal 4, fake_control("/_fake/stats")["max_in_flight"]
    assert_operator took, :>=, 0.55
  end

  def test_options_are_the_librarys_to_judge
    error = assert_raises(DeployHook::InvalidArgumentError) { DeployHook::Client.new(timeout: 0) }
    assert_equal :INVALID_ARGUMENT, error.code
    assert_match(/timeout/, error.message)
    assert_raises(DeployHook::InvalidArgumentError) { DeployHook::Client.new(timeout: Float::INFINITY) }
    assert_raises(DeployHook::InvalidArgumentError) { DeployHook::Client.new(max_retries: 10**30) }
    assert_raises(DeployHook::InvalidArgumentError) { DeployHook::Client.new(base_url: "ftp://example.com") }
    assert_raises(DeployHook::InvalidArgumentError) { DeployHook::Client.new(ca_file: "/nonexistent.pem") }
    assert_raises(DeployHook::InvalidArgumentError) { DeployHook::Client.new(account_id: "no spaces allowed") }
    client = DeployHook::Client.new(base_url: FAKE, timeout: 2.5, connect_timeout: 1, max_retries: 0, max_concurrency: 2,
                                    user_agent: "ruby-test/1 ✓", account_id: FAKE_ACCOUNT, wait_timeout: 60)
    assert_equal :queued, client.trigger(OK).status
  end

  def test_the_default_user_agent_names_ruby_and_a_set_one_replaces_it
    fake_control("/_fake/reset", :post)
    fake_client.trigger(OK)
    fake_client(user_agent: "my-deployer/2.0").trigger(OK)
    agents = fake_control("/_fake/requests").map { |request| request["headers"]["user-agent"] }
    assert_equal ["deployhook/#{DeployHook.library_version} (ruby; linux)", "my-deployer/2.0"], agents
  end

  def test_ruby_conversions_raise_rubys_errors
    assert_raises(TypeError) { fake_client.trigger(12) }
    assert_raises(ArgumentError) { fake_client.trigger("#{OK}\0junk") } # a C string would stop at the NUL
    assert_raises(TypeError) { DeployHook::Client.new(timeout: "5") }
    assert_equal :queued, fake_client.trigger(OK.encode(Encoding::UTF_16LE)).status # converted to UTF-8
  end

  def test_strings_are_utf8_never_binary
    build = fake_client.trigger(OK)
    [build.build_uuid, build.cf_ray, build.response_body, DeployHook.library_version].each do |text|
      assert_equal Encoding::UTF_8, text.encoding
      assert text.valid_encoding?
    end
    assert_equal Encoding::US_ASCII, Encoding.default_external if ENV["LC_ALL"] == "C" # the suite runs under LANG=C
  end

  def test_closed_client
    client = fake_client
    client.close
    client.close
    assert client.closed?
    assert_raises(IOError) { client.trigger(OK) }
    assert_match(/closed/, client.inspect)
  end

  def test_no_secret_in_any_inspect_or_message
    token = "sweep-token-0f1e2d3c4b5a69788796a5b4"
    hooks = [OK, ALREADY, RATE_LIMITED, HTML_502, API_ERROR, TRUNCATED, UNKNOWN]
    texts = []
    [FAKE, FAKE.sub("http:", "https:"), "http://127.0.0.1:#{closed_port}/client/v4"].each do |base|
      client = DeployHook::Client.new(base_url: base, timeout: 0.6, max_retries: 0, api_token: token, account_id: FAKE_ACCOUNT)
      texts << client.inspect << client.to_s
      hooks.product([->(h) { h }, ->(h) { h.upcase }, ->(h) { " #{h}\n" }, ->(h) { "#{base}/workers/builds/deploy_hooks/#{h}" }]).each do |hook, spell|
        build = client.trigger(spell.call(hook))
        texts << build.inspect << build.to_s
      rescue DeployHook::Error => e
        texts << e.message << e.inspect << e.full_message(highlight: false)
      end
      client.trigger_many(hooks).each { |outcome| texts << outcome.inspect }
    end
    bad = DeployHook::Client.new(api_token: "bad token #{token}") rescue $! # rubocop:disable Style/RescueModifier
    texts << bad.message << bad.inspect
    leaks = (hooks + [token]).select { |secret| texts.join("\n").downcase.include?(secret.downcase) }
    assert_equal [], leaks
  end
end
