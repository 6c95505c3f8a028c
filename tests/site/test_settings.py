"""Production settings pass Django's deploy checks and refuse to start unsafely."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_with(
    settings_module: str, *args: str, **env: str
) -> subprocess.CompletedProcess:
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**base_env, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
}


def test_production_settings_pass_check_deploy():
    result = run_with(
        "nexus.settings.production",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_with("nexus.settings.production", "manage.py", "check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_or_insecure_secret_key():
    for weak in ("short", "django-insecure-" + "x" * 60):
        result = run_with(
            "nexus.settings.production",
            "manage.py",
            "check",
            **{**PRODUCTION_ENV, "SECRET_KEY": weak},
        )
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr


def test_production_turns_off_the_browsable_api():
    code = (
        "from django.conf import settings;"
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    )
    result = run_with(
        "nexus.settings.production",
        "-c",
        f"import django;django.setup();{code}",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "BrowsableAPIRenderer" not in result.stdout


def test_production_logs_one_json_object_per_line():
    code = (
        "import django,logging;django.setup();"
        "logging.getLogger('nexus.test').warning('order placed', extra={'order': 7})"
    )
    result = run_with("nexus.settings.production", "-c", code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["message"] == "order placed"
    assert line["level"] == "WARNING"
    assert line["order"] == 7


def test_embedded_default_needs_no_variables():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'],"
        "settings.CHANNEL_LAYERS['default']['BACKEND'],"
        "settings.CELERY_TASK_ALWAYS_EAGER,"
        "settings.STORAGES['default']['BACKEND'],"
        "settings.EMAIL_BACKEND,"
        "settings.DATABASES['default']['OPTIONS']['transaction_mode'])"
    )
    result = run_with(
        "nexus.settings.dev", "-c", f"import django;django.setup();{code}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
        "django.core.files.storage.FileSystemStorage",
        "django.core.mail.backends.console.EmailBackend",
        "IMMEDIATE",
    ]


def test_the_three_variables_switch_to_postgresql_redis_and_rabbitmq():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'],"
        "settings.CHANNEL_LAYERS['default']['BACKEND'],"
        "settings.CELERY_TASK_ALWAYS_EAGER,"
        "settings.CELERY_BROKER_URL.split(':')[0])"
    )
    env = {
        k: PRODUCTION_ENV[k] for k in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    result = run_with(
        "nexus.settings.dev", "-c", f"import django;django.setup();{code}", **env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "channels_redis.core.RedisChannelLayer",
        "False",
        "amqp",
    ]


EMAIL_SETTINGS = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
)


def email_settings_for(url: str) -> list:
    code = (
        "import json;from django.conf import settings;"
        f"print(json.dumps([getattr(settings, k) for k in {EMAIL_SETTINGS!r}]))"
    )
    result = run_with(
        "nexus.settings.dev",
        "-c",
        f"import django;django.setup();{code}",
        EMAIL_URL=url,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_email_url_sets_every_email_setting():
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    assert email_settings_for("smtp+tls://mailer:s3cret@mail.example.com:587") == [
        smtp,
        "mail.example.com",
        587,
        "mailer",
        "s3cret",
        True,
        False,
    ]
    # No port: smtplib's own default (465 for SSL) applies, not Django's 25.
    assert email_settings_for("smtp+ssl://mail.example.com") == [
        smtp,
        "mail.example.com",
        None,
        None,
        None,
        False,
        True,
    ]
    assert email_settings_for("consolemail://") == [
        "django.core.mail.backends.console.EmailBackend",
        None,
        None,
        None,
        None,
        False,
        False,
    ]


def test_payment_variables_reach_the_settings():
    code = (
        "from django.conf import settings;"
        "print(settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET,"
        "settings.STRIPE_API_BASE, settings.PAYPAL_CLIENT_ID,"
        "settings.PAYPAL_CLIENT_SECRET, settings.PAYPAL_WEBHOOK_ID,"
        "settings.PAYPAL_API_BASE, settings.ORDER_PAYMENT_TTL)"
    )
    result = run_with(
        "nexus.settings.dev",
        "-c",
        f"import django;django.setup();{code}",
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
        STRIPE_API_BASE="http://127.0.0.1:12111/",
        PAYPAL_CLIENT_ID="id",
        PAYPAL_CLIENT_SECRET="secret",
        PAYPAL_WEBHOOK_ID="WH-1",
        PAYPAL_API_BASE="http://127.0.0.1:12112",
        ORDER_PAYMENT_TTL="2h",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "sk_test_x",
        "whsec_x",
        "http://127.0.0.1:12111",
        "id",
        "secret",
        "WH-1",
        "http://127.0.0.1:12112",
        "7200",
    ]


def test_without_payment_variables_the_defaults_are_stripe_and_paypal_sandbox():
    expression = (
        "settings.STRIPE_API_BASE, settings.PAYPAL_API_BASE, "
        "settings.ORDER_PAYMENT_TTL, bool(settings.STRIPE_SECRET_KEY)"
    )
    assert setting_in("nexus.settings.dev", expression) == (
        "https://api.stripe.com https://api-m.sandbox.paypal.com 1800 False"
    )


def test_a_nonsense_order_payment_ttl_stops_the_app_at_startup():
    result = run_with(
        "nexus.settings.dev",
        "-c",
        "import django;django.setup()",
        ORDER_PAYMENT_TTL="soon",
    )
    assert result.returncode != 0
    assert "ORDER_PAYMENT_TTL" in result.stderr


def setting_in(settings_module: str, expression: str, **env: str) -> str:
    code = (
        "import django;django.setup();from django.conf import settings;"
        f"print({expression})"
    )
    result = run_with(settings_module, "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_dev_settings_without_a_secret_key_make_a_key_of_this_machine(tmp_path):
    key_file = tmp_path / "secret_key"
    key = setting_in(
        "nexus.settings.dev",
        "settings.SECRET_KEY",
        DEBUG="false",
        SECRET_KEY_FILE=str(key_file),
    )
    assert len(key) >= 50
    assert "insecure" not in key
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    # The next start signs with the same key: tokens survive a restart.
    again = setting_in(
        "nexus.settings.dev", "settings.SECRET_KEY", SECRET_KEY_FILE=str(key_file)
    )
    assert again == key


def test_a_secret_key_in_the_environment_wins_over_the_key_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key = setting_in(
        "nexus.settings.dev",
        "settings.SECRET_KEY",
        SECRET_KEY="x" * 60,
        SECRET_KEY_FILE=str(key_file),
    )
    assert key == "x" * 60
    assert not key_file.exists()


def test_the_machine_key_file_stays_out_of_git():
    from nexus.settings.env import read_environment

    assert read_environment().secret_key_file.name == ".secret_key"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(REPO / ".secret_key")], cwd=REPO, check=False
    )
    assert ignored.returncode == 0


def test_forwarded_for_is_trusted_only_behind_a_configured_proxy_count():
    expression = "settings.REST_FRAMEWORK.get('NUM_PROXIES')"
    assert setting_in("nexus.settings.dev", expression) == "0"
    assert setting_in("nexus.settings.dev", expression, TRUSTED_PROXIES="2") == "2"
    assert setting_in("nexus.settings.production", expression, **PRODUCTION_ENV) == "1"
    assert (
        setting_in(
            "nexus.settings.production",
            expression,
            TRUSTED_PROXIES="2",
            **PRODUCTION_ENV,
        )
        == "2"
    )


def test_admin_screens_are_wagtail_viewsets_and_modeladmin_is_gone():
    """wagtail-modeladmin served no screen; Wagtail's own viewsets replaced it."""
    from django.conf import settings

    assert "wagtail_modeladmin" not in settings.INSTALLED_APPS
    pins = (REPO / "requirements.txt").read_text().lower()
    assert "wagtail-modeladmin" not in pins and "wagtail_modeladmin" not in pins
    importers = [
        path
        for folder in ("site", "cms", "commerce", "realtime")
        for path in (REPO / folder).rglob("*.py")
        if "wagtail_modeladmin" in path.read_text()
    ]
    assert importers == []


def test_inline_tasks_on_the_embedded_default_log_no_kombu_warning():
    """Celery takes a kombu producer even for inline tasks; no broker, no warning."""
    snippet = (
        "import django; django.setup()\n"
        "from nexus.celery import app\n"
        "from django.conf import settings\n"
        "assert settings.CELERY_TASK_ALWAYS_EAGER\n"
        "@app.task\n"
        "def echo(value): return value\n"
        "print('answer', echo.apply_async(args=[41]).get() + 1)\n"
    )
    result = run_with("nexus.settings.dev", "-W", "always", "-c", snippet)
    assert result.returncode == 0, result.stderr
    assert "answer 42" in result.stdout
    output = result.stdout + result.stderr
    assert "No hostname was supplied" not in output
    assert "WARNING" not in output
