"""docs/erd.md matches the models, and draws the relationships the shop relies on."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPO = Path(__file__).resolve().parents[2]
ERD = REPO / "docs" / "erd.md"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    output = tmp_path_factory.mktemp("erd") / "erd.md"
    call_command("erd", output=str(output))
    return output.read_text(encoding="utf-8")


def diagram(text: str) -> str:
    match = re.search(r"```mermaid\nerDiagram\n(.*?)```", text, re.S)
    assert match, "no Mermaid erDiagram block"
    return match.group(1)


def entity(text: str, name: str) -> list[str]:
    match = re.search(rf"^    {name} \{{\n(.*?)^    \}}", diagram(text), re.S | re.M)
    assert match, f"no entity {name}"
    return [line.strip() for line in match.group(1).splitlines()]


def test_docs_erd_is_up_to_date(generated: str):
    assert ERD.exists(), "docs/erd.md is missing: run `python manage.py erd`"
    assert ERD.read_text(encoding="utf-8") == generated, (
        "docs/erd.md is out of date with the models: run `python manage.py erd`"
    )


def test_check_flag_fails_on_a_stale_file(tmp_path: Path):
    stale = tmp_path / "erd.md"
    stale.write_text("# old\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("erd", output=str(stale), check=True)
    call_command("erd", output=str(stale))
    call_command("erd", output=str(stale), check=True)


def test_order_lines_belong_to_one_order(generated: str):
    assert '    OrderLine }o--|| Order : "order"' in diagram(generated)
    assert "ForeignKey order_id FK" in " ".join(entity(generated, "OrderLine"))


def test_stock_record_is_one_to_one_with_its_product(generated: str):
    assert '    StockRecord |o--|| ProductPage : "product"' in diagram(generated)
    assert any(
        line.startswith("OneToOneField product_id FK, UK")
        for line in entity(generated, "StockRecord")
    )


def test_notifications_belong_to_a_user(generated: str):
    assert '    Notification }o--|| User : "user"' in diagram(generated)


def test_many_to_many_and_nullable_foreign_keys_are_drawn(generated: str):
    text = diagram(generated)
    assert '    User }o--o{ Group : "groups"' in text
    # OrderEvent.actor is nullable: an event the system made has no actor.
    assert '    OrderEvent }o--o| User : "actor"' in text


def test_only_our_apps_have_columns(generated: str):
    boxes = set(re.findall(r"^    (\w+) \{$", diagram(generated), re.M))
    assert {"User", "ProductPage", "Cart", "CartItem", "Order", "Notification"} <= boxes
    assert not boxes & {"Page", "Group", "Revision", "OutstandingToken"}


def test_output_is_sorted(generated: str):
    text = diagram(generated)
    boxes = re.findall(r"^    (\w+) \{$", text, re.M)
    lines = [line for line in text.splitlines() if re.search(r"--|\.\.", line)]
    assert boxes == sorted(boxes)
    assert lines == sorted(lines)


def test_intro_says_how_to_regenerate(generated: str):
    assert generated.startswith("# Data model\n")
    assert "python manage.py erd" in generated.split("```mermaid")[0]
