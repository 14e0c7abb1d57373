"""The story engine's reading state: the cast, the steps each clause adds (one character's part in one
beat), camera shots, props and the beat clock. The parser (:mod:`stickgen.story.parser`) fills it; the
timeline (:mod:`stickgen.story.timeline`) turns it into a timed :class:`~stickgen.story.schema.Script`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .cast import Cast
from .clauses import Clause

Matcher = Callable[[str], "str | None"]  # a clause no synonym names -> an action name, or None


@dataclass
class Step:
    """One character's part in one clause; ``action`` None keeps doing the previous action."""

    actor: int
    beat: int
    action: str | None
    also: list[str] = field(default_factory=list)
    manner: list[str] = field(default_factory=list)
    speed: float = 1.0  # multiplier of the action's base speed
    energy: float | None = None
    direction: str | None = None
    target: int | None = None
    partner: int | None = None
    distance: float | None = None
    seconds: float | None = None
    turn: float | None = None
    count: float | None = None
    size: float | None = None
    hand: str | None = None
    pace: float | None = None  # m/s the verb itself names ("strolls", "jogs"), kept for its own action
    emotion: str | None = None
    speech: tuple[str, str] | None = None


@dataclass
class Shot:
    beat: int | None  # None: the whole clip
    move: str
    direction: str | None
    target: int | None


class StoryState:
    """Reading state: the cast, the steps so far and the beat clock."""

    def __init__(self, quotes: list[str], matcher: Matcher | None):
        self.quotes = quotes
        self.matcher = matcher
        self.cast = Cast()
        self.steps: list[Step] = []
        self.shots: list[Shot] = []
        self.props: list[tuple[str, int]] = []
        self.pending_turn: dict[int, float] = {}
        self.framed_shot: Shot | None = None
        self.leading: Clause | None = None  # "After dodging," waits for its main clause's subject
        self.settings: list[Clause] = []  # "In the park," / "Happily," before anyone is named
        self.mood: list[str] = []  # the manner and emotion words of those, for the first named subject
        self.beat = 0
        self.sentence_beat = 0

    def last_beat(self, actor: int) -> int:
        return max((s.beat for s in self.steps if s.actor == actor and s.action is not None), default=-1)

    def step_at(self, actor: int, beat: int) -> Step | None:
        return next((s for s in self.steps if s.actor == actor and s.beat == beat), None)

    def last_action(self, actor: int) -> str | None:
        acted = [s for s in self.steps if s.actor == actor and s.action is not None]
        return acted[-1].action if acted else None
