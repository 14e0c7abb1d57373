"""The default story parser: a prompt becomes a :class:`~stickgen.story.schema.Script`, with no network.

1. :func:`~stickgen.story.clauses.split_clauses` cuts the prompt into clauses;
2. :class:`~stickgen.story.cast.Cast` reads each clause's subject ("two friends", "she", "the man");
3. the rest of the clause gives actions (synonyms, then ``matcher`` for clauses no synonym names), manner
   ("slowly", "as fast as she can"), direction ("backwards", "in a circle", "toward each other"), distance
   ("5 metres"), duration ("for 3 seconds"), emotion, speech ("says 'hi'"), props and film words;
4. clauses become beats on one clock: sequence words start a new beat, "while" shares the beat, a new
   subject joins the current one; beats are stretched from each action's nominal length to fill the clip.
"""
from __future__ import annotations

import math
import re
from dataclasses import replace

from . import control_lexicon as clx
from . import lexicon as lx
from .clauses import Clause, base_form, match_actions, opens_with_verb, split_clauses
from .control_words import is_number, only_modifiers, read_controls, read_count, read_turn
from .schema import Script, ScriptError
from .state import Matcher, Shot, Step
from .step_placing import INTERACTIONS, MOVING, StepPlacer
from .timeline import build_script

RETURN_WORDS = {"back", "again"}  # a clause of only these after a moving step is the way back ("... and back")
#: directions after which "and back" is only manner: shapes that come back by themselves, or already backward
NO_WAY_BACK = {"bases", "circle", "circle_right", "back_and_forth", "in_place", "backward"}
#: words before a character that the mover heads for, and words that only say whom the action addresses
HEADING_FOR = {"toward", "towards", "to", "after", "approach", "approaches", "chase", "chases", "behind"}
ADDRESSING = {"at", "with", "around", "past"}
TURN_VERBS = {phrase.split()[0] for phrase in clx.TURN_PHRASES}  # "turn", "spin"
EMPTY_PROMPT = "prompt: empty; describe who does what, for example 'a man walks forward, then waves'"
NO_ACTION = "nobody does anything recognisable in {!r}; using a person standing still"


