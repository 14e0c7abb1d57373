"""Putting one actor's step into the story: the reading state with the rules that settle and place a step.

:class:`StepPlacer` chooses a step's action from the clause's actions and the actor's state (getting up,
sprinting flat out, walking back, a turn waiting for its action), pairs the partners of an interaction and
places the step in its beat, merged with the step already there or replacing it. The clause reader in
:mod:`stickgen.story.parser` builds on it.
"""
from __future__ import annotations

from .. import vocab
from . import lexicon as lx
from .state import Step, StoryState

MOVING = set(lx.ACTION_SPEED)
INTERACTIONS = {a.name for a in vocab.ACTIONS if a.actors == 2}
COMBAT = {a.name for a in vocab.ACTIONS if a.family == "combat"}
THROWS = {"throwing", "pitching"}


class StepPlacer(StoryState):
    """The reading state with the per-actor rules: choose a step's action, find its partner, place it."""

    def _settle(self, step: Step, actions: list[str | None], subject: list[int], standing_up: bool) -> None:
        """Choose the step's action from the clause's actions and the actor's state; set partners."""
        action, *also = actions
        also = [a for a in dict.fromkeys(also) if a != action]
        if action == "stand" and not standing_up and \
                self.last_action(step.actor) not in ("sit", "kneel", "lie_down", "crawling"):
            action = "idle"
        if action == "run" and step.speed == lx.FULL_SPEED[0]:  # "as fast as he can", not "furiously"
            action, step.speed, step.pace = "sprint", 1.0, None
        if step.pace is not None and action in ("walk", "run"):
            step.speed *= step.pace / lx.ACTION_SPEED[action]
        if step.direction == "toward" and action not in MOVING:
            step.direction = None
        if action in ("walk", "run", "sprint") and step.direction == "bases":
            action = "running_bases"
        moving = [a for a in (action, *also) if a in MOVING]
        if moving and action not in MOVING and action not in INTERACTIONS:
            also, action = [action, *[a for a in also if a != moving[0]]], moving[0]
        step.action, step.also = action, also
        before = next((s for s in reversed(self.steps) if s.actor == step.actor and s.action is not None), None)
        if step.hand is None and before is not None and before.action == action:  # the same hand goes on waving
            step.hand = before.hand
        if step.actor in self.pending_turn and step.turn is None:
            step.turn = self.pending_turn.pop(step.actor)
        if step.direction == "backward" and "back" in step.manner:  # "walks back": return, facing the way
            step.turn, step.direction = step.turn or 180.0, "forward"  # it came, as far as it went
            out = next((s for s in reversed(self.steps) if s.actor == step.actor and s.action in MOVING), None)
            step.distance = step.distance or (out.distance if out is not None else None)
        if step.direction in ("converge", "diverge") and len(subject) == 2:
            step.target = subject[1 - subject.index(step.actor)]
        if action in INTERACTIONS:
            step.partner = self._partner(step, subject)

    def _partner(self, step: Step, subject: list[int]) -> int:
        if step.target is not None and step.target != step.actor:
            return step.target
        groups = sorted({self.cast.members[i].group for i in subject})
        if len(groups) == 2:  # "two teams fight", "a man and a woman hug": pair across the groups
            mine = [i for i in subject if self.cast.members[i].group == self.cast.members[step.actor].group]
            theirs = [i for i in subject if i not in mine]
            return theirs[mine.index(step.actor) % len(theirs)]
        if len(subject) > 1:
            k = subject.index(step.actor)
            return subject[k ^ 1] if (k ^ 1) < len(subject) else subject[k - 1]
        return self.cast.partner_for(step.actor)

    def _place(self, step: Step, merged: bool) -> None:
        existing = self.step_at(step.actor, step.beat)
        if existing is not None and (merged or existing.action is None):
            if existing.action is None:
                existing.action = step.action
            elif step.action and step.action != existing.action:
                existing.also.append(step.action)
            for name in ("direction", "target", "distance", "seconds", "turn", "count", "size", "hand", "emotion",
                         "speech", "partner"):
                if getattr(existing, name) is None:
                    setattr(existing, name, getattr(step, name))
            existing.manner += [m for m in step.manner if m not in existing.manner]
            return
        if existing is not None:
            self.steps.remove(existing)
        self.steps.append(step)
        if step.partner is not None:
            self._join_partner(step)
        elif step.action in THROWS and step.target is not None and self.step_at(step.target, step.beat) is None:
            self.steps.append(Step(step.target, step.beat, "catching", target=step.actor))  # "throws to Bob"

    def _join_partner(self, step: Step) -> None:
        """The partner of an interaction does it too, in the same beat, facing back."""
        other = self.step_at(step.partner, step.beat)
        if other is not None and other.action == step.action:
            other.partner = step.actor
            return
        if other is not None:
            self.steps.remove(other)
        self.steps.append(Step(step.partner, step.beat, step.action, manner=list(step.manner),
                               energy=step.energy, partner=step.actor, emotion=step.emotion))
        self.cast.mention([step.partner])

    def face_opponents(self) -> None:
        """Two characters doing combat moves in the same beat, neither aiming at anyone, face each other."""
        for beat in {s.beat for s in self.steps}:
            fighters = [s for s in self.steps if s.beat == beat and s.action in COMBAT and s.target is None]
            if len(fighters) == 2 and fighters[0].actor != fighters[1].actor:
                fighters[0].target, fighters[1].target = fighters[1].actor, fighters[0].actor
