"""Create (or reset) the demo admin that `make run` prints, so a newcomer can log in."""

from django.core.management.base import BaseCommand

from commerce.accounts.models import User


class Command(BaseCommand):
    help = "Create or update a staff superuser with the given email and password."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, email: str, password: str, **options) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User.objects.create_superuser(email=email, password=password)
            self.stdout.write(f"Created demo admin {email}")
            return
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Demo admin {email} is ready")
