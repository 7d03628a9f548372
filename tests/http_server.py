#!/usr/bin/env python3
"""Canned HTTP(S) server for tests/api/test_http.c (standard library only).

    python3 tests/http_server.py ROUTES.json [--cert CERT --key KEY]

Listens on 127.0.0.1 at an ephemeral port, prints "PORT <n>" on stdout,
and serves until its stdin closes (the test that started it ended, even by
a crash) or 120 s pass. ROUTES.json maps a path to a route:
  status (200), headers {name: value}, body (text), body_size (that many
  'x' instead), sleep (seconds before answering), fail_first (that many
  requests answered with fail_status, fail_headers and no body first),
  fail_status (503), fail_headers {}, content_length (a Content-Length
  other than the body's: a truncated body), no_length (no Content-Length:
  the body ends when the connection closes), echo (answer a POST with its
  body; X-Echo-Content-Type and X-Echo-Test carry two request headers),
  ocsp_pki (a live OCSP signer for the NVIDIA test PKI in that directory:
  a POSTed request is read with `openssl ocsp -req_text`, and `ocsp_mock
  nvidia ocsp` signs a good answer about the certificate it names, echoing
  its nonce unless drop_nonce is true: then the answer is a stored one),
  require_headers {name: value} (403 unless the request carries each, as
  Azure IMDS requires "Metadata: true"), require_query (400 unless the
  query string is exactly this).
"""
import binascii
import http.server
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time


FRAMING = {"content-length", "transfer-encoding", "connection", "content-encoding"}


def recorded_headers(path):
    """The headers of a recorded .headers sidecar (see its MANIFEST.md)."""
    headers = {}
    with open(path) as f:
        lines = [l.rstrip("\r\n") for l in f if not l.startswith("#")]
    for line in lines[2:]:  # past "METHOD URL" and the status line
        name, _, value = line.partition(":")
        if name and name.lower() not in FRAMING:
            headers[name] = value.strip()
    return headers


def route_body(route):
    if "body_file" in route:
        with open(route["body_file"], "rb") as f:
            return f.read()
    if "body_hex_file" in route:
        with open(route["body_hex_file"], "rb") as f:
            return binascii.hexlify(f.read())
    if "body_size" in route:
        return b"x" * route["body_size"]
    return route.get("body", "").encode()


# The NVIDIA test PKI's certificates an OCSP request may name: file, chain,
# position (attest-mock nvidia ocsp --chain/--cert).
OCSP_CERTS = [("brom.pem", "device", 1), ("ica.pem", "device", 2),
              ("identity.pem", "device", 3), ("rim_leaf.pem", "rim", 0),
              ("rim_l3.pem", "rim", 1), ("rim_ca.pem", "rim", 2)]


def cert_serial(path):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", path],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().split("=", 1)[1], 16)


def ocsp_answer(route, request):
    """A live answer to a DER OCSP request (see ocsp_pki above)."""
    name = "/tmp/ocsp_req_%d_%d.der" % (os.getpid(), threading.get_ident())
    with open(name, "wb") as f:
        f.write(request)
    try:
        text = subprocess.run(["openssl", "ocsp", "-reqin", name, "-req_text"],
                              capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    text = text.replace("\\\n", "")  # openssl continues long hex with a '\'
    serial = re.search(r"Serial Number: ([0-9A-F]+)", text)
    nonce = re.search(r"OCSP Nonce:\s*\n\s*04[0-9A-F]{2}([0-9A-F]+)", text)
    pki = route["ocsp_pki"]
    for file, chain, position in OCSP_CERTS:
        if serial and cert_serial(os.path.join(pki, file)) == int(serial.group(1), 16):
            cmd = [route["ocsp_mock"], "nvidia", "ocsp", "--pki", pki, "--chain", chain,
                   "--cert", str(position), "-o", "-"]
            if nonce and not route.get("drop_nonce"):
                cmd += ["--nonce", nonce.group(1)]
            return 200, subprocess.run(cmd, capture_output=True, check=True).stdout
    return 404, b"no such certificate\n"


def make_handler(routes):
    counts = {}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args):
            pass

        def answer(self, status, headers, body, length=None):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if length is not False:
                self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def serve(self, body_in):
            route = routes.get(self.path.split("?")[0])
            if route is None:
                self.answer(404, {}, b"no such route\n")
                return
            with lock:
                seen = counts.get(self.path, 0)
                counts[self.path] = seen + 1
            if seen < route.get("fail_first", 0):
                self.answer(route.get("fail_status", 503), route.get("fail_headers", {}), b"")
                return
            for name, value in route.get("require_headers", {}).items():
                if self.headers.get(name) != value:
                    self.answer(403, {}, b"required header missing\n")
                    return
            query = self.path.partition("?")[2]
            if "require_query" in route and query != route["require_query"]:
                self.answer(400, {}, ("unexpected query %s\n" % query).encode())
                return
            time.sleep(route.get("sleep", 0))
            headers = {}
            if "headers_file" in route:
                headers.update(recorded_headers(route["headers_file"]))
            headers.update(route.get("headers", {}))
            status = route.get("status", 200)
            if "ocsp_pki" in route:
                status, body = ocsp_answer(route, body_in)
                headers["Content-Type"] = "application/ocsp-response"
            elif route.get("echo"):
                body = body_in
                headers["X-Echo-Content-Type"] = self.headers.get("Content-Type", "")
                headers["X-Echo-Test"] = self.headers.get("X-Test", "")
            else:
                body = route_body(route)
            length = False if route.get("no_length") else route.get("content_length")
            self.answer(status, headers, body, length)

        def do_GET(self):
            self.serve(b"")

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            self.serve(self.rfile.read(n))

    return Handler


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: more parallel connections
    # than that would wait for a SYN retransmission (1 s).
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # A client that stops reading (a body over its bound, a timeout)
        # is what some tests do: not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            super().handle_error(request, client_address)


def main():
    args = sys.argv[1:]
    with open(args[0]) as f:
        routes = json.load(f)
    server = Server(("127.0.0.1", 0), make_handler(routes))
    if "--cert" in args:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[args.index("--cert") + 1], args[args.index("--key") + 1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    # Serve until stdin reaches its end (the test closed it, or died) or
    # 120 s have passed, so that no server outlives its test for long.
    watcher = threading.Thread(target=sys.stdin.read, daemon=True)
    watcher.start()
    watcher.join(120)


if __name__ == "__main__":
    main()
