#!/usr/bin/env python3
"""Writes the seed corpora under Tests/fuzz/corpus/<target>/ (run it again after editing a seed here).

Every seed is a small, meaningful input named after what it exercises. The layouts are described at
the top of each target's source file:
  hook_parser       the whole input is a hook (and an API base); "base\\0hook" also tries hook under base
  response_decoder  2 bytes status (big-endian), 1 flag byte, a header value, "\\n", the body
  trigger_c         hook ["\\0" user-agent ["\\0" setter string]...]; "$BASE" stands for the fake's API base
"""
import json
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fake_api"))
from fake_cloudflare import SCENARIOS  # noqa: E402  (the scenario hooks, defined once)

HERE = os.path.dirname(os.path.abspath(__file__))
U = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
CF = "https://api.cloudflare.com/client/v4"
HOOKS = "/workers/builds/deploy_hooks/"
LOCAL = "http://127.0.0.1:8787/client/v4"

# --- target 1: hook_parser -------------------------------------------------------------------------
hook_parser = {
    "bare-lower": U,
    "bare-upper": U.upper(),
    "bare-mixed": "182BD5e5-6E1a-4fe4-A799-aa6D9a6ab26E",
    "bare-spaces-around": "  \t" + U + " \r\n",
    "bare-nbsp-ideographic-space": "\u00a0\u3000" + U + "\u2003",
    "bare-inner-space": U[:8] + " " + U[9:],
    "bare-inner-tab": U[:18] + "\t" + U[18:],
    "bare-control-char": U + "\x01",
    "bare-del": "\x7f" + U,
    "bare-zero-width-space": U + "\u200b",
    "bare-35-chars": U[:-1],
    "bare-37-chars": U + "0",
    "bare-missing-dash": U.replace("-", "", 1),
    "bare-dash-moved": U[:7] + "-" + U[7] + U[9:],
    "bare-non-hex-g": "g" + U[1:],
    "bare-fullwidth-digit": "\uff11" + U[1:],
    "bare-braces": "{" + U + "}",
    "bare-urn": "urn:uuid:" + U,
    "bare-trailing-slash": U + "/",
    "bare-two-uuids": U + U,
    "url-cloudflare": CF + HOOKS + U,
    "url-cloudflare-upper-scheme-host": "HTTPS://API.CLOUDFLARE.COM/client/v4" + HOOKS + U.upper(),
    "url-explicit-port-443": "https://api.cloudflare.com:443/client/v4" + HOOKS + U,
    "url-http-not-https": "http://api.cloudflare.com/client/v4" + HOOKS + U,
    "url-other-host": "https://evil.example/client/v4" + HOOKS + U,
    "url-host-suffix": "https://api.cloudflare.com.evil.example/client/v4" + HOOKS + U,
    "url-userinfo": "https://user:pw@api.cloudflare.com/client/v4" + HOOKS + U,
    "url-query": CF + HOOKS + U + "?branch=main",
    "url-fragment": CF + HOOKS + U + "#x",
    "url-trailing-slash": CF + HOOKS + U + "/",
    "url-double-slash": CF + "/workers//builds/deploy_hooks/" + U,
    "url-dot-segments": "https://api.cloudflare.com/client/v4/../v4" + HOOKS + U,
    "url-percent-encoded": CF + HOOKS + U.replace("-", "%2D"),
    "url-uuid-in-query": CF + HOOKS + "?hook=" + U,
    "url-local-base": LOCAL + HOOKS + U,
    "url-ipv6": "https://[::1]:8443" + HOOKS + U,
    "url-port-0": "https://api.cloudflare.com:0/client/v4" + HOOKS + U,
    "url-port-65536": "https://api.cloudflare.com:65536/client/v4" + HOOKS + U,
    "url-port-plus": "https://api.cloudflare.com:+443/client/v4" + HOOKS + U,
    "url-scheme-only": "https://",
    "url-ftp": "ftp://api.cloudflare.com/client/v4" + HOOKS + U,
    "empty": "",
    "whitespace-only": " \t\r\n\u00a0",
    "base-local-and-url": "http://localhost:8080/api\0http://LOCALHOST:8080/api" + HOOKS + U,
    "base-ipv6-default-port": "https://[::1]\0https://[::1]:443" + HOOKS + U,
    "base-trailing-slashes": "http://h:80/base//\0http://H/base" + HOOKS + U,
    "base-with-query": "http://h/?q=1\0http://h" + HOOKS + U,
    "base-leading-zero-port": "HTTP://Example.COM:0080/x/\0http://example.com/x" + HOOKS + U,
    "base-odd-path-chars": "http://h/a;b=c/%41\0http://h/a;b=c/%41" + HOOKS + U,
    "base-host-is-uuid": "http://" + U + "/\0http://other" + HOOKS + U,
    "base-root-bare-uuid": "http://h\0" + U,
}

# --- target 2: response_decoder --------------------------------------------------------------------
HOOK = "5f1c2e3d-4b5a-4c6d-8e7f-90a1b2c3d4e5"
TOKEN = "fuzz-Token_0123456789abcdefXYZ"


