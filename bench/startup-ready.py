#!/usr/bin/env python3
"""Start-up to READY of a published agent, as systemd sees it (Type=notify).

    python3 bench/startup-ready.py artifacts/publish/nexwatt-agent-amd64 [runs]

Binds a Unix datagram socket as NOTIFY_SOCKET, starts the agent the way the unit does (`nexwatt-agent run`, its
parent named "systemd" so that Microsoft.Extensions.Hosting.Systemd talks to the socket), and times exec -> READY=1.
Each run starts from a fresh buffer; the agent is stopped with SIGTERM after READY. Prints every run and the median.
"""
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(program: str) -> float:
    with tempfile.TemporaryDirectory(prefix="nexwatt-ready-") as folder:
        notify = os.path.join(folder, "notify.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(notify)
        server.settimeout(60)
        parent = os.path.join(folder, "systemd")
        os.symlink("/bin/bash", parent)
        env = {
            "PATH": "/usr/bin:/bin",
            "NOTIFY_SOCKET": notify,
            "NEXWATT_Agent__SiteId": "site-bench",
            "NEXWATT_Agent__Buffer__Path": os.path.join(folder, "buffer.db"),
            # A device nobody answers for: start-up does not wait for devices.
            "NEXWATT_Agent__Devices__0__Host": "127.0.0.1",
            "NEXWATT_Agent__Devices__0__Port": "1",
        }
        started = time.monotonic()
        # bash named "systemd" starts the agent and waits for it: the agent's parent is "systemd".
        process = subprocess.Popen([parent, "-c", '"$0" run & wait $!', program], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while True:
                message = server.recv(4096).decode()
                if "READY=1" in message:
                    return time.monotonic() - started
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
            server.close()


def main() -> None:
    folder = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    program = os.path.join(os.path.abspath(folder), "nexwatt-agent")
    one_run(program)  # warm the page cache; not counted
    times = [one_run(program) for _ in range(runs)]
    print(f"{folder}: " + " ".join(f"{t:.3f}" for t in times) + f"  median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
