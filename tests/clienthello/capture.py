#!/usr/bin/env python3
"""Capture the raw bytes of one TLS ClientHello from a real client, on loopback only.

Usage: capture.py OUT.bin PORT -- CLIENT COMMAND...

Listens on 127.0.0.1:PORT, starts the client command, accepts one connection, reads until
the first handshake message (the ClientHello) is complete across however many records it
spans (bounded by 70 KiB and 15 s), saves the bytes of the records that carry it to OUT.bin,
closes the connection (the client then fails its handshake, which is expected) and stops the
client.
"""
import socket
import subprocess
import sys
import time


def hello_end(data):
    """Offset just past the record holding the hello's last byte, or None if incomplete."""
    pos, hs = 0, bytearray()
    while pos + 5 <= len(data):
        if data[pos] != 22:
            raise SystemExit(f"record type {data[pos]} is not handshake")
        rlen = int.from_bytes(data[pos + 3 : pos + 5], "big")
        if pos + 5 + rlen > len(data):
            return None
        hs += data[pos + 5 : pos + 5 + rlen]
        pos += 5 + rlen
        if len(hs) >= 4 and len(hs) >= 4 + int.from_bytes(hs[1:4], "big"):
            return pos
    return None


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        raise SystemExit(__doc__)
    out, port, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[4:]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(60)
    client = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        conn, _ = srv.accept()
        conn.settimeout(15)
        data, deadline = bytearray(), time.time() + 15
        while time.time() < deadline and len(data) < 70 * 1024:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            end = hello_end(data)
            if end is not None:
                with open(out, "wb") as f:
                    f.write(data[:end])
                print(f"{out}: {end} bytes")
                break
        else:
            raise SystemExit("no complete ClientHello")
        conn.close()
    finally:
        client.kill()
        client.wait()
        srv.close()


if __name__ == "__main__":
    main()
