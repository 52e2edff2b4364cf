"""A minimal mDNS responder for tests, independent of the agent's DNS codec.

Binds 127.0.0.1 on a free UDP port, prints "READY port=N", and answers every query for
_enphase-envoy._tcp.local as a legacy-unicast mDNS responder would (RFC 6762 section 6.7): the query id echoed,
the question repeated, a PTR answer and SRV, TXT (serialnum, protovers) and A additional records, names
compressed with pointers (RFC 1035 section 4.1.4). Bytes are built by hand with struct.

usage: mdns_envoy_responder.py SERVICE_PORT SERIAL PROTOVERS
"""
import socket
import struct
import sys

service_port, serial, protovers = int(sys.argv[1]), sys.argv[2], sys.argv[3]
SERVICE = b"\x0e_enphase-envoy\x04_tcp\x05local\x00"

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
print(f"READY port={sock.getsockname()[1]}", flush=True)

while True:
    query, source = sock.recvfrom(9000)
    if len(query) < 12 + len(SERVICE) + 4 or query[12:12 + len(SERVICE)].lower() != SERVICE.lower():
        print(f"IGNORED {query.hex()}", flush=True)
        continue
    query_id = query[0:2]
    question = query[12:12 + len(SERVICE) + 4]
    out = bytearray(query_id + struct.pack(">HHHHH", 0x8400, 1, 1, 0, 3))
    out += question                                    # service name at offset 12; "local" label at offset 32
    instance_label = ("envoy" + serial).encode()
    ptr_rdata = bytes([len(instance_label)]) + instance_label + b"\xc0\x0c"
    out += b"\xc0\x0c" + struct.pack(">HHIH", 12, 1, 4500, len(ptr_rdata))
    instance_offset = len(out)                         # the instance name starts here, inside the PTR rdata
    out += ptr_rdata
    instance_ptr = struct.pack(">H", 0xC000 | instance_offset)
    srv_target = b"\x05envoy\xc0\x20"                  # envoy + pointer to "local"
    srv_rdata = struct.pack(">HHH", 0, 0, service_port) + srv_target
    out += instance_ptr + struct.pack(">HHIH", 33, 0x8001, 120, len(srv_rdata))
    target_offset = len(out) + 6
    out += srv_rdata
    txt = b"".join(bytes([len(s)]) + s for s in (f"serialnum={serial}".encode(), f"protovers={protovers}".encode()))
    out += instance_ptr + struct.pack(">HHIH", 16, 0x8001, 4500, len(txt)) + txt
    out += struct.pack(">H", 0xC000 | target_offset) + struct.pack(">HHIH", 1, 0x8001, 120, 4) + socket.inet_aton("127.0.0.1")
    sock.sendto(bytes(out), source)
    print(f"ANSWERED {source[0]}:{source[1]} id={query_id.hex()}", flush=True)
