"""LLM backends against local fake servers (Grok's OpenAI-compatible API, Ollama): valid, repaired,
malformed, timed out and failing replies; every failure falls back to the default parser."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stickgen.story import parse
from stickgen.story.llm import (SYSTEM_PROMPT, GrokBackend, LLMError, MockBackend, OllamaBackend, extract_json,
                                script_from_reply)
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
    """A local server speaking either API; ``content`` is what the model 'says', ``delay`` stalls it."""

    def __init__(self):
        self.content, self.delay, self.status, self.raw, self.requests = json.dumps(GOOD), 0.0, 200, None, []
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
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
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
    assert [(a.action, a.start, a.end) for a in script.scenes[0].actions] == [("walk", 0.0, 3.0), ("high_five", 3.0, 6.0)]
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
