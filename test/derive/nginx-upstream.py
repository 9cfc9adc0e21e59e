#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A web UI the way real ones behave, behind archy's nginx-route port form (derive-nginx.bats).

  nginx-upstream.py serve PORT [CERT KEY]   an app on 127.0.0.1:PORT (HTTPS with CERT and KEY)
  nginx-upstream.py ws PORT PATH            a WebSocket client through https://127.0.0.1:PORT

The app: / is a page with <base href="/"> loading /main.js and /config.json from the root (as
mempool's frontend and create-react-app UIs do); every answer forbids framing (X-Frame-Options
DENY and a CSP with frame-ancestors 'none', as many apps send); /login redirects to an absolute
http:// URL built from the Host header it got (as frameworks do behind a proxy that does not
rewrite); .../headers echoes the request path and headers; /no-csp sends no CSP; /ws is a WebSocket echo (RFC 6455)."""
import base64
import hashlib
import http.server
import json
import os
import socket
import ssl
import sys

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PAGE = (b'<!doctype html><html><head><base href="/"><script src="main.js"></script></head>'
        b'<body>archy test UI</body></html>\n')


class App(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body, ctype="text/html", extra=(), csp=True):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Frame-Options", "DENY")
        if csp:
            self.send_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; img-src data:")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket()
        if self.path == "/":
            return self.answer(200, PAGE)
        if self.path == "/main.js":
            return self.answer(200, b"fetch('/config.json');\n", "application/javascript")
        if self.path == "/config.json":
            return self.answer(200, b'{"api": "/api/v1"}\n', "application/json")
        if self.path == "/login":
            return self.answer(302, b"", extra=[("Location", "http://%s/dashboard" % self.headers["Host"])])
        if self.path == "/no-csp":
            return self.answer(200, PAGE, csp=False)
        if self.path.endswith("/headers"):
            seen = {k: v for k, v in self.headers.items()}
            seen["path"] = self.path
            return self.answer(200, json.dumps(seen).encode(), "application/json")
        return self.answer(404, b"not found\n", "text/plain")

    def websocket(self):
        if "upgrade" not in self.headers.get("Connection", "").lower():
            return self.answer(400, b"Connection: upgrade missing\n", "text/plain")
        accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + GUID).encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        head = self.rfile.read(2)
        n = head[1] & 0x7F
        mask = self.rfile.read(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(n)))
        self.wfile.write(bytes([0x81, len(data)]) + data)
        self.wfile.flush()
        self.close_connection = True


def serve(port, cert=None, key=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), App)
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


def ws(port, path):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the test's own self-signed node certificate
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    s = ctx.wrap_socket(raw)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, port, key)).encode())
    f = s.makefile("rb")
    status = f.readline().decode().strip()
    headers = {}
    for line in iter(f.readline, b"\r\n"):
        k, _, v = line.decode().partition(":")
        headers[k.strip().lower()] = v.strip()
    want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    if not status.startswith("HTTP/1.1 101") or headers.get("sec-websocket-accept") != want:
        sys.exit("no upgrade: %s %s" % (status, headers))
    msg = b"hello through nginx"
    mask = os.urandom(4)
    s.sendall(bytes([0x81, 0x80 | len(msg)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
    head = f.read(2)
    print(status)
    print(f.read(head[1] & 0x7F).decode())


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), *sys.argv[3:5])
    else:
        ws(int(sys.argv[2]), sys.argv[3])
