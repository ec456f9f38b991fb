#!/usr/bin/env python3
"""Drives a running `boxloop serve` like a labeler (bench/run_loop_latency.sh starts it).

Saves N labels through the API (GET /api/next, then PUT /api/images/{id}/labels with the boxes of
the image's VOC file), with the loop set to start a round at the N-th save, and measures the time
from the N-th save's response to the `queue` event on /api/events, split by the round's job rows
(GET /api/jobs): trigger (save -> train job started), train, handover (train finished -> score
started), score, publish (score finished -> the event reached the client). Prints one JSON line
per figure. Standard library only, so it runs wherever the server does.
"""

import argparse
import datetime
import json
import os
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET


def api(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def iso_seconds(text):
    """Server timestamps (2026-11-25T10:03:04.123Z) as seconds since the epoch."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def voc_boxes(folder):
    """{lower-case file stem: [(category name, x, y, w, h)]} from the VOC files of a folder."""
    out = {}
    for name in os.listdir(folder):
        if not name.lower().endswith(".xml"):
            continue
        root = ET.parse(os.path.join(folder, name)).getroot()
        boxes = []
        for obj in root.iter("object"):
            b = obj.find("bndbox")
            x0, y0, x1, y1 = (float(b.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax"))
            boxes.append((obj.find("name").text.strip(), x0, y0, x1 - x0, y1 - y0))
        out[os.path.splitext(name)[0].lower()] = boxes
    return out


class Events(threading.Thread):
    """Reads /api/events; keeps (wall time, type, data) of every event."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base = base
        self.events = []
        self.lock = threading.Condition()
        self.connected = threading.Event()

    def run(self):
        with urllib.request.urlopen(self.base + "/api/events", timeout=3600) as r:
            kind = None
            for raw in r:
                line = raw.decode().rstrip("\r\n")
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind:
                    with self.lock:
                        self.events.append((time.time(), kind, json.loads(line[5:])))
                        self.lock.notify_all()
                    kind = None

    def wait_for(self, kind, after, timeout):
        deadline = time.time() + timeout
        with self.lock:
            while True:
                for t, k, data in self.events:
                    if k == kind and t >= after:
                        return t, data
                left = deadline - time.time()
                if left <= 0:
                    return None, None
                self.lock.wait(left)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--url", required=True)
    p.add_argument("--labels-dir", required=True, help="folder of the pool's VOC files")
    p.add_argument("--labels", type=int, default=40, help="saves; the last one starts the round")
    p.add_argument("--pool", required=True, help="name of the pool in the output")
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--commit", default="unknown", help="git commit of the code measured")
    a = p.parse_args()
    base = a.url.rstrip("/")

    project = api(base, "GET", "/api/project")
    category = {c["name"]: c["id"] for c in project["categories"]}
    pool_images = project["counts"]["images"]["total"]
    truth = voc_boxes(a.labels_dir)

    events = Events(base)
    events.start()
    if not events.connected.wait(30):
        sys.exit("no /api/events stream")
    api(base, "PUT", "/api/loop", {"enabled": True, "every": a.labels})

    saved_at = None
    for i in range(a.labels):
        nxt = api(base, "GET", "/api/next")
        image = nxt["image"]
        if image is None:
            sys.exit(f"the pool ran out after {i} labels")
        stem = os.path.splitext(os.path.basename(image["path"]))[0].lower()
        boxes = [{"category_id": category[c], "x": x, "y": y, "w": w, "h": h}
                 for c, x, y, w, h in truth.get(stem, [])]
        api(base, "PUT", f"/api/images/{image['id']}/labels",
            {"version": image["version"], "boxes": boxes})
        saved_at = time.time()  # after the response: what the labeler who saved it sees

    queue_at, queue = events.wait_for("queue", saved_at, a.timeout)
    if queue_at is None:
        sys.exit(f"no queue event within {a.timeout:.0f} s of the {a.labels}-th save")
    jobs = api(base, "GET", "/api/jobs")
    train = next(j for j in jobs if j["kind"] == "train" and j["finished_at"])
    score = next(j for j in jobs if j["kind"] == "score" and j["finished_at"])
    _, model = events.wait_for("model", saved_at, 5)
    metrics = (model or {}).get("metrics", {})

    t = {k: iso_seconds(train[k]) for k in ("started_at", "finished_at")}
    s = {k: iso_seconds(score[k]) for k in ("started_at", "finished_at")}
    common = {"bench": "loop_latency", "pool": a.pool, "pool_images": pool_images,
              "labels": a.labels, "cores": os.cpu_count(), "commit": a.commit,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    figures = [
        ("label_to_queue_s", queue_at - saved_at),
        ("trigger_s", t["started_at"] - saved_at),
        ("train_s", t["finished_at"] - t["started_at"]),
        ("handover_s", s["started_at"] - t["finished_at"]),
        ("score_s", s["finished_at"] - s["started_at"]),
        ("publish_s", queue_at - s["finished_at"]),
    ]
    for name, value in figures:
        print(json.dumps({**common, "figure": name, "value": round(value, 2)}), flush=True)
    # What the round's training did inside its budget (the model's metrics).
    for key in ("steps", "steps_planned", "time_budget_seconds", "stopped_by_time_budget",
                "seconds", "train_images"):
        if key in metrics:
            print(json.dumps({**common, "figure": "train_" + key, "value": metrics[key]}),
                  flush=True)
    print(json.dumps({**common, "figure": "queue_size", "value": queue.get("size")}), flush=True)


if __name__ == "__main__":
    main()
