"""Lists the packages, installing the folder `site/` under the import name `nexus`.

pyproject.toml holds the metadata; only this list needs code, since
`packages.find` knows folder names and not the renamed one.
"""

from setuptools import find_packages, setup

packages = ["nexus", *(f"nexus.{name}" for name in find_packages("site"))]
packages += find_packages(include=["cms*", "commerce*", "realtime*"])

setup(packages=packages, include_package_data=True)
