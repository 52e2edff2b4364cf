#!/usr/bin/python3
"""An independent MQTT peer (Eclipse Paho 1.6) for the interop tests and the bench.

usage: paho_peer.py subscribe HOST PORT TOPIC COUNT {311|5}   prints READY once subscribed, then "MSG <topic> <qos> <payload>" per message
       paho_peer.py publish   HOST PORT TOPIC COUNT {311|5}   publishes COUNT QoS 1 messages "paho-<i>", prints DONE after the last PUBACK
       paho_peer.py bench     HOST PORT TOPIC COUNT SIZE     QoS 1 throughput, 100 in flight; prints "ELAPSED <seconds>"
"""
import sys
import threading
import time

import paho.mqtt.client as mqtt


def make_client(version, client_id):
    protocol = mqtt.MQTTv5 if version == "5" else mqtt.MQTTv311
    if protocol == mqtt.MQTTv5:
        return mqtt.Client(client_id=client_id, protocol=protocol)
    return mqtt.Client(client_id=client_id, protocol=protocol, clean_session=True)


def connect(client, host, port):
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect(host, int(port), keepalive=30)
    client.loop_start()
    if not connected.wait(10):
        print("ERROR connect timed out", flush=True)
        sys.exit(2)


def subscribe(host, port, topic, count, version):
    client = make_client(version, "paho-sub")
    received = []
    done = threading.Event()

    def on_message(_client, _userdata, message):
        print(f"MSG {message.topic} {message.qos} {message.payload.decode('utf-8', 'replace')}", flush=True)
        received.append(message)
        if len(received) >= count:
            done.set()

    client.on_message = on_message
    client.on_subscribe = lambda *args: print("READY", flush=True)
    connect(client, host, port)
    client.subscribe(topic, qos=1)
    if not done.wait(30):
        print(f"ERROR received {len(received)} of {count}", flush=True)
        sys.exit(3)
    client.disconnect()
    client.loop_stop()


def publish(host, port, topic, count, version):
    client = make_client(version, "paho-pub")
    connect(client, host, port)
    infos = [client.publish(topic, f"paho-{i}", qos=1) for i in range(count)]
    for info in infos:
        info.wait_for_publish(10)
    print("DONE", flush=True)
    client.disconnect()
    client.loop_stop()


def bench(host, port, topic, count, size):
    client = make_client("311", "paho-bench")
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    acked = threading.Event()
    state = {"acked": 0}

    def on_publish(_client, _userdata, _mid):
        state["acked"] += 1
        if state["acked"] >= count:
            acked.set()

    client.on_publish = on_publish
    connect(client, host, port)
    payload = b"x" * size
    start = time.perf_counter()
    for _ in range(count):
        client.publish(topic, payload, qos=1)
    if not acked.wait(600):
        print(f"ERROR acked {state['acked']} of {count}", flush=True)
        sys.exit(4)
    elapsed = time.perf_counter() - start
    print(f"ELAPSED {elapsed:.6f}", flush=True)
    client.disconnect()
    client.loop_stop()


def main(argv):
    mode, host, port, topic, count = argv[1], argv[2], argv[3], argv[4], int(argv[5])
    if mode == "subscribe":
        subscribe(host, port, topic, count, argv[6])
    elif mode == "publish":
        publish(host, port, topic, count, argv[6])
    elif mode == "bench":
        bench(host, port, topic, count, int(argv[6]))
    else:
        print(__doc__)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
