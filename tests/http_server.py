#!/usr/bin/env python3
"""Canned HTTP(S) server for tests/api/test_http.c (standard library only).

    python3 tests/http_server.py ROUTES.json [--cert CERT --key KEY] [--latency MS]

Listens on 127.0.0.1 at an ephemeral port, prints "PORT <n>" on stdout,
and serves until its stdin closes (the test that started it ended, even by
a crash) or 120 s pass. ROUTES.json maps a path to a route:
  status (200), headers {name: value}, body (text), body_size (that many
  'x' instead), sleep (seconds before answering), fail_first (that many
  requests answered with fail_status, fail_headers and no body first),
  fail_status (503), fail_headers {}, content_length (a Content-Length
  other than the body's: a truncated body), no_length (no Content-Length:
  the body ends when the connection closes), query (the exact query string
  the request must carry, else 400 naming the one it had), echo (answer a POST with its
  body; X-Echo-Content-Type and X-Echo-Test carry two request headers),
  ocsp_pki (a live OCSP signer for the NVIDIA test PKI in that directory:
  a POSTed request is read with `openssl ocsp -req_text`, and `ocsp_mock
  nvidia ocsp` signs a good answer about the certificate it names, echoing
  its nonce unless drop_nonce is true: then the answer is a stored one;
  answer_nonce HEX: it carries that nonce instead, as a recorded answer to
  another client's request would; a multi-GPU PKI's gpuK/ certificates
  too), ocsp_replay (a list of recorded DER OCSP responses: a POSTed
  request is answered with the one about the serial it names, whatever
  nonce it asked for: a replaying server), rim_service (at a path ending in
  '/': the NVIDIA RIM service, see rim_service_answer),
  require_headers {name: value} (403 unless the request carries each, as
  Azure IMDS requires "Metadata: true"), require_query (400 unless the
  query string is exactly this).
--latency MS delays every answer by MS milliseconds, as a distant service
would (bench/bench_online.c). GET /__requests answers the number of requests
served so far (itself not counted), as text.
"""
import base64
import binascii
import datetime
import hashlib
import http.server
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import uuid


FRAMING = {"content-length", "transfer-encoding", "connection", "content-encoding"}


def recorded_headers(path):
    """The headers of a recorded .headers sidecar (see its MANIFEST.md)."""
    headers = {}
    with open(path) as f:
        lines = [l.rstrip("\r\n") for l in f if not l.startswith("#")]
    # Past "METHOD URL", the request headers of a curl transcript and the
    # status line ("HTTP 200", "HTTP/1.1 200 OK").
    status = next((i for i, l in enumerate(lines) if l.startswith("HTTP")), 1)
    for line in lines[status + 1:]:
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


SERIALS = {}
SERIALS_LOCK = threading.Lock()


def cert_serial(path):
    """The serial of a PEM certificate (read once per path)."""
    with SERIALS_LOCK:
        if path in SERIALS:
            return SERIALS[path]
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", path],
                         capture_output=True, text=True, check=True).stdout
    serial = int(out.strip().split("=", 1)[1], 16)
    with SERIALS_LOCK:
        SERIALS[path] = serial
    return serial


def ocsp_candidates(pki):
    """(file, attest-mock arguments) of each certificate an OCSP request may
    name: OCSP_CERTS, then the BROM of each further GPU (gpuK/brom.pem)."""
    for file, chain, position in OCSP_CERTS:
        yield os.path.join(pki, file), ["--chain", chain, "--cert", str(position)]
    k = 1
    while os.path.exists(os.path.join(pki, "gpu%d" % k, "brom.pem")):
        yield (os.path.join(pki, "gpu%d" % k, "brom.pem"),
               ["--chain", "device", "--cert", "1", "--gpu", str(k)])
        k += 1


