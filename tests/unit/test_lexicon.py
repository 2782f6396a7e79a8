"""The lexicon file: the packaged one loads, and an edited one fails with path:line: key: problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.analysis.lexicon import DEFAULT_LEXICON, check_lexicon, load_lexicon
from voicecoach.analysis.lexicon_phrase import PhraseError, compile_phrase
from voicecoach.analysis.wording import analyze_wording
from voicecoach.errors import AuthoredFileError
from voicecoach.types import ALL_TAGS

pytestmark = pytest.mark.unit


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_LEXICON.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "lexicon.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_packaged_lexicon_loads_with_every_tag_and_is_cached() -> None:
    lex = load_lexicon()
    assert tuple(r.tag for r in lex.rules) == ALL_TAGS
    assert all(r.phrases and r.source for r in lex.rules)
    assert load_lexicon() is lex
    summary = check_lexicon(DEFAULT_LEXICON)
    assert "OK" in summary and "18 tags" in summary


def test_bad_phrase_names_file_line_and_key(tmp_path: Path) -> None:
    path = _edited(tmp_path, '      - "rules are rules"', '      - "rules (are | is rules"')
    with pytest.raises(AuthoredFileError) as err:
        check_lexicon(path)
    line = _line_of(path, "rules (are | is rules")
    assert str(err.value).startswith(f"{path}:{line}: tags.rule_citing.phrases.0: ")
    assert "missing ')'" in str(err.value)


def test_wrong_weight_sign_is_reported(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  command:\n    weight: -2", "  command:\n    weight: 2")
    with pytest.raises(AuthoredFileError, match=r"tags\.command\.weight: an escalating tag needs a negative"):
        check_lexicon(path)


def test_unknown_key_and_unknown_tag(tmp_path: Path) -> None:
    path = _edited(tmp_path, "  command:\n    weight: -2", "  command:\n    wieght: 1\n    weight: -2")
    with pytest.raises(AuthoredFileError, match=r":\d+: tags\.command\.wieght: unknown key"):
        check_lexicon(path)
    path = _edited(tmp_path, "cancels: [validation,", "cancels: [validaton,")
    with pytest.raises(AuthoredFileError, match=r"yes_but\.cancels\.0: unknown tag 'validaton'"):
        check_lexicon(path)


def test_yaml_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    path = _edited(tmp_path, "version: 1", "version: !!python/object/apply:os.system ['echo pwned']")
    with pytest.raises(AuthoredFileError, match=r"YAML tag .* is not allowed"):
        check_lexicon(path)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AuthoredFileError, match="YAML aliases"):
        check_lexicon(bomb)


def test_unquoted_yes_no_gets_a_hint(tmp_path: Path) -> None:
    path = _edited(tmp_path, '"no", "yes", yeah', 'no, "yes", yeah')
    with pytest.raises(AuthoredFileError, match="put it in quotes"):
        check_lexicon(path)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ntags: [unclosed\n", encoding="utf-8")
    with pytest.raises(AuthoredFileError, match=r"bad\.yaml:\d+: is not valid YAML"):
        check_lexicon(bad)
    with pytest.raises(AuthoredFileError, match="cannot be read"):
        check_lexicon(tmp_path / "missing.yaml")


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    path = _edited(tmp_path, "version: 1", "version: 1\nversion: 1")
    with pytest.raises(AuthoredFileError, match=r":\d+: version: appears twice"):
        check_lexicon(path)


def test_an_instructor_can_add_a_phrase(tmp_path: Path) -> None:
    assert "command" not in analyze_wording("Simmer yourself, buddy.").tags
    path = _edited(tmp_path, '      - "calm yourself"', '      - "calm yourself"\n      - "simmer yourself"')
    lex = load_lexicon(path)
    assert "command" in analyze_wording("Simmer yourself, buddy.", lexicon=lex).tags


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("", "empty"),
        ("[just]", "could match no words"),
        ("... calm", "must start with a word"),
        ("you 're", "contractions whole"),
        ("ab*", "3 letters"),
        ("calm ^ down", r"'\^' may only start"),
        ("{nosuchlist}", "unknown word list"),
        ("(a | )", "empty alternative"),
    ],
)
def test_phrase_errors(phrase: str, problem: str) -> None:
    with pytest.raises(PhraseError, match=problem):
        compile_phrase(phrase, {})


def test_phrase_language_matches_what_it_says() -> None:
    p = compile_phrase("[please] (calm | settle) down ... now", {})
    assert p.first_words == {"please", "calm", "settle"}
    assert p.regex.match("please settle down right away now ")
    assert not p.regex.match("please settle down . right now ")  # gaps stay inside a sentence
    assert compile_phrase("stop *ing", {}).regex.match("stop yelling ")
    assert compile_phrase("so what $", {}).regex.match("so what ")
    assert not compile_phrase("so what $", {}).regex.match("so what happened ")


def test_bad_list_entry_is_reported_at_its_own_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, '"call security", ', '"call security", "take-homes", ')
    with pytest.raises(AuthoredFileError) as err:
        check_lexicon(path)
    line = _line_of(path, '"take-homes"')
    assert str(err.value).startswith(f"{path}:{line}: lists.consequence.1: ")
    assert "not a word" in str(err.value)


def test_suppresses_in_sentence_is_checked_and_applied(tmp_path: Path) -> None:
    rule = "only frame the command.\n    suppresses_in_sentence: [closed_question]"
    path = _edited(tmp_path, rule, rule.replace("[closed_question]", "[closed_qestion]"))
    with pytest.raises(AuthoredFileError, match=r":\d+: tags\.command\.suppresses_in_sentence\.0: unknown"):
        check_lexicon(path)
    # Without the sentence-wide rule (and the command's overrides, which would also drop it)
    # the polite frame would also count as a closed question.
    overrides = "overrides: [reflection, open_question, closed_question, collaboration]"
    block = DEFAULT_LEXICON.read_text(encoding="utf-8").split(rule, 1)[1].split("phrases:", 1)[0]
    assert overrides in block
    edited = rule.replace("[closed_question]", "[]") + block.replace(overrides, "overrides: []")
    path = _edited(tmp_path, rule + block, edited)
    edited_lexicon = load_lexicon(path)
    tags = analyze_wording(
        "Could you please just be quiet for a minute?", lexicon=edited_lexicon, model=False
    ).tags
    assert tags == {"command", "closed_question"}
    assert analyze_wording("Could you please just be quiet for a minute?").tags == {"command"}


def test_authority_list_holds_the_asr_spelling_of_security() -> None:
    lex = load_lexicon()
    assert "secure with it" in lex.lists["authority"]
    assert all(" ".join(e.split()) == e for entries in lex.lists.values() for e in entries)
