"""The apps' imports run one way, with no loops, as docs/architecture.md draws them."""

import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command

from nexus.management.commands.importgraph import (
    cycles,
    module_imports,
    room_arrows,
    wrong_way,
)

LABELS = {"orders": "commerce.orders", "catalog": "commerce.catalog", "cms": "cms"}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name in ("site", "cms", "commerce", "realtime"):
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "__init__.py").touch()
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if str(parent) != ".":
                (root / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(source))
    return root


def test_the_code_has_no_upward_arrow_no_cycle_and_the_picture_is_current():
    call_command("importgraph", "--check")  # raises CommandError listing problems


def test_an_import_inside_a_function_that_points_upwards_is_caught(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "cms/models.py": """
                def later():
                    from commerce.catalog import services
            """,
            "commerce/catalog/services.py": "from cms import models\n",
        },
    )
    arrows = wrong_way(room_arrows(module_imports(root, LABELS)))
    assert [(a.source, a.target) for a in arrows] == [("cms", "commerce.catalog")]


def test_a_model_looked_up_by_name_is_an_arrow(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "commerce/catalog/selectors.py": """
                from django.apps import apps

                def lines():
                    return apps.get_model("orders", "OrderLine")
            """,
            "commerce/orders/models.py": "",
        },
    )
    arrows = wrong_way(room_arrows(module_imports(root, LABELS)))
    assert [(a.source, a.target) for a in arrows] == [
        ("commerce.catalog", "commerce.orders")
    ]


@pytest.mark.parametrize("hidden", [False, True])
def test_two_modules_importing_each_other_are_a_cycle(tmp_path, hidden):
    back = (
        "def f():\n    from realtime.delivery import push\n"
        if hidden
        else "from realtime import delivery\n"
    )
    root = write_tree(
        tmp_path,
        {
            "realtime/delivery.py": "from realtime.tasks import send\n",
            "realtime/tasks.py": back,
        },
    )
    assert cycles(module_imports(root, LABELS)) == [
        ["realtime.delivery", "realtime.tasks"]
    ]
