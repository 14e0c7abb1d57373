"""LLM backends against local fake servers (Grok's OpenAI-compatible API, Ollama): valid, repaired,
malformed, timed out, trickled, oversized and failing replies; every failure falls back to the default
parser with a one-line warning."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stickgen.story import parse
from stickgen.story.llm import (
    MAX_REPLY_BYTES,
    SYSTEM_PROMPT,
    GrokBackend,
    LLMError,
    MockBackend,
    OllamaBackend,
)
from stickgen.story.llm_reply import extract_json, script_from_reply
from stickgen.story.schema import ScriptError

GOOD = {
    "title": "wave", "description": "a robot waves", "duration": 6,
    "characters": [{"name": "Robo", "role": "robot", "type": "robot", "color": "#00ff00"}],
    "scenes": [{"start": 0, "end": 6, "description": "",
                "actions": [{"character": "Robo", "action": "walk", "start": 0, "end": 3, "direction": "forward"},
                            {"character": "Robo", "action": "wave", "start": 3, "end": 6}],
                "expressions": [{"character": "Robo", "expression": "happy", "start": 0, "end": 6}],
                "speech": [{"character": "Robo", "type": "talk", "start": 3, "end": 5, "text": "beep"}],
                "camera": [{"move": "orbit", "start": 0, "end": 6}], "objects": []}],
    "layout": [{"character": "Robo", "start": [0, 0], "facing": 0}],
}


class FakeLLM:
    """A local server speaking either API; ``content`` is what the model 'says', ``delay`` stalls it.

    ``trickle = (pause, headers_too)`` sends the answer a byte per ``pause`` seconds, from the status line
    on when ``headers_too``; ``endless`` streams spaces with no length until the client hangs up or ``stop``.
    """

    def __init__(self):
        self.content, self.delay, self.status, self.raw, self.requests = json.dumps(GOOD), 0.0, 200, None, []
        self.trickle, self.endless, self.stop = None, False, threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append((self.path, dict(self.headers), body))
                time.sleep(fake.delay)
                if self.path.endswith("/chat/completions"):
                    reply = {"id": "x", "object": "chat.completion",
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": fake.content}}]}
                else:
                    reply = {"model": body["model"], "message": {"role": "assistant", "content": fake.content},
                             "done": True}
                data = fake.raw if fake.raw is not None else json.dumps(reply).encode()
                if fake.trickle or fake.endless:
                    return self.send_slowly_or_endlessly(data)
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def send_slowly_or_endlessly(self, data):
                length = "" if fake.endless else f"Content-Length: {len(data)}\r\n"
                head = f"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n{length}\r\n".encode()
                pause, headers_too = fake.trickle or (0.0, False)
                pieces = (bytes([b]) for b in (head + data if headers_too else data))
                try:
                    if not headers_too:
                        self.wfile.write(head)
                    for piece in (iter(lambda: b" " * 65536, None) if fake.endless else pieces):
                        if fake.stop.is_set():
                            return
                        self.wfile.write(piece)
                        time.sleep(pause)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()


@pytest.fixture()
def fake():
    server = FakeLLM()
    yield server
    server.stop.set()
    server.server.shutdown()
    server.server.server_close()


def grok(fake, **kw):
    return dict(llm="grok", matcher=None, api_key="test-key", base_url=f"{fake.url}/v1", **kw)


def test_grok_request_and_valid_reply(fake):
    script = parse("a robot walks, then waves", 6.0, **grok(fake))
    path, headers, body = fake.requests[0]
    assert path == "/v1/chat/completions" and headers["Authorization"] == "Bearer test-key"
    assert body["response_format"] == {"type": "json_object"} and body["messages"][0]["content"] == SYSTEM_PROMPT
    assert "a robot walks, then waves" in body["messages"][1]["content"]
    assert [(a.action, a.start, a.end) for a in script.scenes[0].actions] == [("walk", 0.0, 3.0), ("wave", 3.0, 6.0)]
    assert script.characters[0].type == "robot" and script.warnings == []


def test_ollama_request_and_valid_reply(fake):
    script = parse("a robot walks, then waves", 6.0, llm="ollama", matcher=None, host=fake.url, model="tiny")
    path, _, body = fake.requests[0]
    assert path == "/api/chat" and body["format"] == "json" and body["stream"] is False and body["model"] == "tiny"
    assert script.scenes[0].camera[0].move == "orbit" and script.scenes[0].speech[0].text == "beep"


def test_repairs_fences_trailing_commas_synonyms_strings_and_overlong_times(fake):
    doc = json.loads(json.dumps(GOOD))
    actions = doc["scenes"][0]["actions"]
    actions[0].update(action="strolls", start="0", end="6s")
    actions[1].update(action="high-five", start=6, end=12)  # 12 s in a 6 s clip: all times scaled by 1/2
    doc["characters"] = []  # missing characters are recovered from the actions
    fake.content = "Here you go:\n```json\n" + json.dumps(doc)[:-1] + ",}\n```"
    script = parse("a robot walks, then waves", 6.0, **grok(fake))
    timed = [(a.action, a.start, a.end) for a in script.scenes[0].actions]
    assert timed == [("walk", 0.0, 3.0), ("high_five", 3.0, 6.0)]
    assert [c.name for c in script.characters] == ["Robo"] and script.warnings == []


@pytest.mark.parametrize("content, raw, status", [
    ("this is not json at all", None, 200),
    ('{"title": "x", "scenes": [', None, 200),
    (json.dumps({"title": "no scenes"}), None, 200),
    (json.dumps({**GOOD, "scenes": [{"actions": [{"character": "Robo", "action": "juggle", "start": 0, "end": 1}]}]}),
     None, 200),
    ("", b"<html>gateway error</html>", 200),
    ("", None, 500),
])
def test_invalid_replies_fall_back_to_the_default_parser(fake, content, raw, status):
    fake.content, fake.raw, fake.status = content, raw, status
    script = parse("a man jumps, then sits", 5.0, **grok(fake))
    assert [a.action for a in script.scenes[0].actions] == ["jump", "sit"]
    assert script.warnings and script.warnings[-1].startswith("grok backend failed")


def test_timeouts_fall_back_quickly(fake):
    fake.delay = 2.0
    started = time.perf_counter()
    script = parse("a woman dances", 4.0, llm="ollama", matcher=None, host=fake.url, timeout=0.3)
    assert time.perf_counter() - started < 1.5
    assert script.scenes[0].actions[0].action == "dance" and "timed out" in script.warnings[-1]


def test_unreachable_server_and_missing_key(monkeypatch, fake):
    fake.server.shutdown()
    fake.server.server_close()
    script = parse("a man waves", 3.0, llm="ollama", matcher=None, host=fake.url, timeout=1.0)
    assert "ollama backend failed (no answer" in script.warnings[-1]
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    with pytest.raises(LLMError, match="XAI_API_KEY"):
        GrokBackend().complete("s", "u")
    script = parse("a man waves", 3.0, llm="grok", matcher=None)
    assert "XAI_API_KEY is not set" in script.warnings[-1]


def test_backend_configuration_from_the_environment(monkeypatch):
    monkeypatch.setenv("XAI_API_KEY", "k")
    monkeypatch.setenv("XAI_BASE_URL", "http://127.0.0.1:9/v9/")
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:11500")
    assert (GrokBackend().api_key, GrokBackend().base_url) == ("k", "http://127.0.0.1:9/v9")
    assert OllamaBackend().host == "http://127.0.0.1:11500"
    with pytest.raises(ValueError, match="unknown LLM backend"):
        parse("a man waves", 3.0, llm="gpt", matcher=None)


def test_mock_backend_and_reply_helpers():
    script = parse("two friends hug", 4.0, llm="mock", matcher=None)
    assert [a.action for a in script.scenes[0].actions] == ["hug", "hug"] and script.warnings == []
    canned = MockBackend(json.dumps(GOOD)).complete("s", "u")
    assert script_from_reply(canned, "p", 6.0).characters[0].name == "Robo"
    assert extract_json('noise {"a": [1, 2,],} noise') == {"a": [1, 2]}
    with pytest.raises(ScriptError, match="no JSON object"):
        extract_json("nothing here")


def request_threads():
    return [t for t in threading.enumerate() if t.name == "stickgen-llm-request"]


def assert_one_line_fallback(script, why):
    """The default parser's script for "a man jumps, then sits", with a one-line warning containing ``why``."""
    assert [a.action for a in script.scenes[0].actions] == ["jump", "sit"]
    warning = script.warnings[-1]
    assert warning.startswith("grok backend failed") and why in warning
    assert "\n" not in warning and "Traceback" not in warning and len(warning) < 400


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_trickled_reply_is_abandoned_at_the_one_deadline(fake, headers_too):
    fake.trickle = (0.2, headers_too)  # each byte beats a per-read timeout, the whole reply never arrives
    started = time.perf_counter()
    script = parse("a man jumps, then sits", 5.0, **grok(fake, timeout=1.0))
    elapsed = time.perf_counter() - started
    assert 0.9 < elapsed < 2.0
    assert_one_line_fallback(script, "timed out: the 1 s deadline passed")
    if not headers_too:  # the abandoned request stops reading at the next byte past its deadline
        deadline = time.perf_counter() + 2.0
        while request_threads() and time.perf_counter() < deadline:
            time.sleep(0.05)
        assert not request_threads()


