"""Story parsing with an LLM (Grok, Ollama or a mock), falling back to the default parser.

The LLM gets a system prompt that describes the script JSON (:mod:`stickgen.story.schema`) and the
vocabulary, and must answer with one JSON object. :func:`~stickgen.story.llm_reply.script_from_reply`
extracts the object from the reply, repairs what can be repaired (code fences, trailing commas, numbers as
strings, synonyms for action names, times past the end, missing characters) and validates it; anything
else is rejected. On a timeout, an HTTP or network error or an invalid reply, :func:`parse` uses the
default parser and says why, in one line, in ``script.warnings``.

Backends speak plain HTTP through ``urllib``: Grok's OpenAI-compatible ``/chat/completions`` (key from
``XAI_API_KEY``, base URL from ``XAI_BASE_URL`` or ``base_url``) and Ollama's ``/api/chat`` with
``format: "json"`` (host from ``OLLAMA_HOST`` or ``host``). A request has one deadline, ``timeout``
seconds for connecting, sending and reading the whole answer, and the answer is capped at
``MAX_REPLY_BYTES``; JSON with NaN, Infinity, huge numbers or deep nesting is rejected.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import textwrap
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

from .. import vocab
from .llm_reply import script_from_reply
from .parser import parse_prompt
from .schema import DIRECTIONS, Script, ScriptError
from .strict_json import loads_strict

BACKENDS = ("none", "mock", "ollama", "grok")
GROK_URL = "https://api.x.ai/v1"
GROK_MODEL = "grok-3-mini"
OLLAMA_URL = "http://127.0.0.1:11434"
OLLAMA_MODEL = "llama3.2"
DEFAULT_TIMEOUT = 30.0  # seconds for a whole request: connect, send and read the full answer
# A script is a few kB of JSON; an answer past this is runaway or hostile, so reading stops and it is rejected.
MAX_REPLY_BYTES = 1 << 20
READ_CHUNK = 64 << 10
WARNING_WIDTH = 300  # characters of a failure's reason kept in the one-line warning


class LLMError(RuntimeError):
    """The backend could not give an answer (network, HTTP status, timeout, missing key)."""


SYSTEM_PROMPT = f"""You turn a description of a stick-figure animation into a JSON script.
Answer with ONE JSON object and nothing else, with these fields:
{{"title": str, "description": str, "duration": seconds,
 "characters": [{{"name": str, "role": str, "type": "human"|"robot"|"child"|"animal", "color": "#rrggbb"|null}}],
 "scenes": [{{"start": 0, "end": duration, "description": str,
   "actions": [{{"character": name, "action": ACTION, "start": s, "end": s, "manner": "adverbs, e.g. quickly",
                "speed": m/s|null, "energy": 0..1|null, "partner": name|null, "direction": DIRECTION|null,
                "target": name|null, "distance": metres|null, "turn": degrees to the left|null}}],
   "expressions": [{{"character": name, "expression": EXPRESSION, "start": s, "end": s}}],
   "speech": [{{"character": name, "type": SPEECH, "start": s, "end": s, "text": str}}],
   "camera": [{{"move": CAMERA, "start": s, "end": s, "target": name|null, \
"direction": "in"|"out"|"left"|"right"|"up"|null}}],
   "objects": [{{"type": str, "near": name|null}}]}}],
 "layout": [{{"character": name, "start": [x, z], "facing": degrees (0 faces the camera, 90 faces +x), "path": null}}]}}
Times are seconds from 0 to duration; each character's actions should cover the whole clip in order.
Interactions need both characters doing the same action at the same time with each other as partner.
ACTION is one of: {", ".join(vocab.ACTION_NAMES)}.
EXPRESSION is one of: {", ".join(vocab.EXPRESSION_NAMES)}.
SPEECH is one of: {", ".join(vocab.SPEECH_NAMES)}.
CAMERA is one of: {", ".join(vocab.CAMERA_MOVES)}.
DIRECTION is one of: {", ".join(DIRECTIONS)}."""


def user_prompt(prompt: str, duration: float) -> str:
    return f"Duration: {duration:g} seconds.\nDescription: {prompt}"


# ----------------------------------------------------------------------------- HTTP


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    """POST ``body`` as JSON to ``url`` and decode the JSON answer, all within ``timeout`` seconds."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    payload = _within_deadline(lambda: _fetch(request, timeout), timeout, url)
    try:
        return loads_strict(payload)
    except ValueError as exc:
        raise LLMError(f"{url} answered with something that is not usable JSON ({exc})") from None


