# frozen_string_literal: true

# Steady state through the Ruby binding, as benchmarks/steady_deployhook.c does through C: one client (the
# API base set), one untimed warm-up trigger, then COUNT sequential triggers, each checked (a queued build).
# Prints the seconds the COUNT triggers took. Usage: ruby -Ibindings/ruby/lib bindings/ruby/benchmark.rb BASE_URL HOOK COUNT
require "deployhook"

base, hook, count = ARGV
client = DeployHook::Client.new(base_url: base)
client.trigger(hook) # warm-up
start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
Integer(count).times { raise "not queued" unless client.trigger(hook).status == :queued }
printf("%.6f\n", Process.clock_gettime(Process::CLOCK_MONOTONIC) - start)
