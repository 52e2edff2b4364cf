"""Decodes what the edge agent publishes, independently of our code: paho-mqtt (Debian's python3-paho-mqtt)
and Python message classes that protoc generated from protos/ at test time.

Usage: paho_telemetry_subscriber.py PORT PROTO_PY_DIR CLIENT_ID
Subscribes at QoS 1 with a persistent session (clean_session False) to nexwatt/v1/+/telemetry and
nexwatt/v1/+/status, and prints one JSON object per line: {"kind": "batch" | "reading" | "status", ...}.
Prints "SUBSCRIBED" once the broker granted the subscription.
"""
import json
import sys

import paho.mqtt.client as mqtt

port, proto_dir, client_id = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, proto_dir)
from nexwatt.v1 import status_pb2, telemetry_pb2  # noqa: E402  (generated at test time)


def emit(obj):
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def on_connect(client, userdata, flags, rc):
    if rc != 0:
        emit({"kind": "error", "connect_rc": rc})
        return
    client.subscribe([("nexwatt/v1/+/telemetry", 1), ("nexwatt/v1/+/status", 1)])


def on_subscribe(client, userdata, mid, granted_qos):
    print("SUBSCRIBED", flush=True)


def on_message(client, userdata, msg):
    if msg.topic.endswith("/telemetry"):
        batch = telemetry_pb2.TelemetryBatch()
        batch.ParseFromString(msg.payload)
        emit({"kind": "batch", "topic": msg.topic, "site": batch.site_id, "boot": batch.agent_boot_id,
              "first": batch.first_sequence, "last": batch.last_sequence, "historical": batch.historical,
              "n": len(batch.readings), "sent_us": batch.sent_time_us,
              "gaps": [{"first": g.first_sequence, "last": g.last_sequence, "lost": g.readings_lost} for g in batch.gaps]})
        for r in batch.readings:
            emit({"kind": "reading", "site": batch.site_id, "seq": r.sequence, "device": r.device_id,
                  "model": r.model_id, "instance": r.model_instance, "point": r.point,
                  "value": r.value if r.HasField("value") else None, "text": r.text, "unit": r.unit,
                  "quality": telemetry_pb2.Quality.Name(r.quality), "ts_us": r.source_time_us,
                  "historical": batch.historical})
    elif msg.topic.endswith("/status"):
        status = status_pb2.SiteStatus()
        status.ParseFromString(msg.payload)
        emit({"kind": "status", "site": status.site_id, "boot": status.agent_boot_id, "retain": bool(msg.retain),
              "state": status_pb2.SiteStatus.State.Name(status.state), "version": status.agent_version,
              "devices": [{"id": d.device_id, "manufacturer": d.manufacturer, "model": d.model,
                           "healthy": d.healthy, "models": list(d.model_ids)} for d in status.devices]})


client = mqtt.Client(client_id=client_id, clean_session=False, protocol=mqtt.MQTTv311)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.reconnect_delay_set(min_delay=1, max_delay=2)
client.connect("127.0.0.1", port, keepalive=30)
client.loop_forever(retry_first_connection=True)