def _within_deadline(work: Callable[[], Any], timeout: float, url: str) -> Any:
    """``work()`` run in a daemon thread; :class:`LLMError` if it is not done after ``timeout`` seconds.

    A thread covers what socket timeouts do not (name lookup, headers trickled a byte at a time). An
    abandoned one ends by itself: :func:`_fetch` stops at its first read past the deadline or on a socket
    timeout; only a server still trickling headers keeps it alive, idle, until it stops.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="stickgen-llm-request", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise _timed_out(url, timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _fetch(request: urllib.request.Request, timeout: float) -> bytes:
    """The body answering ``request``, read in chunks until ``timeout`` seconds are up or it passes the cap."""
    deadline = time.monotonic() + timeout
    url = request.full_url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = bytearray()
            while chunk := response.read1(READ_CHUNK):
                payload += chunk
                if len(payload) > MAX_REPLY_BYTES:
                    raise LLMError(f"{url} answered with more than {MAX_REPLY_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise _timed_out(url, timeout)
            return bytes(payload)
    except urllib.error.HTTPError as exc:
        raise LLMError(f"HTTP {exc.code} from {url}") from None
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets, TLS, garbled HTTP
        reason = getattr(exc, "reason", exc)
        if "timed out" in str(reason):
            raise _timed_out(url, timeout) from None
        raise LLMError(f"no answer from {url} ({reason})") from None


def _timed_out(url: str, timeout: float) -> LLMError:
    """The error for a request that missed its deadline (it says "timed out" and names the deadline)."""
    return LLMError(f"no answer from {url} (timed out: the {timeout:g} s deadline passed)")


class GrokBackend:
    """xAI Grok through its OpenAI-compatible chat completions API, asking for a JSON object."""

    name = "grok"

    def __init__(self, api_key: str | None = None, base_url: str | None = None, model: str = GROK_MODEL,
                 timeout: float = DEFAULT_TIMEOUT):
        self.api_key = api_key or os.environ.get("XAI_API_KEY")
        self.base_url = (base_url or os.environ.get("XAI_BASE_URL") or GROK_URL).rstrip("/")
        self.model, self.timeout = model, timeout

    def complete(self, system: str, user: str) -> str:
        if not self.api_key:
            raise LLMError("XAI_API_KEY is not set")
        body = {"model": self.model, "temperature": 0, "response_format": {"type": "json_object"},
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
        reply = _post_json(f"{self.base_url}/chat/completions", body,
                           {"Authorization": f"Bearer {self.api_key}"}, self.timeout)
        try:
            return reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError("chat completion reply has no choices[0].message.content") from None


class OllamaBackend:
    """A local Ollama server's ``/api/chat`` with ``format: "json"`` and no streaming."""

    name = "ollama"

    def __init__(self, host: str | None = None, model: str = OLLAMA_MODEL, timeout: float = DEFAULT_TIMEOUT):
        self.host = (host or os.environ.get("OLLAMA_HOST") or OLLAMA_URL).rstrip("/")
        if not self.host.startswith(("http://", "https://")):
            self.host = "http://" + self.host
        self.model, self.timeout = model, timeout

    def complete(self, system: str, user: str) -> str:
        body = {"model": self.model, "format": "json", "stream": False, "options": {"temperature": 0},
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
        reply = _post_json(f"{self.host}/api/chat", body, {}, self.timeout)
        try:
            return reply["message"]["content"]
        except (KeyError, TypeError):
            raise LLMError("Ollama reply has no message.content") from None


class MockBackend:
    """Answers with ``reply`` when given, else with the default parser's script as JSON (offline demos)."""

    name = "mock"

    def __init__(self, reply: str | None = None):
        self.reply = reply

    def complete(self, system: str, user: str) -> str:
        if self.reply is not None:
            return self.reply
        duration = float(re.search(r"Duration: ([\d.]+)", user).group(1))
        prompt = user.split("Description: ", 1)[1]
        return parse_prompt(prompt, duration).to_json()


def make_backend(llm: str, **options: Any):
    """The backend called ``llm`` ("mock", "ollama" or "grok") built with ``options``."""
    kinds = {"grok": GrokBackend, "ollama": OllamaBackend, "mock": MockBackend}
    if llm not in kinds:
        raise ValueError(f"unknown LLM backend {llm!r}; expected one of: {', '.join(BACKENDS)}")
    return kinds[llm](**options)


# ----------------------------------------------------------------------------- entry point


def parse(prompt: str, duration: float = 10.0, llm: str = "none", matcher: Any = "embedding",
          **llm_options: Any) -> Script:
    """Prompt -> :class:`Script` with the default parser (``llm="none"``) or an LLM backend.

    ``matcher`` is used by the default parser for clauses no synonym names: ``"embedding"`` (MiniLM
    similarity to the action descriptions, loaded on first need), a callable, or None. LLM failures fall
    back to the default parser with a warning; an empty prompt raises :class:`ScriptError` either way.
    """
    if matcher == "embedding":
        from .similarity import embedding_matcher

        matcher = embedding_matcher()
    if not isinstance(prompt, str) or not prompt.strip() or llm == "none":
        if llm not in BACKENDS:
            raise ValueError(f"unknown LLM backend {llm!r}; expected one of: {', '.join(BACKENDS)}")
        return parse_prompt(prompt, duration, matcher)
    backend = make_backend(llm, **llm_options)
    try:
        return script_from_reply(backend.complete(SYSTEM_PROMPT, user_prompt(prompt.strip(), duration)),
                                 prompt.strip(), duration)
    except (LLMError, ScriptError) as exc:
        script = parse_prompt(prompt, duration, matcher)
        reason = textwrap.shorten(str(exc), WARNING_WIDTH, placeholder=" ...")
        script.warnings.append(f"{llm} backend failed ({reason}); used the default parser instead")
        return script
