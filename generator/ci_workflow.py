"""CI pipelines ``stepforce init --ci`` adds to a new project (pure: names in, files out)."""

from __future__ import annotations

from importlib import resources
from pathlib import PurePosixPath

from stepforce import __version__
from stepforce.generator.scaffold import ScaffoldFile

CI_SYSTEMS = ("github",)
_VERSION_PLACEHOLDER = "__STEPFORCE_VERSION__"


def ci_files(system: str, stepforce_version: str = __version__) -> list[ScaffoldFile]:
    """The files of one CI system; the workflow installs the stepforce version given."""
    if system != "github":
        raise ValueError(f"unknown CI system {system!r}; choose from {', '.join(CI_SYSTEMS)}")
    # One name per joinpath: templates is a namespace package (MultiplexedPath on 3.11).
    template = resources.files("stepforce.templates").joinpath("ci").joinpath("github")
    template = template.joinpath("stepforce.yml")
    text = template.read_text(encoding="utf-8").replace(_VERSION_PLACEHOLDER, stepforce_version)
    return [ScaffoldFile(PurePosixPath(".github/workflows/stepforce.yml"), text)]
