"""The cast of a story: characters created and referred to by the subjects of clauses.

:class:`Cast` reads the subject at the start of a clause ("a man", "two friends", "five people",
"two teams of three", "Alice and Bob", "he", "they", "the other one") and returns the characters it
names, creating them the first time and remembering each one's role, gender and formation.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import lexicon as lx
from .clauses import Clause, is_name, is_verb
from .schema import Character


@dataclass
class Member:
    """A character plus what the parser needs to refer to it: gender for pronouns, group, formation slot."""

    character: Character
    gender: str
    group: int
    formation: str = "row"  # "row" | "team_a" | "team_b"
    slot: int = 0
    group_size: int = 1


class Cast:
    """The characters of one story, in order of first mention."""

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.subject: list[int] = []  # the last clause's subject
        self.recent: list[int] = []  # least to most recently mentioned
        self.emotions: dict[int, str] = {}  # "a happy man": a face for the whole clip
        self.warnings: list[str] = []

    def __len__(self) -> int:
        return len(self.members)

    @property
    def characters(self) -> list[Character]:
        return [m.character for m in self.members]

    def mention(self, indices: list[int]) -> None:
        for i in indices:
            if i in self.recent:
                self.recent.remove(i)
            self.recent.append(i)

    def add_group(self, role: str, kind: str, gender: str, count: int, names: list[str] | None = None,
                  formation: str = "row") -> list[int]:
        """Create ``count`` characters (capped at ``lexicon.MAX_ACTORS`` in all); returns their indices."""
        room = lx.MAX_ACTORS - len(self.members)
        if count > room:
            self.warnings.append(f"at most {lx.MAX_ACTORS} characters; {count - max(room, 0)} were left out")
            count = room
        if count <= 0:
            return self.subject or [0]
        group = 1 + max((m.group for m in self.members), default=-1)
        indices = []
        for k in range(count):
            name = names[k] if names else self._unique_name(role.title() if count == 1 else f"{role.title()} {k + 1}")
            self.members.append(Member(Character(name, role, kind), gender, group, formation, k, count))
            indices.append(len(self.members) - 1)
        return indices

    def _unique_name(self, name: str) -> str:
        taken = {m.character.name for m in self.members}
        return name if name not in taken else next(f"{name} {k}" for k in range(2, 999) if f"{name} {k}" not in taken)

    def default_subject(self) -> list[int]:
        """The previous subject, or a new "person" when the story has nobody yet."""
        return self.subject or self.add_group("person", "human", "", 1)

    def partner_for(self, actor: int) -> int:
        """The most recently mentioned other character, created ("Friend") when there is none."""
        for i in reversed(self.recent):
            if i != actor:
                return i
        others = [i for i in range(len(self.members)) if i != actor]
        return others[0] if others else self.add_group("friend", "human", "", 1)[0]

    # ------------------------------------------------------------------ references

    def by_role(self, role: str, ordinal: int | None = None) -> list[int]:
        hits = [i for i, m in enumerate(self.members) if m.character.role == role]
        if ordinal is not None and hits:
            return [hits[ordinal]] if -len(hits) <= ordinal < len(hits) else []
        return hits

    def pronoun(self, word: str, exclude: list[int] | tuple = ()) -> list[int]:
        """Who "he", "she", "they", "everyone" ... means; ``exclude`` the clause's subject for objects."""
        kind = lx.PRONOUNS[word]
        if kind == "all":
            return list(range(len(self.members)))
        if kind == "*":
            if len(self.subject) > 1:
                return self.subject
            return list(range(len(self.members))) if len(self.members) > 1 else self.subject
        for i in reversed(self.recent):
            if i not in exclude and (not kind or self.members[i].gender in (kind, "")):
                return [i]
        return [] if exclude else self.subject[-1:]

    def other_than(self, indices: list[int]) -> list[int]:
        others = [i for i in reversed(self.recent) if i not in indices]
        return others[:1]

    def reference(self, words: list[str], cased: list[str], exclude_subject: bool = True) -> tuple[list[int], int]:
        """Characters named at the start of ``words`` ("her", "the man", "Bob", "each other"), as
        (indices, words used); a new name or noun ("a woman") creates a character."""
        if not words:
            return [], 0
        possessive_noun = len(words) > 1 and lx.lemma(words[1]) in lx.ACTOR_NOUNS  # "her mother"
        if words[0] in ("him", "her", "them", "he", "she", "it", "they") and not possessive_noun:
            word = {"him": "he", "her": "she", "them": "they"}.get(words[0], words[0])
            return self.pronoun(word, exclude=self.subject if exclude_subject else ()), 1
        if words[:2] == ["each", "other"] or words[:2] == ["one", "another"]:
            return list(self.subject), 2
        if is_name(cased[0], words[0]):
            return self.named(cased[0]), 1
        k = 1 if words[0] in lx.DETERMINERS else 0
        ordinal = lx.ORDINALS.get(words[k]) if k < len(words) else None
        k += ordinal is not None
        if k < len(words) and lx.lemma(words[k]) in lx.ACTOR_NOUNS:
            role, kind, gender = lx.ACTOR_NOUNS[lx.lemma(words[k])]
            known = [] if words[0] in ("a", "an", "another") else self.by_role(role, ordinal)[-1:]
            return known or self.add_group(role, kind, gender, 1), k + 1
        if ordinal == -1:
            return self.other_than(self.subject), k
        return [], 0

    def named(self, name: str) -> list[int]:
        """The character called ``name``, created on first mention."""
        known = [i for i, m in enumerate(self.members) if m.character.name == name]
        return known or self.add_group("person", "human", lx.NAME_GENDERS.get(name.lower(), ""), 1, [name])

    # ------------------------------------------------------------------ subjects

    def read_subject(self, clause: Clause) -> tuple[list[int] | None, int]:
        """(characters, words used) for the subject at the start of ``clause``, or (None, 0) if it has none.

        New noun phrases create characters; definite ones ("the man") and pronouns refer back.
        """
        words, cased = clause.words, clause.cased
        k = 0
        while k < len(words) and (words[k] in lx.MANNER or words[k] in lx.FILLER_WORDS):
            k += 1
        if k >= len(words):
            return None, 0
        if words[k] == "who" and self.subject:  # "Mary waves at John, who waves back": the one just named
            return (self.other_than(self.subject) or self.subject), k + 1
        if words[k] in ("someone", "somebody") and not self.members:  # "Someone tucks, rolls over ..."
            return self.add_group("person", "human", "", 1), k + 1
        if words[k:k + 3] in (["one", "of", "them"], ["one", "of", "the"]) and len(self.subject) > 1:
            used = k + 3 + (words[k + 2] == "the" and k + 3 < len(words))  # "one of (the boxers)"
            return self.subject[:1], used
        if words[k] in lx.PRONOUNS and words[k] not in ("her", "him", "them"):
            used = k + 1
            if words[k] in ("both", "all", "each") and words[used:used + 2] == ["of", "them"]:
                used += 2
            found = self.pronoun(words[k])
            if not found and words[k] in ("he", "she", "they"):  # "She dances." with nobody introduced yet
                role = {"he": "man", "she": "woman", "they": "person"}[words[k]]
                found = self.add_group(role, "human", lx.ACTOR_NOUNS[role][2], 2 if words[k] == "they" else 1)
            return (found or None), used
        if is_name(cased[k], words[k]):
            return self._names(clause, k)
        return self._noun_phrase(clause, k)

    def _names(self, clause: Clause, k: int) -> tuple[list[int], int]:
        indices = []
        while k < len(clause.words) and (is_name(clause.cased[k], clause.words[k]) or clause.words[k] == "and"):
            if clause.words[k] != "and":
                indices += self.named(clause.cased[k])
            k += 1
        if clause.words[k - 1] == "and":
            k -= 1
        return indices, k

    def _noun_phrase(self, clause: Clause, start: int) -> tuple[list[int] | None, int]:
        words = clause.words
        count, definite, ordinal, emotion = None, False, None, None
        for k in range(start, min(len(words), start + 8)):
            word, base = words[k], lx.lemma(words[k])
            if word.isdigit():
                count = int(word)
            elif word in ("the", "this", "that", "these", "those"):
                definite = True
            elif word in lx.NUMBER_WORDS and word != "both":
                count = count if word in ("a", "an") and count is not None else lx.NUMBER_WORDS[word]
            elif word in lx.ORDINALS:
                ordinal = lx.ORDINALS[word]
            elif word in lx.EMOTIONS:
                emotion = lx.EMOTIONS[word]
            elif word in lx.DETERMINERS:
                continue
            elif base in lx.ACTOR_NOUNS:
                indices, end = self._actor_noun(clause, k, count, definite, ordinal)
                for i in indices if emotion else ():
                    self.emotions[i] = emotion
                return indices, end
            elif word in lx.KNOWN_WORDS or (is_verb(word) and not any(  # "a karate fighter" is no verb
                    lx.lemma(w) in lx.ACTOR_NOUNS for w in words[k + 1:k + 3])):
                break
        if definite and ordinal is not None and self.members:
            found = self.other_than(self.subject) if ordinal == -1 else [min(ordinal, len(self.members) - 1)]
            return found or None, k
        return None, 0

    def _actor_noun(self, clause: Clause, k: int, count: int | None, definite: bool,
                    ordinal: int | None) -> tuple[list[int], int]:
        words = clause.words
        word, base = words[k], lx.lemma(words[k])
        role, kind, gender = lx.ACTOR_NOUNS[base]
        plural = base != word or word in ("people", "children", "men", "women")
        if definite and count is None:
            found = self.by_role(role, ordinal)
            if found:
                return (found if plural and ordinal is None else found[-1:]), k + 1
        if base in lx.COLLECTIVE_SIZE:
            return self._collective(clause, k, count, plural)
        indices = self.add_group(role, kind, gender, count if count is not None else (2 if plural else 1))
        return self._and_more(clause, indices, k + 1)

    def _and_more(self, clause: Clause, indices: list[int], end: int) -> tuple[list[int], int]:
        """"a man and a woman": read the second subject after "and" too."""
        if clause.words[end:end + 1] == ["and"] and end + 1 < len(clause.words):
            rest = Clause(clause.words[end + 1:], clause.cased[end + 1:], "and")
            more, used = self.read_subject(rest)
            if more:
                return indices + more, end + 1 + used
        return indices, end

    def _collective(self, clause: Clause, k: int, count: int | None, plural: bool) -> tuple[list[int], int]:
        """"two teams (of three players)", "a group of five friends", "a couple" -> new characters."""
        words = clause.words
        base = lx.lemma(words[k])
        role, kind, gender = lx.ACTOR_NOUNS[base]
        members = lx.COLLECTIVE_SIZE[base]
        teams = base == "team" and plural
        if not teams and count is not None and count > 1:
            members = count
        j = k + 1
        if words[j:j + 1] == ["of"]:
            j += 1
            if j < len(words) and (words[j].isdigit() or (words[j] in lx.NUMBER_WORDS and words[j] not in ("a", "an"))):
                members = int(words[j]) if words[j].isdigit() else lx.NUMBER_WORDS[words[j]]
                j += 1
            if j < len(words) and lx.lemma(words[j]) in lx.ACTOR_NOUNS:
                role, kind, gender = lx.ACTOR_NOUNS[lx.lemma(words[j])]
                j += 1
        if teams:
            n_teams = count if count is not None else 2
            indices = []
            for t in range(min(n_teams, 2)):
                indices += self.add_group(f"{role} {'AB'[t]}".strip(), kind, gender, members,
                                          formation=("team_a", "team_b")[t])
            return indices, j
        return self._and_more(clause, self.add_group(role, kind, gender, members), j)