def env(success, errors=(), result=None):
    return json.dumps({"success": success, "errors": [{"code": c, "message": m} for c, m in errors],
                       "messages": [], "result": result}, separators=(",", ":"))


def resp(status, body, header=b"", flags=0):
    if isinstance(body, str):
        body = body.encode()
    if isinstance(header, str):
        header = header.encode()
    return struct.pack(">HB", status, flags) + header + b"\n" + body


BUILD = {"already_exists": False, "build_uuid": U, "created_on": "2019-12-27T18:11:19.117Z", "status": "queued"}
HTML = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
response_decoder = {
    "trigger-ok": resp(200, env(True, result=BUILD)),
    "trigger-guide-shape": resp(200, env(True, result={"build_uuid": U, "branch": "main", "worker": "my-worker"})),
    "trigger-already-exists": resp(200, env(True, result=dict(BUILD, already_exists=True, status="running"))),
    "trigger-unknown-status": resp(200, env(True, result=dict(BUILD, status="paused"))),
    "trigger-wrong-types": resp(200, '{"success":"yes","errors":{},"result":{"build_uuid":7,"status":[],"already_exists":"true"}}'),
    "trigger-success-false-200": resp(200, env(False, [(10001, "Build could not be queued")])),
    "trigger-truncated-json": resp(200, '{"success": true, "result": {"build_uuid": "18'),
    "trigger-empty-body-200": resp(200, ""),
    "trigger-null-body": resp(200, "null"),
    "trigger-array-body": resp(200, "[]"),
    "trigger-html-200": resp(200, HTML),
    "trigger-bom-json": resp(200, b"\xef\xbb\xbf" + env(True, result=BUILD).encode()),
    "trigger-utf16-json": resp(200, env(True, result=BUILD).encode("utf-16-le")),
    "not-found-12000": resp(404, env(False, [(12000, "Not found")])),
    "not-found-html": resp(404, "<h1>404</h1>"),
    "not-found-code-float": resp(404, '{"success":false,"errors":[{"code":12000.0,"message":"Not found"}]}'),
    "not-found-code-string": resp(404, '{"success":false,"errors":[{"code":"12000"}]}'),
    "code-huge-double": resp(400, '{"success":false,"errors":[{"code":1e300,"message":"big"}]}'),
    "code-int-overflow": resp(400, '{"success":false,"errors":[{"code":99999999999999999999999,"message":"x"}]}'),
    "rate-limited-retry-after": resp(429, env(False, [(12051, "Rate limit exceeded")]), "1"),
    "rate-limited-retry-after-ms": resp(429, env(False, [(12051, "Rate limit exceeded")]), "20", flags=1),
    "rate-limited-http-date": resp(429, "", "Sun, 06 Nov 1994 08:49:37 GMT"),
    "retry-after-future-date": resp(503, "", "Fri, 31 Dec 9999 23:59:60 GMT"),
    "retry-after-huge": resp(503, "", "1e308"),
    "retry-after-negative": resp(503, "", "-5", flags=1),
    "retry-after-nan": resp(503, "", "nan"),
    "retry-after-hex-float": resp(503, "", "0x1p4", flags=1),
    "html-502-retry-ms": resp(502, HTML, "10", flags=1 | 0x80),
    "should-retry-true": resp(400, "", "true", flags=2),
    "should-retry-false-500": resp(500, env(False, [(10013, "Internal error")]), "false", flags=2),
    "cf-ray-header": resp(200, env(True, result=BUILD), "8f2a1b3c4d5e6f70-SJC", flags=4),
    "redirect-302": resp(302, ""),
    "api-error-403": resp(403, env(False, [(10000, "Authentication error")])),
    "echo-hook-lower": resp(400, env(False, [(10000, "bad hook " + HOOK)])),
    "echo-hook-upper-twice": resp(404, env(False, [(12000, HOOK.upper() + " and " + HOOK)])),
    "echo-hook-adjacent": resp(200, env(False, [(1, HOOK + HOOK.upper() + HOOK[:20])])),
    "echo-hook-json-escaped": resp(403, '{"success":false,"errors":[{"code":1,"message":"\\u0035f1c2e3d-4b5a-4c6d-8e7f-90a1b2c3d4e5"}]}'),
    "echo-token": resp(401, env(False, [(10000, "token " + TOKEN + " rejected")])),
    "errors-not-array": resp(500, '{"success":false,"errors":"boom"}'),
    "errors-empty-objects": resp(500, '{"errors":[{},{"message":""},null]}'),
    "status-0": resp(0, env(True, result=BUILD)),
    "status-199": resp(199, env(True, result=BUILD)),
    "status-299": resp(299, env(True)),
    "status-65535": resp(65535, env(False, [(12051, "x")])),
    "build-details-queued": resp(200, env(True, result={"build_uuid": U, "status": "queued", "build_outcome": None,
                                                      "created_on": "2025-01-01T00:00:00Z"})),
    "build-details-stopped": resp(200, env(True, result={
        "build_uuid": U, "status": "stopped", "build_outcome": "success", "created_on": "2025-01-01T00:00:00Z",
        "initializing_on": "2025-01-01T00:00:01Z", "running_on": "2025-01-01T00:00:02Z",
        "stopped_on": "2025-01-01T00:01:00Z", "preview_url": "https://x.workers.dev"})),
    "build-details-odd-outcome": resp(200, env(True, result={"status": "stopped", "build_outcome": "exploded"})),
    "logs-page": resp(200, env(True, result={"cursor": "c-1", "truncated": True,
                                             "lines": [[1735689600.5, "Cloning repository"], [1735689601, "Done"]]})),
    "logs-bad-pairs": resp(200, env(True, result={"cursor": 5, "truncated": "no",
                                                  "lines": [[], ["x", 1], [1], [1, "a", "extra"], {"a": 1}, None, [1e308, ""]]})),
    "logs-not-array": resp(200, env(True, result={"lines": "none"})),
    "deep-nesting": resp(200, '{"result":' + "[" * 600 + "]" * 600 + "}"),
    "invalid-utf8-string": resp(400, b'{"success":false,"errors":[{"code":1,"message":"\xff\xfe\xc0"}]}'),
    "lone-surrogate-escape": resp(400, '{"success":false,"errors":[{"code":1,"message":"\\ud800"}]}'),
    "duplicate-keys": resp(200, '{"success":true,"success":false,"result":{"build_uuid":"a","build_uuid":"b"}}'),
    "no-header-short": b"\x00\xc8",
    # The JSON reader's corners: every escape, surrogates paired and lone, numbers, whitespace, near misses.
    "json-escapes": resp(400, '{"success":false,"errors":[{"code":1,"message":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\udc00 \\ud800\\u0041"}]}'),
    "json-utf8": resp(400, '{"success":false,"errors":[{"code":1,"message":"caf\u00e9 \u20ac \U0001f600 \U0010ffff"}]}'),
    "json-numbers": resp(200, '{"success":true,"result":{"lines":[[-0,"a"],[1.5e3,"b"],[1E-2,"c"],[0.0,"d"],[12345678901234567890,"e"],[1e400,"f"]]}}'),
    "json-whitespace": resp(200, ' \t\r\n{ "success" : true , "result" : { "status" : "queued" } }\n'),
    "json-trailing-comma": resp(200, '{"success":true,"result":{"status":"queued",}}'),
    "json-leading-zero": resp(404, '{"success":false,"errors":[{"code":012000}]}'),
    "json-control-character": resp(400, '{"success":false,"errors":[{"code":1,"message":"a\tb"}]}'),
    "json-trailing-garbage": resp(200, env(True, result=BUILD) + " x"),
    "json-depth-16": resp(200, '{"result":' + "[" * 15 + "]" * 15 + "}"),
    "json-depth-17": resp(200, '{"result":' + "[" * 16 + "]" * 16 + "}"),
}

