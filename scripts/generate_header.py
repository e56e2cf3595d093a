#!/usr/bin/env python3
"""Generate include/deployhook.h, include/deployhook.cdef and include/deployhook.json from one parse.

From the header swiftc emits for Sources/DeployHookC (the @c functions, their doc comments and
nullability) and the public part of Sources/CDeployHook/deployhook_types.h (see abi_description.py):

- deployhook.h: the C header, functions grouped into SECTIONS, Swift's macros and annotations dropped;
- deployhook.cdef: the same declarations with no preprocessor, for LuaJIT, cffi and Ruby Fiddle;
- deployhook.json: every function, constant, enum and callback with types, ownership and docs.

A new export needs an entry in SECTIONS and one in OWNERSHIP; without either, generation fails.

Usage: generate_header.py SWIFT_HEADER DIRECTORY           writes the three files into DIRECTORY
       generate_header.py --check SWIFT_HEADER DIRECTORY   fails, showing a diff, unless they are up to date
"""
import difflib
import re
import sys
from pathlib import Path

from abi_description import ABI, Function, check_ownership, comment_block, fail, parse_public_types, \
    parse_swift_header, render_cdef, render_json

ROOT = Path(__file__).resolve().parent.parent
TYPES_HEADER = ROOT / "Sources/CDeployHook/deployhook_types.h"

SECTIONS = [
    ("Triggering a deploy hook", [
        "deployhook_trigger", "deployhook_trigger_with", "deployhook_trigger_many", "deployhook_free_result"]),
    ("Waiting for and cancelling a build (needs an API token and the account ID)", [
        "deployhook_wait", "deployhook_trigger_and_wait", "deployhook_cancel_build"]),
    ("Reading a result (every string returned is owned by the result and lives until deployhook_free_result)", [
        "deployhook_error_code", "deployhook_error_message", "deployhook_api_error_code",
        "deployhook_http_status", "deployhook_build_uuid", "deployhook_build_status",
        "deployhook_already_exists", "deployhook_created_on", "deployhook_cf_ray",
        "deployhook_response_body", "deployhook_build_outcome", "deployhook_preview_url",
        "deployhook_stopped_on", "deployhook_branch", "deployhook_commit_hash", "deployhook_commit_message",
        "deployhook_author", "deployhook_trigger_source", "deployhook_deploy_hook_name", "deployhook_trigger_name",
        "deployhook_initializing_on", "deployhook_running_on", "deployhook_modified_on", "deployhook_already_stopped"]),
    ("Options", [
        "deployhook_options_new", "deployhook_options_free", "deployhook_options_set_base_url",
        "deployhook_options_set_timeout_ms", "deployhook_options_set_connect_timeout_ms",
        "deployhook_options_set_max_retries", "deployhook_options_set_max_concurrency", "deployhook_options_set_ca_file",
        "deployhook_options_set_user_agent", "deployhook_options_set_api_token",
        "deployhook_options_set_account_id", "deployhook_options_set_wait_timeout_ms", "deployhook_options_set_binding_name", "deployhook_options_dup",
        "deployhook_options_dup_linked"]),
    ("Stopping calls and reading why a call failed", [
        "deployhook_options_interrupt", "deployhook_options_shut_down", "deployhook_last_error_message"]),
    ("Names and version", [
        "deployhook_error_name", "deployhook_status_name", "deployhook_outcome_name", "deployhook_version",
        "deployhook_version_number"]),
]

# What the C types do not say, for include/deployhook.json: for every function and callback, who owns each
# pointer it returns ("return") or takes (by parameter name), and which enum an int carries. Every pointer
# needs an entry; an int may have one. abi_description.OWNERSHIP_KINDS defines the words:
#   owned:FREE  borrowed  borrowed:PARAMETER  borrowed:thread  static  consumed  out:FREE  passthrough
#   enum:NAME (an int)   A callback's pointer also says "nullable" or "nonnull" (swiftc does not).
_RESULT = {"result": "borrowed"}
_SETTER = {"return": "enum:deployhook_error", "options": "borrowed"}
_FROM_RESULT = {"return": "borrowed:result", "result": "borrowed"}
_WAITING = {"return": "owned:deployhook_free_result", "options": "borrowed", "callback": "borrowed",
            "user_data": "passthrough"}
