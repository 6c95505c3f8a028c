"""Enable pg_trgm so catalog search can fall back to typo-tolerant matching.

Django's CreateExtension does nothing on databases other than PostgreSQL, so the
embedded SQLite default migrates unchanged.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_create_homepage")]

    operations = [TrigramExtension()]
