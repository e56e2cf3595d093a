#!/usr/bin/env ruby
# frozen_string_literal: true

USAGE = <<~TEXT
  Trigger a Cloudflare Workers Builds deploy hook, and optionally follow the build until it stops.

  Usage: trigger.rb [--wait] [--logs] [HOOK]

  HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
  CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
  CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

    --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
             Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
    --logs   also print the build's log lines as they come (implies --wait).

  Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
  20 with --wait when the build stopped without succeeding; otherwise the library's error number
  (1 bad hook or usage, 2 no such hook, 3 rate limited, ... 13 no token or account).

  Run it from the repository (after `swift build -c release`):
      CLOUDFLARE_DEPLOY_HOOK=<uuid> ruby -Ibindings/ruby/lib examples/ruby/trigger.rb
TEXT

require "deployhook"

BUILD_DID_NOT_SUCCEED = 20

def main(argv)
  if argv.include?("-h") || argv.include?("--help")
    puts USAGE
    return 0
  end
  logs = argv.include?("--logs")
  wait = logs || argv.include?("--wait")
  arguments = argv - %w[--wait --logs]
  if arguments.size > 1 || arguments.any? { |argument| argument.start_with?("--") }
    warn "usage: trigger.rb [--wait] [--logs] [HOOK] (see --help)"
    return 1
  end
  hook = arguments.first || ENV.fetch("CLOUDFLARE_DEPLOY_HOOK", "")
  if hook.empty?
    warn "trigger.rb: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)"
    return 1
  end
  $stdout.sync = true
  begin
    build = DeployHook.trigger(hook, wait: wait, logs: logs) do |event|
      puts event.type == :log ? "| #{event.text}" : "status #{event.status}"
    end
  rescue DeployHook::Error => e # the message already names the HTTP status and API code
    warn "trigger.rb: #{e.message}#{e.cf_ray ? " [cf-ray #{e.cf_ray}]" : ""}"
    return e.number
  end
  pending = build.already_exists ? " (a build was already pending: no new one was started)" : ""
  puts "build #{build.build_uuid || "(no id given)"}: #{build.status}#{build.outcome ? ", #{build.outcome}" : ""}#{pending}"
  puts "created #{build.created_on.iso8601(3)}" if build.created_on
  puts "stopped #{build.stopped_on.iso8601(3)}" if build.stopped_on
  puts "preview #{build.preview_url}" if build.preview_url
  puts "cf-ray #{build.cf_ray}" if build.cf_ray
  wait && build.outcome != :success ? BUILD_DID_NOT_SUCCEED : 0
end

exit(main(ARGV))
