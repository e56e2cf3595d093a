# frozen_string_literal: true

require "time"

module DeployHook
  # A build as the library reported it. Timestamps are Time (nil when absent or not ISO 8601); status is
  # the API's word as a Symbol (:queued, :initializing, :running, :stopped, :unknown); outcome likewise
  # (:success, :fail, :skipped, :cancelled, :terminated, :unknown), nil until the build has stopped.
  # response_body is the raw body of the last answer: it is left out of inspect, as a server may echo a
  # hook in it.
  Build = Struct.new(:build_uuid, :status, :outcome, :already_exists, :already_stopped, :created_on,
                     :initializing_on, :running_on, :stopped_on, :modified_on, :preview_url, :branch,
                     :commit_hash, :commit_message, :author, :trigger_source, :deploy_hook_name, :trigger_name,
                     :cf_ray, :http_status, :response_body, keyword_init: true) do
    def inspect
      "#<DeployHook::Build #{(members - [:response_body]).map { |m| "#{m}=#{self[m].inspect}" }.join(", ")}>"
    end
    alias_method :to_s, :inspect

    def pretty_print(printer)
      printer.text(inspect)
    end
  end

  # What a wait reports: type :status (status is the new status, text the build's UUID) or :log (text is
  # the line, time when it was logged, status the last one reported); :unknown for an event number this
  # binding does not know.
  Event = Struct.new(:type, :status, :text, :time)

  class << self
    # The library's version, e.g. "0.2.0".
    def library_version
      Convert.text(ABI.deployhook_version)
    end

    # The library's stable name of an error number, as a Symbol: 2 is :NOT_FOUND; :UNKNOWN for a number it
    # does not know.
    def error_code(number)
      Convert.text(ABI.deployhook_error_name(number)).delete_prefix("DEPLOYHOOK_ERR_").to_sym
    end

    # Triggers hook with a client of default settings, shared by every call (CLOUDFLARE_BASE_URL honoured).
    def trigger(hook, **keywords, &block)
      default_client.trigger(hook, **keywords, &block)
    end

    private

    def default_client
      DEFAULT_LOCK.synchronize { @default_client ||= Client.new }
    end
  end
  DEFAULT_LOCK = Mutex.new
  private_constant :DEFAULT_LOCK

  # Conversion between Ruby values and the C ABI's.
  module Convert
    LONG_MAX = 2**63 - 1
    INT_MAX = 2**31 - 1
    EVENTS = { ABI::DEPLOYHOOK_EVENT_STATUS => :status, ABI::DEPLOYHOOK_EVENT_LOG => :log }.freeze

    module_function

    # A borrowed or static C string, copied into a UTF-8 String; nil for NULL.
    def text(pointer)
      pointer.null? ? nil : pointer.to_s.force_encoding(Encoding::UTF_8)
    end

    # A String (or a path) as a NUL-terminated UTF-8 C string; nil stays NULL.
    def c_string(value)
      return nil if value.nil?

      value = value.to_path if value.respond_to?(:to_path)
      string = String.new(value) # TypeError for what is no String
      unless string.encoding == Encoding::UTF_8 || string.encoding == Encoding::BINARY || string.ascii_only?
        string = string.encode(Encoding::UTF_8)
      end
      raise ArgumentError, "string contains null byte" if string.include?("\0") # a C string would stop there

      string << "\0"
    end

    # Seconds as whole milliseconds for a C long (the library judges the range).
    def milliseconds(seconds)
      return seconds unless seconds.is_a?(Numeric) # Fiddle raises Ruby's own TypeError

      value = seconds * 1000
      (value.finite? ? value.round : -1).clamp(-1, LONG_MAX)
    end

    # An Integer for a C int (the library judges the range).
    def int(value)
      value.is_a?(Integer) ? value.clamp(-1, INT_MAX) : value
    end

    def time(text)
      text && Time.iso8601(text)
    rescue ArgumentError
      nil
    end

    def flag(number)
      number.negative? ? nil : number == 1
    end

    def event(number, status, text, timestamp)
      Event.new(EVENTS.fetch(number, :unknown), Convert.status(status), text(text),
                number == ABI::DEPLOYHOOK_EVENT_LOG ? Time.at(timestamp, in: "UTC") : nil)
    end

    def status(number)
      text(ABI.deployhook_status_name(number)).to_sym
    end

    def outcome(number)
      number == ABI::DEPLOYHOOK_OUTCOME_NONE ? nil : text(ABI.deployhook_outcome_name(number)).to_sym
    end

    # The Build or the Error (not raised) a result holds; frees the result.
    def read(result)
      raise NoMemoryError, "failed to allocate memory" if result.null?

      begin
        code = ABI.deployhook_error_code(result)
        return error(result, code) unless code == ABI::DEPLOYHOOK_OK

        build(result)
      ensure
        ABI.deployhook_free_result(result)
      end
    end

    def error(result, code)
      message = text(ABI.deployhook_error_message(result)) || text(ABI.deployhook_error_name(code))
      api_code = ABI.deployhook_api_error_code(result)
      http_status = ABI.deployhook_http_status(result)
      ERROR_CLASSES.fetch(code, UnknownError).new(message, number: code, api_code: api_code.zero? ? nil : api_code,
                                                           http_status: http_status.zero? ? nil : http_status,
                                                           cf_ray: text(ABI.deployhook_cf_ray(result)))
    end

    def build(result)
      http_status = ABI.deployhook_http_status(result)
      Build.new(
        build_uuid: text(ABI.deployhook_build_uuid(result)),
        status: status(ABI.deployhook_build_status(result)),
        outcome: outcome(ABI.deployhook_build_outcome(result)),
        already_exists: flag(ABI.deployhook_already_exists(result)),
        already_stopped: flag(ABI.deployhook_already_stopped(result)),
        created_on: time(text(ABI.deployhook_created_on(result))),
        initializing_on: time(text(ABI.deployhook_initializing_on(result))),
        running_on: time(text(ABI.deployhook_running_on(result))),
        stopped_on: time(text(ABI.deployhook_stopped_on(result))),
        modified_on: time(text(ABI.deployhook_modified_on(result))),
        preview_url: text(ABI.deployhook_preview_url(result)),
        branch: text(ABI.deployhook_branch(result)),
        commit_hash: text(ABI.deployhook_commit_hash(result)),
        commit_message: text(ABI.deployhook_commit_message(result)),
        author: text(ABI.deployhook_author(result)),
        trigger_source: text(ABI.deployhook_trigger_source(result)),
        deploy_hook_name: text(ABI.deployhook_deploy_hook_name(result)),
        trigger_name: text(ABI.deployhook_trigger_name(result)),
        cf_ray: text(ABI.deployhook_cf_ray(result)),
        http_status: http_status.zero? ? nil : http_status,
        response_body: text(ABI.deployhook_response_body(result))
      ).freeze
    end

    # A Build, or raises the Error.
    def value(outcome)
      raise outcome if outcome.is_a?(Exception)

      outcome
    end
  end

  # Triggers deploy hooks, follows and cancels builds, with fixed settings held in a deployhook_options.
  # Safe to share between threads; a call blocks only its own thread. Thread#raise, Timeout.timeout and
  # Ctrl-C stop a call at once: the library is told to stop it (deployhook_options_shut_down on a copy of
  # the options made for that call), and the exception goes on once the call has ended (within 100 ms).
  class Client
    WAIT_CALLBACK = [Fiddle::TYPE_INT, Fiddle::TYPE_INT, Fiddle::TYPE_VOIDP, Fiddle::TYPE_DOUBLE, Fiddle::TYPE_VOIDP].freeze
    DONE = Object.new.freeze
    BINDING_NAME = "ruby" # in the library's default User-Agent: deployhook/VERSION (ruby; OS)
    private_constant :WAIT_CALLBACK, :DONE, :BINDING_NAME

    # Every keyword left nil keeps the library's default. Seconds for the times. api_token is a secret:
    # it is handed to the library and kept nowhere else. Raises InvalidArgumentError, with the library's
    # reason, for a value it rejects.
    def initialize(base_url: nil, timeout: nil, connect_timeout: nil, max_retries: nil, max_concurrency: nil,
                   ca_file: nil, user_agent: nil, api_token: nil, account_id: nil, wait_timeout: nil)
      @lock = Mutex.new
      @settings = {}
      @options = ABI.deployhook_options_new
      raise NoMemoryError, "failed to allocate memory" if @options.null?

      @options.free = ABI["deployhook_options_free"] # freed by close, or by the garbage collector
      begin
        set(nil, BINDING_NAME) { |v| ABI.deployhook_options_set_binding_name(@options, Convert.c_string(v)) }
        set(:base_url, base_url) { |v| ABI.deployhook_options_set_base_url(@options, Convert.c_string(v)) }
        set(:timeout, timeout) { |v| ABI.deployhook_options_set_timeout_ms(@options, Convert.milliseconds(v)) }
        set(:connect_timeout, connect_timeout) do |v|
          ABI.deployhook_options_set_connect_timeout_ms(@options, Convert.milliseconds(v))
        end
        set(:max_retries, max_retries) { |v| ABI.deployhook_options_set_max_retries(@options, Convert.int(v)) }
        set(:max_concurrency, max_concurrency) do |v|
          ABI.deployhook_options_set_max_concurrency(@options, Convert.int(v))
        end
        set(:ca_file, ca_file) { |v| ABI.deployhook_options_set_ca_file(@options, Convert.c_string(v)) }
        set(:user_agent, user_agent) { |v| ABI.deployhook_options_set_user_agent(@options, Convert.c_string(v)) }
        set(nil, api_token) { |v| ABI.deployhook_options_set_api_token(@options, Convert.c_string(v)) }
        set(:account_id, account_id) { |v| ABI.deployhook_options_set_account_id(@options, Convert.c_string(v)) }
        set(:wait_timeout, wait_timeout) do |v|
          ABI.deployhook_options_set_wait_timeout_ms(@options, Convert.milliseconds(v))
        end
      rescue Exception # rubocop:disable Lint/RescueException
        @options.call_free
        raise
      end
    end

    # Triggers the deploy hook (its UUID or trigger URL) and returns the Build, or raises an Error.
    # With wait: true, then waits for that build as #wait does (the block hears its events) and returns
    # the final Build.
    def trigger(hook, wait: false, logs: true, &block)
      hook = Convert.c_string(hook)
      unless wait
        return Convert.value(blocking(READ) { |options| ABI.deployhook_trigger_with(hook, options) })
      end

      follow(block, logs) { |options, follow, callback| ABI.deployhook_trigger_and_wait(hook, options, follow, callback, nil) }
    end

    # Triggers every hook concurrently (at most max_concurrency at once); returns, in input order, each
    # one's Build or Error (not raised).
    def trigger_many(hooks)
      strings = hooks.map { |hook| Convert.c_string(hook) }
      count = strings.size
      array = Fiddle::Pointer.malloc([count, 1].max * Fiddle::SIZEOF_VOIDP, Fiddle::RUBY_FREE)
      array[0, count * Fiddle::SIZEOF_VOIDP] = strings.map { |s| s.nil? ? 0 : Fiddle::Pointer[s].to_i }.pack("J*")
      results = Fiddle::Pointer.malloc([count, 1].max * Fiddle::SIZEOF_VOIDP, Fiddle::RUBY_FREE)
      entries = -> { results[0, count * Fiddle::SIZEOF_VOIDP].unpack("J*").map { |address| Fiddle::Pointer.new(address) } }
      convert = lambda do |(code, message)|
        raise DeployHook::ERROR_CLASSES.fetch(code, UnknownError).new(message, number: code) unless code == ABI::DEPLOYHOOK_OK

        entries.call.map { |result| result.null? ? NoMemoryError.new("failed to allocate memory") : Convert.read(result) }
      end
      release = ->((code, _)) { entries.call.each { |result| ABI.deployhook_free_result(result) } if code == ABI::DEPLOYHOOK_OK }
      blocking(convert, release: release) do |options|
        code = ABI.deployhook_trigger_many(array, count, options, results)
        [code, code == ABI::DEPLOYHOOK_OK ? nil : Convert.text(ABI.deployhook_last_error_message)] # read on this thread
      end
    ensure
      strings&.clear # referenced until here: the array points into them
    end

    # Waits for a build (a Build or its UUID) to stop; returns the final Build, or raises an Error. The
    # block, if any, is called with each Event, on this thread; with logs: true (the default) that
    # includes each new log line. An exception in the block stops the wait and is raised.
    def wait(build, logs: true, &block)
      uuid = Convert.c_string(build.respond_to?(:build_uuid) ? build.build_uuid : build)
      follow(block, logs) { |options, follow, callback| ABI.deployhook_wait(uuid, options, follow, callback, nil) }
    end

    # Cancels a build (a Build or its UUID); returns it stopped, with already_stopped telling whether it
    # had stopped before. Raises an Error.
    def cancel(build)
      uuid = Convert.c_string(build.respond_to?(:build_uuid) ? build.build_uuid : build)
      Convert.value(blocking(READ) { |options| ABI.deployhook_cancel_build(uuid, options) })
    end

    # Frees the options. Calls in flight go on with their own copy; later calls raise IOError.
    def close
      @lock.synchronize do
        @options.call_free unless @options.freed?
        @closed = true
      end
      nil
    end

    def closed?
      @closed == true
    end

    def inspect
      "#<DeployHook::Client#{@settings.map { |k, v| " #{k}=#{v.inspect}" }.join(",")}#{closed? ? " (closed)" : ""}>"
    end
    alias_method :to_s, :inspect

    def pretty_print(printer)
      printer.text(inspect)
    end

    private

    # Applies a setting (nil: leaves the default); raises the library's error when it refuses it. The
    # name is recorded for inspect, with the value, unless it is nil (the token).
    def set(name, value)
      return if value.nil?

      code = yield(value)
      unless code == ABI::DEPLOYHOOK_OK
        message = Convert.text(ABI.deployhook_last_error_message)
        raise DeployHook::ERROR_CLASSES.fetch(code, UnknownError).new(message, number: code)
      end
      @settings[name] = value if name
    end

    # A wait or trigger-and-wait, its events relayed to handler (the block) on this thread.
    def follow(handler, logs)
      follow_logs = handler && logs ? 1 : 0
      Convert.value(blocking(READ, handler: handler) { |options, callback| yield(options, follow_logs, callback) })
    end

    READ = ->(raw) { Convert.read(raw) }
    FREE = ->(raw) { ABI.deployhook_free_result(raw) }
    private_constant :READ, :FREE

    # Runs the C call (the block, given a copy of the options made for this call and the wait callback)
    # on a thread of its own while this thread waits, interruptibly, and relays wait events to handler.
    # When this thread is interrupted (Thread#raise, Timeout, Ctrl-C) or handler raises, the copy is shut
    # down (which ends the call whether or not it has begun), the call joined (within 100 ms) and its value
    # released, and the exception goes on.
    # convert turns the call's value into the return value (freeing it); release frees one not converted.
    def blocking(convert, release: FREE, handler: nil)
      Thread.handle_interrupt(Object => :never) do # until the cleanup is armed, and during it
        options = duplicate
        begin
          queue = handler && Thread::Queue.new
          callback = handler && Fiddle::Closure::BlockCaller.new(Fiddle::TYPE_VOID, WAIT_CALLBACK) do |number, status, text, time, _|
            # On the worker thread, inside the C call: copy the text, and let nothing unwind through C.
            queue.push(begin
              Convert.event(number, status, text, time)
            rescue Exception => e # rubocop:disable Lint/RescueException
              e
            end)
          end
          worker = Thread.new do
            yield(options, callback)
          ensure
            queue&.push(DONE)
          end
          worker.report_on_exception = false
          finished = false
          Thread.handle_interrupt(Object => :immediate) do
            if queue
              until (event = queue.pop).equal?(DONE)
                raise event if event.is_a?(Exception)

                handler.call(event)
              end
            end
            worker.join
          end
          finished = true
          convert.call(worker.value)
        ensure
          if worker && !finished
            value = begin
              ABI.deployhook_options_shut_down(options) # the library ends the call within 100 ms
              worker.value
            rescue Exception # rubocop:disable Lint/RescueException
              nil # the exception already on its way wins
            end
            release.call(value) unless value.nil?
          end
          ABI.deployhook_options_free(options)
        end
      end
    end

    # A copy of the options for one call: the same settings and connections, an interrupter of its own
    # (linked: an interrupt of the client's options reaches it too).
    def duplicate
      @lock.synchronize do
        raise IOError, "closed DeployHook::Client" if @closed

        copy = ABI.deployhook_options_dup_linked(@options)
        raise NoMemoryError, "failed to allocate memory" if copy.null?

        copy
      end
    end
  end
end
