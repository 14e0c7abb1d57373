""""What I understood": a :class:`~stickgen.story.schema.Script` told back in plain words.

Per character, the timeline of actions with their times and what the sentence added to them (direction,
turn, count, hand, speed, partner), then expressions and speech; then every warning of the script (words
ignored, a parser fallback and why). When nobody does anything but stand, the summary lists what the
model can act out. The CLI prints it and the app shows it above the video.
"""
from __future__ import annotations

from .. import vocab
from .schema import Script, TimedAction

#: what a prompt that names nothing recognisable is told the model can do (every action but standing)
CAN_DO = ", ".join(a.name.replace("_", " ") for a in vocab.ACTIONS if a.name != "idle")


def understood(script: Script) -> str:
    """The summary as Markdown lines (one bullet per character, then the notes)."""
    lines = []
    for character in script.characters:
        name = character.name
        actions = [a for s in script.scenes for a in s.actions if a.character == name]
        expressions = [e for s in script.scenes for e in s.expressions if e.character == name]
        speech = [line for s in script.scenes for line in s.speech if line.character == name]
        parts = ["; ".join(_action(a) for a in actions) or "stands still"]
        if expressions:
            parts.append("looks " + ", ".join(f"{e.expression} {_span(e.start, e.end)}" for e in expressions))
        if speech:
            parts.append("; ".join(f"{line.type}s {_quote(line.text)}{_span(line.start, line.end)}" for line in speech))
        lines.append(f"- **{name}**: " + "; ".join(parts))
    notes = list(script.warnings)
    if all(a.action == "idle" for s in script.scenes for a in s.actions):
        notes.append(f"everyone just stands; the actions the model can act out are: {CAN_DO}")
    lines += [f"- note: {note}" for note in notes]
    return "\n".join(lines)


def _action(action: TimedAction) -> str:
    details = []
    if action.direction and action.direction not in ("forward", "converge"):  # converging: "toward" says it
        details.append(action.direction)
    if action.distance:
        details.append(f"{action.distance:g} m")
    if action.turn:
        details.append(f"turning {abs(action.turn):g}° {'left' if action.turn > 0 else 'right'}")
    if action.count:
        details.append(f"{action.count:g} times")
    if action.hand:
        details.append(f"{action.hand} hand")
    if action.speed and action.speed != 1.0:
        details.append(f"speed x{action.speed:g}")
    if action.size:
        details.append(f"size x{action.size:g}")
    if action.partner:
        details.append(f"with {action.partner}")
    elif action.target:
        details.append(f"toward {action.target}")
    extra = f" ({', '.join(details)})" if details else ""
    return f"{action.action.replace('_', ' ')}{extra} {_span(action.start, action.end)}"


def _span(start: float, end: float) -> str:
    return f"{start:.1f}-{end:.1f} s"


def _quote(text: str) -> str:
    return f"“{text}” " if text else ""
