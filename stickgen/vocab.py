"""The single source of truth for every name Stick-Gen uses.

Ids are positions in the tuples below and are stored in model checkpoints and datasets:
never reorder or remove an entry, only append.

Public names: ``ACTIONS``, ``ACTION_NAMES``, ``EXPRESSIONS``, ``EXPRESSION_NAMES``,
``MOUTH_SHAPES``, ``SPEECH_TYPES``, ``SPEECH_NAMES``, ``CAMERA_MOVES``, ``RENDER_STYLES``,
and the lookups ``action_id``, ``expression_id``, ``speech_id``, ``camera_move_id``,
``style_id``, ``action_info``.
"""
from __future__ import annotations

from dataclasses import dataclass

# ----------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    """One action of the vocabulary.

    ``family`` groups actions that move the body alike (locomotion, posture, arms, ...);
    ``actors`` is 2 for interactions that need a partner.
    """

    name: str
    description: str
    synonyms: tuple[str, ...]
    family: str
    actors: int = 1


ACTIONS: tuple[Action, ...] = (
    Action("idle", "stands still, breathing and shifting weight slightly",
           ("stand still", "wait", "rest", "stay", "pause", "do nothing"), "idle"),
    Action("walk", "walks at an easy pace with alternating steps",
           ("walk", "stroll", "stride", "step", "wander", "march", "pace", "amble", "go"), "locomotion"),
    Action("run", "runs with long strides and both feet leaving the ground",
           ("run", "jog", "rush", "hurry", "trot"), "locomotion"),
    Action("sprint", "sprints flat out, leaning forward, arms pumping",
           ("sprint", "dash", "race", "bolt", "run as fast as"), "locomotion"),
    Action("jump", "crouches, leaps into the air and lands softly",
           ("jump", "leap", "hop", "bounce", "spring"), "jump"),
    Action("wave", "raises a hand and waves it from side to side",
           ("wave", "greet", "say hello", "say goodbye", "wave hello", "wave goodbye"), "arms"),
    Action("talk", "talks, with small hand gestures",
           ("talk", "speak", "say", "chat", "explain", "tell", "converse"), "speech"),
    Action("shout", "shouts, leaning forward with wide arm gestures",
           ("shout", "yell", "scream", "call out", "holler"), "speech"),
    Action("whisper", "leans in and whispers, a hand near the mouth",
           ("whisper", "murmur", "mutter"), "speech"),
    Action("sing", "sings with an open chest and sweeping arms",
           ("sing", "hum", "serenade", "perform a song"), "speech"),
    Action("point", "points an outstretched arm at something",
           ("point", "indicate", "gesture toward", "show"), "arms"),
    Action("clap", "claps both hands together in front of the chest",
           ("clap", "applaud", "clap hands"), "arms"),
    Action("batting", "swings a baseball bat from a batting stance",
           ("bat", "swing a bat", "hit the ball", "batting", "swing at the pitch"), "sports"),
    Action("pitching", "winds up and pitches a baseball overhand",
           ("pitch", "pitching", "throw a pitch", "wind up"), "sports"),
    Action("catching", "reaches out with both hands and catches a ball",
           ("catch", "catching", "grab the ball", "receive"), "sports"),
    Action("running_bases", "runs around the bases in a wide loop",
           ("run the bases", "round the bases", "running bases", "run around the bases",
            "run home"), "locomotion"),
    Action("fielding", "crouches low with the glove down, ready to field a ball",
           ("field", "fielding", "scoop the ball", "field a ground ball"), "sports"),
    Action("throwing", "steps forward and throws a ball overarm",
           ("throw", "toss", "hurl", "fling", "lob"), "sports"),
    Action("kicking", "kicks a ball on the ground with the instep",
           ("kick the ball", "kick a ball", "kicking", "pass the ball", "shoot the ball"), "sports"),
    Action("dribbling", "jogs while bouncing a basketball with one hand",
           ("dribble", "dribbling", "bounce the ball"), "locomotion"),
    Action("shooting", "jumps and shoots a basketball toward a hoop",
           ("shoot", "shooting", "shoot a basket", "take a shot", "shoot hoops"), "sports"),
    Action("fight", "fights an opponent with punches and blocks",
           ("fight", "brawl", "spar", "battle", "box", "wrestle", "scuffle"), "interaction", 2),
    Action("punch", "throws a straight punch from a guard",
           ("punch", "hit", "strike", "jab", "hook", "uppercut"), "combat"),
    Action("kick", "lifts a leg and kicks forward at head or chest height",
           ("kick", "karate kick", "front kick", "roundhouse"), "combat"),
    Action("dodge", "ducks and sidesteps out of the way",
           ("dodge", "duck", "evade", "sidestep", "weave"), "combat"),
    Action("sit", "sits down on the ground or on a chair",
           ("sit", "sit down", "take a seat", "settle down", "be seated"), "posture"),
    Action("stand", "stands up from sitting or crouching",
           ("stand", "stand up", "get up", "rise", "get to her feet", "get to his feet"), "posture"),
    Action("kneel", "kneels down on one knee",
           ("kneel", "kneel down", "go down on one knee", "genuflect"), "posture"),
    Action("lie_down", "lies down flat on the ground",
           ("lie down", "lay down", "lie on the ground", "recline", "collapse", "fall"), "posture"),
    Action("eating", "brings food to the mouth with one hand, chewing",
           ("eat", "eating", "have a snack", "take a bite", "munch"), "arms"),
    Action("drinking", "raises a cup to the mouth and drinks",
           ("drink", "drinking", "sip", "take a sip", "gulp"), "arms"),
    Action("reading", "holds a book in both hands and reads",
           ("read", "reading", "read a book", "study", "look at a book"), "arms"),
    Action("typing", "types on a keyboard with both hands",
           ("type", "typing", "use a computer", "work on a laptop", "use a keyboard"), "arms"),
    Action("looking_around", "turns the head and torso to look around",
           ("look around", "looking around", "search", "glance around", "scan the area",
            "look left and right"), "arms"),
    Action("climbing", "climbs a ladder, hands and feet alternating",
           ("climb", "climbing", "scale", "climb a ladder", "clamber"), "cycle"),
    Action("crawling", "crawls forward on hands and knees",
           ("crawl", "crawling", "creep", "crawl on all fours"), "locomotion"),
    Action("swimming", "swims front crawl, arms circling and legs kicking",
           ("swim", "swimming", "paddle", "do the front crawl"), "cycle"),
    Action("flying", "flies like a superhero, body horizontal, arms forward",
           ("fly", "flying", "soar", "glide", "take flight"), "cycle"),
    Action("celebrate", "jumps with both fists raised in celebration",
           ("celebrate", "cheer", "rejoice", "pump a fist", "raise arms in victory"), "arms"),
    Action("dance", "dances to a beat, moving hips, arms and feet",
           ("dance", "dancing", "boogie", "groove", "twirl", "spin", "bust a move"), "dance"),
    Action("cry", "cries with head down and hands over the face",
           ("cry", "weep", "sob", "tear up"), "arms"),
    Action("laugh", "laughs, shoulders shaking and head tilted back",
           ("laugh", "giggle", "chuckle", "crack up"), "arms"),
    Action("handshake", "shakes hands with a partner",
           ("shake hands", "handshake", "shake her hand", "shake his hand", "greet with a handshake"),
           "interaction", 2),
    Action("hug", "hugs a partner with both arms",
           ("hug", "embrace", "cuddle", "hold each other"), "interaction", 2),
    Action("high_five", "slaps a raised hand against a partner's hand",
           ("high five", "high-five", "high_five", "slap hands"), "interaction", 2),
    Action("fight_stance", "holds a boxing guard, bouncing on the feet",
           ("fight stance", "fighting stance", "put up fists", "raise fists", "guard", "square up"),
           "combat"),
)

ACTION_NAMES: tuple[str, ...] = tuple(a.name for a in ACTIONS)

# ----------------------------------------------------------------------------- faces

EYE_TYPES: tuple[str, ...] = ("dot", "arc", "wide", "narrow", "closed")

MOUTH_SHAPES: tuple[str, ...] = ("closed", "smile", "frown", "open", "wide_open", "small_o", "singing")


@dataclass(frozen=True)
class Expression:
    """A facial expression: eyes, brows (degrees, + lifts the inner ends as in surprise or worry, - knits
    them down toward the nose as in anger), mouth and openness 0..1."""

    name: str
    eye_type: str
    eyebrow_angle: float
    mouth_shape: str
    mouth_openness: float


EXPRESSIONS: tuple[Expression, ...] = (
    Expression("neutral", "dot", 0.0, "closed", 0.0),
    Expression("happy", "arc", 10.0, "smile", 0.2),
    Expression("sad", "dot", 20.0, "frown", 0.1),
    Expression("surprised", "wide", 25.0, "small_o", 0.7),
    Expression("angry", "narrow", -25.0, "frown", 0.3),
    Expression("excited", "wide", 15.0, "wide_open", 0.8),
)

EXPRESSION_NAMES: tuple[str, ...] = tuple(e.name for e in EXPRESSIONS)

# ----------------------------------------------------------------------------- speech


@dataclass(frozen=True)
class SpeechType:
    """A way of speaking: the mouth opens and closes ``rate_hz`` times a second up to ``max_openness``."""

    name: str
    rate_hz: float
    mouth_shape: str
    max_openness: float


SPEECH_TYPES: tuple[SpeechType, ...] = (
    SpeechType("talk", 8.0, "open", 0.6),
    SpeechType("shout", 6.0, "wide_open", 1.0),
    SpeechType("whisper", 10.0, "small_o", 0.3),
    SpeechType("sing", 4.0, "singing", 0.9),
)

SPEECH_NAMES: tuple[str, ...] = tuple(s.name for s in SPEECH_TYPES)

# ----------------------------------------------------------------------------- camera and style

CAMERA_MOVES: tuple[str, ...] = ("static", "pan", "zoom", "track", "dolly", "crane", "orbit")

RENDER_STYLES: tuple[str, ...] = ("normal", "sketch", "ink", "neon")

# ----------------------------------------------------------------------------- lookups


def _lookup(names: tuple[str, ...], kind: str, name: str) -> int:
    try:
        return names.index(name)
    except ValueError:
        raise KeyError(f"unknown {kind} {name!r}; expected one of: {', '.join(names)}") from None


#: actions whose body is meant to leave the ground for long stretches (no grounding, no floating flag)
AIRBORNE_ACTIONS = frozenset({"flying", "climbing", "swimming"})
#: actions whose height accumulates (a climb goes on up): a later generation window stands on the height
#: the body has reached rather than on the ground (see ``WindowSampler.window_floor``)
ASCENDING_ACTIONS = frozenset({"climbing"})


def action_id(name: str) -> int:
    """Stable id of an action name; ``KeyError`` naming the valid choices otherwise."""
    return _lookup(ACTION_NAMES, "action", name)


def action_info(name: str) -> Action:
    """The :class:`Action` record for ``name``."""
    return ACTIONS[action_id(name)]


def expression_id(name: str) -> int:
    return _lookup(EXPRESSION_NAMES, "expression", name)


def expression_info(name: str) -> Expression:
    return EXPRESSIONS[expression_id(name)]


def speech_id(name: str) -> int:
    return _lookup(SPEECH_NAMES, "speech type", name)


def speech_info(name: str) -> SpeechType:
    return SPEECH_TYPES[speech_id(name)]


def camera_move_id(name: str) -> int:
    return _lookup(CAMERA_MOVES, "camera move", name)


def style_id(name: str) -> int:
    return _lookup(RENDER_STYLES, "render style", name)
