"""Facts: adoptions with region and status, observations with region and period, evidence offsets."""

from __future__ import annotations

import pytest

from kg.facts import document_facts
from kg.load import load_text
from kg.types import DocMeta


def adoptions(text: str, date: str = "2024-06", region: str | None = None) -> set[tuple[str, str, str]]:
    facts = document_facts(load_text(text, "t.txt", meta=DocMeta(date=date, region=region)))
    return {(a.region, a.policy.policy_id, a.status) for a in facts.adoptions}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "□ 记者 某某\n2023年，格尔木市全面推行“免申即享”经办模式。\n",
            {("632801", "mianshen-jixiang", "implemented")},
        ),
        ("□ 记者 某某\n海东市被选为首批“就近办”试点地区。\n", {("630200", "jiujin-ban", "piloting")}),
        ("□ 记者 某某\n西宁市将推行“一网通办”。\n", {("630100", "yiwang-tongban", "planned")}),
        (
            "□ 记者 某某\n昌吉州社保中心工作扎实。我州落实告知承诺制。\n",
            {("652300", "gaozhi-chengnuo-zhi", "implemented")},
        ),
        (
            "□ 记者 某某\n四川省广元市旺苍县同步落实河长制、林长制。\n",
            {("510821", "hezhang-zhi", "implemented"), ("510821", "linzhang-zhi", "implemented")},
        ),
    ],
)
def test_facts_adoptions_region_and_status(text: str, expected: set[tuple[str, str, str]]) -> None:
    """The region comes from the sentence or a reference word; the status from the sentence."""
    assert adoptions(text) == expected


def test_facts_work_report_targets_are_planned() -> None:
    """Policies under a report's targets heading are planned, and its results are about last year."""
    text = (
        "青海省政府工作报告\n一、2023年工作回顾\n全省落实河长制。\n二、2024年目标任务和重点工作\n全面推行免申即享。\n"
    )
    found = adoptions(text, date="2024", region="630000")
    assert ("630000", "hezhang-zhi", "implemented") in found
    assert ("630000", "mianshen-jixiang", "planned") in found


def test_facts_no_region_no_adoption() -> None:
    """A policy with no region anywhere in reach gives no adoption."""
    assert adoptions("□ 记者 某某\n要持续深化“放管服”改革。\n") == set()


def test_facts_observation_period_and_evidence() -> None:
    """An observation carries its period and evidence pointing at the original characters."""
    original = "□ 记者 某某\n\n截至 2023 年底，全市新增\n\n就业1.2万人。\n"
    doc = load_text(original, "t.txt", meta=DocMeta(date="2024-01", region="630100"))
    facts = document_facts(doc)
    (obs,) = [o for o in facts.observations if o.unit == "人"]
    assert (obs.region, obs.period, str(obs.value)) == ("630100", "2023", "12000")
    assert original[obs.evidence.start : obs.evidence.end] == obs.evidence.text
    assert "".join(obs.evidence.text.split()).startswith("截至2023年底")
