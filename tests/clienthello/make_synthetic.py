#!/usr/bin/env python3
"""Builds the synthetic hellos of this folder from real captures (run from this folder).

chromium-20k-two-records.bin: chromium.bin with a padding extension (type 21) of zeros added
in front of its other extensions, so the handshake message is 20,480 bytes, re-framed into a
16,384-byte record and a 4,096-byte one (record headers as in the capture).
"""


def handshake(path):
    data, pos, hs = open(path, "rb").read(), 0, bytearray()
    while pos < len(data):
        rlen = int.from_bytes(data[pos + 3 : pos + 5], "big")
        hs += data[pos + 5 : pos + 5 + rlen]
        pos += 5 + rlen
    return data[:5], bytes(hs)


def frame(header, msg, size):
    out = bytearray()
    for i in range(0, len(msg), size):
        part = msg[i : i + size]
        out += header[:3] + len(part).to_bytes(2, "big") + part
    return bytes(out)


def pad_to(msg, total):
    body = msg[4:]
    pos = 2 + 32
    pos += 1 + body[pos]
    pos += 2 + int.from_bytes(body[pos : pos + 2], "big")
    pos += 1 + body[pos]
    exts = body[pos + 2 :]
    pad = total - len(msg) - 4
    exts = (21).to_bytes(2, "big") + pad.to_bytes(2, "big") + bytes(pad) + exts
    body = body[:pos] + len(exts).to_bytes(2, "big") + exts
    return b"\x01" + len(body).to_bytes(3, "big") + body


header, msg = handshake("chromium.bin")
big = pad_to(msg, 20480)
assert len(big) == 20480
open("chromium-20k-two-records.bin", "wb").write(frame(header, big, 16384))