def test_a_fast_reply_within_a_short_deadline_still_works(fake):
    script = parse("a robot walks, then waves", 6.0, **grok(fake, timeout=1.0))
    assert [a.action for a in script.scenes[0].actions] == ["walk", "wave"] and script.warnings == []


def test_an_endless_reply_is_cut_off_at_the_size_cap(fake):
    fake.endless = True
    started = time.perf_counter()
    script = parse("a man jumps, then sits", 5.0, **grok(fake, timeout=10.0))
    assert time.perf_counter() - started < 3.0
    assert_one_line_fallback(script, f"answered with more than {MAX_REPLY_BYTES} bytes")


DEEP = "[" * 5000 + "]" * 5000
HUGE = "9" * 5000


@pytest.mark.parametrize("content, raw, why", [
    ('{"scenes": %s}' % DEEP, None, "nested too deeply"),
    (json.dumps(GOOD).replace('"end": 3', f'"end": {HUGE}'), None, "an integer has 5000 digits"),
    ("", ('{"choices": %s}' % DEEP).encode(), "nested too deeply"),
    ("", ('{"choices": [], "usage": %s}' % HUGE).encode(), "an integer has 5000 digits"),
    (json.dumps(GOOD).replace('"end": 3', '"end": NaN'), None, "NaN is not a number"),
    (json.dumps(GOOD).replace('"end": 3', '"end": -Infinity'), None, "-Infinity is not a number"),
    (json.dumps(GOOD).replace('"end": 3', '"end": 1e999'), None, "1e999 is out of range"),
    ("", b'{"choices": [{"message": {"content": "x"}}], "n": Infinity}', "Infinity is not a number"),
], ids=["deep-content", "huge-int-content", "deep-envelope", "huge-int-envelope", "nan", "-infinity",
        "overflowing-float", "infinity-envelope"])
def test_replies_that_cannot_be_parsed_fall_back_with_one_line_saying_why(fake, content, raw, why):
    fake.content, fake.raw = content, raw
    assert_one_line_fallback(parse("a man jumps, then sits", 5.0, **grok(fake)), why)


def test_bools_and_non_finite_strings_are_not_numbers(fake):
    doc = json.loads(json.dumps(GOOD))
    walk, wave = doc["scenes"][0]["actions"]
    walk.update(start=False, end=True)  # bools are not times: the event is dropped, not read as 0..1 s
    wave.update(start="nan", end="inf")
    fake.content = json.dumps(doc)
    assert_one_line_fallback(parse("a man jumps, then sits", 5.0, **grok(fake)), "no usable actions")
    wave.update(start=3, end=6, energy=True)  # a bool energy is rejected, not clamped to 1.0
    with pytest.raises(ScriptError, match="energy"):
        script_from_reply(json.dumps(doc), "p", 6.0)
    del wave["energy"]
    walk.update(start=0, end="3s")
    doc["scenes"][0]["expressions"] = 5  # a field that should be a list but is not is ignored
    assert [a.action for a in script_from_reply(json.dumps(doc), "p", 6.0).scenes[0].actions] == ["walk", "wave"]
