#!/usr/bin/env python3
"""http_probe.py: HTTP/1.1 keep-alive on a real kernel, the facts behind
`fetch ... http1` (docs/reference/http-reuse.md, "Measured").

Run inside a fresh network namespace, so nothing else shares its ports:

    ip netns add psprobe-http
    ip -n psprobe-http link set lo up
    ip netns exec psprobe-http python3 docs/reference/http_probe.py
    ip netns del psprobe-http

A Python HTTP/1.1 server (protocol_version HTTP/1.1: persistent connections,
Content-Length on every response) and a client that behaves like portsim's
browser: the page on one connection, then 12 resources over at most 6
connections, one request at a time per connection. Prints how many
connections the server accepted, how many distinct source ports the client
used, and how many requests each connection carried."""
import http.client
import http.server
import threading

accepted = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep the connection open after a response

    def do_GET(self):
        body = ("(part 1/1 of %s)" % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    def get_request(self):
        conn, addr = super().get_request()
        accepted.append(addr[1])
        return conn, addr


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    pool, served = [], {}

    def get(conn, path):
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()  # the whole body, by Content-Length: the connection is free again
        served[conn.sock.getsockname()[1]] = served.get(conn.sock.getsockname()[1], 0) + 1
        return resp.getheader("Connection")

    first = http.client.HTTPConnection("127.0.0.1", port)
    pool.append(first)
    closing = get(first, "/")
    for k in range(1, 13):
        if len(pool) < 6 and k > 1:
            pool.append(http.client.HTTPConnection("127.0.0.1", port))
        get(pool[(k - 1) % len(pool)], "/img/%d.png" % k)
    srv.shutdown()
    print("server's Connection header on the first response:", closing)
    print("connections accepted by the server:", len(accepted))
    print("distinct client source ports:", len(set(served)))
    print("requests per connection:", sorted(served.values(), reverse=True))
    print("requests in all:", sum(served.values()))


if __name__ == "__main__":
    main()
