"""Server config of the formgrader service (kernel/hub/jupyterhub_config.py): formgrader is
switched off for every user's server by scripts/hub and on again here, for the instructor only."""

c = get_config()  # noqa: F821 (provided by traitlets)
c.ServerApp.jpserver_extensions = {"nbgrader.server_extensions.formgrader": True}