class _Story(StepPlacer):
    """The reading state with the clause reader: each clause adds steps, shots and props."""

    # ------------------------------------------------------------------ clauses

    def read(self, clause: Clause, setting_allowed: bool = True) -> None:
        """Read one clause. A leading clause ("After dodging,") is kept until the next one names the subject:
        "after" puts it one beat before that clause, "before" one beat after. A clause before anyone is
        named that only sets the scene or the mood (``setting_allowed``) names nobody: its manner and
        emotion words (all its words, if it turns) go to the first subject."""
        if clause.leads and self.leading is None:
            self.leading = clause
            return
        if self.leading is not None and only_modifiers(clause.words):  # "After pacing to the left, sideways,"
            self.leading = replace(self.leading, words=self.leading.words + clause.words,
                                   cased=self.leading.cased + clause.cased)
            return
        leading, self.leading = self.leading, None
        words, cased = self._film_words(clause)
        if not words:
            self.leading = leading  # a shot only: the leading clause waits on
            return
        clause = Clause(words, cased, leading.relation if leading else clause.relation,
                        leading.new_sentence if leading else clause.new_sentence)
        subject, used = (None, 0) if opens_with_verb(words) else self.cast.read_subject(clause)
        explicit = subject is not None
        if setting_allowed and not explicit and not self.cast.members and leading is None \
                and self._sets_the_scene(words):
            self.settings.append(clause)  # "In the park, a woman jogs": no phantom person standing in the park
            turns = any(lx.lemma(w) in TURN_VERBS for w in words)  # "Turning left, a man walks"
            self.mood += [w for w in words if turns or w in lx.EMOTIONS or w in lx.MANNER]
            return
        subject = subject or self.cast.default_subject()
        if self.framed_shot is not None:  # "close-up of a woman laughing": the shot frames the subject
            self.framed_shot.target, self.framed_shot = subject[0], None
        beat = self._beat_for(clause, subject, explicit)
        merged = clause.relation == "sim"
        self.cast.subject = subject
        self.cast.mention(subject)
        if clause.new_sentence:
            self.sentence_beat = beat
        if not explicit and leading is None and self._modifies_last_step(words, subject):
            return
        if leading is not None and leading.leads == "after":
            self._predicate(leading.words, leading.cased, subject, beat, merged)
            beat, merged = beat + 1, False
        self.beat = beat
        mood, self.mood = self.mood, []  # "Happily, a man walks": the man walks happily
        self._predicate(words[used:] + mood, cased[used:] + mood, subject, beat, merged)
        if leading is not None and leading.leads == "before":
            self.beat = beat + 1
            self._predicate(leading.words, leading.cased, subject, beat + 1, False)
        self.cast.mention(subject)  # "he" in the next clause means this subject before its partner

    @staticmethod
    def _sets_the_scene(words: list[str]) -> bool:
        """Whether a clause before anyone is named ("In the park,", "At night,", "Happily,", "Turning left,")
        is only the setting or the mood: no action phrase or speech. (The matcher is not asked: it reads an
        action into nearly any phrase. A prompt of nothing else is read again without this, see
        :func:`parse_prompt`.)"""
        return not match_actions(words) and not any(w.startswith("quote") for w in words)

    def _modifies_last_step(self, words: list[str], subject: list[int]) -> bool:
        """A clause of only direction and manner words and adverbs ("..., turning right", "sideways") says
        more about each subject's last step: its words join that step's manner (and direction, if it had none).
        "... and back" after a moving step is a step of its own: the same action back the way it came."""
        last = [self.step_at(i, self.last_beat(i)) for i in subject]
        text = " ".join(words)
        if all(last) and re.fullmatch(rf"(?:{clx.COUNTED}|{clx.COUNT})(?: (?:in a row|in total|altogether))?", text):
            count = read_count(text)  # "spun around and around, three whole turns"
            for step in last:
                step.count = count or step.count
                if count and step.turn is not None and abs(step.turn) >= 300:
                    step.turn = math.copysign(360.0 * count, step.turn)
            return True
        if not all(last) or not only_modifiers(words):
            return False
        goes_back = "back" in words and set(words) <= RETURN_WORDS
        if goes_back and all(s.action in MOVING and s.direction not in NO_WAY_BACK for s in last):
            self.beat = max(s.beat for s in last) + 1  # "walks to the window and back": the way back, turned round
            self.steps += [Step(s.actor, self.beat, s.action, manner=["back"], speed=s.speed, direction="forward",
                                turn=180.0, distance=s.distance) for s in last]
            return True
        template = Step(actor=-1, beat=-1, action=None)
        self._direction(words, words, template)
        for step in last:
            step.manner.append(" ".join(words))
            spinning = step.turn is not None and abs(step.turn) >= 300  # "spins around and around"
            if not (spinning and template.direction in ("circle", "circle_right")):
                step.direction = step.direction or template.direction
        return True

    def _beat_for(self, clause: Clause, subject: list[int], explicit: bool) -> int:
        if not self.steps:
            return 0
        after_own = max(self.last_beat(i) for i in subject) + 1
        if clause.relation == "seq":
            return max(self.beat + 1, after_own)
        if clause.relation == "sim":
            return self.beat
        if explicit and set(subject) != set(self.cast.subject):
            return max(self.sentence_beat if clause.new_sentence else self.beat, after_own)
        return max(self.beat + 1, after_own)

    def _film_words(self, clause: Clause) -> tuple[list[str], list[str]]:
        """Record camera moves named in the clause; returns its words without them.

        A clause whose subject is the camera ("the camera orbits") is only film words; elsewhere only
        unambiguous film phrases count ("close-up of", "tracking shot"), so "walks toward the camera" is a
        direction, not a shot.
        """
        words = clause.words
        on_camera = "camera" in words[:3] and not any(w in words[:words.index("camera")]
                                                      for w in lx.TARGET_PREPOSITIONS)
        text = " ".join(lx.lemma(w) for w in words)
        for phrase, move, direction in lx.CAMERA_PHRASES:
            if not on_camera and phrase not in lx.FILM_PHRASES:
                continue
            phrase = " ".join(lx.lemma(w) for w in phrase.split())
            found = re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)
            if found is None:
                continue
            cut = len(text[:found.start()].split())
            rest = slice(cut + len(phrase.split()), None)
            after = (words[rest][1:] if words[rest][:1] and words[rest][0] in ("on", "of", "around", "to")
                     else words[rest])
            beat = self.beat + 1 if clause.relation == "seq" and self.steps else None
            self.shots.append(Shot(beat, move, direction, None))
            if on_camera:
                hits, _ = self.cast.reference(after, clause.cased[rest][len(words[rest]) - len(after):],
                                              exclude_subject=False)
                self.shots[-1].target = hits[0] if hits else None
                return [], []
            self.framed_shot = self.shots[-1]
            kept, kept_cased = words[rest], clause.cased[rest]
            if kept[:1] == ["of"]:
                kept, kept_cased = kept[1:], kept_cased[1:]
            return words[:cut] + kept, clause.cased[:cut] + kept_cased
        return ([], []) if on_camera else (words, clause.cased)

    # ------------------------------------------------------------------ predicate

    def _predicate(self, words: list[str], cased: list[str], subject: list[int], beat: int, merged: bool) -> None:
        units = {k + 1 for k, w in enumerate(words[:-1]) if is_number(w) and
                 (lx.lemma(words[k + 1]) in clx.UNITS or lx.lemma(words[k + 1]) in clx.SECONDS)}
        matches = match_actions([w if k not in units else "" for k, w in enumerate(words)])
        used = {k for a, b, _ in matches for k in range(a, b)}
        free = [w if k not in used else "" for k, w in enumerate(words)]
        template = Step(actor=-1, beat=beat, action=None)
        free = self._limbs(words, free, template)
        self._manner(free, template)
        self._direction(free, cased, template)
        self._interaction_object(words, cased, matches, subject, template)
        self._numbers(free, template)
        self._speech_and_emotion(words, template)
        self._props(free, subject)
        actions: list[str | None] = [a for _, _, a in matches]
        controlled = read_controls(words, free, matches, template)
        actions = controlled or actions
        if not controlled:  # "strolls", "jogs": the verb's own pace, for its own action
            template.pace = next((clx.VERB_SPEED[base_form(words[a])] for a, _, action in matches
                                  if base_form(words[a]) in clx.VERB_SPEED and action in ("walk", "run")), None)
        if not actions and template.speech:
            actions = [template.speech[0]]
        if not actions and template.turn is not None:
            for actor in subject:
                self.pending_turn[actor] = self.pending_turn.get(actor, 0.0) + template.turn
            return
        if not actions and template.emotion is None:
            guess = self.matcher(" ".join(words)) if self.matcher and words else None
            if guess is None:
                self.cast.warnings.append(NO_ACTION.format(" ".join(words)))
            actions = [guess or "idle"]
        for actor in subject:
            step = Step(**{**template.__dict__, "actor": actor, "manner": list(template.manner)})
            self._settle(step, actions or [None], subject, standing_up=not lx.STAND_UP_WORDS.isdisjoint(words))
            self._place(step, merged)

    def _limbs(self, words: list[str], free: list[str], step: Step) -> list[str]:
        """Keep "with the left hand" for the text encoder; ``free`` without those words (they say no
        direction). A limb the action's own words name with no side ("shake hands") is not repeated."""
        text = " ".join(words)
        for match in re.finditer(lx.LIMB_PATTERN, text):
            side, limb = match.groups()
            if side or free[text[:match.start(2)].count(" ")]:
                step.manner.append(f"with {'both' if side == 'both' else 'the ' + side if side else 'the'} {limb}")
        blanked = re.sub(lx.LIMB_PATTERN, lambda m: " ".join("_" for _ in m.group(0).split()), text).split(" ")
        return ["" if mark == "_" else word for mark, word in zip(blanked, free)]

    def _manner(self, free: list[str], step: Step) -> None:
        for word in free:
            if word == "fullspeed":
                step.speed, step.energy = lx.FULL_SPEED
                step.manner.append("as fast as possible")
            elif word in lx.MANNER:
                step.speed, step.energy = lx.MANNER[word]
                step.manner.append(word)

    def _direction(self, free: list[str], cased: list[str], step: Step) -> None:
        text = re.sub(clx.NO_TURN, " ", " ".join(free))
        turn, span = read_turn(text)
        if turn is not None:
            step.turn = turn
            text = text[:span[0]] + " " + text[span[1]:]
            text = text.replace("left", "").replace("right", "").replace("around", "")
        for phrase, direction in lx.DIRECTIONS:
            if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text):
                step.direction = direction
                step.manner.append(phrase.replace("_", " "))
                break
        for k, word in enumerate(free):
            if word in HEADING_FOR or word in ADDRESSING:
                hits, _ = self.cast.reference(free[k + 1:], cased[k + 1:])
                hits = [h for h in hits if h not in self.cast.subject]
                if hits:
                    step.target = hits[0]
                    self.cast.mention(hits[:1])
                    if word in HEADING_FOR:
                        step.direction = "toward"
                        step.manner.append(f"toward {self.cast.members[hits[0]].character.name}")
                    break

    def _interaction_object(self, words: list[str], cased: list[str], matches: list[tuple[int, int, str]],
                            subject: list[int], step: Step) -> None:
        """"greets another person with a handshake", "high-fives a friend": the object right after an
        interaction verb is its partner."""
        first = next((a for a, _, action in matches if action in INTERACTIONS), None)
        if first is None or step.target is not None:
            return
        hits, _ = self.cast.reference(words[first + 1:], cased[first + 1:])
        hits = [h for h in hits if h not in subject]
        if hits:
            step.target = hits[0]
            self.cast.mention(hits[:1])

    def _numbers(self, free: list[str], step: Step) -> None:
        for k in range(len(free) - 1):
            if not is_number(free[k]):
                continue
            value = float(free[k]) if free[k][0].isdigit() else float(lx.NUMBER_WORDS[free[k]])
            unit = lx.lemma(free[k + 1])
            if unit in clx.SECONDS:
                step.seconds = value * clx.SECONDS[unit]
            elif unit == "lap":
                step.direction = "circle"
                step.manner.append(f"{free[k]} laps")
            elif unit in clx.UNITS:
                step.distance = value * clx.UNITS[unit]
                step.manner.append(f"{free[k]} {free[k + 1]}")

    def _speech_and_emotion(self, words: list[str], step: Step) -> None:
        for k, word in enumerate(words):
            base = lx.lemma(word)
            if word in lx.EMOTIONS and step.emotion is None:
                step.emotion = lx.EMOTIONS[word]
            if base in lx.SPEECH_VERBS and step.speech is None:
                quote = next((self.quotes[int(w[5:])] for w in words[k:] if re.fullmatch(r"quote\d+", w)), None)
                names = {c.name.lower() for c in self.cast.characters} | set(lx.PRONOUNS) | lx.DETERMINERS
                line = quote if quote is not None else " ".join(
                    w for w in words[k + 1:] if w not in names and w not in ("to", "at", "with") and w not in lx.MANNER)
                step.speech = (lx.SPEECH_VERBS[base], line)

    def _props(self, free: list[str], subject: list[int]) -> None:
        for word in free:
            base = lx.lemma(word)
            if base in lx.OBJECTS and not any(t == lx.OBJECTS[base][0] for t, _ in self.props):
                self.props.append((lx.OBJECTS[base][0], subject[0]))


