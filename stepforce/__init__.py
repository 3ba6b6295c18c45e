"""stepforce: long, heavy Salesforce business processes as orchestration specs.

The distribution installs one import package, ``stepforce``; its subpackages live at the
top of the repository (``cli/``, ``generator/``, ``runtime_client/``, ``templates/``).
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("stepforce")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
