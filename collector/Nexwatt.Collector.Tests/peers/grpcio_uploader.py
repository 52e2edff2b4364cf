"""A Python grpcio client (Debian's python3-grpcio) uploading telemetry to the real collector.

Usage: grpcio_uploader.py STUBS HOST:PORT SITE_TOKEN
STUBS holds the messages protoc generated from protos/nexwatt/v1/*.proto; the method path is spelled here, on
purpose independently of our C# code. Prints "PASS <scenario>" for each, exits non-zero at the first failure.
"""
import sys
import time

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from nexwatt.v1 import collector_pb2, telemetry_pb2  # noqa: E402

UPLOAD = "/nexwatt.v1.TelemetryIngest/Upload"
target, token = sys.argv[2], sys.argv[3]


def fail(message):
    print(f"FAIL {message}", flush=True)
    sys.exit(1)


def batch(first, count, site="site-py"):
    b = telemetry_pb2.TelemetryBatch(site_id=site, first_sequence=first, last_sequence=first + count - 1)
    now_us = int(time.time() * 1e6) - 60_000_000
    for i in range(count):
        b.readings.add(sequence=first + i, device_id="inverter", model_id=103, point="W", value=1500.0 + i,
                       unit="W", quality=telemetry_pb2.QUALITY_GOOD, source_time_us=now_us + i * 1_000_000)
    return b


channel = grpc.insecure_channel(target)
upload = channel.stream_stream(UPLOAD, request_serializer=telemetry_pb2.TelemetryBatch.SerializeToString,
                               response_deserializer=collector_pb2.UploadAck.FromString)


def call(batches, auth):
    metadata = [("authorization", f"Bearer {auth}")] if auth else []
    return list(upload(iter(batches), metadata=metadata, timeout=30))


acks = call([batch(1, 5), batch(6, 5), batch(11, 5)], token)
if [a.status for a in acks] != [collector_pb2.UploadAck.STATUS_STORED] * 3 or [a.readings_stored for a in acks] != [5, 5, 5]:
    fail(f"stored: {acks}")
if [(a.first_sequence, a.last_sequence) for a in acks] != [(1, 5), (6, 10), (11, 15)]:
    fail(f"ack ranges: {acks}")
print("PASS stored in order", flush=True)

acks = call([batch(1, 5), batch(6, 5)], token)
if [a.readings_duplicate for a in acks] != [5, 5] or any(a.readings_stored for a in acks):
    fail(f"duplicates: {acks}")
print("PASS redelivery counted as duplicate", flush=True)

broken = batch(100, 3)
broken.readings[1].sequence = 0
acks = call([broken, batch(200, 2)], token)
if acks[0].status != collector_pb2.UploadAck.STATUS_REJECTED or "sequence" not in acks[0].message or acks[1].readings_stored != 2:
    fail(f"rejected: {acks}")
print("PASS malformed batch rejected with a reason", flush=True)

for scenario, batches, auth, code in [
    ("unknown token", [batch(300, 1)], "not-a-token", grpc.StatusCode.UNAUTHENTICATED),
    ("no credentials", [batch(300, 1)], None, grpc.StatusCode.UNAUTHENTICATED),
    ("another site's data", [batch(400, 1, site="someone-else")], token, grpc.StatusCode.PERMISSION_DENIED),
]:
    try:
        call(batches, auth)
        fail(f"{scenario}: no error")
    except grpc.RpcError as error:
        if error.code() != code:
            fail(f"{scenario}: {error.code()} {error.details()}")
    print(f"PASS {scenario}: {code.name}", flush=True)
print("DONE", flush=True)