OWNERSHIP = {
    "deployhook_trigger": {"return": "owned:deployhook_free_result", "hook": "borrowed"},
    "deployhook_trigger_with": {"return": "owned:deployhook_free_result", "hook": "borrowed", "options": "borrowed"},
    "deployhook_trigger_many": {"return": "enum:deployhook_error", "hooks": "borrowed", "options": "borrowed",
                                "results": "out:deployhook_free_result"},
    "deployhook_free_result": {"result": "consumed"},
    "deployhook_wait": {**_WAITING, "build_uuid": "borrowed"},
    "deployhook_trigger_and_wait": {**_WAITING, "hook": "borrowed"},
    "deployhook_error_code": {**_RESULT, "return": "enum:deployhook_error"},
    "deployhook_error_message": _FROM_RESULT,
    "deployhook_api_error_code": _RESULT,
    "deployhook_http_status": _RESULT,
    "deployhook_build_uuid": _FROM_RESULT,
    "deployhook_build_status": {**_RESULT, "return": "enum:deployhook_status"},
    "deployhook_already_exists": _RESULT,
    "deployhook_created_on": _FROM_RESULT,
    "deployhook_cf_ray": _FROM_RESULT,
    "deployhook_response_body": _FROM_RESULT,
    "deployhook_build_outcome": {**_RESULT, "return": "enum:deployhook_outcome"},
    "deployhook_preview_url": _FROM_RESULT,
    "deployhook_stopped_on": _FROM_RESULT,
    **{f"deployhook_{name}": _FROM_RESULT for name in (
        "branch", "commit_hash", "commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name",
        "initializing_on", "running_on", "modified_on")},
    "deployhook_already_stopped": _RESULT,
    "deployhook_cancel_build": {"return": "owned:deployhook_free_result", "build_uuid": "borrowed", "options": "borrowed"},
    "deployhook_options_dup": {"return": "owned:deployhook_options_free", "options": "borrowed"},
    "deployhook_options_dup_linked": {"return": "owned:deployhook_options_free", "options": "borrowed"},
    "deployhook_options_set_binding_name": {**_SETTER, "name": "borrowed"},
    "deployhook_options_interrupt": {"return": "enum:deployhook_error", "options": "borrowed"},
    "deployhook_options_shut_down": {"return": "enum:deployhook_error", "options": "borrowed"},
    "deployhook_last_error_message": {"return": "borrowed:thread"},
    "deployhook_options_new": {"return": "owned:deployhook_options_free"},
    "deployhook_options_free": {"options": "consumed"},
    "deployhook_options_set_base_url": {**_SETTER, "url": "borrowed"},
    "deployhook_options_set_timeout_ms": _SETTER,
    "deployhook_options_set_connect_timeout_ms": _SETTER,
    "deployhook_options_set_max_retries": _SETTER,
    "deployhook_options_set_max_concurrency": _SETTER,
    "deployhook_options_set_ca_file": {**_SETTER, "path": "borrowed"},
    "deployhook_options_set_user_agent": {**_SETTER, "user_agent": "borrowed"},
    "deployhook_options_set_api_token": {**_SETTER, "token": "borrowed"},
    "deployhook_options_set_account_id": {**_SETTER, "account_id": "borrowed"},
    "deployhook_options_set_wait_timeout_ms": _SETTER,
    "deployhook_error_name": {"return": "static", "code": "enum:deployhook_error"},
    "deployhook_status_name": {"return": "static", "status": "enum:deployhook_status"},
    "deployhook_outcome_name": {"return": "static", "outcome": "enum:deployhook_outcome"},
    "deployhook_version": {"return": "static"},
    "deployhook_version_number": {},
    "deployhook_wait_callback": {"event": "enum:deployhook_event", "status": "enum:deployhook_status",
                                 "text": "borrowed nonnull", "user_data": "passthrough"},
}

# The facts every binding needs, stated once: the header's preamble and the JSON's "conventions".
CONVENTIONS = [
    "Strings: every string passed in must be UTF-8 (else DEPLOYHOOK_ERR_INVALID_ARGUMENT); every string returned "
    "is NUL-terminated UTF-8, except deployhook_response_body(), the raw bytes the server sent. Every message "
    "and name the library writes is plain ASCII, the redacted form of a hook included (its first four hex "
    "digits and '...', e.g. 182b...); text it passes on (Cloudflare's error message within a message, a "
    "build's log lines, a URL or path you gave) keeps its own characters.",
    "Enums: every enum is a 32-bit int. Functions take and return int, never an enum type; the enums only name "
    "the numbers. New numbers are only ever appended: treat one you do not know as unknown.",
    "NULL: every function accepts NULL for any pointer argument and never crashes the caller.",
    "Ownership: a deployhook_result * or deployhook_options * returned to you is yours: free it exactly once "
    "with deployhook_free_result() or deployhook_options_free() (both accept NULL).",
    "Borrowed strings: a const char * returned by an accessor is borrowed from its result and valid until that "
    "result is freed; one returned by a *_name or version function is static. No function returns a string "
    "for you to free, so a managed runtime's marshaller must never free one (in C#, declare such returns "
    "IntPtr and copy them with Marshal.PtrToStringUTF8, never string).",
    "Callbacks: a callback must return normally (no exception, no longjmp or other non-local exit through the "
    "library's frames) and may call any deployhook function.",
    "Threads: every function may be called from many threads at once, on different results. An options object "
    "may be shared by any number of threads, and its setters may run at any time: each call takes a consistent "
    "snapshot of the settings when it begins. Every function works on a thread with a 64 KiB stack (answers "
    "nested more than 16 levels deep are refused, never decoded recursively).",
    "fork(): a child process does not reuse the connections its parent's options had open (it drops them without "
    "closing them, so nothing it does reaches the parent's sockets): parent and child never read each other's "
    "answers, and both may go on with the same options.",
    "Secrets: the deploy hooks and the API token are secrets: no string the library returns (messages, names, "
    "result fields, cf-ray, log lines) contains one, in any spelling, even when a server echoes it back. The one "
    "deliberate exception is deployhook_response_body(): it returns the raw body exactly as the server sent it "
    "(see SECURITY.md).",
]


