"""The WSGI application with bench/candidates.py applied, for bench_http.py to serve.

`gunicorn -c flower_power/gunicorn.conf.py --pythonpath bench candidate_wsgi`.
"""

import candidates

from flower_power.wsgi import application

candidates.apply()

__all__ = ["application"]
