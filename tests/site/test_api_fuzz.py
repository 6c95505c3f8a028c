"""Property-based fuzzing of /api/v1/: every answer is one the OpenAPI schema promises.

schemathesis reads the app's own OpenAPI document and generates requests for every
operation, both conforming and deliberately malformed, sent as a customer and as an
admin, and runs every one of its checks on each answer: no 500, a documented status
code, a body and headers matching the documented schema and content type, malformed
input refused, well-formed input accepted, 405 with Allow for undeclared methods,
authentication enforced where declared. Any violation fails the test. The run is
derandomized so CI sees the same cases every time.
"""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product

# Requests that JSON Schema cannot tell from good ones but that the contract refuses
# with a 400 (docs/api/reference.md). They are well-formed, so schemathesis expects
# them accepted; here a 400 is what the operation documents for them.
REFUSED_THOUGH_WELL_FORMED = {
    "POST /api/v1/auth/register/": "a weak password, or an email already registered",
    "POST /api/v1/auth/password/change/": "a wrong current password, a weak new one",
    "POST /api/v1/auth/password/reset/confirm/": "a reset link that was never mailed",
    "GET /api/v1/products/": "max_price below min_price",
    "GET /api/v1/products/facets/": "max_price below min_price",
    "POST /api/v1/products/": "a category slug no category has, a SKU in use",
    "PATCH /api/v1/products/{product_id}/": "as for creating a product",
    "POST /api/v1/products/{product_id}/images/": "bytes that are no image",
    "POST /api/v1/cart/items/": "a product id no product has",
    "POST /api/v1/orders/": "an empty cart (cart_empty)",
    "POST /api/v1/orders/{order_id}/pay/": "a provider without keys here, a URL that "
    "Django's validator refuses",
    "POST /api/v1/orders/{order_id}/refund/": "more than remains to refund, or an "
    "order with nothing captured (refund_refused)",
    "POST /api/v1/payments/webhooks/stripe/": "a body Stripe did not sign",
    "POST /api/v1/payments/webhooks/paypal/": "a delivery PayPal does not vouch for",
    "POST /api/v1/products/{product_id}/reviews/": "a title that is only markup",
    "PATCH /api/v1/reviews/{review_id}/": "a title that is only markup",
    "POST /api/v1/wishlist/": "a product id no product has",
}
# Well-formed requests answered with a status of their own: the dummy provider's
# decline card (402).
ALSO_ACCEPTED = {"POST /api/v1/orders/{order_id}/pay/": ["402"]}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

# Malformed requests the API takes: DRF reads a JSON number sent for a text field as
# its digits (`"last_name": 0` sets "0"). Where every other field is optional that
# request succeeds; refusing it would change the API, which this suite only checks.
ACCEPTED_THOUGH_MALFORMED = {
    "PATCH /api/v1/auth/me/": "a number for `first_name` or `last_name`",
}
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429"]

CONFIG = SchemathesisConfig.from_dict(
    {
        # Every text field refuses a NUL character with a 400 (nexus.api's request
        # guard and DRF's CharField), which JSON Schema cannot say; well-formed data
        # is therefore generated without it.
        "generation": {"allow-x00": False},
        "operations": [
            *(
                {
                    "include-name": name,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [
                                *ACCEPTED,
                                "400",
                                *ALSO_ACCEPTED.get(name, []),
                            ]
                        }
                    },
                }
                for name in REFUSED_THOUGH_WELL_FORMED
            ),
            *(
                {
                    "include-name": name,
                    "checks": {
                        "negative_data_rejection": {
                            "expected-statuses": [*REFUSED, "5xx", "200"]
                        }
                    },
                }
                for name in ACCEPTED_THOUGH_MALFORMED
            ),
        ],
    }
)

# Generating the document touches no database, so it can load at collection time.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)
pytestmark = pytest.mark.django_db

# Rate limits off: they would turn most of a run into 429s (which the document
# allows) and test nothing else; tests/site/test_throttling.py covers them.
UNTHROTTLED = {
    **django_settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    ),
}


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction():
    # Like Django's test client: keep the request cycle from closing the test's
    # connection, which holds the transaction every example runs inside.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    create_product(stock=5)
    with override_settings(REST_FRAMEWORK=UNTHROTTLED):
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
def test_every_answer_to_a_customer_is_documented(case):
    # No `checks=`: schemathesis runs all of its checks.
    case.call_and_validate(headers=bearer_for("customer"))


@schema.parametrize()
@FUZZ
def test_every_answer_to_an_admin_is_documented(case):
    case.call_and_validate(headers=bearer_for("admin"))