# --- target 3: trigger_c ---------------------------------------------------------------------------
# The fake's scenarios, but "slow": each run of it would cost the whole trigger timeout.
S = {name: uuid for name, uuid in SCENARIOS.items() if name != "slow"}
trigger_c = {"scenario-" + name: uuid for name, uuid in S.items()}
trigger_c.update({
    "not-found-unknown-uuid": "12345678-1234-4234-8234-123456789abc",
    "upper-case-success-false": S["success_false"].upper(),
    "whitespace-around": " \t" + S["ok"] + "\n",
    "url-ok": "$BASE" + HOOKS + S["ok"],
    "url-api-error": "$BASE" + HOOKS + S["api_error"],
    "url-rate-limited-upper": "$BASE" + HOOKS + S["rate_limited"].upper(),
    "url-query": "$BASE" + HOOKS + S["ok"] + "?x=1",
    "url-trailing-slash": "$BASE" + HOOKS + S["ok"] + "/",
    "url-other-port": "http://127.0.0.1:1/client/v4" + HOOKS + S["ok"],
    "url-cloudflare-not-base": CF + HOOKS + S["ok"],
    "invalid-short": S["ok"][:-1],
    "invalid-text": "not a hook",
    "invalid-utf8": b"\xff\xfe" + S["ok"].encode(),
    "empty": "",
    "ua-valid": S["ok"] + "\0my-ci/1.0 (build 7)",
    "ua-crlf-injection": S["guide_shape"] + "\0x\r\nX-Evil: 1",
    "ua-utf8": S["already_exists"] + "\0d\u00e9ploiement \u2603",
    "ua-empty": S["ok"] + "\0",
    "ua-1025-bytes": S["ok"] + "\0" + "u" * 1025,
    "setters-valid": S["ok"] + "\0\0http://127.0.0.1:9/client/v4\0abc_123-XYZ\0/etc/hosts",
    "setters-invalid": S["drop"] + "\0ua\0ftp://x\0 \0/nonexistent/ca.pem\0/tmp\0a b\0" + "t" * 1025,
    "setters-userinfo-base": "nope\0\0https://user@h/x",
})


def write(target, seeds):
    folder = os.path.join(HERE, "corpus", target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (target, len(seeds)))


write("hook_parser", hook_parser)
write("response_decoder", response_decoder)
write("trigger_c", trigger_c)
