from __future__ import annotations

from typer.testing import CliRunner

from orchestration.cli import app

runner = CliRunner()


def test_help_lists_the_commands_users_need() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("world", "run", "dashboards", "paths"):
        assert command in result.output
    world = runner.invoke(app, ["world", "--help"])
    for command in ("generate", "advance", "status"):
        assert command in world.output


def test_an_unknown_feed_is_a_clear_error_before_anything_runs(data_dir) -> None:
    result = runner.invoke(app, ["run", "--feed", "erp"])
    assert result.exit_code != 0
    assert "unknown feed 'erp'" in result.output
    assert not (data_dir / "warehouse.duckdb").exists()


def test_paths_follow_the_data_dir_setting(data_dir) -> None:
    result = runner.invoke(app, ["paths"])
    assert f"warehouse:  {data_dir / 'warehouse.duckdb'}" in result.output
    assert f"dashboards: {data_dir / 'dashboards' / 'index.html'}" in result.output
