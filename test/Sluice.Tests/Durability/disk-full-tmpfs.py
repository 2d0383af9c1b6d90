#!/usr/bin/env python3
"""A real full disk, for both stores: the queue on a small tmpfs (needs root and mount(2); the
test suite's DiskFullTests inject the failure instead, since CI may not allow a mount).

For each store: fill the tmpfs up to a little room, send 200 KB messages until one is refused
(expect 452 4.3.1), check the queue (`queue export`) holds every acknowledged message byte-whole
and nothing else, free the space and check the next message gets 250; then kill -9 the server,
fill the disk to the last byte, restart on the full disk (recovery), check it still answers 452
4.3.1 and not 250, free the space, and check a last message is stored and every acknowledged one
is still there, whole.

Usage: sudo python3 disk-full-tmpfs.py [path/to/Sluice.Server.dll]
(default: the test project's build output, test/Sluice.Tests/bin/Debug/net10.0/Sluice.Server.dll)
Prints one line of figures per store; exits 1 on the first failed check.
"""
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DLL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "bin", "Debug", "net10.0", "Sluice.Server.dll")
TMPFS_SIZE = 8 * 1024 * 1024
ROOM = 1536 * 1024          # what is left free before the run
MESSAGE = 200 * 1024


def fail(text):
    print("FAIL: " + text)
    sys.exit(1)


def message(tag):
    line = (tag + " " + "x" * 70 + "\r\n").encode()
    body = line * (MESSAGE // len(line))
    return b"Subject: " + tag.encode() + b"\r\n\r\n" + body


class Smtp:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")
        self.expect("220")
        self.sock.sendall(b"EHLO full.example\r\n")
        while self.line()[3:4] == "-":
            pass

    def line(self):
        return self.file.readline().decode("latin-1").rstrip("\r\n")

    def expect(self, code):
        line = self.line()
        if not line.startswith(code):
            fail(f"expected {code}, got {line!r}")
        return line

    def send(self, data):
        """One transaction; the final reply line."""
        self.sock.sendall(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n")
        replies = [self.line() for _ in range(3)]
        if not replies[2].startswith("354"):
            return replies[2] + " (at DATA)"  # refused before the data: min-free-space (1 byte here)
        self.sock.sendall(data + b".\r\n")
        return self.line() + " (after the data)"

    def close(self):
        self.sock.close()


def queue_id(reply):
    """The id at the end of '250 2.0.0 ... <id> (after the data)'."""
    return reply.split(" (")[0].split()[-1]


def start(config, cwd):
    server = subprocess.Popen(["dotnet", DLL, "--config", config], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for _ in range(200):
        line = server.stdout.readline()
        if not line:
            break
        match = re.match(r"^listening: smtp smtp 127\.0\.0\.1:(\d+)$", line.strip())
        if match:
            return server, int(match.group(1))
    server.kill()
    fail("the server did not start")


def fill(path, leave):
    """Makes the file at `path` as large as it can be while `leave` bytes stay free."""
    free = shutil.disk_usage(os.path.dirname(path)).free
    have = os.path.getsize(path) if os.path.exists(path) else 0
    with open(path, "ab") as f:
        grow = free - leave
        while grow > 0:
            try:
                f.write(b"\0" * min(grow, 1 << 20))
                f.flush()
            except OSError:
                break
            grow -= min(grow, 1 << 20)


def exported(work, config):
    target = os.path.join(work, "export")
    shutil.rmtree(target, ignore_errors=True)
    run = subprocess.run(["dotnet", DLL, "queue", "export", "--dir", target, "--config", config], cwd=work, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail("queue export: " + run.stderr)
    found = {}
    for name in os.listdir(target):
        if name.endswith(".eml"):
            with open(os.path.join(target, name), "rb") as f:
                found[name[:-4]] = f.read()
    return found


def check_queue(work, config, acknowledged, where):
    found = exported(work, config)
    missing = [i for i in acknowledged if i not in found or not found[i].endswith(acknowledged[i])]
    extra = [i for i in found if i not in acknowledged]
    if missing:
        fail(f"{where}: acknowledged but missing or not whole: {missing}")
    if extra:
        fail(f"{where}: in the queue but never acknowledged: {extra}")
    return len(found)


def run(store, mount):
    work = tempfile.mkdtemp(prefix=f"sluice-diskfull-{store}-")
    queue = os.path.join(mount, store)
    filler = os.path.join(mount, f"filler-{store}")
    config = os.path.join(work, "sluice.toml")
    with open(config, "w") as f:
        f.write(f"""[server]
hostname = "mx.test.example"
[server.listener.smtp]
bind = "127.0.0.1:0"
[queue]
type = "{store}"
path = "{queue}"
min-free-space = 1
""")
    acknowledged = {}
    server, port = start(config, work)
    fill(filler, ROOM)
    client = Smtp(port)
    refused = None
    for n in range(100):
        data = message(f"{store}-{n}")
        reply = client.send(data)
        if reply.startswith("250"):
            acknowledged[queue_id(reply)] = data
        else:
            refused = reply
            break
    if refused is None or not refused.startswith("452 4.3.1"):
        fail(f"{store}: the disk never filled, or the refusal was {refused!r}")
    before_full = len(acknowledged)
    for _ in range(2):
        reply = client.send(message(f"{store}-still-full"))
        if not reply.startswith("452 4.3.1"):
            fail(f"{store}: on a full disk: {reply!r}")
    check_queue(work, config, acknowledged, "full disk")

    os.remove(filler)
    data = message(f"{store}-room-again")
    reply = client.send(data)
    if not reply.startswith("250"):
        fail(f"{store}: space back, got {reply!r}")
    acknowledged[queue_id(reply)] = data
    client.close()

    # kill -9, fill the disk to the last byte, restart on it.
    server.send_signal(signal.SIGKILL)
    server.wait()
    fill(filler, 0)
    server, port = start(config, work)
    client = Smtp(port)
    reply = client.send(message(f"{store}-restart-full"))
    if reply.startswith("250"):
        fail(f"{store}: a full disk acknowledged a message after the restart")
    restart_full = reply
    count = check_queue(work, config, acknowledged, "restarted on the full disk")
    os.remove(filler)
    data = message(f"{store}-last")
    reply = client.send(data)
    if not reply.startswith("250"):
        fail(f"{store}: after the restart, space back, got {reply!r}")
    acknowledged[queue_id(reply)] = data
    client.close()
    server.send_signal(signal.SIGKILL)
    server.wait()
    count = check_queue(work, config, acknowledged, "at the end")
    print(f"{store}: {before_full} messages of {MESSAGE // 1024} KB stored before the disk ({TMPFS_SIZE // 1048576} MB tmpfs, "
          f"{ROOM // 1024} KB left free) was full; refused with '{refused}'; stored again once space returned; "
          f"restarted on a full disk: '{restart_full}'; {count} messages in the queue at the end, all acknowledged ones whole")
    shutil.rmtree(work, ignore_errors=True)


def main():
    if os.geteuid() != 0:
        fail("needs root (mount)")
    mount = tempfile.mkdtemp(prefix="sluice-tmpfs-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", mount], check=True)
    try:
        for store in ("log", "files"):
            run(store, mount)
    finally:
        subprocess.run(["umount", mount], check=False)
        os.rmdir(mount)
    print("ok")


main()
