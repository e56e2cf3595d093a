-- LuaJIT: include/deployhook.cdef loads unmodified with ffi.cdef, and the library answers through it.
-- Usage (from the repository root): luajit Tests/ffi/load.lua [LIBRARY]   (default .build/release/libdeployhook.so)
local ffi = require("ffi")

local file = assert(io.open("include/deployhook.cdef"))
ffi.cdef(file:read("*a"))  -- the file as is
file:close()
local lib = ffi.load(arg[1] or ".build/release/libdeployhook.so")

local failures = 0
local function check(ok, what)
  print((ok and "ok   " or "FAIL ") .. what)
  if not ok then failures = failures + 1 end
end

local version = ffi.string(lib.deployhook_version())
local major, minor, patch = version:match("^(%d+)%.(%d+)%.(%d+)$")
check(major ~= nil, "deployhook_version() is MAJOR.MINOR.PATCH: " .. version)
check(lib.deployhook_version_number() == lib.DEPLOYHOOK_VERSION_NUMBER, "deployhook_version_number() is DEPLOYHOOK_VERSION_NUMBER")
check(major ~= nil and tonumber(major) * 1000000 + tonumber(minor) * 1000 + tonumber(patch) == lib.DEPLOYHOOK_VERSION_NUMBER,
      "the version string and number agree")
check(ffi.string(lib.deployhook_error_name(lib.DEPLOYHOOK_ERR_NOT_FOUND)) == "DEPLOYHOOK_ERR_NOT_FOUND", "deployhook_error_name(NOT_FOUND)")
check(ffi.string(lib.deployhook_error_name(999)) == "DEPLOYHOOK_ERR_UNKNOWN", "deployhook_error_name(999) is UNKNOWN")

-- Owned handles, an int-returning setter, borrowed strings and the callback typedef, without traffic.
local options = ffi.gc(lib.deployhook_options_new(), lib.deployhook_options_free)
check(lib.deployhook_options_set_timeout_ms(options, 0) == lib.DEPLOYHOOK_ERR_INVALID_ARGUMENT, "a bad timeout is INVALID_ARGUMENT")
local result = ffi.gc(lib.deployhook_trigger_with("not a hook", options), lib.deployhook_free_result)
check(lib.deployhook_error_code(result) == lib.DEPLOYHOOK_ERR_INVALID_ARGUMENT, "an invalid hook is INVALID_ARGUMENT")
local message = lib.deployhook_error_message(result)
check(message ~= nil and not ffi.string(message):find("[\128-\255]"), "its message is ASCII: " .. ffi.string(message))
local callback = ffi.cast("deployhook_wait_callback", function(event, status, text, timestamp, user_data) end)
local waited = ffi.gc(lib.deployhook_wait(nil, options, 0, callback, nil), lib.deployhook_free_result)
check(lib.deployhook_error_code(waited) == lib.DEPLOYHOOK_ERR_INVALID_ARGUMENT, "deployhook_wait(NULL, ...) with a callback is INVALID_ARGUMENT")
callback:free()

print(failures == 0 and "LuaJIT loads deployhook.cdef: all checks passed" or (failures .. " checks failed"))
os.exit(failures == 0 and 0 or 1)
