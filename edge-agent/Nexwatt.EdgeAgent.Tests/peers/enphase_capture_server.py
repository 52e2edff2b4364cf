"""Serves one folder of captured Enphase IQ Gateway responses (pyenphase fixtures) over HTTP(S), independently of
our code: the captured bodies with the HTTP codes of their _log.json files, HTTPS plus a bearer token check when a
certificate is given (firmware 7+), HTTP Digest (RFC 7616, MD5, qop=auth) on the inverter path otherwise.

usage: enphase_capture_server.py FOLDER [--cert CERT --key KEY --token TOKEN] [--digest-password PASSWORD]
Prints "LISTENING <port>" once bound to 127.0.0.1."""
import argparse, hashlib, http.server, json, os, re, ssl, sys

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--token", default="")
parser.add_argument("--digest-password", default="")
args = parser.parse_args()

REALM = "enphaseenergy.com"
NONCE = "Kz8MZRV4a9h25Ea4+ikZbKDannY="
UNAUTHORIZED = b"<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center></body></html>"
DIGEST_PATHS = {"/api/v1/production/inverters"}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(header, method, password):
    if not header or not header.startswith("Digest "):
        return False
    fields = dict((m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
                  for m in re.finditer(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', header[7:]))
    ha1 = md5(f"{fields.get('username')}:{REALM}:{password}")
    ha2 = md5(f"{method}:{fields.get('uri')}")
    expected = md5(f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
    return fields.get("response") == expected and fields.get("nonce") == NONCE


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        https = args.cert is not None
        if path == "/auth/check_jwt":
            ok = https and self.headers.get("Authorization") == f"Bearer {args.token}"
            return self.send(200 if ok else 401, b"<!DOCTYPE html><h2>Valid token.</h2>" if ok else UNAUTHORIZED)
        if https and path != "/info" and self.headers.get("Authorization") != f"Bearer {args.token}":
            return self.send(401, UNAUTHORIZED)
        if not https and path in DIGEST_PATHS and not digest_ok(self.headers.get("Authorization"), "GET", args.digest_password):
            return self.send(401, b"<html><body><h2>401 Unauthorized</h2></body></html>",
                             [("WWW-Authenticate", f'Digest qop="auth", realm="{REALM}", nonce="{NONCE}"')])
        name = re.sub(r"[/?=&]", "_", path.lstrip("/"))
        body_file = os.path.join(args.folder, name)
        if not os.path.isfile(body_file):
            return self.send(404, b'{"error":"404 - Not Found"}')
        code = 200
        if os.path.isfile(body_file + "_log.json"):
            with open(body_file + "_log.json") as f:
                code = json.load(f).get("code", 200)
        with open(body_file, "rb") as f:
            self.send(code, f.read())


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if args.cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(f"LISTENING {server.server_address[1]}", flush=True)
server.serve_forever()