HEADER_PREAMBLE = """\
/*
 * deployhook.h: trigger Cloudflare Workers Builds deploy hooks from C.
 *
 * GENERATED by scripts/generate_header.py from the Swift sources (Sources/DeployHookC) and
 * Sources/CDeployHook/deployhook_types.h. Do not edit: run `make header`. CI fails on drift.
 * Beside it, from the same step: deployhook.cdef (these declarations without a preprocessor, for FFIs
 * that parse C: LuaJIT, cffi, Ruby Fiddle) and deployhook.json (every function's types and ownership).
 *
 * Conventions:
{conventions} */
#ifndef DEPLOYHOOK_H
#define DEPLOYHOOK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {{
#endif
"""

HEADER_EPILOGUE = """\
#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DEPLOYHOOK_H */
"""

CDEF_PREAMBLE = """\
/* deployhook.cdef: the C ABI of libdeployhook {version} as plain declarations, for FFIs that parse C.
 * GENERATED by scripts/generate_header.py with deployhook.h and deployhook.json: do not edit.
 * Load it unmodified: LuaJIT ffi.cdef(text); cffi ffi.cdef(text), then ffi.dlopen(path); Ruby Fiddle
 * line by line: an enum constant line (NAME = VALUE,) is a constant, a "typedef ... (*NAME)(...);" line
 * a pointer typealias, and any other line that starts with a letter and ends with ");" an extern.
 * Format: no preprocessor lines; one declaration a line; comments on lines of their own; every enum an
 * anonymous enum of ints (no enum type appears in any signature). Not here, as it is a string:
 * DEPLOYHOOK_VERSION "{version}" (compare deployhook_version()). Conventions: see deployhook.h.
 */
"""


def public_types() -> str:
    match = re.search(r"/\* BEGIN PUBLIC \*/\n(.*?)/\* END PUBLIC \*/", TYPES_HEADER.read_text(), re.S)
    if not match:
        fail(f"{TYPES_HEADER}: no BEGIN PUBLIC / END PUBLIC block")
    return match.group(1)


def parse(swift_header: str) -> ABI:
    found = parse_swift_header(swift_header)
    placed = [name for _, names in SECTIONS for name in names]
    unplaced, missing = sorted(set(found) - set(placed)), sorted(set(placed) - set(found))
    if unplaced or missing:
        fail(f"SECTIONS out of date: unplaced {unplaced}, not exported {missing}")
    for title, names in SECTIONS:
        for name in names:
            found[name].section = title
    abi = ABI(*parse_public_types(public_types()), functions={name: found[name] for name in placed})
    check_ownership(abi, OWNERSHIP)
    return abi


def render_header(abi: ABI, types: str) -> str:
    out = [HEADER_PREAMBLE.format(conventions=comment_block(CONVENTIONS)), types]
    for title, names in SECTIONS:
        out.append(f"/* ---- {title} ---- */\n")
        for name in names:
            function: Function = abi.functions[name]
            if function.doc:
                out.append("/**\n" + "".join(f" * {c}".rstrip() + "\n" for c in function.doc) + " */\n")
            out.append(function.prototype() + "\n\n")
    out.append(HEADER_EPILOGUE)
    return "".join(out)


def generate(swift_header: Path) -> dict[str, str]:
    abi = parse(swift_header.read_text())
    version = next(value for name, value, _ in abi.defines if name == "DEPLOYHOOK_VERSION")
    return {
        "deployhook.h": render_header(abi, public_types()),
        "deployhook.cdef": render_cdef(abi, SECTIONS, CDEF_PREAMBLE.format(version=version)),
        "deployhook.json": render_json(abi, CONVENTIONS),
    }


def main() -> None:
    args = sys.argv[1:]
    check = args[:1] == ["--check"]
    if check:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    files, directory = generate(Path(args[0])), Path(args[1])
    stale = []
    for name, text in files.items():
        path = directory / name
        if not check:
            path.write_text(text)
            continue
        current = path.read_text() if path.exists() else ""
        if current != text:
            stale.append(name)
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                       f"{path} (committed)", f"{path} (generated)"))
    if stale:
        sys.exit(f"out of date: {', '.join(stale)}; run `make header` and commit the result")
    if check:
        print(f"{', '.join(str(directory / name) for name in files)} are up to date")


if __name__ == "__main__":
    main()
