"""Property-based fuzzing of /api/v1/: no generated request, valid or not, gets a 500.

schemathesis reads the app's own OpenAPI document and generates requests for every
operation, both conforming and deliberately malformed, sent as a customer and as an
admin. The run is derandomized so CI sees the same cases every time.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product

# Generating the document touches no database, so it can load at collection time.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application()
)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction():
    # Like Django's test client: keep the request cycle from closing the test's
    # connection, which holds the transaction every example runs inside.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    create_product(stock=5)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def bearer_for(role: str) -> dict[str, str]:
    user = UserFactory(is_staff=role == "admin")
    return {"Authorization": client_for(user)._credentials["HTTP_AUTHORIZATION"]}


FUZZ = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_no_request_from_a_customer_yields_a_server_error(case):
    case.call_and_validate(headers=bearer_for("customer"), checks=[not_a_server_error])


@schema.parametrize()
@FUZZ
def test_no_request_from_an_admin_yields_a_server_error(case):
    case.call_and_validate(headers=bearer_for("admin"), checks=[not_a_server_error])
