"""The web app's shape, checked on its source (as full-stack-fastapi-template lays it out): routes and pages
never import the app back, never hold the Elasticsearch client, declare dependencies as `Annotated` aliases;
the JSON API and the pages are separate routers; one station check serves posts, alerts and letters."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from fastapi import HTTPException

from dashboards.api.deps import visible

API = Path(__file__).resolve().parents[2] / "dashboards" / "api"
ROUTE_FILES = sorted([*(API / "routes").glob("*.py"), *(API / "pages").glob("*.py")])


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_there_are_route_modules_to_check() -> None:
    resources = {"alerts", "letters", "posts", "screen", "search", "admin", "auth"}
    assert {p.stem for p in ROUTE_FILES if p.parent.name == "routes"} >= resources
    assert {p.stem for p in ROUTE_FILES if p.parent.name == "pages"} >= resources


@pytest.mark.parametrize("path", ROUTE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_routes_do_not_import_the_app(path: Path) -> None:
    imported = _imports(_tree(path))
    assert not {n for n in imported if n == "dashboards.api.app" or n.startswith("dashboards.api.app.")}
    if path.parent.name == "routes":  # pages may use the API's dependencies, never the other way round
        assert not {n for n in imported if n.startswith("dashboards.api.pages")}


@pytest.mark.parametrize("path", ROUTE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_routes_reach_elasticsearch_only_through_stores(path: Path) -> None:
    tree = _tree(path)
    touched = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "es"]
    assert not touched, f"{path.name} uses `.es` on lines {touched}: call a store on Services instead"
    assert "elasticsearch" not in {n.split(".")[0] for n in _imports(tree)}


@pytest.mark.parametrize("path", ROUTE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_dependencies_are_annotated_aliases(path: Path) -> None:
    defaults = [
        node.lineno
        for fn in ast.walk(_tree(path))
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in [*fn.args.defaults, *fn.args.kw_defaults]
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Depends"
    ]
    assert not defaults, f"{path.name}: `= Depends(...)` on lines {defaults}; use an Annotated alias"


def test_the_api_and_the_pages_are_separate_routers() -> None:
    from dashboards.api.pages import pages
    from dashboards.api.routes import api

    assert api.prefix == "/api" and not pages.prefix and not pages.include_in_schema
    for path in ROUTE_FILES:
        if path.stem == "__init__":
            continue
        router = importlib.import_module(f"dashboards.api.{path.parent.name}.{path.stem}").router
        paths = [route.path for route in router.routes]
        assert paths, path
        # the API's paths are relative to /api; no page lives under /api
        assert not any(p.startswith("/api") for p in paths), (path, paths)


def test_one_station_check_for_posts_alerts_and_letters() -> None:
    missing, elsewhere = HTTPException(404, "missing"), HTTPException(403, "elsewhere")
    post = {"id": "p1", "jurisdiction": "西三派出所"}
    assert visible(post, None, missing) is post  # no scope: every station
    assert visible(post, "西三派出所", missing, elsewhere) is post
    for record, scope, expected in (
        (None, None, missing),
        (post, "弥阳派出所", elsewhere),
        (post, "", elsewhere),  # a duty officer without a station sees nothing
        ({"id": "p2"}, "西三派出所", elsewhere),  # a post of no station is no station's
    ):
        with pytest.raises(HTTPException) as caught:
            visible(record, scope, missing, elsewhere)
        assert caught.value is expected
    with pytest.raises(HTTPException) as caught:  # without `elsewhere`: answered like a missing one
        visible(post, "弥阳派出所", missing)
    assert caught.value is missing
