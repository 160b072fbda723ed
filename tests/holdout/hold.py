#!/usr/bin/python3
"""tests/holdout/hold.py SEED SALT BP KEY... — prints the keys a step
holdout takes out (`hold.py campaign NAME PERCENT KEY...`: the keys the
campaign header `holdout PERCENT%` takes out, hash of the texts
"camp-holdout" and NAME and the key, held out when % 10000 < PERCENT*100), worked out here from the definition in docs/policy.md
(independently of camp's C code): camp_hash(seed, salt, key) is FNV-1a
(64-bit) over the tagged encoding of each value — int: b'I' + 8 bytes
little-endian two's complement; text: b'T' + length (8 bytes LE) + UTF-8
bytes — then splitmix64's finalizer, shifted right by one bit; a key is
held out when the hash % 10000 < BP (basis points).  Keys are ints."""
import sys

M = (1 << 64) - 1


def fnv(h, data):
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & M
    return h


def enc_int(v):
    return b"I" + (v & M).to_bytes(8, "little")


def enc_text(s):
    b = s.encode()
    return b"T" + len(b).to_bytes(8, "little") + b


def camp_hash(parts):
    h = 0xcbf29ce484222325
    for part in parts:
        h = fnv(h, part)
    z = h
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    z ^= z >> 31
    return z >> 1


def main():
    keys = [int(k) for a in sys.argv[4:] for k in a.split()]
    if sys.argv[1] == "campaign":
        name, limit = sys.argv[2], float(sys.argv[3]) * 100
        held = [k for k in keys if camp_hash((enc_text("camp-holdout"), enc_text(name), enc_int(k))) % 10000 < limit]
    else:
        seed, salt, bp = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        held = [k for k in keys if camp_hash((enc_int(seed), enc_text(salt), enc_int(k))) % 10000 < bp]
    print(" ".join(str(k) for k in sorted(held)))


main()
