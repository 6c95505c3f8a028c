"""/healthz answers while the process runs; /readyz pings each backing service."""

import pytest
from django.test import override_settings


def test_healthz_is_ok_without_touching_services(client):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_every_service_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "broker": "ok",
        "search": "not configured",
    }


@pytest.mark.django_db
def test_readyz_names_redis_when_it_is_unreachable(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_unreachable(client):
    with override_settings(CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:1//"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
