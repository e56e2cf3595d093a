# Ruby Fiddle: include/deployhook.cdef loads unmodified, each line as it is, through Fiddle::Importer, and the
# library answers through it. Usage (from the repository root):
#   ruby Tests/ffi/load_fiddle.rb [LIBRARY]   (default .build/release/libdeployhook.so)
require "fiddle/import"

# The whole loader: every line of the file is an enum constant, a callback typedef, a function or skipped.
module DeployHookABI
  extend Fiddle::Importer
  dlload ARGV[0] || ".build/release/libdeployhook.so"
  File.foreach("include/deployhook.cdef") do |line|
    case line
    when /\A\s+(\w+) = (-?\d+),?$/ then const_set($1, Integer($2))     # NAME = VALUE, in an enum
    when /\Atypedef .*\(\*(\w+)\)/ then typealias($1, "void *")        # a callback type is a pointer
    when /\A\w.*\);$/ then extern line                                 # a function, fed as it is
    end
  end
end

$failures = 0
def check(ok, what)
  puts "#{ok ? 'ok  ' : 'FAIL'} #{what}"
  $failures += 1 unless ok
end

lib = DeployHookABI
version = lib.deployhook_version.to_s
parts = version.match(/\A(\d+)\.(\d+)\.(\d+)\z/)&.captures&.map(&:to_i)
check(!parts.nil?, "deployhook_version() is MAJOR.MINOR.PATCH: #{version}")
check(lib.deployhook_version_number == lib::DEPLOYHOOK_VERSION_NUMBER, "deployhook_version_number() is DEPLOYHOOK_VERSION_NUMBER")
check(!parts.nil? && parts[0] * 1_000_000 + parts[1] * 1000 + parts[2] == lib::DEPLOYHOOK_VERSION_NUMBER,
      "the version string and number agree")
check(lib.deployhook_error_name(lib::DEPLOYHOOK_ERR_NOT_FOUND).to_s == "DEPLOYHOOK_ERR_NOT_FOUND", "deployhook_error_name(NOT_FOUND)")
check(lib.deployhook_error_name(999).to_s == "DEPLOYHOOK_ERR_UNKNOWN", "deployhook_error_name(999) is UNKNOWN")

# Owned handles, an int-returning setter, borrowed strings and the callback typedef, without traffic.
options = lib.deployhook_options_new
begin
  check(lib.deployhook_options_set_timeout_ms(options, 0) == lib::DEPLOYHOOK_ERR_INVALID_ARGUMENT, "a bad timeout is INVALID_ARGUMENT")
  result = lib.deployhook_trigger_with("not a hook", options)
  check(lib.deployhook_error_code(result) == lib::DEPLOYHOOK_ERR_INVALID_ARGUMENT, "an invalid hook is INVALID_ARGUMENT")
  message = lib.deployhook_error_message(result)
  check(!message.null? && message.to_s.ascii_only?, "its message is ASCII: #{message.to_s.inspect}")
  lib.deployhook_free_result(result)
  callback = Fiddle::Closure::BlockCaller.new(Fiddle::TYPE_VOID, [Fiddle::TYPE_INT, Fiddle::TYPE_INT, Fiddle::TYPE_VOIDP,
                                                                   Fiddle::TYPE_DOUBLE, Fiddle::TYPE_VOIDP]) { |*| }
  waited = lib.deployhook_wait(nil, options, 0, callback, nil)
  check(lib.deployhook_error_code(waited) == lib::DEPLOYHOOK_ERR_INVALID_ARGUMENT, "deployhook_wait(NULL, ...) with a callback is INVALID_ARGUMENT")
  lib.deployhook_free_result(waited)
ensure
  lib.deployhook_options_free(options)
end

puts $failures.zero? ? "Ruby Fiddle loads deployhook.cdef: all checks passed" : "#{$failures} checks failed"
exit($failures.zero? ? 0 : 1)
