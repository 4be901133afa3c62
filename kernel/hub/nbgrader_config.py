"""The class hub's global nbgrader config (scripts/hub copies it to <prefix>/venv/etc/jupyter/).

Every user's nbgrader (the assignment list in JupyterLab, the command line, formgrader) reads it:
it names the exchange, the directory through which the instructor releases assignments and
feedback and the students submit. The instructor's course settings (the Rust stub, the kernel,
the timeout) stay in the course root's own nbgrader_config.py.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets)

c.Exchange.root = os.environ.get("DISTSIM_HUB_EXCHANGE", "/srv/nbgrader/exchange")
