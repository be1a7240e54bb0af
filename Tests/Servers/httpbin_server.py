"""httpbin on 127.0.0.1 for the outbound HTTP client tests (Tests/SwitchyardEngineTests).

Binds a port the kernel picks and prints it as the first line of standard output, then serves
until killed or until its standard input closes (the test process ended).

Besides httpbin's routes it serves /switchyard/retry-after (httpbin has no way to answer 429 or
503 with a Retry-After header) and /switchyard/status/<code> (a status with a body).
"""

import logging
import os
import sys
import threading

import httpbin
from flask import jsonify, request
from werkzeug.serving import make_server

app = httpbin.app
_calls = {}
_calls_lock = threading.Lock()


@app.route("/switchyard/retry-after", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def retry_after():
    """Answers `status` (default 429) with `Retry-After: <retry_after>` to the first `fail`
    calls (default 1) carrying the same `key`, then 200 with the number of calls so far."""
    key = request.args.get("key", "default")
    fail = int(request.args.get("fail", "1"))
    status = int(request.args.get("status", "429"))
    with _calls_lock:
        _calls[key] = _calls.get(key, 0) + 1
        calls = _calls[key]
    if calls <= fail:
        response = jsonify(calls=calls, retry=True)
        response.status_code = status
        if "retry_after" in request.args:
            response.headers["Retry-After"] = request.args["retry_after"]
        return response
    return jsonify(calls=calls, retry=False)


@app.route("/switchyard/status/<int:code>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def status_with_body(code):
    """Answers `code` with an `X-Status` header and a JSON body naming the status and echoing
    the method and the request body (httpbin's /status sends no body). A 204 has no body."""
    if code == 204:
        response = app.response_class(status=204)
    else:
        response = jsonify(status=code, method=request.method, received=request.get_data(as_text=True))
        response.status_code = code
    response.headers["X-Status"] = str(code)
    return response


def _exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(1024):
            pass
    finally:
        os._exit(0)


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