def parse_prompt(prompt: str, duration: float = 10.0, matcher: Matcher | None = None) -> Script:
    """Read ``prompt`` into a :class:`Script` lasting ``duration`` seconds (see the module docstring).

    ``matcher`` maps a clause no synonym names to an action; without one such clauses stay idle with a
    warning. Raises :class:`ScriptError` for an empty prompt or a bad duration.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ScriptError(EMPTY_PROMPT)
    if not 0.0 < duration <= 600.0:
        raise ScriptError(f"duration: must be in (0, 600] seconds, got {duration}")
    clauses, quotes = split_clauses(prompt.strip())
    story = _Story(quotes, matcher)
    for clause in clauses:
        story.read(clause)
    if story.leading is not None:  # "After dodging." with no main clause: an ordinary clause
        leading, story.leading = story.leading, None
        story.read(replace(leading, leads=None))
    if not story.steps and not story.pending_turn:  # "does a cartwheel", "in the park": nothing else to read
        story.mood = []  # the clauses themselves carry it
        for clause in story.settings:
            story.read(clause, setting_allowed=False)
    story.face_opponents()
    for actor, turn in story.pending_turn.items():
        story.steps.append(Step(actor, story.last_beat(actor) + 1, "idle", turn=turn, manner=["turns"]))
    if not story.steps:
        story.cast.warnings.append(NO_ACTION.format(prompt.strip()))
        story.steps += [Step(i, 0, "idle") for i in story.cast.default_subject()]
    return build_script(story, prompt.strip(), duration)
