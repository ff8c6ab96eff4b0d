"""``fundtui alerts test``: one test message per URL, a line per URL (its token
masked), exit 0 when all arrived, 1 when any failed, 2 without URLs or for a bad
config."""

from __future__ import annotations

from fundtui import cli
from tests.alert_hook import Hook, dead_port
from tests.netguard import loopback_only  # noqa: F401 - autouse: nothing leaves the machine


def config_with(tmp_path, *urls: str, extra: str = ""):
    path = tmp_path / "config.toml"
    listed = ", ".join(f'"{u}"' for u in urls)
    path.write_text(f"[alerts]\nurls = [{listed}]\ntimeout_seconds = 1\n{extra}")
    return str(path)


def test_every_url_delivered_is_exit_0_and_the_message_says_it_is_a_test(tmp_path, capsys):
    with Hook() as a, Hook() as b:
        code = cli.main(["alerts", "test", "--config", config_with(tmp_path, a.url, b.url)])
        out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out == [f"delivered  {a.url}", f"delivered  {b.url}"]
    for hook in (a, b):
        [posted] = hook.messages
        assert posted["title"] == "fundtui: test alert"
        assert "fundtui alerts test" in posted["message"] and "UTC" in posted["message"]


def test_a_url_that_fails_is_exit_1_with_its_reason_and_no_secret(tmp_path, capsys):
    down = f"json://bob:hunter2pw@127.0.0.1:{dead_port()}/S3cretTok3n"
    with Hook() as ok, Hook() as broken:
        broken.status = 500
        path = config_with(tmp_path, ok.url, down, broken.url)
        code = cli.main(["alerts", "test", "--config", path])
        out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0] == f"delivered  {ok.url}"
    assert out[1].startswith("failed     json://bob:****@127.0.0.1:") and "/S...n: " in out[1]
    assert "Connection refused" in out[1]
    assert out[2].startswith(f"failed     {broken.url}: ") and "error=500" in out[2]
    assert "hunter2pw" not in "\n".join(out) and "S3cretTok3n" not in "\n".join(out)
    assert broken.attempts == 1  # a test is one attempt per URL


def test_no_url_configured_is_exit_2_with_a_hint(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nrules = ["spread"]\n')
    assert cli.main(["alerts", "test", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("fundtui: no alert URLs configured: add urls = ")
    assert str(path) in err
    assert cli.main(["alerts", "test"]) == 2  # no config file at all: the defaults, no URL


def test_a_config_error_is_exit_2(tmp_path, capsys):
    path = config_with(tmp_path, "json://127.0.0.1:9/hook", extra='rules = ["nope"]\n')
    assert cli.main(["alerts", "test", "--config", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and '[alerts] rules: unknown rule "nope"' in err
