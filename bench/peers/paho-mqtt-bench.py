#!/usr/bin/python3
"""QoS 1 publish throughput of Eclipse Paho 1.6 (the reference client for `nexwatt-bench mqtt`).

usage: paho-mqtt-bench.py HOST PORT TOPIC COUNT SIZE
Connects (MQTT 3.1.1), publishes COUNT QoS 1 messages of SIZE bytes with 100 in flight and prints
"ELAPSED <seconds>" from the first publish to the last PUBACK.
"""
import sys
import threading
import time

import paho.mqtt.client as mqtt


def main(host, port, topic, count, size):
    client = mqtt.Client(client_id="paho-bench", protocol=mqtt.MQTTv311, clean_session=True)
    client.max_inflight_messages_set(100)
    connected = threading.Event()
    done = threading.Event()
    acked = [0]
    # Paho scans its whole outgoing queue on every PUBACK: a queue of COUNT messages makes that quadratic, so the
    # publisher keeps at most the in-flight window queued, as an application with its own buffer would.
    window = threading.Semaphore(100)

    def on_publish(_client, _userdata, _mid):
        acked[0] += 1
        window.release()
        if acked[0] >= count:
            done.set()

    client.on_connect = lambda *args: connected.set()
    client.on_publish = on_publish
    client.connect(host, port, keepalive=60)
    client.loop_start()
    if not connected.wait(10):
        print("ERROR connect timed out", flush=True)
        return 2
    payload = b"x" * size
    start = time.perf_counter()
    for _ in range(count):
        window.acquire()
        client.publish(topic, payload, qos=1)
    if not done.wait(900):
        print(f"ERROR acked {acked[0]} of {count}", flush=True)
        return 3
    print(f"ELAPSED {time.perf_counter() - start:.6f}", flush=True)
    client.disconnect()
    client.loop_stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