def ocsp_text(flag, der):
    """`openssl ocsp FLAG FILE` printing `der` (a request or a response)."""
    name = "/tmp/ocsp_%d_%d.der" % (os.getpid(), threading.get_ident())
    with open(name, "wb") as f:
        f.write(der)
    try:
        extra = ["-resp_text", "-noverify"] if flag == "-respin" else ["-req_text"]
        text = subprocess.run(["openssl", "ocsp", flag, name] + extra,
                              capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    return text.replace("\\\n", "")  # openssl continues long hex with a '\'


def ocsp_serial(text):
    """The CertID serial an OCSP request or response text names, or None."""
    serial = re.search(r"Serial Number: ([0-9A-F]+)", text)
    return int(serial.group(1), 16) if serial else None


def ocsp_answer(route, request):
    """A live answer to a DER OCSP request (see ocsp_pki above)."""
    text = ocsp_text("-reqin", request)
    serial = ocsp_serial(text)
    nonce = re.search(r"OCSP Nonce:\s*\n\s*04[0-9A-F]{2}([0-9A-F]+)", text)
    pki = route["ocsp_pki"]
    for path, which in ocsp_candidates(pki):
        if serial is not None and cert_serial(path) == serial:
            cmd = [route["ocsp_mock"], "nvidia", "ocsp", "--pki", pki] + which + ["-o", "-"]
            if "answer_nonce" in route:
                cmd += ["--nonce", route["answer_nonce"]]
            elif nonce and not route.get("drop_nonce"):
                cmd += ["--nonce", nonce.group(1)]
            return 200, subprocess.run(cmd, capture_output=True, check=True).stdout
    return 404, b"no such certificate\n"


def ocsp_replayed(route, request):
    """The recorded response (route ocsp_replay) about the serial a DER OCSP
    request names, as it was recorded: a replay ignores the request's
    nonce."""
    serial = ocsp_serial(ocsp_text("-reqin", request))
    for path in route["ocsp_replay"]:
        with open(path, "rb") as f:
            der = f.read()
        if serial is not None and ocsp_serial(ocsp_text("-respin", der)) == serial:
            return 200, der
    return 404, b"no such certificate\n"


def rim_service_answer(route, rim_id, request_id):
    """The NVIDIA RIM service's answer to GET /v1/rim/<rim_id>.

    The bodies are derived, at serve time, from the real RIM files of
    shared/vectors/nvidia (route rim_service maps an id to a file): the
    service's JSON (shared/research/online.md section 3, and the recorded
    answers in shared/vectors/online/rim and the set-D rim_service_*.json)
    has exactly these members: id (the one asked for), rim (base64 of the
    file), sha256 (hex SHA-256 of the file), last_updated (here the file's
    mtime), rim_format ("TCG" for SWID XML, else "CORIM") and request_id
    (fresh per request, also sent as x-amzn-RequestId). A map value may be
    an object {file, and any member to answer instead of the derived one;
    status, body: answer that instead}, for the error shapes. An unknown id
    is answered 404 {"message": "RIM_NOT_FOUND"}, as the service does."""
    entry = route["rim_service"].get(rim_id)
    if entry is None:
        return 404, {"message": "RIM_NOT_FOUND"}
    if isinstance(entry, str):
        entry = {"file": entry}
    if "body" in entry:
        return entry.get("status", 200), entry["body"]
    with open(entry["file"], "rb") as f:
        rim = f.read()
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(entry["file"]), datetime.timezone.utc)
    body = {"id": rim_id, "rim": base64.b64encode(rim).decode(),
            "sha256": hashlib.sha256(rim).hexdigest(),
            "last_updated": mtime.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (mtime.microsecond // 1000),
            "rim_format": "TCG" if rim.lstrip().startswith(b"<") else "CORIM",
            "request_id": request_id}
    for member in body:
        if member in entry:
            body[member] = entry[member]
    return entry.get("status", 200), body


def find_route(routes, path):
    """The route of `path`: its own, or a rim_service at a prefix of it."""
    if path in routes:
        return routes[path]
    for prefix, route in routes.items():
        if prefix.endswith("/") and path.startswith(prefix) and "rim_service" in route:
            return route
    return None


def make_handler(routes, latency):
    counts = {}
    served = [0]
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
            if self.path == "/__requests":
                with lock:
                    self.answer(200, {}, b"%d\n" % served[0])
                return
            with lock:
                served[0] += 1
            time.sleep(latency)
            route = find_route(routes, self.path.split("?")[0])
            if route is None:
                self.answer(404, {}, b"no such route\n")
                return
            query = self.path.partition("?")[2]
            if "query" in route and query != route["query"]:
                self.answer(400, {}, ("unexpected query '%s'\n" % query).encode())
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
            if "ocsp_pki" in route or "ocsp_replay" in route:
                answer = ocsp_answer if "ocsp_pki" in route else ocsp_replayed
                status, body = answer(route, body_in)
                headers["Content-Type"] = "application/ocsp-response"
            elif "rim_service" in route:
                request_id = str(uuid.uuid4())
                rim_id = self.path.split("?")[0].rsplit("/", 1)[-1]
                status, doc = rim_service_answer(route, rim_id, request_id)
                body = (doc if isinstance(doc, str) else json.dumps(doc)).encode()
                headers["Content-Type"] = "application/json"
                headers["x-amzn-RequestId"] = request_id
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
    latency = float(args[args.index("--latency") + 1]) / 1000 if "--latency" in args else 0.0
    server = Server(("127.0.0.1", 0), make_handler(routes, latency))
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
