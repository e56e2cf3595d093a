#!/usr/bin/env luajit
-- Trigger a Cloudflare Workers Builds deploy hook through libdeployhook from LuaJIT, and optionally follow
-- the build until it stops: examples/python/trigger.py for LuaJIT's FFI, which reads the library's
-- generated declarations (include/deployhook.cdef) unmodified with ffi.cdef.
local USAGE = [[
Usage: trigger.lua [--wait] [--logs] [HOOK]

HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

  --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
           Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
  --logs   also print the build's log lines as they come (implies --wait).

Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
20 with --wait when the build stopped without succeeding; otherwise the library's error number
(1 bad hook or usage, 2 no such hook, 3 rate limited, ... 13 no token or account).

The library: $DEPLOYHOOK_LIBRARY, else the checkout's .build/release/libdeployhook.so (after
`swift build -c release`) or packaging/build-tree/lib/libdeployhook.so.0, else the system's
libdeployhook.so.0. The declarations: $DEPLOYHOOK_CDEF, else the checkout's include/deployhook.cdef.
Run it from the repository:  CLOUDFLARE_DEPLOY_HOOK=<uuid> luajit examples/luajit/trigger.lua]]

local ffi = require("ffi")
local BUILD_DID_NOT_SUCCEED = 20

-- The checkout this script sits in (examples/luajit/trigger.lua -> the repository).
local here = (arg[0]:match("^(.*)/[^/]*$") or ".")
local checkout = here .. "/../.."

local function readable(path)
  local file = io.open(path)
  if file then file:close() end
  return file ~= nil
end

local function declarations()
  local path = os.getenv("DEPLOYHOOK_CDEF") or (checkout .. "/include/deployhook.cdef")
  local file = assert(io.open(path), "trigger.lua: cannot read the declarations " .. path)
  ffi.cdef(file:read("*a")) -- the generated file as it is
  file:close()
end

local function load_library()
  local tried = {}
  local candidates = {}
  if os.getenv("DEPLOYHOOK_LIBRARY") then table.insert(candidates, os.getenv("DEPLOYHOOK_LIBRARY")) end
  for _, path in ipairs({ checkout .. "/.build/release/libdeployhook.so",
                          checkout .. "/packaging/build-tree/lib/libdeployhook.so.0" }) do
    if readable(path) then table.insert(candidates, path) else table.insert(tried, path .. " (no such file)") end
  end
  table.insert(candidates, "libdeployhook.so.0")
  for _, path in ipairs(candidates) do
    local ok, library = pcall(ffi.load, path)
    if ok then return library end
    table.insert(tried, path .. " (" .. tostring(library) .. ")")
  end
  io.stderr:write("trigger.lua: could not load libdeployhook; tried:\n  " .. table.concat(tried, "\n  ") .. "\n")
  os.exit(1)
end

-- A borrowed C string copied into a Lua string; nil for NULL.
local function text(pointer)
  if pointer == nil then return nil end
  return ffi.string(pointer)
end

local report

local function main(argv)
  local wait, logs, arguments = false, false, {}
  for _, argument in ipairs(argv) do
    if argument == "-h" or argument == "--help" then
      print(USAGE)
      return 0
    elseif argument == "--wait" then wait = true
    elseif argument == "--logs" then logs, wait = true, true
    else table.insert(arguments, argument) end
  end
  if #arguments > 1 or (arguments[1] and arguments[1]:sub(1, 2) == "--") then
    io.stderr:write("usage: trigger.lua [--wait] [--logs] [HOOK] (see --help)\n")
    return 1
  end
  local hook = arguments[1] or os.getenv("CLOUDFLARE_DEPLOY_HOOK") or ""
  if hook == "" then
    io.stderr:write("trigger.lua: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)\n")
    return 1
  end

  declarations()
  local lib = load_library()
  local options = lib.deployhook_options_new() -- every default; the library reads the environment
  io.stdout:setvbuf("line")

  local result
  if wait then
    -- Called on this thread while the library polls the build; text is borrowed for the call only.
    local callback = ffi.cast("deployhook_wait_callback", function(event, status, line, timestamp, user_data)
      if event == lib.DEPLOYHOOK_EVENT_LOG then
        print("| " .. ffi.string(line))
      elseif event == lib.DEPLOYHOOK_EVENT_STATUS then
        print("status " .. ffi.string(lib.deployhook_status_name(status)))
      end
    end)
    result = lib.deployhook_trigger_and_wait(hook, options, logs and 1 or 0, callback, nil)
    callback:free()
  else
    result = lib.deployhook_trigger_with(hook, options)
  end
  lib.deployhook_options_free(options)
  if result == nil then
    io.stderr:write("trigger.lua: out of memory\n")
    return lib.DEPLOYHOOK_ERR_INTERNAL
  end
  local status = report(lib, result, wait)
  lib.deployhook_free_result(result) -- every string read from it was copied into Lua
  return status
end

-- Prints the build or the error a result holds; returns the exit status.
report = function(lib, result, wait)
  local code = lib.deployhook_error_code(result)
  local cf_ray = text(lib.deployhook_cf_ray(result))
  if code ~= lib.DEPLOYHOOK_OK then -- the message already names the HTTP status and API code
    local message = text(lib.deployhook_error_message(result)) or text(lib.deployhook_error_name(code))
    io.stderr:write("trigger.lua: " .. message .. (cf_ray and (" [cf-ray " .. cf_ray .. "]") or "") .. "\n")
    return code
  end
  local outcome = lib.deployhook_build_outcome(result)
  local ended = outcome ~= lib.DEPLOYHOOK_OUTCOME_NONE and (", " .. text(lib.deployhook_outcome_name(outcome))) or ""
  local pending = lib.deployhook_already_exists(result) == 1
    and " (a build was already pending: no new one was started)" or ""
  print(string.format("build %s: %s%s%s", text(lib.deployhook_build_uuid(result)) or "(no id given)",
                      text(lib.deployhook_status_name(lib.deployhook_build_status(result))), ended, pending))
  for _, field in ipairs({ { "created", lib.deployhook_created_on }, { "stopped", lib.deployhook_stopped_on },
                           { "preview", lib.deployhook_preview_url } }) do
    local value = text(field[2](result))
    if value then print(field[1] .. " " .. value) end
  end
  if cf_ray then print("cf-ray " .. cf_ray) end
  if wait and outcome ~= lib.DEPLOYHOOK_OUTCOME_SUCCESS then return BUILD_DID_NOT_SUCCEED end
  return 0
end

-- The wait's callback re-enters Lua from C: keep the JIT from compiling the call that leads to it.
jit.off(main)
os.exit(main(arg))
