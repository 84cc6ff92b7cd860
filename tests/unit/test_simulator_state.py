"""The simulator's state file (simulator.persist): what one simulator knew, the next one started
on the same folder knows; a file it cannot use starts a new, empty state and says why."""

from __future__ import annotations

import json
import stat

import httpx

from simulator import SimServer, Simulator
from simulator.persist import FORMAT, StateFile


def test_a_saved_state_is_there_again_tokens_posts_and_shared_objects(tmp_path):
    sim = Simulator(seed=1)
    store = StateFile(sim, tmp_path)
    first = store.load()
    assert first["persistent"] and not first["restored"]
    session = sim["bluesky"].issue_token("alice")
    sim.record_post("bluesky", "alice.bsky.social", "p1", "hello before")
    sim.set_knobs("x", latency_ms=5)
    store.save()
    assert stat.S_IMODE((tmp_path / "state.json").stat().st_mode) == 0o600  # holds tokens

    again = Simulator(seed=1)
    state = StateFile(again, tmp_path).load()
    assert state["restored"] and state["state_id"] == first["state_id"]
    assert [p["text"] for p in again.posts()] == ["hello before"]
    assert again.effective_knobs("x").latency_ms == 5
    # One refresh session stays one object however many JWTs name it.
    sessions = again["bluesky"].sessions
    assert sessions[session["refreshJwt"]] is not sessions[session["accessJwt"]]
    with SimServer(again) as srv:
        r = httpx.get(
            srv.url_for("bluesky") + "/xrpc/com.atproto.server.getSession",
            headers={"Authorization": f"Bearer {session['accessJwt']}"},
        )
    assert r.status_code == 200, r.text
    assert r.json()["handle"] == "alice.bsky.social"


def test_a_state_of_another_format_starts_empty_and_says_why(tmp_path):
    sim = Simulator(seed=1)
    StateFile(sim, tmp_path).load()
    sim.record_post("x", "bob", "1", "kept?")
    path = tmp_path / "state.json"
    old = Simulator(seed=1)
    store = StateFile(old, tmp_path)
    store.load()
    data = json.loads(path.read_text())
    data["format"] = FORMAT - 1
    path.write_text(json.dumps(data))

    fresh = Simulator(seed=1)
    state = StateFile(fresh, tmp_path).load()
    assert not state["restored"] and state["state_id"] != data["state_id"]
    assert "format" in state["reset_reason"]
    assert fresh.posts() == []
    assert (tmp_path / "state.json.old").exists()  # kept for a curious user, never loaded
    assert json.loads(path.read_text())["state_id"] == state["state_id"]


def test_a_class_whose_fields_changed_is_incompatible(tmp_path):
    sim = Simulator(seed=1)
    store = StateFile(sim, tmp_path)
    store.load()
    sim["bluesky"].ensure_account("carol")
    store.save()
    path = tmp_path / "state.json"
    data = json.loads(path.read_text())
    for obj in data["objects"]:
        obj["f"].pop("handle", None)  # as if written by an older Account without it
    path.write_text(json.dumps(data))
    state = StateFile(Simulator(seed=1), tmp_path).load()
    assert not state["restored"] and "other fields" in state["reset_reason"]


def test_an_in_memory_simulator_reports_a_new_state_after_a_reset():
    sim = Simulator(seed=1)
    before = sim.state()
    assert not before["persistent"]
    sim.reset()
    assert sim.state()["state_id"] != before["state_id"]


def test_the_simulator_process_saves_what_came_just_before_it_was_stopped(tmp_path):
    """`python -m simulator --state-dir` (as `make run` starts it): SIGTERM right after a
    change still leaves the change on disk (the last save runs after uvicorn's shutdown)."""
    import signal
    import subprocess
    import sys
    import time

    from tests.support.processes import ROOT, free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", str(port), "--state-dir", str(tmp_path),
         "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/_sim/health", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        r = httpx.post(f"http://127.0.0.1:{port}/_sim/bluesky/accounts/dora")
        assert r.status_code == 200, r.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["platforms"]["bluesky"]["accounts"]  # dora is there


def test_after_a_reboot_processed_media_stay_processed(tmp_path):
    """time.monotonic() restarts with the machine: saved processing deadlines move with it."""
    import time

    from simulator.x import Media

    sim = Simulator(seed=1)
    store = StateFile(sim, tmp_path)
    store.load()
    ready = time.monotonic() - 5  # processed five seconds ago
    sim["x"].media["m1"] = Media("m1", "u1", "tweet_video", "video/mp4", 10, time.time(),
                                 time.time() + 3600, ready_at=ready)  # fmt: skip
    store.save()
    path = tmp_path / "state.json"
    data = json.loads(path.read_text())
    # Written by a machine that had been up much longer: its clock read 10 000 000 s more.
    data["saved_monotonic"] += 10_000_000
    [media] = [o for o in data["objects"] if o["cls"] == "simulator.x:Media"]
    media["f"]["ready_at"] += 10_000_000
    path.write_text(json.dumps(data))
    again = Simulator(seed=1)
    assert StateFile(again, tmp_path).load()["restored"]
    media = again["x"].media["m1"]
    assert abs((time.monotonic() - media.ready_at) - 5) < 2  # still five seconds ago
    assert media.created > 1e9  # an epoch stamp is left alone
