#!/usr/bin/env python3
"""A real HTTP server on 127.0.0.1 for the tests of what posts: prints its port, then records every
request (method, path, headers in order, body as bytes in hex) as one JSON line in RECORD, and
answers as MODE says: ok (200, with WeCom's and DingTalk's {"errcode": 0}), error (500), errcode (200
with a refusal in the body, as WeCom and DingTalk answer), hang (never answers), trickle (200, then
the body one byte a second), huge (200 with a 512 MB body, streamed), silent (a bare TCP server that
accepts and never says a word: a stalled SMTP or HTTP peer; records nothing).
Usage: server.py MODE RECORD"""
import http.server
import json
import socket
import sys
import time

mode, record = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(record, "a") as f:
            f.write(json.dumps({"method": "POST", "path": self.path, "headers": list(self.headers.items()),
                                "body": body.hex()}) + "\n")
        if mode == "hang":
            time.sleep(3600)
        if mode in ("trickle", "huge"):
            size = 512 << 20 if mode == "huge" else 1000
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"x" * (1 << 20 if mode == "huge" else 1)
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if mode == "trickle":
                        time.sleep(1)
            except OSError:
                pass
            return
        answer = b'{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com]"}' \
            if mode == "errcode" else b'{"errcode":0,"errmsg":"ok"}'
        self.send_response(500 if mode == "error" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


if mode == "silent":
    listener = socket.create_server(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)  # kept open, never answered

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
