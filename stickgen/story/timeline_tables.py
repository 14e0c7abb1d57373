"""Per-action tables the timeline (:mod:`stickgen.story.timeline`) stages a story with: how long each action
lasts (nominal seconds, repetitions of a counted gesture), the standing lead-in before an opening sit or kneel,
which actions hold, the posture each leaves the body in and how long getting up takes, and the face an
action implies.
"""
from __future__ import annotations

import re

from .. import vocab

#: nominal seconds an action takes; beats are scaled from these to fill the clip
NOMINAL_SECONDS = {name: 2.5 for name in vocab.ACTION_NAMES} | {
    "walk": 4.0, "run": 3.5, "sprint": 3.0, "running_bases": 6.0, "dribbling": 4.0, "crawling": 4.0,
    "jump": 1.5, "wave": 2.0, "clap": 2.0, "point": 1.8, "high_five": 1.5, "handshake": 2.5, "hug": 3.0,
    "punch": 1.5, "kick": 1.5, "dodge": 1.5, "stand": 1.8, "sit": 2.0, "kneel": 2.0, "lie_down": 2.5,
    "throwing": 2.0, "catching": 2.0, "pitching": 2.5, "batting": 2.5, "shooting": 2.0, "kicking": 2.0,
    "idle": 2.0, "dance": 4.0, "fight": 4.0, "swimming": 4.0, "flying": 4.0, "climbing": 4.0,
}
#: seconds per repetition of a gesture a sentence can count ("claps three times" lasts three of them,
#: then the body stands idle): the shipped model's clapping rate, 1.5-1.7 claps/s measured with
#: ``stickgen.eval.joint_measures.count_claps`` on "A person claps." (2, 3 and 6 s clips, seeds 0-4)
CYCLE_SECONDS = {"clap": 0.65}
#: a counted gesture lasts at least this long (s): the model's shorter clapping stretches (1.3-2 s, for two
#: or three claps) bring the hands no closer than 16 cm, no clap at all
COUNTED_MIN_SECONDS = 2.6
#: a counted gesture that would leave less than this (s) of its time idle keeps the whole time
MIN_IDLE_SECONDS = 0.5
#: a clip that opens with one of these first stands this long (s), so the body is seen going down:
#: "A person crouches." (drawn as kneeling) lowers the pelvis 0.31-0.57 m in 5 of 5 seeds with it, 0.09-0.13 m
#: without (the model starts such a clip already down); "She sat down on a chair." 0.52-0.70 m against 0.20-0.28
LEAD_IN_ACTIONS = {"sit", "kneel", "lie_down"}
LEAD_IN_SECONDS = 0.6
#: a prompt that says the body is already down ("is sitting", "remains kneeling") gets no lead-in
IN_POSTURE = re.compile(r"\b(?:is|are|was|were|stays?|stayed|remains?|remained|keeps?|kept|sits? still)\s+(?:\w+\s+)?"
                        r"(?:sitting|seated|kneeling|lying|crouching|squatting|on (?:his|her|their) knees)\b", re.I)
#: actions whose end state persists until the next action (a sitting person stays seated)
HOLD_ACTIONS = {"sit", "kneel", "lie_down", "dance", "swimming", "flying", "climbing", "reading", "typing",
                "fight_stance", "crawling"}

#: posture an action leaves the body in; ``KEEPS_POSTURE`` actions leave it as it was, all others standing
POSTURE_AFTER = {"sit": "seated", "kneel": "kneeling", "lie_down": "lying", "crawling": "on all fours",
                 "climbing": "off the ground", "swimming": "off the ground", "flying": "off the ground"}
#: actions of the arms and voice: done in whatever posture the body is in, standing, seated or kneeling
UPPER_BODY = {"wave", "point", "clap", "eating", "drinking", "reading", "typing", "looking_around", "cry", "laugh",
              "talk", "shout", "whisper", "sing"}
KEEPS_POSTURE = UPPER_BODY | {"idle"}
#: actions that start from any posture (they change it, or hold it)
ANY_POSTURE = {"idle", "sit", "stand", "kneel", "lie_down"}
#: seconds to get up from a posture: a body that must be on its feet for the next action first stands up
#: (lying goes by sitting), as the training clips were generated
RISE_SECONDS = {"seated": 1.4, "kneeling": 1.4, "lying": 3.0, "on all fours": 1.4, "off the ground": 1.4}
RISE_SHARE = 0.7  # the rise takes at most this share of the action it comes before

#: actions that imply a face when the prompt names none
ACTION_EXPRESSIONS = {"cry": "sad", "laugh": "happy", "celebrate": "excited", "shout": "angry",
                      "fight": "angry", "sing": "happy", "dance": "happy", "hug": "happy"}
