"""gunicorn's configuration: `gunicorn -c gunicorn.conf.py "service:create_app()"`.

The settings live in the package (`service/gunicorn_conf.py`), so that `newsclean serve`
uses the same ones from an installed wheel.
"""

from service.gunicorn_conf import *  # noqa: F403
