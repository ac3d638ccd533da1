"""The version of newsclean, in one place: the distribution's metadata (hatch reads it
here), `newsclean --version`, the service's `/version` and `newsclean_build_info`, and the
image's label; a test holds CHANGELOG.md's top entry and the Dockerfile to it."""

__version__ = "0.2.0"
